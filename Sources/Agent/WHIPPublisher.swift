internal import AsyncHTTPClient
internal import Logging
internal import SDP
internal import ICE
internal import STUN
internal import Transport
internal import DTLS
internal import Media
internal import RTP
internal import ServiceLifecycle
internal import Synchronization

/// Publishes the one encoded stream to a media server by WHIP (RFC 9725) while streaming is on,
/// alongside the local viewers: the same RTP packets, no second encoder. When the server or the
/// path goes away it publishes again, forever, with backoff (`RepublishBackoff`).
final class WHIPPublisher: Service, Sendable {
    /// `publish` in `/api/status`.
    struct Status: Codable, Sendable, Equatable {
        var url: String
        /// idle (not streaming), connecting, publishing or retrying.
        var state = "idle"
        /// The session's URL on the server while published.
        var resource: String?
        var attempts = 0
        var lastError: String?
        var retryInSeconds: Double?
        /// When the current publication started flowing; not in the JSON.
        var publishingSince: ContinuousClock.Instant?

        enum CodingKeys: String, CodingKey { case url, state, resource, attempts, lastError, retryInSeconds }
    }

    let exchange: WHIPExchange
    let transport: MediaTransport
    let certificate: DTLSCertificate
    let candidates: [TransportAddress]
    let streamer: Streamer
    let events: EventBus
    let logger: Logger
    let setupTimeout: Duration
    /// STUN servers to learn the server-reflexive address from: the configured ones, and those the
    /// WHIP server named in its last answer's Link headers (RFC 9725 §4.6).
    let stunServers: [ICEServerLink]
    private let linkedServers = Mutex<[ICEServerLink]>([])
    private let statusBox: Mutex<Status>
    private let publishing = Mutex<Task<Void, Never>?>(nil)

