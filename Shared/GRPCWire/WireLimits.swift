/// Every limit the wire layer enforces, in one place, with its unit last in the name.
public struct WireLimits: Sendable, Hashable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to clients; nghttp2 refuses streams beyond it.
    public var concurrentStreamsMax: UInt32 = 100
    /// Largest request header list accepted (names + values + 32 bytes per field, RFC 9113 §6.5.2).
    public var headerListBytesMax: Int = 16 * 1024
    /// Largest gRPC message accepted from the peer; larger ones end the call with RESOURCE_EXHAUSTED.
    public var receiveMessageBytesMax: Int = 4 * 1024 * 1024
    /// RST_STREAM frames a client may send in a burst, and tokens regained per second (Rapid Reset,
    /// CVE-2023-44487). Past the burst the connection gets GOAWAY with ENHANCE_YOUR_CALM.
    public var resetBurstCount: Int = 200
    public var resetRefillPerSecond: Int = 50
    /// PING frames (not acknowledgements) a peer may send in a burst, and tokens regained per second.
    public var pingBurstCount: Int = 50
    public var pingRefillPerSecond: Int = 10
    /// SETTINGS frames a peer may send in a burst, and tokens regained per second.
    public var settingsBurstCount: Int = 50
    public var settingsRefillPerSecond: Int = 10
    /// HTTP/2 flow-control window granted per stream and per connection.
    public var streamWindowBytes: Int32 = 1024 * 1024
    public var connectionWindowBytes: Int32 = 16 * 1024 * 1024
    /// Bytes of response data queued on a stream before writers are asked to wait.
    public var outboundQueuedBytesMax: Int = 256 * 1024

    public init() {}
}
