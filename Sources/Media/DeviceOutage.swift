/// What is reported about a device that keeps failing. The first failure is reported at once,
/// and so is the first time the device opens again; after that, while it keeps failing (an
/// unplugged camera retried every second, or one that opens and fails at once), at most one
/// report a minute, so that a week without a camera costs a line a minute, not one a second.
/// The outage ends once the device has run for `steady`. Time is injected (monotonic ns).
struct DeviceOutage {
    static let reportInterval: UInt64 = 60_000_000_000
    static let steady: UInt64 = 5_000_000_000

    /// When the last report of this outage was let through; nil when there is no outage.
    private var lastReport: UInt64?
    private var reopeningReported = false
    /// Failures in this outage.
    private(set) var failures = 0

    var isActive: Bool { lastReport != nil }

    /// A failure: whether to report it.
    mutating func failed(now: UInt64) -> Bool {
        failures += 1
        guard lastReport != nil else {
            lastReport = now
            return true
        }
        return admit(now: now)
    }

    /// The device opened: whether to report it.
    mutating func opened(now: UInt64) -> Bool {
        guard isActive else { return true }
        if !reopeningReported {
            reopeningReported = true
            lastReport = now
            return true
        }
        return admit(now: now)
    }

    /// The device has run since `openedAt` without failing: the outage is over once that is `steady`.
    mutating func running(since openedAt: UInt64, now: UInt64) {
        guard isActive, now >= openedAt + Self.steady else { return }
        self = DeviceOutage()
    }

    private mutating func admit(now: UInt64) -> Bool {
        guard let last = lastReport, now >= last + Self.reportInterval else { return false }
        lastReport = now
        return true
    }
}
