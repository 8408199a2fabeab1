// The properties every fuzz target checks (Tests/Fuzz), also replayed by `swift test` over the
// committed corpora. Each returns nil when the input is handled correctly, else what went wrong.
// Compiled into the libFuzzer targets with -D FUZZING, as part of the module under test.
#if !FUZZING
@testable import STUN
@testable import RTP
@testable import RTCP
@testable import SDP
@testable import Demux
#endif

enum FuzzCheck {
    /// STUN (RFC 8489): a parsed message serializes back to one that parses to the same value.
    static func stun(_ bytes: [UInt8]) -> String? {
        #if !FUZZING || FUZZ_STUN
        guard let message = try? STUNMessage.parse(bytes) else { return nil }
        _ = message.hasValidIntegrity(key: [1, 2, 3])
        _ = message.hasValidIntegritySHA256(key: [1, 2, 3])
        _ = message.hasValidFingerprint
        _ = message.xorMappedAddress
        _ = message.errorCode
        guard let again = try? STUNMessage.parse(message.serialize()) else { return "re-serialized STUN does not parse" }
        return again.semantic == message.semantic ? nil : "STUN round trip changed the message"
        #else
        return nil
        #endif
    }

    /// RTP (RFC 3550, RFC 8285): parse → serialize → parse is the identity.
    static func rtp(_ bytes: [UInt8]) -> String? {
        #if !FUZZING || FUZZ_RTP
        guard let packet = try? RTPPacketValue.parse(bytes) else { return nil }
        guard let again = try? RTPPacketValue.parse(packet.serialize()) else { return "re-serialized RTP does not parse" }
        return again == packet ? nil : "RTP round trip changed the packet"
        #else
        return nil
        #endif
    }

    /// RTCP compound packets: parse → serialize → parse is the identity.
    static func rtcp(_ bytes: [UInt8]) -> String? {
        #if !FUZZING || FUZZ_RTCP
        guard let packets = try? RTCPPacket.parseCompound(bytes) else { return nil }
        for case .genericNACK(let nack) in packets { _ = nack.lostSequenceNumbers }
        for case .transportWideFeedback(let fb) in packets { _ = fb.statuses }
        guard let again = try? RTCPPacket.parseCompound(RTCPPacket.serializeCompound(packets)) else {
            return "re-serialized RTCP does not parse"
        }
        return again == packets ? nil : "RTCP round trip changed the packets"
        #else
        return nil
        #endif
    }

    /// SDP (RFC 8866) and the offer/answer rules on top: never trap; a parsed document
    /// serializes back to one with the same lines; an accepted offer yields a parsable answer.
    /// A PATCH body: parses or throws, never traps; what parses keeps its limits, and a
    /// restart answer built from its credentials parses back to them.
    static func sdpfrag(_ bytes: [UInt8]) -> String? {
        #if !FUZZING || FUZZ_SDPFRAG
        guard let text = String(validating: bytes, as: UTF8.self), let fragment = try? TrickleFragment(parsing: text) else { return nil }
        guard fragment.candidates.count <= TrickleFragment.maxCandidates else { return "more candidates than the limit" }
        guard let ufrag = fragment.iceUfrag, let pwd = fragment.icePwd else { return nil }
        let answer = TrickleFragment.restartAnswer(ufrag: ufrag, pwd: pwd, media: "video", payloadType: 96, mid: "0",
                                                   candidates: [Candidate(address: "127.0.0.1", port: 9)])
        guard let back = try? TrickleFragment(parsing: answer), back.iceUfrag == ufrag, back.icePwd == pwd else {
            return "restart answer does not parse back"
        }
        return nil
        #else
        return nil
        #endif
    }

    static func sdp(_ bytes: [UInt8]) -> String? {
        #if !FUZZING || FUZZ_SDP
        guard let text = String(validating: bytes, as: UTF8.self), let document = try? SessionDescription.parse(text) else { return nil }
        guard let again = try? SessionDescription.parse(document.serialize()) else { return "re-serialized SDP does not parse" }
        guard again.serialize() == document.serialize() else { return "SDP round trip changed the document" }
        // A WHIP server's answer: whatever it says, it parses or is refused; what it accepts is ours.
        if let answer = try? PublishAnswer(parsing: text), answer.accepted.contains(where: { $0.kind == .video && $0.payloadType > 127 }) {
            return "an accepted payload type out of range"
        }
        guard let offer = try? Offer(document) else { return nil }
        let parameters = Answer.Parameters(
            ice: ("fuzzUfrag", "fuzzfuzzfuzzfuzzfuzzfuzz"), fingerprint: Fingerprint(algorithm: "sha-256", digest: Array(repeating: 1, count: 32)),
            candidates: [Candidate(address: "127.0.0.1", port: 9)], videoSSRC: 1, audioSSRC: 2, sessionID: 3)
        var full = parameters
        full.capabilities = .all
        for p in [parameters, full] {
            guard let answer = try? Answer(offer: offer, parameters: p) else { continue }
            guard (try? SessionDescription.parse(answer.sdp)) != nil else { return "answer does not parse" }
        }
        return nil
        #else
        return nil
        #endif
    }

    /// RFC 7983 demultiplexing: every datagram gets exactly one kind, and its parser never traps.
    static func demux(_ bytes: [UInt8]) -> String? {
        #if !FUZZING || FUZZ_DEMUX
        switch DatagramKind(classifying: bytes) {
        case .stun: if bytes.count < 20 || bytes[0] >= 4 { return "STUN kind for a datagram that cannot be STUN" }
        case .rtp, .rtcp: if bytes[0] < 128 || bytes[0] > 191 { return "RTP kind outside 128–191" }
        case .dtls: if !(20...63).contains(bytes[0]) { return "DTLS kind outside 20–63" }
        case .zrtp, .turnChannel, .unknown: break
        }
        return dtlsRecords(bytes)
        #else
        return nil
        #endif
    }

    #if !FUZZING || FUZZ_DEMUX
    /// What the DTLS record filter keeps is whole plausible records of the input, in order, and
    /// filtering it again changes nothing.
    static func dtlsRecords(_ bytes: [UInt8]) -> String? {
        guard let kept = DTLSRecords.wellFormed(bytes) else { return nil }
        var offset = 0
        while offset < kept.count {
            guard kept.count - offset >= 13 else { return "a partial record header was kept" }
            let end = offset + 13 + (Int(kept[offset + 11]) << 8 | Int(kept[offset + 12]))
            guard end <= kept.count, DTLSRecords.isPlausible(kept[offset..<end]) else { return "a malformed record was kept" }
            offset = end
        }
        guard kept.count <= bytes.count else { return "the filter added bytes" }
        return DTLSRecords.wellFormed(kept) == kept ? nil : "filtering twice is not filtering once"
    }
    #endif
}
