/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// §3.1), RTPFB FMT 15: for a run of transport sequence numbers, whether and when each arrived.
///
///     |      base sequence number     |      packet status count      |
///     |                 reference time                | fb pkt. count |
///     |          packet chunk         |         packet chunk          |
///     .                                                               .
///     |         packet chunk          |  recv delta   |  recv delta   |
///
/// Chunks are kept as sent, so that a packet serializes back to the same bytes; `statuses`
/// and `arrivals` expand them.
public struct TransportWideFeedback: Sendable, Equatable {
    public enum Status: UInt8, Sendable {
        case notReceived = 0, receivedSmallDelta = 1, receivedLargeDelta = 2, reserved = 3
    }

    public enum Chunk: Sendable, Equatable {
        /// 0 | symbol (2) | run length (13)
        case runLength(Status, count: Int)
        /// 1 | 0 | 14 one-bit symbols, or 1 | 1 | 7 two-bit symbols
        case statusVector([Status], twoBit: Bool)

        var capacity: Int {
            switch self {
            case .runLength(_, let count): count
            case .statusVector(_, let twoBit): twoBit ? 7 : 14
            }
        }
    }

    public var sender: UInt32
    public var mediaSource: UInt32
    public var baseSequence: UInt16
    public var statusCount: UInt16
    /// 24-bit signed, in multiples of 64 ms.
    public var referenceTime: Int32
    public var feedbackCount: UInt8
    public var chunks: [Chunk]
    /// One per received packet, in 250 µs units.
    public var deltas: [Int16]

    public init(sender: UInt32, mediaSource: UInt32, baseSequence: UInt16, statusCount: UInt16, referenceTime: Int32,
                feedbackCount: UInt8, chunks: [Chunk], deltas: [Int16]) {
        self.sender = sender
        self.mediaSource = mediaSource
        self.baseSequence = baseSequence
        self.statusCount = statusCount
        self.referenceTime = referenceTime
        self.feedbackCount = feedbackCount
        self.chunks = chunks
        self.deltas = deltas
    }

    /// The status of each of the `statusCount` packets from `baseSequence` on.
    public var statuses: [Status] {
        var result: [Status] = []
        result.reserveCapacity(Int(statusCount))
        for chunk in chunks {
            switch chunk {
            case .runLength(let status, let count): result += repeatElement(status, count: min(count, Int(statusCount) - result.count))
            case .statusVector(let symbols, _): result += symbols.prefix(Int(statusCount) - result.count)
            }
        }
        return result
    }

    init(reader r: inout RTCPReader) throws(RTCPError) {
        sender = try r.u32()
        mediaSource = try r.u32()
        baseSequence = try r.u16()
        statusCount = try r.u16()
        let reference = try r.u24()
        referenceTime = Int32(bitPattern: reference << 8) >> 8
        feedbackCount = try r.u8()
        chunks = []
        var described = 0
        var needsDelta: [Bool] = []
        // Each chunk is two bytes, so the loop is bounded by the body, not by statusCount.
        while described < Int(statusCount) {
            let chunk = try Self.readChunk(&r)
            let used = min(chunk.capacity, Int(statusCount) - described)
            described += used
            switch chunk {
            case .runLength(let status, _) where status == .receivedSmallDelta || status == .receivedLargeDelta:
                try r.require(used * (status == .receivedSmallDelta ? 1 : 2))
                needsDelta += repeatElement(status == .receivedLargeDelta, count: used)
            case .statusVector(let symbols, _):
                for s in symbols.prefix(used) where s == .receivedSmallDelta || s == .receivedLargeDelta { needsDelta.append(s == .receivedLargeDelta) }
            default: break
            }
            chunks.append(chunk)
        }
        deltas = []
        for large in needsDelta {
            deltas.append(large ? Int16(bitPattern: try r.u16()) : Int16(try r.u8()))
        }
        _ = r.rest()
    }

    private static func readChunk(_ r: inout RTCPReader) throws(RTCPError) -> Chunk {
        let word = try r.u16()
        if word & 0x8000 == 0 {
            return .runLength(Status(rawValue: UInt8(word >> 13 & 0x3))!, count: Int(word & 0x1FFF))
        }
        if word & 0x4000 == 0 {
            return .statusVector((0..<14).map { Status(rawValue: UInt8(word >> (13 - $0) & 0x1))! }, twoBit: false)
        }
        return .statusVector((0..<7).map { Status(rawValue: UInt8(word >> (12 - 2 * $0) & 0x3))! }, twoBit: true)
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: 15, type: RTCPPacket.PacketType.transportFeedback, into: &buffer) { b in
            append32(sender, to: &b)
            append32(mediaSource, to: &b)
            append16(baseSequence, to: &b)
            append16(statusCount, to: &b)
            let reference = UInt32(bitPattern: referenceTime) & 0xFF_FFFF
            b += [UInt8(reference >> 16), UInt8(reference >> 8 & 0xFF), UInt8(reference & 0xFF), feedbackCount]
            for chunk in chunks { append16(Self.encode(chunk), to: &b) }
            var deltaIndex = 0
            for status in statuses where status == .receivedSmallDelta || status == .receivedLargeDelta {
                let delta = deltaIndex < deltas.count ? deltas[deltaIndex] : 0
                deltaIndex += 1
                if status == .receivedLargeDelta { append16(UInt16(bitPattern: delta), to: &b) } else { b.append(UInt8(truncatingIfNeeded: delta)) }
            }
        }
    }

    private static func encode(_ chunk: Chunk) -> UInt16 {
        switch chunk {
        case .runLength(let status, let count):
            return UInt16(status.rawValue) << 13 | UInt16(min(count, 0x1FFF))
        case .statusVector(let symbols, let twoBit):
            var word: UInt16 = twoBit ? 0xC000 : 0x8000
            for (i, s) in symbols.prefix(twoBit ? 7 : 14).enumerated() {
                word |= twoBit ? UInt16(s.rawValue & 3) << (12 - 2 * i) : UInt16(s.rawValue & 1) << (13 - i)
            }
            return word
        }
    }
}
