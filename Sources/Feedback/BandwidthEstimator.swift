public import RTCP

/// A sender-side bandwidth estimate in the GCC family (draft-ietf-rmcat-gcc-02): a delay-based
/// controller driven by transport-wide feedback (a trendline over inter-group delay variation,
/// an adaptive threshold, AIMD rate control) and a loss-based controller, the estimate being the
/// smaller of the two. REMB (draft-alvestrand-rmcat-remb) caps it when a receiver sends one.
/// Time is injected: every input carries `now`, nanoseconds of a monotonic clock.
public struct BandwidthEstimator: Sendable {
    public struct Limits: Sendable {
        public var minimum: Int
        public var maximum: Int
        public var initial: Int
        /// 200 kbit/s, below libwebrtc's 300: a start that a 150 kbit/s link survives long
        /// enough for the first overuse to be seen, and that grows to a LAN's megabits within
        /// seconds (doubling a second until congestion shows).
        public init(minimum: Int = 50_000, maximum: Int = 4_000_000, initial: Int = 200_000) {
            self.minimum = minimum
            self.maximum = maximum
            self.initial = initial
        }
    }

    public enum Usage: Sendable, Equatable { case normal, overusing, underusing }

    public let limits: Limits
    public internal(set) var delayBased: Double
    public internal(set) var lossBased: Double
    public internal(set) var remb: Double?
    public internal(set) var usage = Usage.normal
    /// Bits per second the receiver reported receiving over the last second.
    public internal(set) var acknowledgedRate: Double?

    var sent = SendHistory()
    var trendline = TrendlineFilter()
    var threshold = 12.5  // ms, adapted (gcc §5.4)
    var lastThresholdUpdate: UInt64?
    var lastRateUpdate: UInt64?
    var lastLossUpdate: UInt64?
    /// Loss counted over several feedback messages: one message covers a dozen packets, too
    /// few for a fraction that means anything.
    var lossWindow = (lost: 0, total: 0, since: UInt64?.none)
    var group: PacketGroup?
    var previousGroup: PacketGroup?
    var received: [(arrival: UInt64, bytes: Int)] = []
    /// True until the first overuse or heavy loss: the estimate grows fast while nothing has
    /// shown where the link's limit is.
    var rampingUp = true

    public init(limits: Limits = Limits()) {
        self.limits = limits
        delayBased = Double(limits.initial)
        lossBased = Double(limits.initial)
    }

    /// The estimate in bits per second.
    public var estimate: Int {
        let value = min(delayBased, lossBased, remb ?? .infinity)
        return Int(max(Double(limits.minimum), min(Double(limits.maximum), value)))
    }

    /// A media packet left with transport-wide sequence number `sequence`.
    public mutating func packetSent(sequence: UInt16, bytes: Int, at now: UInt64) {
        sent.record(sequence: sequence, bytes: bytes, at: now)
    }

    /// A receiver estimate (REMB), used as an upper bound.
    public mutating func receiverEstimate(bitsPerSecond: UInt64) {
        remb = Double(min(bitsPerSecond, UInt64(Int.max)))
    }

    /// Loss from receiver reports, for viewers without transport-wide feedback.
    public mutating func reportedLoss(fraction: Double, now: UInt64) {
        updateLossBased(fraction: fraction, now: now)
    }

    /// Transport-wide feedback: arrival times of the packets we sent (gcc §5).
    public mutating func feedback(_ fb: TransportWideFeedback, now: UInt64) {
        let statuses = fb.statuses
        var arrival = Int64(fb.referenceTime) * 64_000  // µs
        var deltaIndex = 0, lost = 0
        for (offset, status) in statuses.enumerated() {
            let sequence = fb.baseSequence &+ UInt16(truncatingIfNeeded: offset)
            guard status == .receivedSmallDelta || status == .receivedLargeDelta else {
                if status == .notReceived { lost += 1 }
                continue
            }
            guard deltaIndex < fb.deltas.count else { break }
            arrival += Int64(fb.deltas[deltaIndex]) * 250
            deltaIndex += 1
            guard let packet = sent.lookup(sequence) else { continue }
            received.append((UInt64(max(0, arrival)) * 1_000, packet.bytes))
            addToGroup(sendTime: packet.sentAt, arrival: UInt64(max(0, arrival)) * 1_000, now: now)
        }
        updateAcknowledgedRate()
        countLoss(lost: lost, of: statuses.count, now: now)
        updateDelayBased(now: now)
    }
}

/// Packets sent within 5 ms of the group's first form one group (gcc §5.2, a burst).
struct PacketGroup: Sendable {
    var firstSend: UInt64
    var lastSend: UInt64
    var lastArrival: UInt64
}

/// Recent packets by transport-wide sequence number, for matching feedback to send times.
struct SendHistory: Sendable {
    private var slots = [(sequence: UInt16, bytes: Int, sentAt: UInt64)?](repeating: nil, count: 4_096)

    mutating func record(sequence: UInt16, bytes: Int, at time: UInt64) {
        slots[Int(sequence) % slots.count] = (sequence, bytes, time)
    }

    func lookup(_ sequence: UInt16) -> (bytes: Int, sentAt: UInt64)? {
        guard let slot = slots[Int(sequence) % slots.count], slot.sequence == sequence else { return nil }
        return (slot.bytes, slot.sentAt)
    }
}
