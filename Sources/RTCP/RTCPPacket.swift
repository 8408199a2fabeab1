/// RTCP packets (RFC 3550 §6, RFC 4585 §6, RFC 5104 §4.3). Every packet starts with:
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |V=2|P| RC/FMT  |      PT       |   length (32-bit words - 1)   |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public enum RTCPPacket: Sendable, Equatable {
    case senderReport(SenderReport)
    case receiverReport(ReceiverReport)
    case sourceDescription(SourceDescription)
    case goodbye(Goodbye)
    case application(ApplicationDefined)
    case genericNACK(GenericNACK)
    case transportWideFeedback(TransportWideFeedback)
    case pictureLossIndication(PictureLossIndication)
    case fullIntraRequest(FullIntraRequest)
    case receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate)
    /// Any other packet, kept whole so that it can be passed on or logged.
    case raw(packetType: UInt8, count: UInt8, body: [UInt8])

    public enum PacketType {
        public static let senderReport: UInt8 = 200
        public static let receiverReport: UInt8 = 201
        public static let sourceDescription: UInt8 = 202
        public static let goodbye: UInt8 = 203
        public static let application: UInt8 = 204
        /// Transport-layer feedback (RFC 4585 §6.2).
        public static let transportFeedback: UInt8 = 205
        /// Payload-specific feedback (RFC 4585 §6.3).
        public static let payloadFeedback: UInt8 = 206
    }

    /// Parses a compound packet (RFC 3550 §6.1). A header that is not version 2, a length past
    /// the datagram or a body too short for its own counts rejects the whole compound, as
    /// RFC 3550 §A.2 asks; unknown packet types are kept raw.
    public static func parseCompound(_ bytes: [UInt8]) throws(RTCPError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = 0
        guard bytes.count >= 4 else { throw .tooShort(offset: 0, needed: 4, available: bytes.count) }
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .tooShort(offset: offset, needed: 4, available: bytes.count - offset) }
            guard bytes[offset] >> 6 == 2 else { throw .badVersion(offset: offset) }
            let end = offset + 4 + 4 * (Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3]))
            guard end <= bytes.count else { throw .tooShort(offset: offset, needed: end - offset, available: bytes.count - offset) }
            var bodyEnd = end
            if bytes[offset] & 0x20 != 0 {
                // RFC 3550 §6.4.1: the last octet counts the padding, itself included.
                let padding = Int(bytes[end - 1])
                guard padding >= 1, padding <= end - offset - 4 else { throw .badPadding(offset: offset) }
                bodyEnd -= padding
            }
            let body = Array(bytes[offset + 4..<bodyEnd])
            packets.append(try parse(type: bytes[offset + 1], count: bytes[offset] & 0x1F, body: body, offset: offset))
            offset = end
        }
        return packets
    }

    static func parse(type: UInt8, count: UInt8, body: [UInt8], offset: Int) throws(RTCPError) -> RTCPPacket {
        var reader = RTCPReader(body: body, offset: offset)
        switch (type, count) {
        case (PacketType.senderReport, _): return .senderReport(try SenderReport(count: count, reader: &reader))
        case (PacketType.receiverReport, _): return .receiverReport(try ReceiverReport(count: count, reader: &reader))
        case (PacketType.sourceDescription, _): return .sourceDescription(try SourceDescription(count: count, reader: &reader))
        case (PacketType.goodbye, _): return .goodbye(try Goodbye(count: count, reader: &reader))
        case (PacketType.application, _): return .application(try ApplicationDefined(subtype: count, reader: &reader))
        case (PacketType.transportFeedback, 1): return .genericNACK(try GenericNACK(reader: &reader))
        case (PacketType.transportFeedback, 15): return .transportWideFeedback(try TransportWideFeedback(reader: &reader))
        case (PacketType.payloadFeedback, 1): return .pictureLossIndication(try PictureLossIndication(reader: &reader))
        case (PacketType.payloadFeedback, 4): return .fullIntraRequest(try FullIntraRequest(reader: &reader))
        case (PacketType.payloadFeedback, 15) where ReceiverEstimatedMaximumBitrate.matches(body):
            return .receiverEstimatedMaximumBitrate(try ReceiverEstimatedMaximumBitrate(reader: &reader))
        default: return .raw(packetType: type, count: count, body: body)
        }
    }

    /// Appends this packet, header included, to `buffer`.
    public func serialize(into buffer: inout [UInt8]) {
        switch self {
        case .senderReport(let p): p.serialize(into: &buffer)
        case .receiverReport(let p): p.serialize(into: &buffer)
        case .sourceDescription(let p): p.serialize(into: &buffer)
        case .goodbye(let p): p.serialize(into: &buffer)
        case .application(let p): p.serialize(into: &buffer)
        case .genericNACK(let p): p.serialize(into: &buffer)
        case .transportWideFeedback(let p): p.serialize(into: &buffer)
        case .pictureLossIndication(let p): p.serialize(into: &buffer)
        case .fullIntraRequest(let p): p.serialize(into: &buffer)
        case .receiverEstimatedMaximumBitrate(let p): p.serialize(into: &buffer)
        case .raw(let type, let count, let body):
            writeRTCP(count: count, type: type, into: &buffer) { $0 += body }
        }
    }

    public static func serializeCompound(_ packets: [RTCPPacket]) -> [UInt8] {
        var bytes: [UInt8] = []
        for packet in packets { packet.serialize(into: &bytes) }
        return bytes
    }
}

