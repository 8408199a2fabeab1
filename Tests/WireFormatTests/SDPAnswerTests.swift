import Foundation
import Testing
@testable import SDP

/// Answers generated for real offers captured from browsers and libraries (Fixtures/sdp/README.md).
@Suite struct SDPAnswerTests {
    static let offers = ["chromium-156-recvonly-offer.sdp", "chromium-156-recvonly-offer-mdns.sdp",
                         "aiortc-1.16-recvonly-offer.sdp", "gstreamer-1.22-recvonly-offer.sdp",
                         "firefox-153esr-recvonly-offer.sdp"]

    static let parameters = Answer.Parameters(
        ice: (ufrag: "PinH0le1", pwd: "abcdefghijklmnopqrstuvwx"),
        fingerprint: Fingerprint(algorithm: "sha-256", digest: Array(0..<32)),
        candidates: [Candidate(address: "127.0.0.1", port: 8189)],
        videoSSRC: 1111, audioSSRC: 2222, sessionID: 42)

    @Test(arguments: offers)
    func answerMirrorsTheOffer(file: String) throws {
        let expected = try fixtureJSON("sdp/expectations.json")[file] as! [String: Any]
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
