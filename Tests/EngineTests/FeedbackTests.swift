import Testing
@testable import Feedback
import RTCP

/// The feedback engines driven by a manual clock: times are plain nanosecond counts.
@Suite struct RetransmissionTests {
    static let ms: UInt64 = 1_000_000

    @Test func storeAnswersRecentPacketsOnceAWhile() {
        var store = RetransmissionStore<String>(capacity: 8)
        var answers: [String] = []
        func ask(_ sequence: UInt16, _ ms: UInt64) {
            switch store.answer(sequence: sequence, now: ms * Self.ms) {
            case .resend(let packet): answers.append(packet)
            case .justResent: answers.append("just resent")
            case .gone: answers.append("gone")
            }
        }
        store.record(sequence: 65535, packet: "a", sentAt: 1_000 * Self.ms)
        store.record(sequence: 0, packet: "b", sentAt: 1_010 * Self.ms)
        ask(65535, 1_050)   // "a"
        ask(65535, 1_100)   // resent 50 ms ago
        ask(65535, 1_200)   // "a" again
        ask(0, 2_100)       // older than 1 s
        ask(8, 1_050)       // never sent (the slot holds 0)
        store.record(sequence: 8, packet: "c", sentAt: 1_060 * Self.ms)
        ask(0, 1_070)       // its slot reused by 8
        ask(8, 1_070)       // "c"
        #expect(answers == ["a", "just resent", "a", "gone", "gone", "gone", "c"])
    }

    /// 100 kB/s of media for two seconds; then the budget allows `share` of a second's worth.
    @Test(arguments: [(1.0, 80_000, 100_000), (0.35, 28_000, 35_000)])
    func budgetIsAShareOfTheMediaRate(share: Double, least: Int, most: Int) {
        var budget = RetransmissionBudget(share: share)
        var now: UInt64 = 1
        for _ in 0..<200 {
            now += 10 * Self.ms
            budget.mediaSent(bytes: 1_000, now: now)
        }
        var spent = 0
        for _ in 0..<1_000 where budget.spend(bytes: 1_000, now: now) { spent += 1_000 }
        #expect(spent <= most && spent >= least)
        let exhausted = !budget.spend(bytes: 1_000, now: now)
        let refilled = budget.spend(bytes: 1_000, now: now + 100 * Self.ms)  // refills with time
        #expect(exhausted && refilled)
    }

    @Test func keyframeRepairsCoalesceButJoinsAreServedAtOnce() {
        var coalescer = KeyframeCoalescer()
        var answers: [Bool] = []
        func ask(_ ms: UInt64) { answers.append(coalescer.shouldEncodeKeyframe(now: ms * Self.ms)) }
        ask(0)                                              // nothing asked: false
        coalescer.requestForRepair(); ask(100)              // true
        coalescer.requestForRepair(); coalescer.requestForRepair()
        ask(300); ask(599)                                  // within 500 ms of the last: false, false
        ask(600)                                            // one keyframe for both: true
        ask(1_200)                                          // nothing pending: false
        coalescer.requestForJoin(); ask(1_210)              // a join is served at once: true
        coalescer.keyframeEncoded(now: 2_000 * Self.ms)
        coalescer.requestForRepair(); ask(2_100)            // the encoder's own keyframe counts: false
        #expect(answers == [false, true, false, false, true, false, true, false])
    }

    @Test func receptionQualityFromAReportBlock() {
        // LSR at NTP middle 0x0001_0000 (1 s), DLSR 0.25 s, arriving at 1.3 s: RTT 50 ms.
        let q = ReceptionQuality(lastSenderReport: 0x0001_0000, delaySinceLastSenderReport: 0x4000, fractionLost: 64,
                                 cumulativeLost: 12, jitter: 900, clockRate: 90_000, arrivalNTPMiddle32: 0x0001_4CCD)
        #expect(abs(q.roundTripMilliseconds! - 50) < 0.1)
        #expect(q.fractionLost == 0.25 && q.cumulativeLost == 12 && q.jitterMilliseconds == 10)
    }
}

@Suite struct BandwidthEstimatorTests {
    static let ms: UInt64 = 1_000_000

    /// Transport-wide feedback for packets from `base`, each arriving at the given time (nil: lost).
    static func feedback(base: UInt16, arrivals: [UInt64?]) -> TransportWideFeedback {
        let first = arrivals.compactMap { $0 }.first ?? 0
        let reference = first / (64 * ms)
        var previous = reference * 64 * ms
        var statuses: [TransportWideFeedback.Status] = []
        var deltas: [Int16] = []
        for arrival in arrivals {
            guard let arrival else { statuses.append(.notReceived); continue }
            let delta = Int64(arrival / 250_000) - Int64(previous / 250_000)
            previous = arrival / 250_000 * 250_000
            statuses.append((0...255).contains(delta) ? .receivedSmallDelta : .receivedLargeDelta)
            deltas.append(Int16(delta))
        }
        let chunks = stride(from: 0, to: statuses.count, by: 7).map { start in
            TransportWideFeedback.Chunk.statusVector(Array(statuses[start..<min(start + 7, statuses.count)])
                + Array(repeating: .notReceived, count: max(0, start + 7 - statuses.count)), twoBit: true)
        }
        return TransportWideFeedback(sender: 1, mediaSource: 2, baseSequence: base, statusCount: UInt16(arrivals.count),
                                     referenceTime: Int32(reference), feedbackCount: 0, chunks: chunks, deltas: deltas)
    }

