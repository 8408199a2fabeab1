internal import Logging
internal import DTLS
internal import Transport
internal import Media
internal import STUN
internal import GPIO

/// The agent's parts wired together, not yet running: `Agent.run` starts and serves them, the
/// HTTP tests drive the same parts through Hummingbird's test client.
struct Assembly: Sendable {
    let configuration: Configuration
    let plan: (video: MediaChoice, audio: MediaChoice)
    let transport: MediaTransport
    let streamer: Streamer
    let whep: WHEPService
    /// Publishing by WHIP, when configured.
    let publisher: WHIPPublisher?
    let events: EventBus
    let metrics: MetricsExporter
    let candidates: [TransportAddress]
    let startedAt = MediaClock.monotonicNanoseconds()

    init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        plan = try configuration.mediaPlan()
        let certificate = try DTLSCertificate()
        let keyframes = KeyframeRequests()
        let ring = PacketRing(capacity: Self.ringCapacity(bitrateKbps: configuration.bitrateKbps))
        let metrics = MetricsExporter()
        let events = EventBus(observe: metrics.count)
        var limits = MediaTransport.Limits()
        limits.setupTimeout = UInt64(configuration.setupTimeoutSeconds) * 1_000_000_000
        limits.consentTimeout = UInt64(configuration.consentTimeoutSeconds) * 1_000_000_000
        transport = try MediaTransport(binding: try TransportAddress(parsing: configuration.udp),
                                       dtlsContext: DTLSContext(certificate: certificate), ring: ring, limits: limits,
                                       logger: logger, keyframes: keyframes, onViewer: { event in
            switch event {
            case .connected(let id, let address): events.publish("viewer", ["state": "connected", "id": id, "address": address])
            case .left(let id, let reason): events.publish("viewer", ["state": "left", "id": id, "reason": reason])
            }
        })
        streamer = Streamer(configuration: configuration, plan: plan, keyframes: keyframes, ring: ring, logger: logger,
                            events: events, sink: transport.send)
        candidates = try Self.hostCandidates(configuration: configuration, bound: transport.localAddress)
        whep = WHEPService(transport: transport, certificate: certificate, candidates: candidates,
                           streamer: streamer, maxViewers: configuration.maxViewers, feedback: configuration.feedback)
        publisher = configuration.whipURL.isEmpty ? nil : WHIPPublisher(
            configuration: configuration, transport: transport, certificate: certificate, candidates: candidates,
            streamer: streamer, events: events, logger: logger)
        self.events = events
        self.metrics = metrics
    }

    func routes(gpio: GPIOController?) throws -> HTTPRoutes {
        HTTPRoutes(whep: whep, streamer: streamer, transport: transport, gpio: gpio, publisher: publisher, events: events, metrics: metrics,
                   token: configuration.token, publicStatus: configuration.publicStatus,
                   iceServers: try configuration.iceServers.map { try ICEServerLink(parsing: $0) }, startedAt: startedAt)
    }

    /// Packets for 3 s at the bitrate ceiling (1,100-byte packets) and 50 audio packets a second:
    /// more than a NACK can ask back (1 s) plus the pacer's longest queue (0.5 s). 512 at 1 Mbit/s.
    static func ringCapacity(bitrateKbps: Int) -> Int {
        max(512, 3 * (bitrateKbps * 1_000 / 8 / 1_100 + 50))
    }

    /// `--advertise` addresses first (the operator set them up for viewers to reach us, so they
    /// get the highest priority), then the bound address, or every interface address when bound
    /// to a wildcard; each address once.
    static func hostCandidates(configuration: Configuration, bound: TransportAddress) throws -> [TransportAddress] {
        var result: [TransportAddress] = []
        for text in configuration.advertise { result.append(try TransportAddress(parsing: text, defaultPort: bound.port)) }
        for address in bound.isWildcard ? interfaceAddresses(sameFamilyAs: bound) : [bound] where !result.contains(address) {
            result.append(address)
        }
        return result.isEmpty ? [bound] : result
    }
}
