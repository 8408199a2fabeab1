import Testing
@testable import RTP
@testable import RTCP

@Suite struct VP8PayloaderTests {
    @Test(arguments: [1, 1195, 1196, 1197, 5000, 12_345])
    func framesAreFragmentedAtTheMTU(size: Int) {
        var payloader = VP8Payloader(pictureID: 0x7FFF)
        let frame = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
        let payloads = payloader.payloads(for: frame, maxPayload: 1200)
        #expect(payloads.allSatisfy { p in p.count <= 1200 })
        #expect(payloads.count == (size + 1195) / 1196)
        // S bit only on the first packet; every packet carries the 15-bit PictureID 0x7FFF.
        #expect(payloads.map { $0[0] } == [0x90] + Array(repeating: 0x80, count: payloads.count - 1))
        #expect(payloads.allSatisfy { $0[1] == 0x80 && $0[2] == 0xFF && $0[3] == 0xFF })
        #expect(payloads.flatMap { $0.dropFirst(4) } == frame)
        #expect(payloader.pictureID == 0)  // wrapped
    }

    @Test func packetizerNumbersPacketsAndMarksTheLast() {
        var packetizer = RTPPacketizer(ssrc: SSRC(0xDEADBEEF), payloadType: 96, firstSequenceNumber: SequenceNumber(65534))
        let packets = packetizer.packets(payloads: [[1], [2], [3]], timestamp: 90_000)
        #expect(packets.map { $0.header?.sequenceNumber.rawValue } == [65534, 65535, 0])
        #expect(packets.map { $0.header?.marker } == [false, false, true])
        #expect(packets[0].bytes.prefix(12) == [0x80, 0x60, 0xFF, 0xFE, 0x00, 0x01, 0x5F, 0x90, 0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Array(packets[2].payload) == [3])
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

@Suite struct RTCPTests {
    @Test func senderReportRoundTrips() {
        let report = SenderReport(ssrc: 0x0102_0304, ntpTime: NTPTime(unixNanoseconds: 1_500_000_000),
                                  rtpTimestamp: 0xAABB_CCDD, packetCount: 7, octetCount: 700)
        var bytes: [UInt8] = []
        report.serialize(into: &bytes)
        #expect(bytes.count == SenderReport.length)
        #expect(bytes.prefix(8) == [0x80, 200, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04])
        // NTP seconds = 1 + 2208988800 = 0x83AA7E81; fraction of 0.5 s = 0x80000000.
        #expect(bytes[8..<16] == [0x83, 0xAA, 0x7E, 0x81, 0x80, 0x00, 0x00, 0x00])
        #expect(RTCPPacket.parseCompound(bytes) == [.senderReport(report)])
    }

    @Test func compoundWithPLIAndFIRIsSplit() {
        let bytes: [UInt8] = [
            0x81, 201, 0x00, 0x07,  0, 0, 0, 1,                        // RR, one block
            0, 0, 0, 9,  0x10, 0xFF, 0xFF, 0xFE,  0, 0, 1, 0,  0, 0, 0, 5,  0, 0, 0, 0,  0, 0, 0, 0,
            0x81, 206, 0x00, 0x02,  0, 0, 0, 1,  0, 0, 0, 9,           // PLI
            0x84, 206, 0x00, 0x04,  0, 0, 0, 1,  0, 0, 0, 0,  0, 0, 0, 9,  3, 0, 0, 0,  // FIR
        ]
        let packets = RTCPPacket.parseCompound(bytes)
        #expect(packets.count == 3)
        guard case .receiverReport(1, let blocks) = packets[0] else { Issue.record("no RR"); return }
        #expect(blocks[0].ssrc == 9 && blocks[0].fractionLost == 0x10 && blocks[0].cumulativeLost == -2)
        #expect(packets[1] == .pictureLossIndication(sender: 1, mediaSource: 9))
        #expect(packets[2] == .fullIntraRequest(sender: 1, mediaSources: [9]))
    }

    @Test func lengthsPastTheDatagramStopParsing() {
        #expect(RTCPPacket.parseCompound([0x81, 206, 0xFF, 0xFF, 0, 0, 0, 1]).isEmpty)
        #expect(RTCPPacket.parseCompound([0x81]).isEmpty)
        #expect(RTCPPacket.parseCompound([0x81, 201, 0x00, 0x07, 0, 0, 0, 1]).isEmpty)
    }
}

@Suite struct SourceDescriptionTests {
    @Test func cnameChunkIsPaddedToAWordWithAnEndItem() {
        var bytes: [UInt8] = []
        SourceDescription(ssrc: 7, cname: "pinhole").serialize(into: &bytes)
        // 4 header + 4 SSRC + (1 type + 1 length + 7 name + 1 END = 10, padded to 12).
        #expect(bytes == [0x81, 202, 0x00, 0x04, 0, 0, 0, 7, 1, 7] + Array("pinhole".utf8) + [0, 0, 0])
        #expect(RTCPPacket.parseCompound(bytes) == [.raw(packetType: 202, count: 1, body: Array(bytes[4...]))])
    }
}
