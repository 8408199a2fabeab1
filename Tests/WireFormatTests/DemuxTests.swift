import Testing
@testable import Demux

/// RFC 7983 §7: the first byte decides; RFC 5761 §4: the second tells RTCP from RTP.
@Suite struct DemuxTests {
    static func datagram(_ first: UInt8, _ second: UInt8 = 0, length: Int = 40) -> [UInt8] {
        [first, second] + [UInt8](repeating: 0, count: length - 2)
    }

    @Test func firstByteRanges() {
        for b in UInt8(0)...255 {
            let kind = DatagramKind(classifying: Self.datagram(b))
            switch b {
            case 0...3: #expect(kind == .stun)
            case 16...19: #expect(kind == .zrtp)
            case 20...63: #expect(kind == .dtls)
            case 64...79: #expect(kind == .turnChannel)
            case 128...191: #expect(kind == .rtp)
            default: #expect(kind == .unknown, "first byte \(b)")
            }
        }
    }

    @Test func rtcpByPacketType() {
        #expect(DatagramKind(classifying: Self.datagram(0x80, 200)) == .rtcp)   // SR
        #expect(DatagramKind(classifying: Self.datagram(0x81, 206)) == .rtcp)   // PSFB
        #expect(DatagramKind(classifying: Self.datagram(0x80, 223)) == .rtcp)
        #expect(DatagramKind(classifying: Self.datagram(0x80, 96)) == .rtp)
        #expect(DatagramKind(classifying: Self.datagram(0x80, 224)) == .rtp)    // marker + PT 96
    }

    @Test func tooShortForTheirKindAreDropped() {
        #expect(DatagramKind(classifying: [UInt8]()) == .unknown)
        #expect(DatagramKind(classifying: Self.datagram(0, length: 19)) == .unknown)
        #expect(DatagramKind(classifying: Self.datagram(22, length: 12)) == .unknown)
        #expect(DatagramKind(classifying: Self.datagram(0x80, 96, length: 11)) == .unknown)
        #expect(DatagramKind(classifying: Self.datagram(0x80, 200, length: 7)) == .unknown)
    }
}
