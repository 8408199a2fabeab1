/// The wait before publishing again: 1 s doubling to 30 s, with a tenth of jitter so that cameras
/// that lost the same server do not all come back in step, and never shorter than the server's
/// Retry-After. A publication that lasted 10 s starts the series again.
struct RepublishBackoff {
    static let first = Duration.seconds(1), cap = Duration.seconds(30), steady = Duration.seconds(10)
    private var next = first

    mutating func delay(retryAfterSeconds: Int?, jitter: Double) -> Duration {
        defer { next = min(Self.cap, next * 2) }
        return max(next * (1 + jitter), .seconds(retryAfterSeconds ?? 0))  // never sooner than the server asked
    }

    mutating func published(for duration: Duration) {
        if duration >= Self.steady { next = Self.first }
    }
}
