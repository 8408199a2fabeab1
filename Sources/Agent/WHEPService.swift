internal import SDP
internal import ICE
internal import STUN
internal import Transport
internal import DTLS
internal import Media
internal import RTP
internal import Synchronization

/// Turns a WHEP offer into an answer and a transport session (draft-ietf-wish-whep §4.2).
final class WHEPService: Sendable {
    let transport: MediaTransport
    let certificate: DTLSCertificate
    let candidates: [Candidate]
    let streamer: Streamer
    let maxViewers: Int
    let capabilities: Capabilities
    let rtxSSRC = UInt32.random(in: 1...UInt32.max)
    /// What PATCH needs of each session: its current ETag and the first (bundled) m-section.
    let records = Mutex<[String: Record]>([:])

    struct Record: Sendable {
        var etag: String
        var media: NegotiatedMedia
        var remoteUfrag: String
    }

    init(transport: MediaTransport, certificate: DTLSCertificate, candidates: [TransportAddress], streamer: Streamer, maxViewers: Int,
         feedback: Bool) {
        // Only what the transport implements is negotiated (RFC 4585 §4.2, RFC 8285 §5, RFC 4588 §8.6).
        capabilities = feedback ? Capabilities(feedback: ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"],
                                               extensions: [Capabilities.transportWideCC], retransmission: true) : Capabilities()
        self.transport = transport
        self.certificate = certificate
        self.candidates = candidates.map { Candidate(address: $0.canonicalIP, port: $0.port) }
        self.streamer = streamer
        self.maxViewers = maxViewers
    }

    public struct Created: Sendable {
        public var id: String
        public var answer: String
        public var etag: String
    }

    public enum Failure: Error, Sendable {
        case badOffer(String)
        case full
    }

    /// How a PATCH ends (draft-ietf-wish-whep §4.3, RFC 9725 §4.3.1).
    public enum PatchResult: Sendable, Equatable {
        case trickled
        case restarted(fragment: String, etag: String)
        case unknownSession
        case preconditionRequired
        case preconditionFailed
        case badFragment(String)
    }

    public func createSession(offerText: String) throws(Failure) -> Created {
        guard transport.viewers.count < maxViewers else { throw .full }
        let offer: Offer
        do { offer = try Offer(parsing: offerText) } catch { throw .badOffer(error.description) }
        var rng = SystemRandomNumberGenerator()
        let local = ICECredentials.random(using: &rng)
        var parameters = Answer.Parameters(
            ice: (local.ufrag, local.pwd), fingerprint: Fingerprint(algorithm: "sha-256", digest: certificate.sha256Fingerprint),
            candidates: candidates, videoSSRC: streamer.video?.ssrc.rawValue ?? 1, audioSSRC: streamer.audio?.ssrc.rawValue ?? 2,
            sessionID: .random(in: 1...UInt64(Int64.max)))
        parameters.capabilities = capabilities
        parameters.videoRTXSSRC = rtxSSRC
        let answer: Answer
        do { answer = try Answer(offer: offer, parameters: parameters) } catch { throw .badOffer(error.description) }
        var payloadTypes: [MediaBatch.Kind: UInt8] = [:]
        var retransmission: SessionSetup.Retransmission?
        for m in answer.accepted where m.sends {
            if m.kind == .video, streamer.video != nil {
                payloadTypes[.video] = m.payloadType
                if m.genericNACK { retransmission = m.rtxPayloadType.map { .rtx(payloadType: $0, ssrc: rtxSSRC) } ?? .plain }
            }
            if m.kind == .audio, streamer.audio != nil { payloadTypes[.audio] = m.payloadType }
        }
        // BUNDLE: one transport, so the extension id is the same in every section (RFC 8843 §9.1).
        let transportWideID = answer.accepted.lazy.compactMap { $0.extensionID(Capabilities.transportWideCC) }.first
        let id = randomHex(bytes: 16)
        transport.add(SessionSetup(
            id: id, localUfrag: local.ufrag, localPwd: local.pwd, remoteUfrag: offer.iceUfrag,
            remoteFingerprints: offer.fingerprints.map { ($0.algorithm, $0.digest) }, payloadTypes: payloadTypes,
            transportWideExtensionID: transportWideID, retransmission: retransmission))
        let etag = "\"\(randomHex(bytes: 16))\""
        let live = Set(transport.viewers.map(\.id))
        records.withLock { records in
            records = records.filter { live.contains($0.key) }  // sessions that ended by themselves
            records[id] = Record(etag: etag, media: answer.accepted[0], remoteUfrag: offer.iceUfrag)
        }
        return Created(id: id, answer: answer.sdp, etag: etag)
    }

    public func deleteSession(id: String) -> Bool {
        records.withLock { _ = $0.removeValue(forKey: id) }
        return transport.remove(id: id)
    }

    /// Trickled candidates are accepted and not needed (ICE-lite answers checks from wherever
    /// they come); `If-Match: "*"` with new credentials restarts ICE with new ones of ours.
    public func patchSession(id: String, ifMatch: String?, fragmentText: String) -> PatchResult {
        guard let record = records.withLock({ $0[id] }), transport.viewers.contains(where: { $0.id == id }) else { return .unknownSession }
        guard let ifMatch else { return .preconditionRequired }
        let fragment: TrickleFragment
        do { fragment = try TrickleFragment(parsing: fragmentText) } catch { return .badFragment(error.description) }
        if ifMatch == "*" {
            guard let remoteUfrag = fragment.iceUfrag else { return .badFragment("an ICE restart (If-Match: *) carries new a=ice-ufrag and a=ice-pwd") }
            var rng = SystemRandomNumberGenerator()
            let local = ICECredentials.random(using: &rng)
            let etag = "\"\(randomHex(bytes: 16))\""
            records.withLock { $0[id]?.etag = etag; $0[id]?.remoteUfrag = remoteUfrag }
            transport.restartICE(id: id, localUfrag: local.ufrag, localPwd: local.pwd, remoteUfrag: remoteUfrag)
            let text = TrickleFragment.restartAnswer(ufrag: local.ufrag, pwd: local.pwd, media: record.media.kind.rawValue,
                                                     payloadType: record.media.payloadType, mid: record.media.mid, candidates: candidates)
            return .restarted(fragment: text, etag: etag)
        }
        guard ifMatch == record.etag else { return .preconditionFailed }
        if let ufrag = fragment.iceUfrag, ufrag != record.remoteUfrag {
            return .badFragment("new ICE credentials need If-Match: \"*\" (an ICE restart)")
        }
        return .trickled
    }
}

/// `bytes` random bytes as lower-case hex: session URLs carry 128 random bits.
func randomHex(bytes: Int) -> String {
    var rng = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in
        let b = UInt8.random(in: 0...255, using: &rng)
        return (b < 16 ? "0" : "") + String(b, radix: 16)
    }.joined()
}
