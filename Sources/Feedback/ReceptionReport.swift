/// A viewer's view of one stream, from the report blocks of its receiver reports (RFC 3550 §6.4.1).
public struct ReceptionQuality: Sendable, Equatable, Codable {
    /// Round-trip time from LSR and DLSR (§6.4.1), when the viewer echoed a sender report.
    public var roundTripMilliseconds: Double?
    /// Fraction of packets lost since the previous report, 0…1.
    public var fractionLost: Double
    public var cumulativeLost: Int
    /// Interarrival jitter in milliseconds.
    public var jitterMilliseconds: Double

    public init(roundTripMilliseconds: Double?, fractionLost: Double, cumulativeLost: Int, jitterMilliseconds: Double) {
        self.roundTripMilliseconds = roundTripMilliseconds
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.jitterMilliseconds = jitterMilliseconds
    }

    /// `arrivalNTPMiddle32` is the middle 32 bits of the NTP time the report arrived at;
    /// LSR and DLSR are in the same 1/65536 s units.
    public init(lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32, fractionLost: UInt8, cumulativeLost: Int32,
                jitter: UInt32, clockRate: Int, arrivalNTPMiddle32: UInt32) {
        if lastSenderReport != 0 {
            let rtt = arrivalNTPMiddle32 &- lastSenderReport &- delaySinceLastSenderReport
            // A negative (wrapped) value means clocks moved; report nothing rather than nonsense.
            roundTripMilliseconds = rtt < 0x8000_0000 ? Double(rtt) * 1000 / 65536 : nil
        } else {
            roundTripMilliseconds = nil
        }
        self.fractionLost = Double(fractionLost) / 256
        self.cumulativeLost = Int(cumulativeLost)
        jitterMilliseconds = Double(jitter) * 1000 / Double(clockRate)
    }
}
