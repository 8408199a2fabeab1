import Testing
@testable import RTCP

/// RTCP packets from annotated bytes, each checked field by field and by round trip.
@Suite struct RTCPTests {
    /// RFC 3550 §6.4.1: SR with one report block.
    static let senderReport: [UInt8] = [
        0x81, 200, 0x00, 0x0C,              // V=2 P=0 RC=1 | PT=SR | length 12 words
        0x01, 0x02, 0x03, 0x04,             // SSRC of sender
        0x83, 0xAA, 0x7E, 0x81,             // NTP seconds: 1 s after the Unix epoch
        0x80, 0x00, 0x00, 0x00,             // NTP fraction: 0.5
        0xAA, 0xBB, 0xCC, 0xDD,             // RTP timestamp
        0x00, 0x00, 0x00, 0x07,             // packet count
        0x00, 0x00, 0x02, 0xBC,             // octet count 700
        0x00, 0x00, 0x00, 0x09,             // report block: SSRC 9
        0x10, 0xFF, 0xFF, 0xFE,             // fraction lost 16/256, cumulative lost -2
        0x00, 0x01, 0x00, 0x05,             // extended highest sequence number
        0x00, 0x00, 0x00, 0x20,             // jitter
        0x11, 0x22, 0x33, 0x44,             // LSR
        0x00, 0x00, 0x80, 0x00,             // DLSR 0.5 s
    ]

