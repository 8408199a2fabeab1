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
    let linkedServers = Mutex<[ICEServerLink]>([])
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
        let offer = PublishOffer(ice: (local.ufrag, local.pwd), fingerprint: Fingerprint(algorithm: "sha-256", digest: certificate.sha256Fingerprint),
                                 candidates: await offeredCandidates(),
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
}
