import ProtoMessages
import RPC

/// One RPC as its .proto file declares it, read from the `FileDescriptorProto`s that
/// scripts/generate.sh embeds in `ProtoDescriptors` (the bytes the reflection service serves).
///
/// This is where the matrix gets its list of methods: a method added to a .proto is in these bytes
/// as soon as the code is regenerated (scripts/check-generated.sh fails otherwise), whether or not
/// anybody wrote a handler, an access rule or a matrix row for it.
struct DeclaredMethod: Hashable, Sendable, CustomStringConvertible {
    /// Fully qualified service name, e.g. `recs.transfer.v1.TransferService`.
    var service: String
    /// The method's name as written in the proto, e.g. `AcceptExport`.
    var name: String
    /// Fully qualified name of the request message, e.g. `recs.transfer.v1.AcceptExportRequest`.
    var inputType: String
    var clientStreaming: Bool
    var serverStreaming: Bool

    var kind: MethodKind {
        switch (clientStreaming, serverStreaming) {
        case (false, false): .unary
        case (false, true): .serverStreaming
        case (true, false): .clientStreaming
        case (true, true): .bidirectionalStreaming
        }
    }

    var path: String { "/\(service)/\(name)" }
    var description: String { path }
}

/// The services of the embedded descriptors, as ProtoMessages' `EmbeddedDescriptors` reads them.
enum DeclaredMethods {
    /// Every method of `service` (fully qualified), in declaration order; empty when no file
    /// declares the service.
    static func of(_ service: String) throws -> [DeclaredMethod] {
        try all().filter { $0.service == service }
    }

    /// Every method of every service of every embedded file.
    static func all() throws -> [DeclaredMethod] {
        try EmbeddedDescriptors.files().flatMap(\.methods).map { method in
            DeclaredMethod(
                service: method.service, name: method.name, inputType: method.inputType, clientStreaming: method.clientStreaming,
                serverStreaming: method.serverStreaming)
        }
    }
}
