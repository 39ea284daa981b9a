import Logging
import NIOCore
import NIOPosix
import ProtoServices
import RPC

/// A server that hosts `services` plus health and reflection, as every server of the registry does;
/// `interceptor` runs before every handler, health and reflection included (it lets those through).
/// It has no default: a service states how its callers are checked (the executables always install
/// access control, ADR 0006), so a server cannot be left open by forgetting it.
public struct StandardServer: Sendable {
    public let server: RPCServer
    public let health: HealthService

    public init(
        configuration: ServerConfiguration, services: [any RPCService], interceptor: (any ServerInterceptor)?,
        logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        let names = services.map(\.serviceDefinition.name)
        let health = HealthService(services: names)
        let standardNames = [Grpc_Health_V1_Health.name, Grpc_Reflection_V1_ServerReflection.name]
        let reflection = ReflectionService(serviceNames: names + standardNames)
        self.health = health
        self.server = RPCServer(
            configuration: configuration, services: services + [health, reflection], interceptor: interceptor,
            logger: logger, group: group)
    }

    /// Every hosted service, and the server as a whole, SERVING or NOT_SERVING.
    public func setServing(_ serving: Bool) {
        health.markAll(serving ? .serving : .notServing)
    }

    /// Marks every service NOT_SERVING and ends the health watches, then shuts the server down
    /// gracefully (``RPCServer/shutdown()``).
    public func shutdown() async {
        health.stop()
        await server.shutdown()
    }
}
