/// RTP header extensions in the general mechanism of RFC 8285: the one-byte form (profile
/// 0xBEDE, §4.2) and the two-byte form (0x100 + 4 app bits, §4.3). Other profiles are kept raw.
///
///     one-byte element:  | ID (4) | L (4) |  data (L+1 bytes)   ID 0 = padding, ID 15 = stop
///     two-byte element:  |   ID (8)  |  length (8)  |  data (length bytes)   ID 0 = padding
public enum RTPHeaderExtensions: Sendable, Equatable {
    case none
    case oneByte([RTPHeaderExtension])
    case twoByte(appBits: UInt8, [RTPHeaderExtension])
    case other(profile: UInt16, data: [UInt8])

    public var elements: [RTPHeaderExtension] {
        switch self {
        case .oneByte(let e), .twoByte(_, let e): e
        case .none, .other: []
        }
    }

    /// Payload bytes of the extension block, before padding to a 32-bit word.
    private var bodyLength: Int {
        switch self {
        case .none: 0
        case .oneByte(let e): e.reduce(0) { $0 + 1 + $1.data.count }
        case .twoByte(_, let e): e.reduce(0) { $0 + 2 + $1.data.count }
        case .other(_, let data): data.count
        }
    }

    var serializedLength: Int { self == .none ? 0 : 4 + (bodyLength + 3) & ~3 }

    func serialize(into buffer: inout [UInt8]) {
        let profile: UInt16
        switch self {
        case .none: return
        case .oneByte: profile = 0xBEDE
        case .twoByte(let bits, _): profile = 0x1000 | UInt16(bits & 0x0F)
        case .other(let p, _): profile = p
        }
        let words = (bodyLength + 3) / 4
        buffer += [UInt8(profile >> 8), UInt8(profile & 0xFF), UInt8(words >> 8), UInt8(words & 0xFF)]
        switch self {
        case .oneByte(let elements):
            for e in elements {
                precondition((1...14).contains(e.id) && (1...16).contains(e.data.count), "one-byte extension out of range")
                buffer.append(e.id << 4 | UInt8(e.data.count - 1))
                buffer += e.data
            }
        case .twoByte(_, let elements):
            for e in elements {
                precondition(e.id >= 1 && e.data.count <= 255, "two-byte extension out of range")
                buffer += [e.id, UInt8(e.data.count)] + e.data
            }
        case .other(_, let data): buffer += data
        case .none: break
        }
        buffer += [UInt8](repeating: 0, count: words * 4 - bodyLength)
    }

    static func parse(_ bytes: [UInt8], at offset: inout Int) throws(RTPError) -> RTPHeaderExtensions {
        guard bytes.count >= offset + 4 else { throw .tooShort(needed: offset + 4, available: bytes.count) }
        let profile = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        let length = 4 * (Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3]))
        let start = offset + 4, end = start + length
        guard bytes.count >= end else { throw .tooShort(needed: end, available: bytes.count) }
        offset = end
        let body = bytes[start..<end]
        switch profile {
        case 0xBEDE: return .oneByte(try parseElements(body, twoByte: false))
        case 0x1000...0x100F: return .twoByte(appBits: UInt8(profile & 0x0F), try parseElements(body, twoByte: true))
        default: return .other(profile: profile, data: Array(body))
        }
    }

    private static func parseElements(_ body: ArraySlice<UInt8>, twoByte: Bool) throws(RTPError) -> [RTPHeaderExtension] {
        var elements: [RTPHeaderExtension] = []
        var i = body.startIndex
        while i < body.endIndex {
            let id = twoByte ? body[i] : body[i] >> 4
            if id == 0 { i += 1; continue }  // padding
            if !twoByte && id == 15 { break }  // RFC 8285 §4.2: stop processing
            guard twoByte ? i + 1 < body.endIndex : true else { throw .badExtension(reason: "element header cut off") }
            let length = twoByte ? Int(body[i + 1]) : Int(body[i] & 0x0F) + 1
            let start = i + (twoByte ? 2 : 1)
            guard start + length <= body.endIndex else { throw .badExtension(reason: "element \(id) longer than the block") }
            elements.append(RTPHeaderExtension(id: id, data: Array(body[start..<start + length])))
            i = start + length
        }
        return elements
    }
}

public struct RTPHeaderExtension: Sendable, Equatable {
    public var id: UInt8
    public var data: [UInt8]

    public init(id: UInt8, data: [UInt8]) {
        self.id = id
        self.data = data
    }
}

/// A whole RTP packet as a value: header, payload and padding (RFC 3550 §5.1).
public struct RTPPacketValue: Sendable, Equatable {
    public var header: RTPHeader
    public var payload: [UInt8]
    /// Padding octets at the end, the last of which holds the count (0: no padding).
    public var paddingLength: Int

    public init(header: RTPHeader, payload: [UInt8], paddingLength: Int = 0) {
        self.header = header
        self.payload = payload
        self.paddingLength = paddingLength
    }

    public static func parse(_ bytes: [UInt8]) throws(RTPError) -> RTPPacketValue {
        let (header, offset) = try RTPHeader.parse(bytes)
        var end = bytes.count
        var padding = 0
        if bytes[0] & 0x20 != 0 {
            padding = Int(bytes[bytes.count - 1])
            guard padding >= 1, padding <= bytes.count - offset else { throw .badPadding(count: padding, available: bytes.count - offset) }
            end -= padding
        }
        return RTPPacketValue(header: header, payload: Array(bytes[offset..<end]), paddingLength: padding)
    }

    public func serialize() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(header.length + payload.count + paddingLength)
        header.serialize(into: &bytes, padding: paddingLength > 0)
        bytes += payload
        if paddingLength > 0 {
            bytes += [UInt8](repeating: 0, count: paddingLength - 1)
            bytes.append(UInt8(paddingLength))
        }
        return bytes
    }
}
