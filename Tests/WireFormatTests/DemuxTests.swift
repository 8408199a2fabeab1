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

    /// A DTLS record: type, DTLS 1.2, epoch, sequence number 0, then the fragment.
    static func record(_ type: UInt8, epoch: UInt8 = 0, _ fragment: [UInt8]) -> [UInt8] {
        [type, 0xFE, 0xFD, 0, epoch, 0, 0, 0, 0, 0, 0, UInt8(fragment.count >> 8), UInt8(fragment.count & 0xFF)] + fragment
    }

    /// RFC 6347 §4.1.2.7: malformed records are dropped, the rest of the datagram kept.
    @Test func malformedDTLSRecordsAreDroppedAndTheRestKept() {
        // A ClientHello of 48 bytes in one fragment: type, length, message_seq, offset, fragment length.
        let hello = Self.record(22, [1, 0, 0, 48, 0, 0, 0, 0, 0, 0, 0, 48] + [UInt8](repeating: 0, count: 48))
        let ccs = Self.record(20, [1])
        let finished = Self.record(22, epoch: 1, [UInt8](repeating: 7, count: 40))
        let flight = hello + ccs + finished
        #expect(DTLSRecords.wellFormed(flight) == flight)
        for bad in [Self.record(20, [1, 1]), Self.record(20, [2]), Self.record(21, [2, 40, 0]), Self.record(22, [1, 0, 0]), Self.record(22, [1, 0, 0, 48, 0, 0, 0, 0, 0, 0, 0, 49] + [UInt8](repeating: 0, count: 48)),
                    Self.record(22, [1, 0, 0, 48, 0, 0, 0, 0, 0, 40, 0, 9] + [UInt8](repeating: 0, count: 9)),
                    Self.record(23, [1, 2, 3]), Self.record(24, [1, 2, 3]), Self.record(20, epoch: 1, []),
                    [22, 0xFE, 0xFC] + Array(hello.dropFirst(3)), [22, 0x03, 0x03] + Array(hello.dropFirst(3))] {
            #expect(DTLSRecords.wellFormed(bad) == nil, "\(bad.prefix(16))")
            #expect(DTLSRecords.wellFormed(hello + bad + finished) == hello + finished)
        }
        // A length past the end: nothing after it can be framed.
        #expect(DTLSRecords.wellFormed(hello + Array(finished.dropLast())) == hello)
        #expect(DTLSRecords.wellFormed(Array(hello.prefix(12))) == nil)
    }
}
