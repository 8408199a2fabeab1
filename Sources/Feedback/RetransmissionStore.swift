/// The recent packets of one stream by sequence number, for answering generic NACKs
/// (RFC 4585 §6.2.1) with retransmissions (RFC 4588). Holds references, not bytes: the bytes
/// stay in the shared packet ring. Time is injected (nanoseconds of a monotonic clock).
public struct RetransmissionStore<Packet: Sendable>: Sendable {
    struct Entry: Sendable {
        var sequence: UInt16
        var packet: Packet
        var sentAt: UInt64
        var lastResentAt: UInt64?
    }

    /// How long a packet can be asked for: older ones would arrive too late to be played.
    public let maxAge: UInt64
    /// A packet is not resent again within this time (a repeated NACK before the resend landed).
    public let resendGuard: UInt64
    private var slots: [Entry?]

    public init(capacity: Int = 1_024, maxAge: UInt64 = 1_000_000_000, resendGuard: UInt64 = 100_000_000) {
        slots = Array(repeating: nil, count: capacity)
        self.maxAge = maxAge
        self.resendGuard = resendGuard
    }

    public mutating func record(sequence: UInt16, packet: Packet, sentAt: UInt64) {
        slots[Int(sequence) % slots.count] = Entry(sequence: sequence, packet: packet, sentAt: sentAt)
    }

    public enum Answer: Sendable {
        case resend(Packet)
        /// Resent within `resendGuard`: the NACK crossed the retransmission.
        case justResent
        /// Unknown or too old: only a keyframe can repair the picture now.
        case gone
    }

    /// What to do about a NACK for `sequence` now.
    public mutating func answer(sequence: UInt16, now: UInt64) -> Answer {
        let index = Int(sequence) % slots.count
        guard var entry = slots[index], entry.sequence == sequence, now >= entry.sentAt, now - entry.sentAt <= maxAge else {
            return .gone
        }
        if let last = entry.lastResentAt, now - last < resendGuard { return .justResent }
        entry.lastResentAt = now
        slots[index] = entry
        return .resend(entry.packet)
    }
}

/// A token bucket in bytes: retransmissions may use at most `share` of what the original stream
/// sent, so that a NACK storm on a congested link does not make the congestion worse (loss that
/// needs more than that is left to keyframes).
public struct RetransmissionBudget: Sendable {
    public let window: UInt64
    public let share: Double
    private var tokens: Double = 0
    private var rate: Double = 0  // bytes per nanosecond, from the media sent
    private var windowStart: UInt64 = 0
    private var windowBytes = 0
    private var last: UInt64 = 0

    public init(window: UInt64 = 1_000_000_000, share: Double = 0.35) {
        self.window = window
        self.share = share
    }

    /// Media bytes sent to this viewer: the budget grows with them.
    public mutating func mediaSent(bytes: Int, now: UInt64) {
        refill(now)
        windowBytes += bytes
        if now - windowStart >= window {
            rate = share * Double(windowBytes) / Double(now - windowStart)
            windowStart = now
            windowBytes = 0
        }
    }

    /// Takes `bytes` from the budget; false when there is not enough.
    public mutating func spend(bytes: Int, now: UInt64) -> Bool {
        refill(now)
        guard tokens >= Double(bytes) else { return false }
        tokens -= Double(bytes)
        return true
    }

    private mutating func refill(_ now: UInt64) {
        if last == 0 { (last, windowStart) = (now, now) }
        let elapsed = now >= last ? Double(now - last) : 0
        last = max(last, now)
        // At most one window's worth of bytes can be saved up.
        tokens = min(tokens + elapsed * rate, rate * Double(window))
    }
}
