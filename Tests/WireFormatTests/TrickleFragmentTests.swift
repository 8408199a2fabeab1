import Testing
@testable import SDP

/// WHEP PATCH bodies (RFC 8840 §9 trickle-ice-sdpfrag), as Chromium-based WHEP clients send them.
@Suite struct TrickleFragmentTests {
    static let trickle = "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
        + "a=candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host\r\na=end-of-candidates\r\n"

    @Test func trickleFragmentParses() throws {
        let fragment = try TrickleFragment(parsing: Self.trickle)
        #expect(fragment.iceUfrag == "EsAw" && fragment.icePwd == "P2uYro0UCOQ4zxjKXaWCBui1")
        #expect(fragment.mids == ["0"] && fragment.candidates.count == 1 && fragment.endOfCandidates)
    }

    @Test(arguments: [
        ("a=ice-ufrag:EsAw\r\nb=AS:1\r\n", 2, "only a= and m="),
        ("a=ice-ufrag:abc\r\n", 1, "4 to 256"),
        ("a=ice-pwd:short\r\n", 1, "22 to 256"),
        ("a=mid:0\r\n", 1, "outside a media section"),
        ("m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=candidate:1 1 udp\r\n", 2, "8 fields"),
        ("m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=fingerprint:sha-256 00\r\n", 2, "unexpected attribute"),
        ("hello\r\n", 1, "type=value"),
    ])
    func malformedFragmentsNameTheLine(text: String, line: Int, reason: String) {
        #expect {
            try TrickleFragment(parsing: text)
        } throws: { error in
            guard let error = error as? SDPError else { return false }
            return error.line == line && error.reason.contains(reason)
        }
    }

    @Test func credentialsComeInPairsAndLimitsHold() {
        #expect(throws: SDPError.self) { try TrickleFragment(parsing: "a=ice-ufrag:EsAw\r\n") }
        let many = "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n" + String(repeating: "a=candidate:1 1 udp 1 192.0.2.1 1 typ host\r\n", count: 33)
        #expect(throws: SDPError.self) { try TrickleFragment(parsing: many) }
        #expect(throws: SDPError.self) { try TrickleFragment(parsing: String(repeating: "a=end-of-candidates\r\n", count: 1_000)) }
    }

    @Test func restartAnswerCarriesNewCredentialsAndCandidates() throws {
        let text = TrickleFragment.restartAnswer(ufrag: "NewU", pwd: "newnewnewnewnewnewnew22", media: "video", payloadType: 96, mid: "0",
                                                 candidates: [Candidate(address: "127.0.0.1", port: 8189)])
        let back = try TrickleFragment(parsing: text)
        #expect(back.iceUfrag == "NewU" && back.icePwd == "newnewnewnewnewnewnew22" && back.mids == ["0"])
        #expect(back.candidates == ["1 1 udp 2130706431 127.0.0.1 8189 typ host"] && back.endOfCandidates)
        #expect(text.hasPrefix("a=ice-lite\r\n") && text.contains("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"))
    }
}
