/// Serializes a STUN message, appending MESSAGE-INTEGRITY and FINGERPRINT last (RFC 8489 §14.5, §14.7).
public struct STUNMessageBuilder: Sendable {
    private var bytes: [UInt8]

    public init(class messageClass: STUNClass, method: STUNMethod, transactionID: [UInt8]) {
        precondition(transactionID.count == 12, "transaction ID is 96 bits")
        let m = method.rawValue, c = messageClass.rawValue
        let type = (m & 0x000F) | (m & 0x0070) << 1 | (m & 0x0F80) << 2 | (c & 0b01) << 4 | (c & 0b10) << 7
        bytes = [UInt8(type >> 8), UInt8(type & 0xFF), 0, 0] + STUNMessage.magicCookie.bigEndianBytes + transactionID
    }

    public mutating func append(_ type: STUNAttributeType, _ value: [UInt8]) {
        bytes += [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), UInt8(value.count >> 8), UInt8(value.count & 0xFF)]
        bytes += value
        bytes += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        setLength(bytes.count - STUNMessage.headerLength)
    }

    /// An attribute holding one big-endian integer (PRIORITY, ICE-CONTROLLING: RFC 8445 §16.1).
    public mutating func append<I: FixedWidthInteger>(_ type: STUNAttributeType, bigEndian value: I) {
        append(type, (0..<I.bitWidth / 8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) })
    }

    /// XOR-MAPPED-ADDRESS (§14.2): the port and address XORed with the magic cookie and transaction ID.
    public mutating func appendXORMappedAddress(_ address: TransportAddress) {
        let cookie = STUNMessage.magicCookie.bigEndianBytes
        let mask = cookie + Array(bytes[8..<20])
        let port = address.port ^ UInt16(STUNMessage.magicCookie >> 16)
        var value: [UInt8] = [0, address.isIPv6 ? 0x02 : 0x01, UInt8(port >> 8), UInt8(port & 0xFF)]
        value += address.ip.enumerated().map { $0.element ^ mask[$0.offset] }
        append(.xorMappedAddress, value)
    }

    /// ERROR-CODE (§14.8).
    public mutating func appendErrorCode(_ code: Int, reason: String) {
        append(.errorCode, [0, 0, UInt8(code / 100), UInt8(code % 100)] + Array(reason.utf8))
    }

    /// UNKNOWN-ATTRIBUTES (§14.9), sent with a 420 error.
    public mutating func appendUnknownAttributes(_ types: [STUNAttributeType]) {
        append(.unknownAttributes, types.flatMap { [UInt8($0.rawValue >> 8), UInt8($0.rawValue & 0xFF)] })
    }

    /// Finishes the message: MESSAGE-INTEGRITY when a key is given, then FINGERPRINT.
    public func finish(integrityKey: [UInt8]?, fingerprint: Bool = true) -> [UInt8] {
        var builder = self
        if let key = integrityKey {
            builder.setLength(builder.bytes.count + 24 - STUNMessage.headerLength)
            builder.append(.messageIntegrity, SHA1.hmac(key: key, message: builder.bytes))
        }
        if fingerprint {
            builder.setLength(builder.bytes.count + 8 - STUNMessage.headerLength)
            builder.append(.fingerprint, (CRC32.checksum(builder.bytes) ^ fingerprintXOR).bigEndianBytes)
        }
        return builder.bytes
    }

    private mutating func setLength(_ length: Int) {
        bytes[2] = UInt8(length >> 8)
        bytes[3] = UInt8(length & 0xFF)
    }
}

extension STUNMessage {
    /// Decodes XOR-MAPPED-ADDRESS (§14.2); nil when absent or malformed.
    public var xorMappedAddress: TransportAddress? {
        guard let value = attribute(.xorMappedAddress)?.value, value.count >= 8 else { return nil }
        let length = value[1] == 0x02 ? 16 : 4
        guard value.count == 4 + length else { return nil }
        let mask = Self.magicCookie.bigEndianBytes + transactionID
        let port = readUInt16(value, 2) ^ UInt16(Self.magicCookie >> 16)
        return TransportAddress(ip: (0..<length).map { value[4 + $0] ^ mask[$0] }, port: port)
    }
}

extension STUNMessage {
    /// Serializes the parsed attributes again, zero-padded; integrity attributes are copied as
    /// they are, so a message re-serialized from a parse authenticates only if nothing changed.
    public func serialize() -> [UInt8] {
        var builder = STUNMessageBuilder(class: messageClass, method: method, transactionID: transactionID)
        for attribute in attributes { builder.append(attribute.type, attribute.value) }
        return builder.finish(integrityKey: nil, fingerprint: false)
    }

    /// The message without its wire details (raw bytes, offsets): what a round trip must keep.
    public var semantic: [String] {
        ["\(messageClass) \(method.rawValue) \(transactionID)"] + attributes.map { "\($0.type.rawValue): \($0.value)" }
    }
}
