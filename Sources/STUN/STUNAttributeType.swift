/// STUN attribute types used by ICE (RFC 8489 §18.3, RFC 8445 §16.1).
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let mappedAddress = Self(rawValue: 0x0001)
    public static let username = Self(rawValue: 0x0006)
    public static let realm = Self(rawValue: 0x0014)
    public static let nonce = Self(rawValue: 0x0015)
    public static let userhash = Self(rawValue: 0x001E)
    public static let passwordAlgorithms = Self(rawValue: 0x8002)
    public static let alternateDomain = Self(rawValue: 0x8003)
    public static let alternateServer = Self(rawValue: 0x8023)
    public static let messageIntegrity = Self(rawValue: 0x0008)
    public static let errorCode = Self(rawValue: 0x0009)
    public static let unknownAttributes = Self(rawValue: 0x000A)
    public static let xorMappedAddress = Self(rawValue: 0x0020)
    public static let messageIntegritySHA256 = Self(rawValue: 0x001C)
    public static let priority = Self(rawValue: 0x0024)
    public static let useCandidate = Self(rawValue: 0x0025)
    public static let software = Self(rawValue: 0x8022)
    public static let fingerprint = Self(rawValue: 0x8028)
    public static let iceControlled = Self(rawValue: 0x8029)
    public static let iceControlling = Self(rawValue: 0x802A)

    public static let passwordAlgorithm = Self(rawValue: 0x001D)

    /// Types 0x0000–0x7FFF must be understood or the request refused (§14).
    public var isComprehensionRequired: Bool { rawValue < 0x8000 }

    /// The comprehension-required types this implementation understands.
    static let known: Set<STUNAttributeType> = [
        .mappedAddress, .username, .messageIntegrity, .errorCode, .unknownAttributes, .realm, .nonce,
        .messageIntegritySHA256, .passwordAlgorithm, .userhash, .xorMappedAddress, .priority, .useCandidate,
    ]
}

/// An IP address and port as they travel in STUN and SDP; 4 or 16 address bytes.
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: [UInt8]
    public var port: UInt16

    public init(ip: [UInt8], port: UInt16) {
        self.ip = ip
        self.port = port
    }

    public var isIPv6: Bool { ip.count == 16 }

    public var ipString: String {
        if !isIPv6 { return ip.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2)
            .map { String(UInt16(ip[$0]) << 8 | UInt16(ip[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    public var description: String { isIPv6 ? "[\(ipString)]:\(port)" : "\(ipString):\(port)" }
}
