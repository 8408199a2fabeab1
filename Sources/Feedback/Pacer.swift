/// Spreads a frame's packets over time instead of sending them in one burst, so that a shallow
/// router queue on a slow link does not drop the tail of every keyframe. A leaky bucket in the
/// manner of libwebrtc's pacer: the rate is a multiple of the bandwidth estimate
/// (`pacingFactor`), a packet may leave while the budget is not in debt, and the queue is never
/// allowed to keep a packet longer than `maximumQueueTime`: the rate rises so that the oldest
/// packet leaves by then, because latency matters more here than a clean bottleneck.
/// Time is injected: nanoseconds of a monotonic clock.
public struct Pacer<Item> {
    public static var pacingFactor: Double { 2.5 }
    public static var maximumQueueTime: Double { 0.5 }  // seconds

    /// Bits per second; nil sends everything at once (no estimate to pace against).
    public private(set) var rate: Double?
    private var queue: [(item: Item, bytes: Int, queuedAt: UInt64)] = []
    private var head = 0
    private var queuedBytes = 0
    /// Bytes that may still leave now; negative while paying off the last packet.
    private var budget = 0.0
    private var lastUpdate: UInt64?

    public init() {}

    public var isEmpty: Bool { head == queue.count }

    /// Estimate in bits per second → pacing rate.
    public mutating func setEstimate(bitsPerSecond: Int?) {
        rate = bitsPerSecond.map { Double($0) * Self.pacingFactor }
    }

    public mutating func enqueue(_ item: Item, bytes: Int, now: UInt64) {
        queue.append((item, bytes, now))
        queuedBytes += bytes
    }

    /// Charges bytes sent outside the queue (audio, retransmissions) to the same budget.
    public mutating func spent(bytes: Int, now: UInt64) {
        refill(now: now)
        budget -= Double(bytes)
    }

    /// The next packet that may leave at `now`, if any.
    public mutating func dequeue(now: UInt64) -> Item? {
        refill(now: now)
        // A thousandth of a byte of slack absorbs floating-point rounding of the refill.
        guard !isEmpty, rate == nil || budget > -0.001 else { return nil }
        let (item, bytes, _) = queue[head]
        head += 1
        queuedBytes -= bytes
        budget -= Double(bytes)
        if head == queue.count || head >= 256 {
            queue.removeFirst(head)
            head = 0
        }
        return item
    }

    /// When the next packet may leave (nil when the queue is empty).
    public func nextSendTime(now: UInt64) -> UInt64? {
        guard !isEmpty else { return nil }
        guard let rate = effectiveRate(now: now), budget <= -0.001 else { return now }
        return now + max(1, UInt64((-budget * 8 / rate * 1e9).rounded(.up)))
    }

    /// The pacing rate, or more when the queue would otherwise keep its oldest packet past
    /// `maximumQueueTime` (as libwebrtc's pacer does with its queue time limit).
    private func effectiveRate(now: UInt64) -> Double? {
        guard let rate else { return nil }
        guard !isEmpty else { return rate }
        let waited = Double(now &- min(now, queue[head].queuedAt)) / 1e9
        return max(rate, Double(queuedBytes * 8) / max(0.005, Self.maximumQueueTime - waited))
    }

    private mutating func refill(now: UInt64) {
        defer { lastUpdate = now }
        guard let last = lastUpdate, now > last, let rate = effectiveRate(now: last) else { return }
        // At most 5 ms worth of burst (and one full packet) builds up while idle.
        let ceiling = max(1_200, rate / 8 * 0.005)
        budget = min(ceiling, budget + rate / 8 * Double(now - last) / 1e9)
    }
}
