import Foundation
import Testing
@testable import SDP

/// Answers generated for real offers captured from browsers and libraries (Fixtures/sdp/README.md).
@Suite struct SDPAnswerTests {
    static let offers = ["chromium-156-recvonly-offer.sdp", "chromium-156-recvonly-offer-mdns.sdp",
                         "aiortc-1.16-recvonly-offer.sdp", "gstreamer-1.22-recvonly-offer.sdp",
                         "firefox-153esr-recvonly-offer.sdp", "safari-18-recvonly-offer-written.sdp"]

    /// Expectations from the captured offers' file, or from the one for written offers.
    static func expectations(_ file: String) throws -> [String: Any] {
        if let captured = try fixtureJSON("sdp/expectations.json")[file] { return captured as! [String: Any] }
        return try fixtureJSON("sdp/expectations-written.json")[file] as! [String: Any]
    }

    static let parameters = Answer.Parameters(
        ice: (ufrag: "PinH0le1", pwd: "abcdefghijklmnopqrstuvwx"),
        fingerprint: Fingerprint(algorithm: "sha-256", digest: Array(0..<32)),
        candidates: [Candidate(address: "127.0.0.1", port: 8189)],
        videoSSRC: 1111, audioSSRC: 2222, sessionID: 42)

    @Test(arguments: offers)
    func answerMirrorsTheOffer(file: String) throws {
        let expected = try Self.expectations(file)
        let offer = try Offer(parsing: try fixture("sdp/\(file)"))
        let answer = try Answer(offer: offer, parameters: Self.parameters)

        #expect(answer.accepted.map(\.mid) == expected["mids"] as! [String])
        #expect(answer.accepted.first { $0.kind == .video }?.payloadType == UInt8(expected["vp8_pt"] as! Int))
        #expect(answer.accepted.first { $0.kind == .audio }?.payloadType == UInt8(expected["opus_pt"] as! Int))
        #expect(answer.accepted.allSatisfy { $0.sends })

        let parsed = try SessionDescription.parse(answer.sdp)
        #expect(parsed.attributes("ice-lite").count == 1)
        #expect(parsed.attributes("group").first?.value == "BUNDLE " + (expected["mids"] as! [String]).joined(separator: " "))
        #expect(parsed.media.map { String($0.attributes("mid")[0].value) } == expected["mids"] as! [String])
        for m in parsed.media {
            #expect(m.attributes("setup").first?.value == "passive")
            #expect(m.attributes("sendonly").count == 1)
            #expect(m.attributes("rtcp-mux").count == 1)
            #expect(m.attributes("fingerprint").first?.value == Self.parameters.fingerprint.sdpValue[...])
            #expect(m.formats.count == 1)
            #expect(m.attributes("candidate").first?.value == "1 1 udp 2130706431 127.0.0.1 8189 typ host")
        }
        // The answer is itself an acceptable offer-shaped document: it re-parses with the same PTs.
        #expect(parsed.media[0].formats == [String(expected["vp8_pt"] as! Int)[...]])
    }

    /// With every capability on, the answer echoes the offer's extension ids and RTX payload type
    /// and only the feedback both sides know (RFC 8285 §6, RFC 4588 §8.6, RFC 4585 §4.2).
    @Test(arguments: offers)
    func fullCapabilitiesNegotiateExtensionsFeedbackAndRTX(file: String) throws {
        let expected = try Self.expectations(file)
        let offer = try Offer(parsing: try fixture("sdp/\(file)"))
        var parameters = Self.parameters
        parameters.capabilities = .all
        parameters.videoRTXSSRC = 3333
        let answer = try Answer(offer: offer, parameters: parameters)
        let media = expected["media"] as! [[String: Any]]
        for (negotiated, offered) in zip(answer.accepted, offer.media) {
            let want = (media.first { $0["mid"] as? String == negotiated.mid })!
            let offeredMap = (want["extmap"] ?? want["negotiated_extmap"]) as! [String: String]
            let expectedMap = offeredMap.filter { Capabilities.all.extensions.contains($0.value) }
            #expect(Dictionary(uniqueKeysWithValues: negotiated.extensions.map { (String($0.key), $0.value) }) == expectedMap, "\(file) \(negotiated.mid)")
            let codec = offered.codecs.first { $0.payloadType == negotiated.payloadType }!
            #expect(negotiated.feedback == Capabilities.all.feedback.filter(codec.feedback.contains))
            if negotiated.kind == .video {
                let rtx = (want["vp8_rtx_pt"] ?? expected["vp8_rtx_pt"]) as? Int
                #expect(negotiated.rtxPayloadType.map(Int.init) == rtx)
            }
        }
        let sdp = try SessionDescription.parse(answer.sdp)
        let video = sdp.media.first { $0.kind == "video" }!
        let videoExpectations = media.first { $0["kind"] as? String == "video" }!
        if let rtx = (videoExpectations["vp8_rtx_pt"] ?? expected["vp8_rtx_pt"]) as? Int {
            #expect(video.attributes("fmtp").contains { $0.value == "\(rtx) apt=\(expected["vp8_pt"] as! Int)" })
            #expect(video.attributes("ssrc-group").first?.value == "FID 1111 3333")
        }
    }

