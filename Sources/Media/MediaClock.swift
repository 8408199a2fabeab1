internal import Glibc

/// The one monotonic clock that stamps audio and video, so RTCP sender reports keep them in sync.
public enum MediaClock {
    public static func monotonicNanoseconds() -> UInt64 { read(CLOCK_MONOTONIC) }
    public static func wallClockNanoseconds() -> UInt64 { read(CLOCK_REALTIME) }

    /// Sleeps until the monotonic clock reaches `deadline`; returns at once if it has passed.
    public static func sleep(untilMonotonic deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// An OS thread for a media or network loop: these loops block in the kernel and must not
/// occupy Swift's cooperative pool.
public enum MediaThread {
    public static func start(_ body: @escaping @Sendable () -> Void) {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }
}
