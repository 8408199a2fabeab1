import Testing
@testable import RTP
@testable import RTCP

@Suite struct VP8PayloaderTests {
    /// Writes a whole frame as packets the way the pipeline does, into plain arrays.
    static func packetize(_ frame: [UInt8], payloader: inout VP8Payloader, packetizer: inout RTPPacketizer) -> [[UInt8]] {
        let fragments = VP8Payloader.fragments(frameLength: frame.count, maxPayload: 1200)
        defer { payloader.finishFrame() }
        return frame.withUnsafeBytes { source in
            fragments.enumerated().map { index, fragment in
                var packet = [UInt8](repeating: 0, count: 1500)
                let length = packet.withUnsafeMutableBytes { buffer in
                    packetizer.write(into: buffer, marker: index == fragments.count - 1, timestamp: 90_000) { [payloader] in
                        payloader.writePayload(source, fragment: fragment, into: $0)
                    }
                }
                return Array(packet[0..<length])
            }
        }
    }

    @Test(arguments: [1, 1195, 1196, 1197, 5000, 12_345])
    func framesAreFragmentedAtTheMTU(size: Int) throws {
        var payloader = VP8Payloader(pictureID: 0x7FFF)
        var packetizer = RTPPacketizer(ssrc: SSRC(7), payloadType: 96, firstSequenceNumber: SequenceNumber(1))
        let frame = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
        let packets = Self.packetize(frame, payloader: &payloader, packetizer: &packetizer)
        let payloads = try packets.map { try RTPPacketValue.parse($0).payload }
        #expect(payloads.allSatisfy { p in p.count <= 1200 })
        #expect(payloads.count == (size + 1195) / 1196)
        // S bit only on the first packet; every packet carries the 15-bit PictureID 0x7FFF.
        #expect(payloads.map { $0[0] } == [0x90] + Array(repeating: 0x80, count: payloads.count - 1))
        #expect(payloads.allSatisfy { $0[1] == 0x80 && $0[2] == 0xFF && $0[3] == 0xFF })
        #expect(payloads.flatMap { $0.dropFirst(4) } == frame)
        #expect(try packets.map { try RTPPacketValue.parse($0).header.marker } == Array(repeating: false, count: packets.count - 1) + [true])
        #expect(payloader.pictureID == 0)  // wrapped
    }

    @Test func packetizerNumbersPacketsAcrossTheWrap() throws {
        var packetizer = RTPPacketizer(ssrc: SSRC(0xDEADBEEF), payloadType: 96, firstSequenceNumber: SequenceNumber(65534))
        var packets: [[UInt8]] = []
        for payload in [[UInt8(1)], [2], [3]] {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = buffer.withUnsafeMutableBytes { raw in
                packetizer.write(into: raw, marker: payload == [3], timestamp: 90_000) { $0[0] = payload[0]; return 1 }
            }
            packets.append(Array(buffer[0..<n]))
        }
        #expect(try packets.map { try RTPHeader.parse($0).header.sequenceNumber.rawValue } == [65534, 65535, 0])
        #expect(packets[0].prefix(12) == [0x80, 0x60, 0xFF, 0xFE, 0x00, 0x01, 0x5F, 0x90, 0xDE, 0xAD, 0xBE, 0xEF])
        #expect(packets[2][1] == 0xE0 && packets[2][12] == 3)  // marker + PT 96, payload
        #expect(SequenceNumber(65535).precedes(SequenceNumber(0)))
        #expect(!SequenceNumber(0).precedes(SequenceNumber(65535)))
    }

    @Test func keyframeStartIsRecognised() {
        // Descriptor with PictureID, then a VP8 payload header whose P bit (bit 0) is clear.
        #expect(VP8Payloader.isKeyframeStart([0x90, 0x80, 0x80, 0x01, 0x50]))
        #expect(!VP8Payloader.isKeyframeStart([0x90, 0x80, 0x80, 0x01, 0x51]))
        #expect(!VP8Payloader.isKeyframeStart([0x80, 0x80, 0x80, 0x01, 0x50]))
        #expect(!VP8Payloader.isKeyframeStart([0x90, 0x80]))
    }
}