    /// Each rejection rule names the line at fault (the agent answers it with 400).
    @Test(arguments: [
        ("m=video 58313 UDP/TLS/RTP/SAVPF", "m=video 58313 RTP/AVP", "m=audio 9 UDP/TLS/RTP/SAVPF", "m=audio 9 RTP/AVP", 8, "UDP/TLS/RTP/SAVPF"),
        ("a=fingerprint:sha-256 02:D9", "a=fingerprint:sha-256 02:D9:", "", "", 16, "fingerprint"),
        ("a=fingerprint:sha-256 02:D9", "a=fingerprint:md5 02:D9", "", "", 16, "fingerprint"),
        ("a=fingerprint:", "a=x-fingerprint:", "", "", 8, "no a=fingerprint"),
        ("a=setup:actpass", "a=fingerprint:sha-256 " + Array(repeating: "AB", count: 32).joined(separator: ":") + "\r\na=setup:actpass",
         "", "", 17, "a second sha-256 fingerprint"),
        ("a=rtcp-mux\r\n", "", "", "", 8, "rtcp-mux"),
        ("a=group:BUNDLE 0 1\r\n", "", "", "", 0, "BUNDLE"),
        ("VP8/90000", "VP7/90000", "opus/48000/2", "speex/48000/2", 8, "no shared codec"),
        ("a=ice-ufrag:Vces", "a=ice-ufrag:Vc", "", "", 13, "ice-ufrag"),
        ("a=ice-pwd:MyDtrVEJcT+sFYcf9AeBdu42", "a=ice-pwd:short", "", "", 14, "ice-pwd"),
        ("a=ice-ufrag:Vces", "a=ice-ufrag:Vc es", "", "", 13, "ice-ufrag"),
        ("a=extmap:1 urn", "a=extmap:0 urn", "", "", 19, "extmap id"),
        ("a=extmap:1 urn", "a=extmap:15 urn", "", "", 19, "extmap id"),
        ("a=extmap:1 urn", "a=extmap:256 urn", "", "", 19, "extmap id"),
        ("a=setup:actpass", "a=setup:passive", "", "", 17, "DTLS server"),
    ])
    func rejectionNamesTheLine(find: String, replace: String, find2: String, replace2: String, line: Int, reason: String) throws {
        var text = try Self.chromium().replacingOccurrences(of: find, with: replace)
        if !find2.isEmpty { text = text.replacingOccurrences(of: find2, with: replace2) }
        let error = #expect(throws: SDPError.self) {
            let offer = try Offer(parsing: text)
            _ = try Answer(offer: offer, parameters: Self.parameters)
        }
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "")")
    }

    @Test func limitsNameTheLineThatCrossesThem() throws {
        let base = try Self.chromium()
        let candidate = "a=candidate:1 1 udp 1 192.0.2.9 9 typ host\r\n"
        let tooMany = base.replacingOccurrences(of: "a=ice-ufrag:Vces\r\n", with: String(repeating: candidate, count: 31) + "a=ice-ufrag:Vces\r\n")
        #expect((#expect(throws: SDPError.self) { try Offer(parsing: tooMany) })?.reason.contains("candidates") == true)
        let longLine = base.replacingOccurrences(of: "s=-", with: "s=" + String(repeating: "x", count: 5_000))
        #expect((#expect(throws: SDPError.self) { try Offer(parsing: longLine) })?.line == 3)
        let seventeen = "v=0\r\n" + String(repeating: "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n", count: 17)
        #expect((#expect(throws: SDPError.self) { try SessionDescription.parse(seventeen) })?.line == 18)
        let big = "v=0\r\n" + String(repeating: "a=" + String(repeating: "y", count: 1_000) + "\r\n", count: 70)
        #expect((#expect(throws: SDPError.self) { try SessionDescription.parse(big) })?.reason.contains("bytes") == true)
        #expect(throws: SDPError.self) { try SessionDescription.parse("v=0\r\ns=\u{0}\r\n") }
    }

    /// Every prefix of every fixture is handled: an error, or an offer whose answer parses.
    @Test(arguments: offers)
    func everyPrefixIsHandled(file: String) throws {
        let bytes = Array(try fixture("sdp/\(file)").utf8)
        for length in stride(from: 0, to: bytes.count, by: 7) {
            guard let text = String(validating: bytes.prefix(length), as: UTF8.self),
                  let offer = try? Offer(parsing: text), let answer = try? Answer(offer: offer, parameters: Self.parameters) else { continue }
            #expect((try? SessionDescription.parse(answer.sdp)) != nil)
        }
    }

    @Test func offeredFingerprintsAndCredentialsAreRead() throws {
        let offer = try Offer(parsing: try fixture("sdp/aiortc-1.16-recvonly-offer.sdp"))
        #expect(offer.iceUfrag == "I2zy")
        #expect(offer.icePwd == "NyPRYnotiLamXxdsO5h8IA")
        #expect(offer.fingerprints.map(\.algorithm) == ["sha-256", "sha-384", "sha-512"])
        #expect(offer.fingerprints[0].digest.prefix(3) == [0x04, 0x50, 0x9A])
    }

    @Test func firefoxSessionLevelSendrecvDoesNotOverrideMediaRecvonly() throws {
        let offer = try Offer(parsing: try fixture("sdp/firefox-153esr-recvonly-offer.sdp"))
        #expect(offer.media.map(\.direction) == [.recvonly, .recvonly])
    }

    static func chromium() throws -> String { try fixture("sdp/chromium-156-recvonly-offer.sdp") }

    @Test func offerWithoutFingerprintNamesTheLine() throws {
        let text = try Self.chromium().replacingOccurrences(of: "a=fingerprint:sha-256 ", with: "a=fingerprint:sha-256 ZZ:")
        let error = #expect(throws: SDPError.self) { try Offer(parsing: text) }
        #expect(error?.line == 16)
        #expect(error?.description.contains("a=fingerprint") == true)
    }

    @Test func offerWithoutBundleIsRefused() throws {
        let text = try Self.chromium().replacingOccurrences(of: "a=group:BUNDLE 0 1\r\n", with: "")
        let error = #expect(throws: SDPError.self) { try Offer(parsing: text) }
        #expect(error?.reason.contains("BUNDLE") == true)
    }

    @Test func offerWithoutVP8OrOpusIsRefused() throws {
        let text = try Self.chromium().replacingOccurrences(of: "VP8/90000", with: "VP7/90000")
            .replacingOccurrences(of: "opus/48000/2", with: "speex/48000/2")
        let offer = try Offer(parsing: text)
        let error = #expect(throws: SDPError.self) { try Answer(offer: offer, parameters: Self.parameters) }
        #expect(error?.reason.contains("VP8") == true)
    }

    @Test func videoOnlyOfferRejectsTheOtherSectionWithPortZero() throws {
        let text = try Self.chromium().replacingOccurrences(of: "opus/48000/2", with: "speex/48000/2")
        let answer = try Answer(offer: try Offer(parsing: text), parameters: Self.parameters)
        #expect(answer.accepted.map(\.mid) == ["0"])
        let parsed = try SessionDescription.parse(answer.sdp)
        #expect(parsed.media[1].port == 0)
        #expect(parsed.attributes("group").first?.value == "BUNDLE 0")
    }

    @Test func malformedAndOversizedBodiesNameTheProblem() {
        #expect(throws: SDPError.self) { try SessionDescription.parse("") }
        #expect(throws: SDPError.self) { try SessionDescription.parse("hello") }
        let error = #expect(throws: SDPError.self) { try SessionDescription.parse("v=0\r\nm=video x UDP 96\r\n") }
        #expect(error?.line == 2)
        let many = "v=0\r\n" + String(repeating: "a=x\r\n", count: 1_000)
        #expect(throws: SDPError.self) { try SessionDescription.parse(many) }
        let ufrag = "v=0\r\na=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=ice-ufrag:ab\r\n"
        let ufragError = #expect(throws: SDPError.self) { try Offer(parsing: ufrag) }
        #expect(ufragError?.line == 5)
    }
}
