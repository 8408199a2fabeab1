// swift-tools-version:6.2
// Micro-benchmarks of Pinhole's hot path (ordo-one/benchmark), each beside a reference that
// shows the floor under it. A package of its own so that the agent's build and tests do not
// compile the benchmark tool: `make bench` runs `swift package benchmark` here.
import PackageDescription

let package = Package(
    name: "PinholeMicroBenchmarks",
    dependencies: [
        .package(name: "pinhole", path: "../../.."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPath",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), .product(name: "PinholeProtocols", package: "pinhole")],
            path: "Benchmarks/HotPath",
            resources: [.copy("chromium-offer.sdp")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
