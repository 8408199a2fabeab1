/// Sender report (RFC 3550 §6.4.1): maps the stream's RTP clock to wall-clock NTP time, which
/// receivers need to synchronize audio with video.
///
///     |V=2|P|    RC   |   PT=SR=200   |             length            |
///     |                         SSRC of sender                        |
///     |              NTP timestamp, most significant word             |
///     |             NTP timestamp, least significant word             |
///     |                         RTP timestamp                         |
///     |                     sender's packet count                     |
///     |                      sender's octet count                     |
///     |                 report blocks (RC × 24 bytes)                 |
public struct SenderReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var ntpTime: NTPTime
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    public var reports: [ReportBlock]

    public init(ssrc: UInt32, ntpTime: NTPTime, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
                reports: [ReportBlock] = []) {
        self.ssrc = ssrc
        self.ntpTime = ntpTime
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    init(count: UInt8, reader r: inout RTCPReader) throws(RTCPError) {
        try r.require(24 + 24 * Int(count))
        ssrc = try r.u32()
        ntpTime = NTPTime(rawValue: UInt64(try r.u32()) << 32 | UInt64(try r.u32()))
        rtpTimestamp = try r.u32()
        packetCount = try r.u32()
        octetCount = try r.u32()
        reports = try ReportBlock.read(count, from: &r)
        _ = r.rest()  // profile-specific extensions (§6.4.1) are not used by WebRTC
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: UInt8(reports.count), type: RTCPPacket.PacketType.senderReport, into: &buffer) { b in
            append32(ssrc, to: &b)
            append32(UInt32(ntpTime.rawValue >> 32), to: &b)
            append32(UInt32(ntpTime.rawValue & 0xFFFF_FFFF), to: &b)
            append32(rtpTimestamp, to: &b)
            append32(packetCount, to: &b)
            append32(octetCount, to: &b)
            for block in reports.prefix(31) { block.serialize(into: &b) }
        }
    }
}

/// Receiver report (RFC 3550 §6.4.2).
public struct ReceiverReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var reports: [ReportBlock]

    public init(ssrc: UInt32, reports: [ReportBlock]) {
        self.ssrc = ssrc
        self.reports = reports
    }

    init(count: UInt8, reader r: inout RTCPReader) throws(RTCPError) {
        try r.require(4 + 24 * Int(count))
        ssrc = try r.u32()
        reports = try ReportBlock.read(count, from: &r)
        _ = r.rest()
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: UInt8(reports.count), type: RTCPPacket.PacketType.receiverReport, into: &buffer) { b in
            append32(ssrc, to: &b)
            for block in reports.prefix(31) { block.serialize(into: &b) }
        }
    }
}

/// A reception report block (RFC 3550 §6.4.1).
///
///     |                 SSRC_n (SSRC of source)                       |
///     | fraction lost |       cumulative number of packets lost       |
///     |           extended highest sequence number received           |
///     |                      interarrival jitter                      |
///     |                         last SR (LSR)                         |
///     |                   delay since last SR (DLSR)                  |
public struct ReportBlock: Sendable, Equatable {
    public var ssrc: UInt32
    public var fractionLost: UInt8
    /// 24-bit signed (duplicates can make it negative).
    public var cumulativeLost: Int32
    public var highestSequence: UInt32
    public var jitter: UInt32
    public var lastSenderReport: UInt32
    public var delaySinceLastSenderReport: UInt32

    public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, highestSequence: UInt32, jitter: UInt32,
                lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.highestSequence = highestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    static func read(_ count: UInt8, from r: inout RTCPReader) throws(RTCPError) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        for _ in 0..<count {
            let ssrc = try r.u32(), fraction = try r.u8(), lost = try r.u24()
            blocks.append(ReportBlock(ssrc: ssrc, fractionLost: fraction, cumulativeLost: Int32(bitPattern: lost << 8) >> 8,
                                      highestSequence: try r.u32(), jitter: try r.u32(), lastSenderReport: try r.u32(),
                                      delaySinceLastSenderReport: try r.u32()))
        }
        return blocks
    }

    func serialize(into b: inout [UInt8]) {
        append32(ssrc, to: &b)
        let lost = UInt32(bitPattern: cumulativeLost) & 0xFF_FFFF
        b += [fractionLost, UInt8(lost >> 16), UInt8(lost >> 8 & 0xFF), UInt8(lost & 0xFF)]
        append32(highestSequence, to: &b)
        append32(jitter, to: &b)
        append32(lastSenderReport, to: &b)
        append32(delaySinceLastSenderReport, to: &b)
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

    /// The middle 32 bits, as LSR and DLSR use them (RFC 3550 §6.4.1).
    public var middle32: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 16) }
}