    @Test func senderReportWithABlock() throws {
        let packets = try RTCPPacket.parseCompound(Self.senderReport)
        guard case .senderReport(let sr) = packets.first else { Issue.record("no SR"); return }
        #expect(sr.ssrc == 0x0102_0304 && sr.rtpTimestamp == 0xAABB_CCDD && sr.packetCount == 7 && sr.octetCount == 700)
        #expect(sr.ntpTime == NTPTime(unixNanoseconds: 1_500_000_000))
        #expect(sr.reports == [ReportBlock(ssrc: 9, fractionLost: 16, cumulativeLost: -2, highestSequence: 0x10005,
                                           jitter: 32, lastSenderReport: 0x1122_3344, delaySinceLastSenderReport: 0x8000)])
        #expect(RTCPPacket.serializeCompound(packets) == Self.senderReport)
    }

    /// RFC 3550 §6.5 SDES with a CNAME, then §6.6 BYE with a reason, in one compound.
    static let sdesAndBye: [UInt8] = [
        0x81, 202, 0x00, 0x04,              // SC=1 | PT=SDES | 4 words
        0x00, 0x00, 0x00, 0x07,             // SSRC 7
        0x01, 0x07, 0x70, 0x69,             // CNAME, 7 bytes: "pi
        0x6E, 0x68, 0x6F, 0x6C,             // nhol
        0x65, 0x00, 0x00, 0x00,             // e", END, padding
        0x81, 203, 0x00, 0x02,              // SC=1 | PT=BYE | 2 words
        0x00, 0x00, 0x00, 0x07,             // SSRC 7
        0x02, 0x6F, 0x6B, 0x00,             // reason length 2: "ok", padding
    ]

    @Test func sourceDescriptionAndGoodbye() throws {
        let packets = try RTCPPacket.parseCompound(Self.sdesAndBye)
        #expect(packets == [.sourceDescription(SourceDescription(ssrc: 7, cname: "pinhole")),
                            .goodbye(Goodbye(ssrcs: [7], reason: Array("ok".utf8)))])
        #expect(RTCPPacket.serializeCompound(packets) == Self.sdesAndBye)
    }

    /// RFC 4585 §6.2.1 generic NACK, §6.3.1 PLI, RFC 5104 §4.3.1 FIR, RFC 3550 §6.7 APP.
    static let feedback: [UInt8] = [
        0x81, 205, 0x00, 0x03,              // FMT=1 | PT=RTPFB | 3 words
        0x00, 0x00, 0x00, 0x01,             // sender
        0x00, 0x00, 0x00, 0x09,             // media source
        0xFF, 0xFE, 0x00, 0x05,             // PID 65534, BLP bits 0 and 2: 65535 and 1 lost too
        0x81, 206, 0x00, 0x02,              // FMT=1 | PT=PSFB (PLI) | 2 words
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09,
        0x84, 206, 0x00, 0x04,              // FMT=4 | PT=PSFB (FIR) | 4 words
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x09,             // FCI: SSRC 9
        0x03, 0x00, 0x00, 0x00,             // command sequence number 3, reserved
        0x85, 204, 0x00, 0x03,              // subtype 5 | PT=APP | 3 words
        0x00, 0x00, 0x00, 0x01,             // SSRC
        0x50, 0x49, 0x4E, 0x48,             // name "PINH"
        0xCA, 0xFE, 0xBA, 0xBE,             // data
    ]

    @Test func nackPliFirAndApp() throws {
        let packets = try RTCPPacket.parseCompound(Self.feedback)
        #expect(packets.count == 4)
        guard case .genericNACK(let nack) = packets[0] else { Issue.record("no NACK"); return }
        #expect(nack.lostSequenceNumbers == [65534, 65535, 1])
        #expect(packets[1] == .pictureLossIndication(PictureLossIndication(sender: 1, mediaSource: 9)))
        #expect(packets[2] == .fullIntraRequest(FullIntraRequest(sender: 1, entries: [.init(ssrc: 9, sequenceNumber: 3)])))
        #expect(packets[3] == .application(ApplicationDefined(subtype: 5, ssrc: 1, name: Array("PINH".utf8), data: [0xCA, 0xFE, 0xBA, 0xBE])))
        #expect(RTCPPacket.serializeCompound(packets) == Self.feedback)
    }

    /// draft-alvestrand-rmcat-remb-03 §2.2.
    static let remb: [UInt8] = [
        0x8F, 206, 0x00, 0x05,              // FMT=15 | PT=PSFB | 5 words
        0x00, 0x00, 0x00, 0x01,             // sender
        0x00, 0x00, 0x00, 0x00,             // media source 0
        0x52, 0x45, 0x4D, 0x42,             // "REMB"
        0x01, 0x0B, 0xD0, 0x90,             // 1 SSRC | exp 2 | mantissa 0x3D090 = 250000: 1 Mbit/s
        0x00, 0x00, 0x00, 0x09,             // SSRC 9
    ]

    @Test func receiverEstimatedMaximumBitrate() throws {
        let packets = try RTCPPacket.parseCompound(Self.remb)
        #expect(packets == [.receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate(sender: 1, bitrate: 1_000_000, ssrcs: [9]))])
        #expect(RTCPPacket.serializeCompound(packets) == Self.remb)
    }

    /// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1: five packets from sequence 100.
    static let transportWide: [UInt8] = [
        0xAF, 205, 0x00, 0x07,              // P=1 FMT=15 | PT=RTPFB | 7 words
        0x00, 0x00, 0x00, 0x01,             // sender
        0x00, 0x00, 0x00, 0x09,             // media source
        0x00, 0x64, 0x00, 0x05,             // base sequence 100 | status count 5
        0x00, 0x00, 0x10, 0x02,             // reference time 16 × 64 ms | feedback count 2
        0x20, 0x02,                         // run length: "small delta" × 2
        0xE1, 0x00,                         // two-bit vector: large, not received, small, (unused)
        0x04, 0x08,                         // deltas: 4 (1 ms), 8 (2 ms)
        0xFF, 0xF0,                         // large delta -16 (-4 ms)
        0x10, 0x00, 0x00, 0x03,             // small delta 16; 3 octets of padding (P bit)
    ]

    @Test func transportWideFeedback() throws {
        let packets = try RTCPPacket.parseCompound(Self.transportWide)
        guard case .transportWideFeedback(let fb) = packets.first else { Issue.record("no TWCC"); return }
        #expect(fb.baseSequence == 100 && fb.statusCount == 5 && fb.referenceTime == 16 && fb.feedbackCount == 2)
        #expect(fb.statuses == [.receivedSmallDelta, .receivedSmallDelta, .receivedLargeDelta, .notReceived, .receivedSmallDelta])
        #expect(fb.deltas == [4, 8, -16, 16])
        #expect(RTCPPacket.serializeCompound(packets) == Self.transportWide)
    }

    static let fixtures = [senderReport, sdesAndBye, feedback, remb, transportWide]

    @Test(arguments: 0..<5)
    func everyTruncatedPrefixThrows(index: Int) {
        let bytes = Self.fixtures[index]
        for length in 0..<bytes.count {
            let prefix = Array(bytes.prefix(length))
            // A cut exactly between two packets leaves a valid compound; any other cut must throw.
            if (try? RTCPPacket.parseCompound(prefix)).map({ RTCPPacket.serializeCompound($0) == prefix }) == true { continue }
            #expect(throws: RTCPError.self, "prefix \(length)") { try RTCPPacket.parseCompound(prefix) }
        }
    }

    @Test func countsAreCheckedAgainstTheLength() throws {
        // RC=31 report blocks declared in a one-word body: rejected before allocating.
        #expect(throws: RTCPError.self) { try RTCPPacket.parseCompound([0x9F, 201, 0x00, 0x01, 0, 0, 0, 1]) }
        // A length past the datagram.
        #expect(throws: RTCPError.self) { try RTCPPacket.parseCompound([0x81, 206, 0xFF, 0xFF, 0, 0, 0, 1]) }
        // TWCC claiming 65535 packets in a run with no deltas present.
        #expect(throws: RTCPError.self) {
            try RTCPPacket.parseCompound([0x8F, 205, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0x3F, 0xFF, 0, 0])
        }
        // Unknown types are kept raw.
        let raw = try RTCPPacket.parseCompound([0x80, 210, 0x00, 0x01, 1, 2, 3, 4])
        #expect(raw == [.raw(packetType: 210, count: 0, body: [1, 2, 3, 4])])
    }
}