/// RTP headers from annotated bytes (RFC 3550 §5.1, RFC 8285 §4).
@Suite struct RTPHeaderTests {
    static let withCSRCAndOneByteExtension: [UInt8] = [
        0x92, 0xE0, 0x12, 0x34,             // V=2 P=0 X=1 CC=2 | M=1 PT=96 | sequence 0x1234
        0x00, 0x01, 0x5F, 0x90,             // timestamp 90000
        0xDE, 0xAD, 0xBE, 0xEF,             // SSRC
        0x00, 0x00, 0x00, 0x01,             // CSRC 1
        0x00, 0x00, 0x00, 0x02,             // CSRC 2
        0xBE, 0xDE, 0x00, 0x02,             // one-byte extension profile, 2 words
        0x10, 0xAA, 0x00, 0x22,             // id 1 len 1 [AA], padding 0, id 2 len 3...
        0xBB, 0xCC, 0xDD, 0x00,             // ...[BB CC DD], padding 0
        0x01, 0x02,                         // payload
    ]

    @Test func csrcsAndOneByteExtensionsParse() throws {
        let packet = try RTPPacketValue.parse(Self.withCSRCAndOneByteExtension)
        #expect(packet.header.marker && packet.header.payloadType == 96)
        #expect(packet.header.sequenceNumber == SequenceNumber(0x1234) && packet.header.timestamp == 90_000)
        #expect(packet.header.csrcs == [SSRC(1), SSRC(2)])
        #expect(packet.header.extensions == .oneByte([RTPHeaderExtension(id: 1, data: [0xAA]),
                                                      RTPHeaderExtension(id: 2, data: [0xBB, 0xCC, 0xDD])]))
        #expect(packet.payload == [0x01, 0x02])
        #expect(try RTPPacketValue.parse(packet.serialize()) == packet)
    }

    static let withTwoByteExtensionAndPadding: [UInt8] = [
        0xB0, 0x6F, 0x00, 0x07,             // V=2 P=1 X=1 CC=0 | M=0 PT=111 | sequence 7
        0x00, 0x00, 0x03, 0xC0,             // timestamp 960
        0x00, 0x00, 0x00, 0x2A,             // SSRC 42
        0x10, 0x00, 0x00, 0x01,             // two-byte extension profile (app bits 0), 1 word
        0x14, 0x01, 0x7F, 0x00,             // id 20 len 1 [7F], padding
        0xF0, 0x0D,                         // payload
        0x00, 0x00, 0x03,                   // 3 octets of padding, the last counting them
    ]

    @Test func twoByteExtensionsAndPaddingParse() throws {
        let packet = try RTPPacketValue.parse(Self.withTwoByteExtensionAndPadding)
        #expect(packet.header.extensions == .twoByte(appBits: 0, [RTPHeaderExtension(id: 20, data: [0x7F])]))
        #expect(packet.payload == [0xF0, 0x0D] && packet.paddingLength == 3)
        #expect(packet.serialize() == Self.withTwoByteExtensionAndPadding)
    }

    @Test(arguments: [withCSRCAndOneByteExtension, withTwoByteExtensionAndPadding])
    func everyTruncatedPrefixThrows(bytes: [UInt8]) {
        // A cut inside the payload is still a packet; every cut inside the header must throw.
        let headerEnd = (try? RTPHeader.parse(bytes).payloadOffset) ?? 0
        for length in 0..<headerEnd {
            #expect(throws: RTPError.self, "prefix \(length)") { try RTPPacketValue.parse(Array(bytes.prefix(length))) }
        }
    }

    @Test func badPaddingAndVersionAreRejected() {
        var padded = Self.withTwoByteExtensionAndPadding
        padded[padded.count - 1] = 0  // a padding count of zero
        #expect(throws: RTPError.badPadding(count: 0, available: 5)) { try RTPPacketValue.parse(padded) }
        padded[padded.count - 1] = 200
        #expect(throws: RTPError.self) { try RTPPacketValue.parse(padded) }
        #expect(throws: RTPError.badVersion(1)) { try RTPPacketValue.parse([0x40] + Array(repeating: 0, count: 11)) }
    }

    @Test func timestampsAndSequenceNumbersCompareAcrossTheWrap() {
        #expect(RTPTimestamp(0xFFFF_FF00).precedes(RTPTimestamp(0x10)))
        #expect(RTPTimestamp(0xFFFF_FF00).distance(to: RTPTimestamp(0x10)) == 0x110)
        #expect(SequenceNumber(65530).distance(to: SequenceNumber(4)) == 10)
        #expect(SequenceNumber(4).distance(to: SequenceNumber(65530)) == -10)
    }
}
