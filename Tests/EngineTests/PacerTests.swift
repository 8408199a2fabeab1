import Testing
@testable import Feedback

/// The pacer driven by a manual clock: departure times follow from the rate, nothing is timed.
@Suite struct PacerTests {
    static let ms: UInt64 = 1_000_000

    /// Runs the pacer as the transport loop does: send what may leave, then sleep until the
    /// next departure. Returns each packet's departure time in ms.
    static func departures(_ pacer: inout Pacer<Int>, from start: UInt64) -> [Double] {
        var now = start, times: [Double] = []
        while let next = pacer.nextSendTime(now: now) {
            now = max(now, next)
            while pacer.dequeue(now: now) != nil { times.append(Double(now - start) / 1e6) }
        }
        return times
    }

    @Test func withoutAnEstimateEverythingLeavesAtOnce() {
        var pacer = Pacer<Int>()
        for i in 0..<10 { pacer.enqueue(i, bytes: 1_200, now: 1_000 * Self.ms) }
        #expect(Self.departures(&pacer, from: 1_000 * Self.ms) == Array(repeating: 0, count: 10))
    }

    /// 400 kbit/s estimate → 1 Mbit/s pacing: ten 1,250-byte packets (100 kbit) take ~90 ms,
    /// in order, one every 10 ms.
    @Test func aFrameIsSpreadAtTheEstimateTimesThePacingFactor() {
        var pacer = Pacer<Int>()
        pacer.setEstimate(bitsPerSecond: 400_000)
        _ = pacer.dequeue(now: 1_000 * Self.ms)  // the clock starts
        for i in 0..<10 { pacer.enqueue(i, bytes: 1_250, now: 1_000 * Self.ms) }
        var order: [Int] = []
        var now = 1_000 * Self.ms, times: [Double] = []
        while let next = pacer.nextSendTime(now: now) {
            now = max(now, next)
            while let item = pacer.dequeue(now: now) {
                order.append(item)
                times.append(Double(now) / 1e6 - 1_000)
            }
        }
        #expect(order == Array(0..<10))
        #expect(times.first == 0)
        #expect(abs(times.last! - 90) < 1.5)
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        #expect(gaps.allSatisfy { abs($0 - 10) < 1.5 })
    }

    /// Two seconds' worth at the pacing rate would add two seconds of latency: the queue is
    /// drained within half a second instead.
    @Test func aLongQueueDrainsWithinHalfASecond() {
        var pacer = Pacer<Int>()
        pacer.setEstimate(bitsPerSecond: 100_000)  // 250 kbit/s pacing
        _ = pacer.dequeue(now: 0)
        for i in 0..<50 { pacer.enqueue(i, bytes: 1_250, now: 0) }  // 500 kbit: 2 s at 250 kbit/s
        let times = Self.departures(&pacer, from: 0)
        #expect(times.count == 50)
        #expect(times.last! <= 505 && times.last! > 400, "\(times)")
    }

    /// Audio and retransmissions bypass the queue but use the same budget.
    @Test func bytesSentOutsideTheQueueDelayIt() {
        var pacer = Pacer<Int>()
        pacer.setEstimate(bitsPerSecond: 400_000)  // 125 bytes per ms
        _ = pacer.dequeue(now: 0)
        pacer.spent(bytes: 2_500, now: 0)
        pacer.enqueue(1, bytes: 1_000, now: 0)
        #expect(pacer.dequeue(now: 0) == nil)
        #expect(pacer.nextSendTime(now: 0) == 20 * Self.ms)
        #expect(pacer.dequeue(now: 20 * Self.ms) == 1)
    }

    /// An idle pacer saves up no more than a few milliseconds of burst.
    @Test func idleTimeBuysOnlyASmallBurst() {
        var pacer = Pacer<Int>()
        pacer.setEstimate(bitsPerSecond: 400_000)
        _ = pacer.dequeue(now: 0)
        for i in 0..<10 { pacer.enqueue(i, bytes: 1_250, now: 10_000 * Self.ms) }
        var atOnce = 0
        while pacer.dequeue(now: 10_000 * Self.ms) != nil { atOnce += 1 }
        // Ten seconds idle saved up 1,200 bytes (5 ms at 1 Mbit/s is less; one packet's worth
        // is the least): one packet leaves, the next waits for the budget.
        #expect(atOnce == 1)
    }
}
