/// A STUN message (RFC 8489 §5):
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |0 0|     STUN Message Type     |         Message Length        |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                         Magic Cookie                          |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                     Transaction ID (96 bits)                  |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public struct STUNMessage: Sendable, Equatable {
    public static let magicCookie: UInt32 = 0x2112_A442
    public static let headerLength = 20

    public var messageClass: STUNClass
    public var method: STUNMethod
    public var transactionID: [UInt8]
    /// Attributes up to MESSAGE-INTEGRITY and FINGERPRINT, in order; later ones are ignored (§14.5).
    public var attributes: [STUNAttribute]
    /// The bytes as received, kept to check MESSAGE-INTEGRITY and FINGERPRINT.
    public var raw: [UInt8]

    /// A fresh 96-bit transaction ID (RFC 8489 §6: uniformly random).
    public static func randomTransactionID() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    public func attribute(_ type: STUNAttributeType) -> STUNAttribute? {
        attributes.first { $0.type == type }
    }

    /// Cheap test for RFC 7983 demultiplexing and for STUN framing (§5: two zero bits, magic cookie).
    public static func looksLikeSTUN(_ bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count >= headerLength else { return false }
        let b = Array(bytes.prefix(8))
        return b[0] & 0xC0 == 0 && readUInt32(b, 4) == magicCookie
    }
}

public enum STUNClass: UInt16, Sendable {
    case request = 0b00, indication = 0b01, successResponse = 0b10, errorResponse = 0b11
}

public struct STUNMethod: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let binding = STUNMethod(rawValue: 0x001)
}

public struct STUNAttribute: Sendable, Equatable {
    public var type: STUNAttributeType
    public var value: [UInt8]
    /// Offset of the attribute's header within `STUNMessage.raw`.
    public var offset: Int
}

public enum STUNError: Error, Equatable, Sendable {
    case tooShort(length: Int)
    case notSTUN(reason: String)
    case badLength(declared: Int, available: Int)
    case truncatedAttribute(type: UInt16, offset: Int)
}

extension STUNMessage {
    /// Parses a datagram; never traps on any input.
    public static func parse(_ bytes: [UInt8]) throws(STUNError) -> STUNMessage {
        guard bytes.count >= headerLength else { throw .tooShort(length: bytes.count) }
        guard bytes[0] & 0xC0 == 0 else { throw .notSTUN(reason: "first two bits not zero") }
        guard readUInt32(bytes, 4) == magicCookie else { throw .notSTUN(reason: "no magic cookie") }
        let length = Int(readUInt16(bytes, 2))
        guard length % 4 == 0, headerLength + length == bytes.count else {
            throw .badLength(declared: length, available: bytes.count - headerLength)
        }
        let type = readUInt16(bytes, 0)
        // Class bits C1 C0 sit at positions 8 and 4 of the type (§5).
        let classBits = (type >> 7) & 0b10 | (type >> 4) & 0b01
        let method = (type & 0x000F) | (type >> 1) & 0x0070 | (type >> 2) & 0x0F80
        return STUNMessage(
            messageClass: STUNClass(rawValue: classBits)!,
            method: STUNMethod(rawValue: method),
            transactionID: Array(bytes[8..<20]),
            attributes: try parseAttributes(bytes),
            raw: bytes)
    }

    private static func parseAttributes(_ bytes: [UInt8]) throws(STUNError) -> [STUNAttribute] {
        var attributes: [STUNAttribute] = []
        var offset = headerLength
        var sawIntegrity = false
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else { throw .truncatedAttribute(type: 0, offset: offset) }
            let type = STUNAttributeType(rawValue: readUInt16(bytes, offset))
            let length = Int(readUInt16(bytes, offset + 2))
            guard offset + 4 + length <= bytes.count else { throw .truncatedAttribute(type: type.rawValue, offset: offset) }
            let attribute = STUNAttribute(type: type, value: Array(bytes[offset + 4..<offset + 4 + length]), offset: offset)
            // §14.5: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count.
            if !sawIntegrity || type == .fingerprint || type == .messageIntegritySHA256 { attributes.append(attribute) }
            if type == .messageIntegrity { sawIntegrity = true }
            offset += 4 + (length + 3) & ~3
        }
        return attributes
    }

    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1, §14.5) with the credential `key`: the ICE password
    /// for short-term credentials, `longTermKey` for long-term ones.
    public func hasValidIntegrity(key: [UInt8]) -> Bool {
        guard let mi = attribute(.messageIntegrity), mi.value.count == 20 else { return false }
        return constantTimeEqual(SHA1.hmac(key: key, message: covered(upTo: mi)), mi.value)
    }

    /// Checks MESSAGE-INTEGRITY-SHA256 (§14.6); the HMAC may be truncated to 16–32 bytes in steps of 4.
    public func hasValidIntegritySHA256(key: [UInt8]) -> Bool {
        guard let mi = attribute(.messageIntegritySHA256), (16...32).contains(mi.value.count), mi.value.count % 4 == 0 else {
            return false
        }
        let mac = SHA256.hmac(key: key, message: covered(upTo: mi))
        return constantTimeEqual(Array(mac.prefix(mi.value.count)), mi.value)
    }

    /// The bytes an integrity attribute covers: everything before it, with the length field
    /// counting up to and including that attribute (§14.5).
    private func covered(upTo attribute: STUNAttribute) -> [UInt8] {
        var covered = Array(raw[0..<attribute.offset])
        let adjusted = UInt16(attribute.offset + 4 + attribute.value.count - Self.headerLength)
        covered[2] = UInt8(adjusted >> 8)
        covered[3] = UInt8(adjusted & 0xFF)
        return covered
    }

    /// The long-term credential key MD5(username ":" realm ":" password) (§9.2.2); the strings
    /// must already be OpaqueString-prepared.
    public static func longTermKey(username: String, realm: String, password: String) -> [UInt8] {
        MD5.hash(Array("\(username):\(realm):\(password)".utf8))
    }

    /// Comprehension-required attribute types this implementation does not know (§14, §6.3.1.1).
    public var unknownComprehensionRequired: [STUNAttributeType] {
        attributes.map(\.type).filter { $0.isComprehensionRequired && !STUNAttributeType.known.contains($0) }
    }

    /// ERROR-CODE (§14.8): class × 100 + number, and the reason phrase.
    public var errorCode: (code: Int, reason: String)? {
        guard let value = attribute(.errorCode)?.value, value.count >= 4 else { return nil }
        let code = Int(value[2] & 0x07) * 100 + Int(value[3])
        return (code, String(decoding: value[4...], as: UTF8.self))
    }

    /// Checks FINGERPRINT (§14.7): present, last, and matching. ICE requires it on every
    /// check (RFC 8445 §7.2.2), so a message without one fails.
    public var hasValidFingerprint: Bool {
        guard let fp = attribute(.fingerprint) else { return false }
        guard fp.value.count == 4, fp.offset + 8 == raw.count else { return false }
        return CRC32.checksum(raw[0..<fp.offset]) ^ fingerprintXOR == readUInt32(fp.value, 0)
    }
}

let fingerprintXOR: UInt32 = 0x5354_554E

func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in a.indices { diff |= a[i] ^ b[i] }
    return diff == 0
}

func readUInt16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
func readUInt32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}
