/// How many log lines peers may cause: a token bucket, so that a burst of real events is logged
/// whole while a flood (1,000 viewers connecting and leaving, a session storm) cannot fill the
/// disk of a board that runs for months. What is held back is counted and reported with the
/// next line let through. Time is injected (nanoseconds of a monotonic clock).
struct LogBudget {
    let burst: Double
    let perSecond: Double
    private var tokens: Double
    private var updatedAt: UInt64?
    private var withheld = 0

    init(burst: Int = 50, perSecond: Double = 2) {
        self.burst = Double(burst)
        self.perSecond = perSecond
        tokens = Double(burst)
    }

    /// nil when the line must be dropped; otherwise how many were dropped since the last one.
    mutating func admit(now: UInt64) -> Int? {
        if let updatedAt, now > updatedAt {
            tokens = min(burst, tokens + Double(now - updatedAt) / 1e9 * perSecond)
        }
        updatedAt = max(now, updatedAt ?? now)
        guard tokens >= 1 else {
            withheld += 1
            return nil
        }
        tokens -= 1
        defer { withheld = 0 }
        return withheld
    }
}
