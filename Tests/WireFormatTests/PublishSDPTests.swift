import Foundation
import Testing
@testable import SDP

/// The SDP of publishing (WHIP, RFC 9725): the offer Pinhole writes and the answers it reads.
@Suite struct PublishSDPTests {
    static let offer = PublishOffer(ice: (ufrag: "pinhole1", pwd: "abcdefghijklmnopqrstuvwx"),
                                    fingerprint: Fingerprint(algorithm: "sha-256", digest: Array(0..<32)),
                                    candidates: [Candidate(address: "192.0.2.7", port: 8189),
                                                 Candidate(address: "198.51.100.4", port: 40000, related: .init(address: "192.0.2.7", port: 8189))],
                                    videoSSRC: 1111, audioSSRC: 2222, sessionID: 99)

    @Test func theOfferIsBundledSendOnlyAndMakesUsTheDTLSClient() throws {
        let sdp = try SessionDescription.parse(Self.offer.sdp)
        #expect(sdp.attributes("group").first?.value == "BUNDLE 0 1")
        #expect(sdp.media.map(\.kind) == ["video", "audio"])
        for m in sdp.media {
            #expect(m.has("sendonly") && m.has("rtcp-mux"))
            #expect(m.attributes("setup").first?.value == "active")
            #expect(m.attributes("candidate").map(\.value) == ["1 1 udp 2130706431 192.0.2.7 8189 typ host",
                                                             "2 1 udp 1694498559 198.51.100.4 40000 typ srflx raddr 192.0.2.7 rport 8189"])
            #expect(m.attributes("fingerprint").first?.value == Self.offer.fingerprint.sdpValue[...])
        }
        #expect(sdp.media[0].attributes("rtpmap").first?.value == "96 VP8/90000")
        #expect(sdp.media[1].attributes("rtpmap").first?.value == "111 opus/48000/2")
        #expect(sdp.media[0].attributes("ssrc").first?.value == "1111 cname:pinhole")
    }

    /// aiortc's answer to an offer of this shape (Fixtures/sdp/README.md).
    @Test func anAiortcAnswerGivesCredentialsCandidatesAndTheAcceptedMedia() throws {
        let answer = try PublishAnswer(parsing: try fixture("sdp/aiortc-1.16-whip-answer.sdp"))
        #expect(answer.iceUfrag == "u3OI" && answer.icePwd == "Dh5UwtdkGHFerUsrfWfeb1")
        #expect(!answer.iceLite && !answer.answeredActive)
        #expect(answer.fingerprints.map(\.algorithm) == ["sha-256", "sha-384", "sha-512"])
        #expect(answer.candidates == [RemoteCandidate(attributeValue: "x 1 udp 2130706431 127.0.0.1 35286 typ host")])
        #expect(answer.candidates.first?.port == 35286 && answer.candidates.first?.priority == 2_130_706_431)
        #expect(answer.accepted.map(\.kind) == [.video, .audio])
        #expect(answer.accepted.map(\.payloadType) == [96, 111])
        #expect(answer.accepted[0].feedback == ["nack", "nack pli", "goog-remb"])
        #expect(answer.accepted[0].extensionID(Capabilities.mid) == 1)
    }

    @Test func anICELiteAnswerWithRejectedAudioAndCandidatesWeCannotUse() throws {
        var text = try fixture("sdp/aiortc-1.16-whip-answer.sdp")
        text = text.replacingOccurrences(of: "a=msid-semantic:WMS *", with: "a=msid-semantic:WMS *\r\na=ice-lite")
        text = text.replacingOccurrences(of: "m=audio 35286", with: "m=audio 0")
        text = text.replacingOccurrences(of: "a=end-of-candidates", with: """
            a=candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active\r
            a=candidate:3 1 udp 2130706430 5a8c7f4e-1b2c.local 35287 typ host\r
            a=candidate:4 2 udp 2130706429 127.0.0.1 35288 typ host\r
            a=candidate:5 1 udp 1694498815 198.51.100.9 40000 typ srflx raddr 0.0.0.0 rport 0\r
            a=end-of-candidates
            """)
        let answer = try PublishAnswer(parsing: text)
        #expect(answer.iceLite)
        #expect(try PublishAnswer(parsing: text.replacingOccurrences(of: "a=setup:passive", with: "a=setup:active")).answeredActive)
        #expect(answer.accepted.map(\.kind) == [.video])
        #expect(answer.candidates.map(\.address) == ["127.0.0.1", "198.51.100.9"])
        #expect(answer.candidates.map(\.type) == ["host", "srflx"])
    }

    @Test(arguments: [
        ("a=setup:passive", "a=setup:holdconn", "expected passive"),
        ("a=rtpmap:96 VP8/90000", "a=rtpmap:96 H264/90000", ""),
        ("a=fingerprint:", "a=x-fingerprint:", "no a=fingerprint"),
        ("a=ice-pwd:Dh5UwtdkGHFerUsrfWfeb1", "a=ice-pwd:short", "ice-pwd"),
    ])
    func aBadAnswerIsRefusedNamingWhy(find: String, replace: String, reason: String) throws {
        var text = try fixture("sdp/aiortc-1.16-whip-answer.sdp").replacingOccurrences(of: find, with: replace)
        if find.contains("VP8") { text = text.replacingOccurrences(of: "opus/48000/2", with: "PCMU/8000") }
        let error = #expect(throws: SDPError.self) { try PublishAnswer(parsing: text) }
        #expect(error?.description.contains(reason.isEmpty ? "accepted no media" : reason) == true, "\(error?.description ?? "")")
    }
}
