/// RTCP packets (RFC 3550 §6.4, RFC 4585 §6.3, RFC 5104 §4.3) that Pinhole reads or writes.
/// Every RTCP packet starts with this common header:
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |V=2|P| RC/FMT  |      PT       |             length            |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public enum RTCPPacket: Sendable, Equatable {
    case senderReport(SenderReport)
    case receiverReport(sender: UInt32, blocks: [ReportBlock])
    /// Picture Loss Indication (RFC 4585 §6.3.1).
    case pictureLossIndication(sender: UInt32, mediaSource: UInt32)
    /// Full Intra Request (RFC 5104 §4.3.1).
    case fullIntraRequest(sender: UInt32, mediaSources: [UInt32])
    /// Any other packet, kept whole.
    case raw(packetType: UInt8, count: UInt8, body: [UInt8])

    public enum PacketType {
        public static let senderReport: UInt8 = 200
        public static let receiverReport: UInt8 = 201
        public static let payloadSpecificFeedback: UInt8 = 206
    }

    /// Parses a compound packet (RFC 3550 §6.1). Stops at the first malformed packet and returns
    /// what came before it: a length never reaches past the datagram.
    public static func parseCompound(_ bytes: [UInt8]) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = 0
        while bytes.count - offset >= 4 {
            guard bytes[offset] >> 6 == 2 else { break }
            let words = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let end = offset + 4 + 4 * words
            guard end <= bytes.count else { break }
            let count = bytes[offset] & 0x1F
            packets.append(parseOne(type: bytes[offset + 1], count: count, body: Array(bytes[offset + 4..<end])))
            offset = end
        }
        return packets
    }

    private static func parseOne(type: UInt8, count: UInt8, body: [UInt8]) -> RTCPPacket {
        switch (type, count) {
        case (PacketType.senderReport, _) where body.count >= 24:
            let ntp = NTPTime(rawValue: UInt64(read32(body, 4)) << 32 | UInt64(read32(body, 8)))
            return .senderReport(SenderReport(ssrc: read32(body, 0), ntpTime: ntp, rtpTimestamp: read32(body, 12),
                                              packetCount: read32(body, 16), octetCount: read32(body, 20)))
        case (PacketType.receiverReport, _) where body.count >= 4 + 24 * Int(count):
            let blocks = (0..<Int(count)).map { ReportBlock(parsing: body, at: 4 + 24 * $0) }
            return .receiverReport(sender: read32(body, 0), blocks: blocks)
        case (PacketType.payloadSpecificFeedback, 1) where body.count >= 8:
            return .pictureLossIndication(sender: read32(body, 0), mediaSource: read32(body, 4))
        case (PacketType.payloadSpecificFeedback, 4) where body.count >= 16:
            // FCI entries of 8 bytes: SSRC, sequence number, reserved.
            let sources = stride(from: 8, to: body.count - 7, by: 8).map { read32(body, $0) }
            return .fullIntraRequest(sender: read32(body, 0), mediaSources: sources)
        default:
            return .raw(packetType: type, count: count, body: body)
        }
    }
}

/// A reception report block (RFC 3550 §6.4.1).
public struct ReportBlock: Sendable, Equatable {
    public var ssrc: UInt32
    public var fractionLost: UInt8
    public var cumulativeLost: Int32
    public var highestSequence: UInt32
    public var jitter: UInt32
    public var lastSenderReport: UInt32
    public var delaySinceLastSenderReport: UInt32

    init(parsing b: [UInt8], at i: Int) {
        ssrc = read32(b, i)
        fractionLost = b[i + 4]
        let lost = UInt32(b[i + 5]) << 16 | UInt32(b[i + 6]) << 8 | UInt32(b[i + 7])
        cumulativeLost = Int32(bitPattern: lost << 8) >> 8  // 24-bit signed
        highestSequence = read32(b, i + 8)
        jitter = read32(b, i + 12)
        lastSenderReport = read32(b, i + 16)
        delaySinceLastSenderReport = read32(b, i + 20)
    }
}

func read32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

func append32(_ v: UInt32, to b: inout [UInt8]) {
    b += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
}
