internal import SDP
internal import ICE
internal import STUN
internal import Transport
internal import DTLS
internal import Media
internal import RTP

/// Turns a WHEP offer into an answer and a transport session (draft-ietf-wish-whep §4.2).
final class WHEPService: Sendable {
    let transport: MediaTransport
    let certificate: DTLSCertificate
    let candidates: [Candidate]
    let streamer: Streamer
    let maxViewers: Int
    let capabilities: Capabilities
    let rtxSSRC = UInt32.random(in: 1...UInt32.max)

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
        return Created(id: id, answer: answer.sdp, etag: "\"\(randomHex(bytes: 16))\"")
    }

    public func deleteSession(id: String) -> Bool { transport.remove(id: id) }
}

/// `bytes` random bytes as lower-case hex: session URLs carry 128 random bits.
func randomHex(bytes: Int) -> String {
    var rng = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in
        let b = UInt8.random(in: 0...255, using: &rng)
        return (b < 16 ? "0" : "") + String(b, radix: 16)
    }.joined()
}