    /// Sends 1200-byte packets every `interval`; each arrives `delay(i)` later; feedback every 100 ms.
    static func run(_ estimator: inout BandwidthEstimator, seconds: Int, interval: UInt64, start: UInt64 = 0,
                    firstSequence: UInt16 = 0, lost: (Int) -> Bool = { _ in false }, delay: (Int) -> UInt64) -> UInt64 {
        var pending: [(UInt16, UInt64?)] = []
        var now = start
        let count = Int(UInt64(seconds) * 1_000 * ms / interval)
        for i in 0..<count {
            now = start + UInt64(i) * interval
            let sequence = firstSequence &+ UInt16(truncatingIfNeeded: i)
            estimator.packetSent(sequence: sequence, bytes: 1_200, at: now)
            pending.append((sequence, lost(i) ? nil : now + delay(i)))
            if pending.count == Int(100 * ms / interval) {
                estimator.feedback(feedback(base: pending[0].0, arrivals: pending.map(\.1)), now: now + 30 * ms)
                pending = []
            }
        }
        return now
    }

    @Test func aClearLinkLetsTheEstimateGrow() {
        var estimator = BandwidthEstimator(limits: .init(minimum: 100_000, maximum: 3_000_000, initial: 300_000))
        // ~1.15 Mbit/s sent, a constant 20 ms one-way delay.
        _ = Self.run(&estimator, seconds: 5, interval: 8 * Self.ms) { _ in 20 * Self.ms }
        #expect(estimator.usage != .overusing)
        #expect(estimator.estimate > 600_000)
    }

    /// From the 200 kbit/s start, a clear link is found within seconds (doubling a second);
    /// once congestion has been seen, growth is GCC's 8% a second.
    @Test func rampUpIsFastUntilCongestionShows() {
        var fresh = BandwidthEstimator()
        #expect(fresh.estimate == 200_000)
        _ = Self.run(&fresh, seconds: 3, interval: 8 * Self.ms) { _ in 20 * Self.ms }  // 1.2 Mbit/s sent
        #expect(fresh.estimate > 1_000_000, "\(fresh.estimate)")

        var seasoned = BandwidthEstimator()
        seasoned.rampingUp = false
        _ = Self.run(&seasoned, seconds: 1, interval: 8 * Self.ms) { _ in 20 * Self.ms }
        #expect(seasoned.estimate < 220_000, "\(seasoned.estimate)")
    }

    @Test func aGrowingQueueCutsTheEstimateBelowWhatGetsThrough() {
        var estimator = BandwidthEstimator(limits: .init(minimum: 100_000, maximum: 3_000_000, initial: 2_000_000))
        // Sent at 1.2 Mbit/s into a 600 kbit/s link: each packet leaves the queue 16 ms after the last.
        _ = Self.run(&estimator, seconds: 4, interval: 8 * Self.ms) { i in 20 * Self.ms + UInt64(i) * 8 * Self.ms }
        #expect(estimator.estimate < 700_000, "\(estimator.estimate)")
        #expect(!estimator.rampingUp)
    }

    @Test func heavyLossCutsTheEstimate() {
        var estimator = BandwidthEstimator(limits: .init(minimum: 100_000, maximum: 3_000_000, initial: 1_000_000))
        _ = Self.run(&estimator, seconds: 3, interval: 8 * Self.ms, lost: { $0 % 4 == 0 }) { _ in 20 * Self.ms }
        #expect(estimator.estimate < 500_000, "\(estimator.estimate)")
    }

    /// 5% random loss: a feedback message of a dozen packets may show 15%, but loss is judged
    /// over windows of at least 50 packets, where it is 5%: the loss controller holds.
    @Test func moderateLossHoldsTheEstimate() {
        var estimator = BandwidthEstimator()
        _ = Self.run(&estimator, seconds: 5, interval: 8 * Self.ms, lost: { ($0 * 7919) % 100 < 5 }) { _ in 20 * Self.ms }
        #expect(estimator.estimate >= 200_000, "\(estimator.estimate)")
    }

    @Test func rembCapsAndFloorHolds() {
        var estimator = BandwidthEstimator(limits: .init(minimum: 150_000, maximum: 3_000_000, initial: 1_000_000))
        estimator.receiverEstimate(bitsPerSecond: 400_000)
        #expect(estimator.estimate == 400_000)
        estimator.receiverEstimate(bitsPerSecond: 10)
        #expect(estimator.estimate == 150_000)
    }
}
