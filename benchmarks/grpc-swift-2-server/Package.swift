// swift-tools-version:6.1
// A grpc-swift-2 implementation of grpc.testing.TestService, used only as a comparison point by
// benchmarks/run.sh. It is a separate package: the main package does not depend on it.
import PackageDescription

let package = Package(
    name: "grpc-swift-2-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grpc-swift-2-server", targets: ["GRPCSwift2Server"])
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        .executableTarget(
            name: "GRPCSwift2Server",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Sources/GRPCSwift2Server"
        )
    ],
    swiftLanguageModes: [.v6]
)
