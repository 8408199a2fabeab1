/// A sender report without report blocks (RFC 3550 §6.4.1): it maps the stream's RTP clock to
/// wall-clock NTP time, which receivers need to synchronize audio with video.
///
///     |V=2|P|    RC   |   PT=SR=200   |             length            |
///     |                         SSRC of sender                        |
///     |              NTP timestamp, most significant word             |
///     |             NTP timestamp, least significant word             |
///     |                         RTP timestamp                         |
///     |                     sender's packet count                     |
///     |                      sender's octet count                     |
public struct SenderReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var ntpTime: NTPTime
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32

    public init(ssrc: UInt32, ntpTime: NTPTime, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32) {
        self.ssrc = ssrc
        self.ntpTime = ntpTime
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
    }

    public static let length = 28

    public func serialize(into buffer: inout [UInt8]) {
        buffer += [0x80, RTCPPacket.PacketType.senderReport, 0, UInt8(Self.length / 4 - 1)]
        append32(ssrc, to: &buffer)
        append32(UInt32(ntpTime.rawValue >> 32), to: &buffer)
        append32(UInt32(ntpTime.rawValue & 0xFFFF_FFFF), to: &buffer)
        append32(rtpTimestamp, to: &buffer)
        append32(packetCount, to: &buffer)
        append32(octetCount, to: &buffer)
    }
}

/// A 64-bit NTP timestamp: seconds since 1900 in the high word, the fraction in the low (RFC 5905 §6).
public struct NTPTime: RawRepresentable, Sendable, Equatable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
    static let unixOffset: UInt64 = 2_208_988_800

    public init(unixNanoseconds: UInt64) {
        let seconds = unixNanoseconds / 1_000_000_000 + Self.unixOffset
        let fraction = (unixNanoseconds % 1_000_000_000) << 32 / 1_000_000_000
        rawValue = seconds << 32 | fraction
    }
}
