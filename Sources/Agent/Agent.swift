public import Logging
internal import Hummingbird
internal import HummingbirdCore
internal import NIOCore
internal import ServiceLifecycle
internal import UnixSignals
internal import Transport
internal import Media
internal import STUN
internal import GPIO

/// Wires the layers together and runs until SIGTERM or SIGINT.
public struct Agent: Sendable {
    public let configuration: Configuration
    public let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let parts = try Assembly(configuration: configuration, logger: logger)
        let (transport, streamer) = (parts.transport, parts.streamer)
        let http = try TransportAddress(parsing: configuration.http)
        transport.start()
        streamer.start(by: "agent")
        let policy = Task {
            await BitratePolicy(configuration: configuration, audioKbps: streamer.audio == nil ? 0 : 52).run(transport: transport, streamer: streamer)
        }
        defer { policy.cancel() }
        defer {
            streamer.stop(by: "agent")
            transport.stop()
        }

        if let seconds = configuration.testStallVideoAfterSeconds {
            Task {
                try await Task.sleep(for: .seconds(seconds))
                logger.warning("test fault: video pipeline stalled on purpose")
                streamer.stallVideoForTesting()
            }
        }

        // Buttons are an extra: a chip that is missing or busy is retried, streaming goes on.
        let gpio = try Buttons(configuration: configuration, streamer: streamer, transport: transport, logger: logger).controller()
        gpio?.start()
        defer { gpio?.stop() }

        let notifier = SystemdNotifier.fromProcessEnvironment()
        let router = Router()
        try parts.routes(gpio: gpio).add(to: router)
        let requestTimeout = TimeAmount.seconds(Int64(configuration.httpTimeoutSeconds))
        let connections = ConnectionLimit(limit: configuration.maxConnections)
        let app = Application(router: router,
                              server: .http1(configuration: .init(additionalChannelHandlers: [connections.gate(), RequestDeadline(timeout: requestTimeout)])),
                              configuration: .init(address: .hostname(http.canonicalIP, port: Int(http.port)), serverName: "pinhole"),
                              onServerRunning: { [logger, plan = parts.plan, candidates = parts.candidates] channel in
                                  logger.info("pinhole ready", metadata: [
                                      "http": "\(channel.localAddress.map { "\($0)" } ?? configuration.http)",
                                      "udp": "\(transport.localAddress)", "candidates": "\(candidates.map(\.description))",
                                      "video": "\(plan.video)", "audio": "\(plan.audio)"])
                                  // HTTP and UDP are both bound now.
                                  notifier.notify("READY=1\nSTATUS=streaming, 0 viewers")
                              },
                              logger: logger)
        let watchdog = WatchdogService(notifier: notifier, streamer: streamer, transport: transport)
        let publisher = parts.publisher.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? []
        let group = ServiceGroup(configuration: .init(services: [.init(service: app), .init(service: watchdog),
                                                                 .init(service: EventsService(bus: parts.events))] + publisher,
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("pinhole stopped")
    }
}
