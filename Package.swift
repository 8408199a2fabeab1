// swift-tools-version:6.2
// Pinhole: a single-binary WebRTC camera endpoint. Layers and their rules: ../shared/DESIGN.md.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// A C library reached through pkg-config, installed from Debian by `make deps`.
func system(_ name: String, _ pkgConfig: String, _ apt: String) -> Target {
    .systemLibrary(name: name, path: "Sources/C/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
    name: "pinhole",
    products: [
        .executable(name: "pinhole", targets: ["pinhole"]),
        // The protocol modules, for the micro-benchmarks in tools/bench/micro.
        .library(name: "PinholeProtocols", targets: ["SDP", "STUN", "ICE", "RTP", "SRTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The WHIP client (publishing to a media server, over HTTPS too); FoundationEssentials only.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // C edges: system libraries and the one shim target.
        system("CVPX", "vpx", "libvpx-dev"),
        system("COpus", "opus", "libopus-dev"),
        system("CALSA", "alsa", "libasound2-dev"),
        system("CV4L2", "libv4l2", "libv4l-dev"),
        system("COpenSSL", "openssl", "libssl-dev"),
        system("CSRTP", "libsrtp2", "libsrtp2-dev"),
        system("CGPIOD", "libgpiod", "libgpiod-dev"),
        .target(name: "CPinholeShims", dependencies: ["CVPX", "COpus", "COpenSSL", "CV4L2", "CALSA"], path: "Sources/C/CPinholeShims"),
        // libgpiod 1.6 and 2.x behind one interface.
        .target(name: "CPinholeGPIO", dependencies: ["CGPIOD"], path: "Sources/C/CPinholeGPIO"),

        // Layer 1: wire formats, no I/O, no C.
        .target(name: "SDP", swiftSettings: strict),
        .target(name: "STUN", swiftSettings: strict),
        .target(name: "RTP", swiftSettings: strict),
        .target(name: "RTCP", swiftSettings: strict),
        .target(name: "Demux", swiftSettings: strict),

        // Layer 2: protocol engines, no sockets.
        .target(name: "ICE", dependencies: ["STUN"], swiftSettings: strict),
        .target(name: "DTLS", dependencies: ["COpenSSL", "CPinholeShims"], swiftSettings: strict),
        .target(name: "SRTP", dependencies: ["CSRTP"], swiftSettings: strict),
        .target(name: "Feedback", dependencies: ["RTCP"], swiftSettings: strict),

        // Layer 3: media.
        .target(name: "Media", dependencies: ["RTP", "Feedback"], swiftSettings: strict),
        .target(name: "Codecs", dependencies: ["Media", "CVPX", "COpus", "CPinholeShims"], swiftSettings: strict),
        .target(name: "Capture", dependencies: ["Media", "CV4L2", "CALSA", "CPinholeShims"], swiftSettings: strict),
        .target(name: "GPIO", dependencies: ["CPinholeGPIO", "Media"], swiftSettings: strict),

        // Layer 4: transport.
        .target(
            name: "Transport",
            dependencies: ["Demux", "ICE", "STUN", "DTLS", "SRTP", "RTP", "RTCP", "Feedback", "Media", "CPinholeShims",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        // Layer 5: the agent.
        .target(
            name: "Agent",
            dependencies: ["SDP", "ICE", "STUN", "RTP", "Transport", "Media", "Codecs", "Capture", "GPIO", "DTLS", "Feedback",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        // Layer 6: the executable.
        .executableTarget(
            name: "pinhole",
            dependencies: ["Agent", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        .testTarget(name: "WireFormatTests", dependencies: ["SDP", "STUN", "RTP", "RTCP", "ICE", "Demux"],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "EngineTests", dependencies: ["DTLS", "SRTP", "RTP", "RTCP", "Feedback", "Transport", "ICE", "STUN"], swiftSettings: strict),
        .testTarget(name: "MediaTests", dependencies: ["Media", "Codecs", "Capture", "RTP"], swiftSettings: strict),
        .testTarget(name: "GPIOTests", dependencies: ["GPIO"], swiftSettings: strict),
        .testTarget(name: "AgentTests", dependencies: ["Agent", .product(name: "HummingbirdTesting", package: "hummingbird")], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
