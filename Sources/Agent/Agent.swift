public import Logging
internal import Hummingbird
internal import ServiceLifecycle
internal import UnixSignals
internal import DTLS
internal import Transport
internal import STUN
internal import Media
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
        let plan = try configuration.mediaPlan()
        let udp = try TransportAddress(parsing: configuration.udp)
        let http = try TransportAddress(parsing: configuration.http)
        let certificate = try DTLSCertificate()
        let keyframes = KeyframeRequests()
        let ring = PacketRing()
        let metrics = MetricsExporter()
        let events = EventBus(observe: metrics.count)
        let transport = try MediaTransport(binding: udp, dtlsContext: DTLSContext(certificate: certificate), ring: ring,
                                           logger: logger, keyframes: keyframes, onViewer: { event in
            switch event {
            case .connected(let id, let address): events.publish("viewer", ["state": "connected", "id": id, "address": address])
            case .left(let id, let reason): events.publish("viewer", ["state": "left", "id": id, "reason": reason])
            }
        })
        let streamer = Streamer(configuration: configuration, plan: plan, keyframes: keyframes, ring: ring, logger: logger,
                                events: events, sink: transport.send)
        let candidates = try hostCandidates(bound: transport.localAddress)
        let whep = WHEPService(transport: transport, certificate: certificate, candidates: candidates,
                               streamer: streamer, maxViewers: configuration.maxViewers, feedback: configuration.feedback)
        transport.start()
        streamer.start()
        let policy = Task {
            await BitratePolicy(configuration: configuration, audioKbps: streamer.audio == nil ? 0 : 52).run(transport: transport, streamer: streamer)
        }
        defer { policy.cancel() }
        defer {
            streamer.stop()
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
        HTTPRoutes(whep: whep, streamer: streamer, transport: transport, gpio: gpio, events: events, metrics: metrics, token: configuration.token,
                   publicStatus: configuration.publicStatus, startedAt: MediaClock.monotonicNanoseconds()).add(to: router)
        let app = Application(router: router, configuration: .init(address: .hostname(http.canonicalIP, port: Int(http.port)), serverName: "pinhole"),
                              onServerRunning: { [logger] channel in
                                  logger.info("pinhole ready", metadata: [
                                      "http": "\(channel.localAddress.map { "\($0)" } ?? configuration.http)",
                                      "udp": "\(transport.localAddress)", "candidates": "\(candidates.map(\.description))",
                                      "video": "\(plan.video)", "audio": "\(plan.audio)"])
                                  // HTTP and UDP are both bound now.
                                  notifier.notify("READY=1\nSTATUS=streaming, 0 viewers")
                              },
                              logger: logger)
        let watchdog = WatchdogService(notifier: notifier, streamer: streamer, transport: transport)
        let group = ServiceGroup(configuration: .init(services: [.init(service: app), .init(service: watchdog), .init(service: EventsService(bus: events))],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("pinhole stopped")
    }

    /// `--advertise` addresses first (the operator set them up for viewers to reach us, so they
    /// get the highest priority), then the bound address, or every interface address when bound
    /// to a wildcard; each address once.
    func hostCandidates(bound: TransportAddress) throws -> [TransportAddress] {
        var result: [TransportAddress] = []
        for text in configuration.advertise { result.append(try TransportAddress(parsing: text, defaultPort: bound.port)) }
        for address in bound.isWildcard ? interfaceAddresses(sameFamilyAs: bound) : [bound] where !result.contains(address) {
            result.append(address)
        }
        return result.isEmpty ? [bound] : result
    }
}