    init(configuration: Configuration, transport: MediaTransport, certificate: DTLSCertificate, candidates: [TransportAddress],
         streamer: Streamer, events: EventBus, logger: Logger) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(redirectConfiguration: .follow(max: 5, allowCycles: false)))
        exchange = WHIPExchange(client: client, url: configuration.whipURL, token: configuration.whipToken)
        self.transport = transport
        self.certificate = certificate
        self.candidates = candidates
        self.streamer = streamer
        self.events = events
        self.logger = logger
        setupTimeout = .seconds(configuration.setupTimeoutSeconds)
        stunServers = configuration.iceServers.compactMap { try? ICEServerLink(parsing: $0) }.filter { $0.stunServer != nil }
        statusBox = Mutex(Status(url: configuration.whipURL))
    }

    var status: Status { statusBox.withLock { $0 } }

    /// Follows streaming: publishing starts and stops with it (buttons, API, the agent).
    func run() async throws {
        let (id, stream) = events.subscribe()
        if streamer.isStreaming { begin() }
        // Shutdown ends the subscription (the event bus itself stops after this service), then
        // the publication: its session on the server is deleted on the way out.
        await withGracefulShutdownHandler {
            for await event in stream where event.type == "streaming" {
                if event.fields["state"] == "started" { begin() } else { await end() }
            }
        } onGracefulShutdown: { [events] in
            events.unsubscribe(id)
        }
        await end()
        try? await exchange.client.shutdown()
    }

    private func begin() {
        publishing.withLock { task in
            guard task == nil else { return }
            task = Task { await self.republishForever() }
        }
    }

    private func end() async {
        guard let task = publishing.withLock({ task in defer { task = nil }; return task }) else { return }
        task.cancel()
        await task.value
        update(state: "idle", error: nil)
        statusBox.withLock { $0.resource = nil }
        events.publish("publish", ["state": "idle"])
    }

    private func republishForever() async {
        var backoff = RepublishBackoff()
        while !Task.isCancelled {
            let error = await publishOnce()
            if let since = statusBox.withLock({ $0.publishingSince }) { backoff.published(for: .now - since) }
            guard !Task.isCancelled else { return }
            let delay = backoff.delay(retryAfterSeconds: (error as? WHIPExchange.Failure)?.retryAfterSeconds, jitter: .random(in: -0.1...0.1))
            logger.warning("WHIP publication ended, publishing again", metadata: ["error": "\(error)", "in": "\(delay)"])
            statusBox.withLock {
                $0.state = "retrying"
                $0.lastError = "\(error)"
                $0.retryInSeconds = delay.components.seconds == 0 ? nil : Double(delay.components.seconds)
                $0.resource = nil
            }
            events.publish("publish", ["state": "retrying", "error": "\(error)"])
            try? await Task.sleep(for: delay)
        }
    }

    /// One publication, from the POST to its end; returns why it ended.
    private func publishOnce() async -> any Error {
        update(state: "connecting", error: nil)
        statusBox.withLock {
            $0.attempts += 1
            $0.publishingSince = nil
        }
        var generator = SystemRandomNumberGenerator()
        let local = ICECredentials.random(using: &generator)
        let lines = await candidateLines()
        let offer = PublishOffer(ice: (local.ufrag, local.pwd), fingerprint: Fingerprint(algorithm: "sha-256", digest: certificate.sha256Fingerprint),
                                 candidates: lines,
                                 videoSSRC: streamer.video?.ssrc.rawValue ?? 1, audioSSRC: streamer.audio?.ssrc.rawValue ?? 2,
                                 sessionID: .random(in: 1...UInt64(Int64.max)))
        let published: WHIPExchange.Published
        let answer: PublishAnswer
        do {
            published = try await exchange.post(offer: offer.sdp)
            answer = try PublishAnswer(parsing: published.answer)
        } catch {
            return error
        }
        linkedServers.withLock { $0 = published.iceServers.compactMap { ICEServerLink(linkHeader: $0) }.filter { $0.stunServer != nil } }
        if answer.answeredActive {
            logger.notice("the WHIP server answered a=setup:active to an active offer (RFC 8842 §5.2 says passive); Pinhole stays the DTLS client")
        }
        let id = "whip-" + randomHex(bytes: 8)
        transport.add(session(id: id, local: local, answer: answer))
        statusBox.withLock { $0.resource = published.resource }
        defer { _ = transport.remove(id: id) }
        let ended = await watch(id, resource: published.resource, candidates: addresses(answer.candidates))
        // Stopped or lost, the server's session goes too; a task of its own, as stopping cancels this one.
        await Task { [exchange] in await exchange.delete(resource: published.resource) }.value
        return ended
    }

    /// The transport session for the answer: full ICE toward the server's candidates, DTLS client.
    private func session(id: String, local: ICECredentials, answer: PublishAnswer) -> SessionSetup {
        var payloadTypes: [MediaBatch.Kind: UInt8] = [:]
        var retransmission: SessionSetup.Retransmission?
        for m in answer.accepted {
            payloadTypes[m.kind == .video ? .video : .audio] = m.payloadType
            if m.kind == .video, m.genericNACK { retransmission = .plain }
        }
        return SessionSetup(id: id, localUfrag: local.ufrag, localPwd: local.pwd, remoteUfrag: answer.iceUfrag,
                            remoteFingerprints: answer.fingerprints.map { ($0.algorithm, $0.digest) }, payloadTypes: payloadTypes,
                            transportWideExtensionID: answer.accepted.lazy.compactMap { $0.extensionID(Capabilities.transportWideCC) }.first,
                            retransmission: retransmission,
                            publish: .init(remotePwd: answer.icePwd, candidates: addresses(answer.candidates)))
    }

    /// The server's candidates this socket can send to.
    private func addresses(_ candidates: [RemoteCandidate]) -> [(address: TransportAddress, priority: UInt32)] {
        candidates.compactMap { c in (try? TransportAddress(parsing: c.address, defaultPort: c.port)).map { (address: $0, priority: c.priority) } }
            .filter { $0.address.isIPv6 == transport.localAddress.isIPv6 }
    }

    enum Ended: Error, CustomStringConvertible {
        case setupTimedOut, pathLost(String), stopped
        var description: String {
            switch self {
            case .setupTimedOut: "ICE and DTLS with the server did not complete in time"
            case .pathLost(let why): "the path to the server was lost: \(why)"
            case .stopped: "streaming stopped"
            }
        }
    }

    /// Waits while the publication lives: connected within the setup timeout, then until the
    /// transport ends it or it has been disconnected (no consent responses) for 4 s more, and an
    /// ICE restart (at most one every 30 s) did not bring it back.
    private func watch(_ id: String, resource: String, candidates: [(address: TransportAddress, priority: UInt32)]) async -> Ended {
        let deadline = ContinuousClock.now + setupTimeout
        var disconnectedSince: ContinuousClock.Instant?
        var lastRestart: ContinuousClock.Instant?
        while !Task.isCancelled {
            guard let session = transport.publications.first(where: { $0.id == id }) else { return .pathLost("the session ended") }
            switch session.state {
            case "connected":
                disconnectedSince = nil
                if status.state != "publishing" {
                    update(state: "publishing", error: nil)
                    statusBox.withLock { $0.publishingSince = .now }
                    events.publish("publish", ["state": "publishing", "resource": status.resource ?? ""])
                    logger.info("WHIP publishing", metadata: ["resource": "\(status.resource ?? "")", "address": "\(session.address ?? "")"])
                }
            case "disconnected":
                disconnectedSince = disconnectedSince ?? .now
                if let since = disconnectedSince, ContinuousClock.now - since > .seconds(4) {
                    guard lastRestart.map({ ContinuousClock.now - $0 > .seconds(30) }) ?? true,
                          await restartICE(id, resource: resource, previous: candidates) else { return .pathLost("no consent responses") }
                    lastRestart = .now
                    disconnectedSince = nil
                }
            default:
                if ContinuousClock.now > deadline { return .setupTimedOut }
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return .stopped
    }

    private func update(state: String, error: String?) {
        statusBox.withLock {
            $0.state = state
            $0.retryInSeconds = nil
            if let error { $0.lastError = error }
        }
    }

    /// Our candidates as SDP values: the host ones, then the server-reflexive ones.
    private func candidateLines() async -> [String] {
        let reflexive = await reflexiveAddresses()
        return candidates.enumerated().map { Self.candidate($1, foundation: $0 + 1) }
            + reflexive.enumerated().map { Self.candidate($1, foundation: candidates.count + $0 + 1, base: transport.localAddress) }
    }

    /// ICE restart by PATCH (RFC 9725 §4.3.2, RFC 8445 §9) on a path that stopped answering: the
    /// server keeps its session and DTLS goes on. False when the server cannot (then: publish again).
    private func restartICE(_ id: String, resource: String, previous: [(address: TransportAddress, priority: UInt32)]) async -> Bool {
        var generator = SystemRandomNumberGenerator()
        let local = ICECredentials.random(using: &generator)
        let fragment = TrickleFragment.restart(ufrag: local.ufrag, pwd: local.pwd, media: "video", payloadType: PublishOffer.videoPayloadType,
                                               mid: "0", candidates: await candidateLines())
        guard let text = try? await exchange.restart(resource: resource, fragment: fragment),
              let answer = try? TrickleFragment(parsing: text), let ufrag = answer.iceUfrag, let pwd = answer.icePwd else { return false }
        let offered = addresses(answer.candidates.compactMap { RemoteCandidate(attributeValue: Substring($0)) })
        transport.restartPublication(id: id, local: (local.ufrag, local.pwd), remote: (ufrag, pwd), candidates: offered.isEmpty ? previous : offered)
        logger.info("WHIP ICE restart", metadata: ["resource": "\(resource)"])
        events.publish("publish", ["state": "restarting ICE", "resource": resource])
        return true
    }

    /// Where the STUN servers see the media socket (a NAT's mapping), asked all at once; each
    /// address once, and none that is already a host candidate (RFC 8445 §5.1.3).
    private func reflexiveAddresses() async -> [TransportAddress] {
        let servers = (stunServers + linkedServers.withLock { $0 }).compactMap(\.stunServer)
        return await withTaskGroup(of: TransportAddress?.self) { [transport, candidates, logger] group in
            for (host, port) in servers {
                group.addTask {
                    guard let server = await transport.resolve(host: host, port: port).first else { return nil }
                    let mapped = await transport.reflexiveAddress(from: server)
                    logger.debug("STUN server answered", metadata: ["server": "\(server)", "reflexive": "\(mapped.map { "\($0)" } ?? "none")"])
                    return mapped
                }
            }
            var found: [TransportAddress] = []
            for await address in group {
                if let address, !found.contains(address), !candidates.contains(address) { found.append(address) }
            }
            return found
        }
    }

    /// A candidate line: host (type preference 126), or server-reflexive (100) with the socket it
    /// maps as its related address (RFC 8445 §5.1.2.1, RFC 8839 §5.1).
    static func candidate(_ address: TransportAddress, foundation: Int, base: TransportAddress? = nil) -> String {
        let preference = base == nil ? 126 : 100
        let line = "candidate:\(foundation) 1 udp \((preference << 24) | ((65536 - foundation) << 8) | 255) \(address.canonicalIP) \(address.port)"
        guard let base else { return line + " typ host" }
        return line + " typ srflx raddr \(base.canonicalIP) rport \(base.port)"
    }
}

/// The wait before publishing again: 1 s doubling to 30 s, with a tenth of jitter so that cameras
/// that lost the same server do not all come back in step, and never shorter than the server's
/// Retry-After. A publication that lasted 10 s starts the series again.
struct RepublishBackoff {
    static let first = Duration.seconds(1), cap = Duration.seconds(30), steady = Duration.seconds(10)
    private var next = first

    mutating func delay(retryAfterSeconds: Int?, jitter: Double) -> Duration {
        defer { next = min(Self.cap, next * 2) }
        return max(next * (1 + jitter), .seconds(retryAfterSeconds ?? 0))  // never sooner than the server asked
    }

    mutating func published(for duration: Duration) {
        if duration >= Self.steady { next = Self.first }
    }
}