public enum RTCPError: Error, Equatable, Sendable {
    case tooShort(offset: Int, needed: Int, available: Int)
    case badVersion(offset: Int)
    case badPadding(offset: Int)
    case malformed(offset: Int, reason: String)
}

/// Reads big-endian fields from one packet's body, never past its end.
struct RTCPReader {
    let body: [UInt8]
    let offset: Int
    var position = 0

    init(body: [UInt8], offset: Int) {
        self.body = body
        self.offset = offset
    }

    var remaining: Int { body.count - position }

    /// Fails unless `count` more bytes are present: called before anything is allocated for them.
    func require(_ count: Int) throws(RTCPError) {
        guard count >= 0, remaining >= count else {
            throw .tooShort(offset: offset, needed: position + count + 4, available: body.count + 4)
        }
    }

    mutating func bytes(_ count: Int) throws(RTCPError) -> [UInt8] {
        try require(count)
        defer { position += count }
        return Array(body[position..<position + count])
    }

    mutating func u8() throws(RTCPError) -> UInt8 { try bytes(1)[0] }
    mutating func u16() throws(RTCPError) -> UInt16 { let b = try bytes(2); return UInt16(b[0]) << 8 | UInt16(b[1]) }
    mutating func u24() throws(RTCPError) -> UInt32 { let b = try bytes(3); return UInt32(b[0]) << 16 | UInt32(b[1]) << 8 | UInt32(b[2]) }
    mutating func u32() throws(RTCPError) -> UInt32 { read32(try bytes(4), 0) }
    mutating func rest() -> [UInt8] { defer { position = body.count }; return Array(body[position...]) }

    func malformed(_ reason: String) -> RTCPError { .malformed(offset: offset, reason: reason) }
}

/// Writes a header, then the body `write` appends, then fixes the length. A body that does not
/// end on a word is padded with the P bit set and the count in the last octet (§6.4.1).
func writeRTCP(count: UInt8, type: UInt8, into buffer: inout [UInt8], _ write: (inout [UInt8]) -> Void) {
    let start = buffer.count
    buffer += [0x80 | count & 0x1F, type, 0, 0]
    write(&buffer)
    let padding = (4 - (buffer.count - start) % 4) % 4
    if padding > 0 {
        buffer[start] |= 0x20
        buffer += [UInt8](repeating: 0, count: padding - 1) + [UInt8(padding)]
    }
    let words = (buffer.count - start) / 4 - 1
    buffer[start + 2] = UInt8(words >> 8)
    buffer[start + 3] = UInt8(words & 0xFF)
}

func read32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

func append32(_ v: UInt32, to b: inout [UInt8]) {
    b += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
}

func append16(_ v: UInt16, to b: inout [UInt8]) { b += [UInt8(v >> 8), UInt8(v & 0xFF)] }
