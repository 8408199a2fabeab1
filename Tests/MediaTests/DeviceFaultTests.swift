import Synchronization
import Testing
@testable import Codecs
@testable import Media
import RTP

/// A camera or microphone that fails: what is reported, and what viewers get meanwhile.
@Suite struct DeviceFaultTests {
    static let second: UInt64 = 1_000_000_000

    @Test func anOutageIsReportedOnceAMinuteAndEndsAfterSteadyRunning() {
        var outage = DeviceOutage()
        let first = outage.opened(now: 0)
        #expect(first)  // no outage: every open is reported
        let reported = (0..<120).map { outage.failed(now: UInt64($0) * Self.second) }
        #expect(reported.enumerated().filter(\.element).map(\.offset) == [0, 60])
        #expect(outage.failures == 120)
        // Flapping: opens at once and fails again. The first reopening is reported, the rest within the minute are not.
        let reopened = outage.opened(now: 120 * Self.second), flapped = outage.opened(now: 121 * Self.second)
        #expect(reopened && !flapped)
        outage.running(since: 121 * Self.second, now: 125 * Self.second)
        #expect(outage.isActive)
        outage.running(since: 121 * Self.second, now: 126 * Self.second)
        #expect(!outage.isActive && outage.failures == 0)
        let next = outage.failed(now: 127 * Self.second)
        #expect(next)
    }

    @Test func theNoSignalPictureIsFlatGreyWithCentredText() {
        let frame = NoSignalSource.render(width: 640, height: 480)
        let luma = frame.data[0..<frame.lumaCount]
        let ink = luma.filter { $0 == NoSignalSource.ink }.count
        #expect(luma.allSatisfy { $0 == NoSignalSource.background || $0 == NoSignalSource.ink })
        #expect(ink > 2_000 && ink < frame.lumaCount / 10)
        let inkRows = (0..<480).filter { row in luma[(row * 640)..<(row * 640 + 640)].contains(NoSignalSource.ink) }
        #expect(abs((inkRows.first! + inkRows.last!) / 2 - 240) <= 2)
        #expect(frame.data[frame.lumaCount...].allSatisfy { $0 == 128 })
    }

    /// A source that cannot open: the stand-in is sent (a keyframe first), the failure is
    /// reported once, and the real source is tried again.
    @Test func aFailingSourceIsRetriedWhileTheStandInIsSent() async throws {
        let batches = Mutex<[MediaBatch]>([])
        let events = Mutex<[String]>([])
        let attempts = Atomic(0)
        let pipeline = VideoPipeline(ssrc: SSRC(7), payloadType: 96, bitrateKbps: 300, ring: PacketRing(capacity: 1_024),
                                     log: { event in events.withLock { $0.append("\(event)") } }) { batch in batches.withLock { $0.append(batch) } }
        pipeline.start(source: {
            attempts.add(1, ordering: .relaxed)
            throw CaptureFailure()
        }, placeholder: { NoSignalSource(width: 160, height: 120, reason: "test") }, encoder: { w, h in
            try VP8Encoder(.init(width: w, height: h, fps: 5, bitrateKbps: 300))
        })
        for _ in 0..<50 where attempts.load(ordering: .relaxed) < 3 { try await Task.sleep(for: .milliseconds(100)) }
        pipeline.stop()
        let sent = batches.withLock { $0 }
        #expect(attempts.load(ordering: .relaxed) >= 3)
        #expect(sent.first?.isKeyframe == true && sent.count >= 5)
        #expect(events.withLock { $0 }.filter { $0.contains("failed") } == ["capture failed, retrying every second: CaptureFailure()"])
        #expect(pipeline.runner.stats.source == nil && pipeline.runner.stats.errors >= 3)
    }

    struct CaptureFailure: Error {}
}
