import ArgumentParser
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

/// `recs health`: grpc.health.v1 Check of each service's own name on its address.
struct Health: RecsCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the services' health: one line each, SERVING, NOT_SERVING or unreachable.",
        discussion: "Exits 1 unless every service checked is SERVING (container health checks name one).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The services to check: registry, issuance, transfer, reporting. (default: all four)")
    var services: [Service] = Service.allCases

    func execute(_ session: Session) async throws {
        let clients = try services.map { ($0, try session.client($0)) }
        let deadline = session.callOptions
        let statuses = await withTaskGroup(of: (Service, String).self) { group in
            for (service, client) in clients {
                group.addTask { (service, await Self.status(of: service, client: client, options: deadline)) }
            }
            return await group.reduce(into: [Service: String]()) { $0[$1.0] = $1.1 }
        }
        var record = Record()
        for service in services { record[service.rawValue] = .string(statuses[service] ?? "unreachable") }
        session.printer.emit(record)
        if statuses.values.contains(where: { $0 != "SERVING" }) { throw ExitCode.failure }
    }

    private static func status(of service: Service, client: RPCClient, options: CallOptions) async -> String {
        var request = Grpc_Health_V1_HealthCheckRequest()
        request.service = service.grpcName
        do {
            let response = try await Grpc_Health_V1_HealthClient(client).check(request, options: options)
            return name(response.status)
        } catch let error as RPCError {
            switch error.code {
            case .unavailable, .deadlineExceeded: return "unreachable"
            // The health service answers NOT_FOUND for a name it does not serve.
            case .notFound: return "SERVICE_UNKNOWN"
            default: return "\(error.code)"
            }
        } catch {
            return "unreachable"
        }
    }

    private static func name(_ status: Grpc_Health_V1_HealthCheckResponse.ServingStatus) -> String {
        switch status {
        case .serving: "SERVING"
        case .notServing: "NOT_SERVING"
        case .serviceUnknown: "SERVICE_UNKNOWN"
        case .unknown: "UNKNOWN"
        case .unrecognized(let value): "UNRECOGNIZED_\(value)"
        }
    }
}
