/// The RTP fixed header (RFC 3550 §5.1):
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |V=2|P|X|  CC   |M|     PT      |       sequence number         |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                           timestamp                           |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |           synchronization source (SSRC) identifier            |
///     +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
///     |            contributing source (CSRC) identifiers             |
///     |                             ....                              |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |      defined by profile       |           length              |  (X=1, §5.3.1)
///     |                        header extension                       |
public struct RTPHeader: Sendable, Equatable {
    public static let fixedLength = 12

    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: SequenceNumber
    public var timestamp: UInt32
    public var ssrc: SSRC
    public var csrcs: [SSRC]
    public var extensions: RTPHeaderExtensions

    public init(marker: Bool = false, payloadType: UInt8, sequenceNumber: SequenceNumber,
                timestamp: UInt32, ssrc: SSRC, csrcs: [SSRC] = [], extensions: RTPHeaderExtensions = .none) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensions = extensions
    }

    public var length: Int { Self.fixedLength + 4 * csrcs.count + extensions.serializedLength }

    /// Appends the header to `buffer`; `padding` sets the P bit (§5.1).
    public func serialize(into buffer: inout [UInt8], padding: Bool = false) {
        precondition(csrcs.count <= 15, "at most 15 CSRCs")
        let x: UInt8 = extensions == .none ? 0 : 0x10
        buffer.append(0x80 | (padding ? 0x20 : 0) | x | UInt8(csrcs.count))
        buffer.append((marker ? 0x80 : 0) | payloadType & 0x7F)
        buffer.append(UInt8(sequenceNumber.rawValue >> 8))
        buffer.append(UInt8(sequenceNumber.rawValue & 0xFF))
        appendUInt32(timestamp, to: &buffer)
        appendUInt32(ssrc.rawValue, to: &buffer)
        for csrc in csrcs { appendUInt32(csrc.rawValue, to: &buffer) }
        extensions.serialize(into: &buffer)
    }

    /// Parses the header of a packet; returns it with the offset where the payload starts.
    public static func parse(_ bytes: [UInt8]) throws(RTPError) -> (header: RTPHeader, payloadOffset: Int) {
        guard bytes.count >= fixedLength else { throw .tooShort(needed: fixedLength, available: bytes.count) }
        guard bytes[0] >> 6 == 2 else { throw .badVersion(bytes[0] >> 6) }
        let count = Int(bytes[0] & 0x0F)
        var offset = fixedLength + 4 * count
        guard bytes.count >= offset else { throw .tooShort(needed: offset, available: bytes.count) }
        var extensions = RTPHeaderExtensions.none
        if bytes[0] & 0x10 != 0 { extensions = try RTPHeaderExtensions.parse(bytes, at: &offset) }
        let header = RTPHeader(
            marker: bytes[1] & 0x80 != 0, payloadType: bytes[1] & 0x7F,
            sequenceNumber: SequenceNumber(UInt16(bytes[2]) << 8 | UInt16(bytes[3])),
            timestamp: readUInt32(bytes, 4), ssrc: SSRC(readUInt32(bytes, 8)),
            csrcs: (0..<count).map { SSRC(readUInt32(bytes, 12 + 4 * $0)) }, extensions: extensions)
        return (header, offset)
    }
}

public enum RTPError: Error, Equatable, Sendable {
    case tooShort(needed: Int, available: Int)
    case badVersion(UInt8)
    case badPadding(count: Int, available: Int)
    case badExtension(reason: String)
}

/// A synchronization source identifier (RFC 3550 §3).
public struct SSRC: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ value: UInt32) { rawValue = value }
    public var description: String { String(rawValue) }
}

/// A 16-bit RTP sequence number with wrap-aware ordering (RFC 3550 §A.1).
public struct SequenceNumber: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ value: UInt16) { rawValue = value }

    public func next() -> SequenceNumber { SequenceNumber(rawValue &+ 1) }

    /// Signed distance from `self` forward to `other`, in -2^15 ..< 2^15.
    public func distance(to other: SequenceNumber) -> Int { Int(Int16(bitPattern: other.rawValue &- rawValue)) }

    /// True when `self` comes before `other`, treating a distance under 2^15 as forward.
    public func precedes(_ other: SequenceNumber) -> Bool {
        other.rawValue &- rawValue != 0 && other.rawValue &- rawValue < 0x8000
    }
}

/// A 32-bit RTP timestamp with wrap-aware ordering (RFC 3550 §5.1: it wraps like the sequence number).
public struct RTPTimestamp: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ value: UInt32) { rawValue = value }

    public func advanced(by ticks: UInt32) -> RTPTimestamp { RTPTimestamp(rawValue &+ ticks) }
    public func distance(to other: RTPTimestamp) -> Int64 { Int64(Int32(bitPattern: other.rawValue &- rawValue)) }
    public func precedes(_ other: RTPTimestamp) -> Bool { distance(to: other) > 0 }
}

@inline(__always)
func appendUInt32(_ value: UInt32, to buffer: inout [UInt8]) {
    buffer.append(UInt8(value >> 24))
    buffer.append(UInt8(value >> 16 & 0xFF))
    buffer.append(UInt8(value >> 8 & 0xFF))
    buffer.append(UInt8(value & 0xFF))
}

@inline(__always)
func readUInt32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}
