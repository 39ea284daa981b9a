import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

/// `grpc.reflection.v1.ServerReflection`, answered from the descriptor set that
/// scripts/generate.sh embedded in `ProtoDescriptors`.
public struct ReflectionService: Grpc_Reflection_V1_ServerReflectionProvider {
    private let serviceNames: [String]

    /// `serviceNames`: the services the server hosts, as `list_services` reports them.
    public init(serviceNames: [String]) {
        self.serviceNames = serviceNames.sorted()
    }

    public func serverReflectionInfo(
        requests: RequestStream<Grpc_Reflection_V1_ServerReflectionRequest>,
        responses: ResponseWriter<Grpc_Reflection_V1_ServerReflectionResponse>, context: ServerContext
    ) async throws {
        for try await request in requests {
            try await responses.write(answer(request))
        }
    }

    func answer(_ request: Grpc_Reflection_V1_ServerReflectionRequest) -> Grpc_Reflection_V1_ServerReflectionResponse {
        var response = Grpc_Reflection_V1_ServerReflectionResponse()
        response.validHost = request.host
        response.originalRequest = request
        switch request.messageRequest {
        case .listServices:
            var list = Grpc_Reflection_V1_ListServiceResponse()
            list.service = serviceNames.map {
                var service = Grpc_Reflection_V1_ServiceResponse()
                service.name = $0
                return service
            }
            response.messageResponse = .listServicesResponse(list)
        case .fileByFilename(let name):
            response.messageResponse = files(withDependenciesOf: name, notFound: "file \(name) not found")
        case .fileContainingSymbol(let symbol):
            let trimmed = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
            if let file = ProtoDescriptors.symbolFiles[trimmed] {
                response.messageResponse = files(withDependenciesOf: file, notFound: "symbol \(symbol) not found")
            } else {
                response.messageResponse = error(.notFound, "symbol \(symbol) not found")
            }
        case .fileContainingExtension(let request):
            // The protos of this registry declare no extensions.
            response.messageResponse = error(
                .notFound, "no extension \(request.extensionNumber) of \(request.containingType)")
        case .allExtensionNumbersOfType(let type):
            if ProtoDescriptors.symbolFiles[type] != nil {
                var numbers = Grpc_Reflection_V1_ExtensionNumberResponse()
                numbers.baseTypeName = type
                response.messageResponse = .allExtensionNumbersResponse(numbers)
            } else {
                response.messageResponse = error(.notFound, "type \(type) not found")
            }
        case nil:
            response.messageResponse = error(.invalidArgument, "the request names no message_request")
        }
        return response
    }

    private func files(withDependenciesOf name: String, notFound: String) -> Grpc_Reflection_V1_ServerReflectionResponse.OneOf_MessageResponse {
        guard let names = ProtoDescriptors.fileWithDependencies(name) else {
            return error(.notFound, notFound)
        }
        var files = Grpc_Reflection_V1_FileDescriptorResponse()
        files.fileDescriptorProto = names.compactMap { ProtoDescriptors.fileDescriptorProtos[$0] }
        return .fileDescriptorResponse(files)
    }

    private func error(_ code: StatusCode, _ message: String) -> Grpc_Reflection_V1_ServerReflectionResponse.OneOf_MessageResponse {
        var error = Grpc_Reflection_V1_ErrorResponse()
        error.errorCode = Int32(code.rawValue)
        error.errorMessage = message
        return .errorResponse(error)
    }
}
