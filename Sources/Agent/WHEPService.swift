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

    init(transport: MediaTransport, certificate: DTLSCertificate, candidates: [TransportAddress], streamer: Streamer, maxViewers: Int) {
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
        let parameters = Answer.Parameters(
            ice: (local.ufrag, local.pwd), fingerprint: Fingerprint(algorithm: "sha-256", digest: certificate.sha256Fingerprint),
            candidates: candidates, videoSSRC: streamer.video?.ssrc.rawValue ?? 1, audioSSRC: streamer.audio?.ssrc.rawValue ?? 2,
            sessionID: .random(in: 1...UInt64(Int64.max)))
        let answer: Answer
        do { answer = try Answer(offer: offer, parameters: parameters) } catch { throw .badOffer(error.description) }
        var payloadTypes: [MediaBatch.Kind: UInt8] = [:]
        for m in answer.accepted where m.sends {
            if m.kind == .video, streamer.video != nil { payloadTypes[.video] = m.payloadType }
            if m.kind == .audio, streamer.audio != nil { payloadTypes[.audio] = m.payloadType }
        }
        let id = randomHex(bytes: 16)
        transport.add(SessionSetup(
            id: id, localUfrag: local.ufrag, localPwd: local.pwd, remoteUfrag: offer.iceUfrag,
            remoteFingerprints: offer.fingerprints.map { ($0.algorithm, $0.digest) }, payloadTypes: payloadTypes))
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
