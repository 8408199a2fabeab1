public import RTP
internal import Synchronization

/// The RTP packets of one encoded frame, packetized once into the shared ring for every viewer.
public struct MediaBatch: Sendable {
    public enum Kind: String, Sendable { case video, audio }
    public var kind: Kind
    public var ssrc: SSRC
    /// The sequence number of the first packet; the others follow one by one.
    public var firstSequenceNumber: SequenceNumber
    public var packets: [PacketRef]
    public var rtpTimestamp: UInt32
    /// When the frame was captured (CLOCK_MONOTONIC), to map RTP time to wall time in sender reports.
    public var monotonicNanoseconds: UInt64
    public var isKeyframe: Bool
}

public typealias MediaSink = @Sendable (MediaBatch) -> Void

/// Running figures of one pipeline, for the status API.
public struct PipelineStats: Sendable, Equatable {
    public var running = false
    /// What the open source captures; nil while no device is open.
    public var source: String?
    public var capture = CaptureCounters()
    public var framesEncoded = 0
    public var keyframes = 0
    public var bytesEncoded = 0
    public var lastEncodeMicroseconds = 0
    /// From the capture timestamp to the packets handed to the transport.
    public var lastCaptureToSendMicroseconds = 0
    /// Frames per second over the last second.
    public var framesPerSecond = 0.0
    /// Audio only: RMS level of the last chunk in dBFS, and overruns recovered from.
    public var levelDBFS: Double?
    public var overruns = 0
    public var errors = 0
    public var lastError: String?
}

/// Runs a capture → encode → packetize loop on its own thread while streaming is on.
/// Start and stop may be called from anywhere; the devices live only on the loop's thread.
public final class PipelineRunner: Sendable {
    private let generation = Atomic<Int>(0)
    private let statsBox = Mutex(PipelineStats())
    private let rate = Mutex<[UInt64]>([])

    private let log: @Sendable (DeviceEvent) -> Void

    /// What happened to a pipeline's device, for the log and `/api/events`.
    public enum DeviceEvent: Sendable, CustomStringConvertible {
        case opened(String)
        case closed(String)
        /// The error, and how many times in a row the device has failed.
        case failed(String, failures: Int)

        public var description: String {
            switch self {
            case .opened(let source): "opened \(source)"
            case .closed(let source): "closed \(source)"
            case .failed(let error, 1): "capture failed, retrying every second: \(error)"
            case .failed(let error, let failures): "capture still failing after \(failures) attempts: \(error)"
            }
        }
    }

    /// `log` hears when devices open and close, and why they failed (DeviceOutage bounds how often).
    public init(log: @escaping @Sendable (DeviceEvent) -> Void = { _ in }) { self.log = log }

    public var stats: PipelineStats { statsBox.withLock { $0 } }

    /// A per-frame step, and what makes one (opening its devices) on the pipeline's thread.
    public typealias Step = () throws -> Void
    public typealias MakeStep = @Sendable () throws -> Step

    /// Starts a loop: `makeStep` runs on the new thread and returns the per-frame step. A failing
    /// step is reported and retried every second (a camera may come back); meanwhile the step
    /// `fallback` makes runs instead, so that viewers see and hear that the device is gone.
    public func start(_ makeStep: @escaping MakeStep, fallback: MakeStep? = nil) {
        let mine = generation.add(1, ordering: .sequentiallyConsistent).newValue
        statsBox.withLock { $0.running = true }
        MediaThread.start { [self] in
            var outage = DeviceOutage()
            var standIn: Step?
            while generation.load(ordering: .relaxed) == mine {
                do {
                    try runDevices(makeStep, while: mine, outage: &outage, opened: { standIn = nil })
                } catch {
                    record(error: "\(error)")
                    if outage.failed(now: MediaClock.monotonicNanoseconds()) { log(.failed("\(error)", failures: outage.failures)) }
                    if standIn == nil { standIn = try? fallback?() }
                    runStandIn(standIn, for: 1_000_000_000, while: mine)
                }
            }
        }
    }

    /// Opens the devices, runs frames until stopped, and releases the devices on the way out.
    private func runDevices(_ makeStep: MakeStep, while mine: Int, outage: inout DeviceOutage, opened: () -> Void) throws {
        let step = try makeStep()
        opened()
        let openedAt = MediaClock.monotonicNanoseconds()
        let source = stats.source ?? "source"
        let reported = outage.opened(now: openedAt)
        if reported { log(.opened(source)) }
        defer { if reported { log(.closed(source)) } }
        while generation.load(ordering: .relaxed) == mine {
            try step()
            outage.running(since: openedAt, now: MediaClock.monotonicNanoseconds())
        }
    }

    /// Runs the stand-in's frames (or just waits) for `duration`, or until stopped.
    private func runStandIn(_ standIn: Step?, for duration: UInt64, while mine: Int) {
        let until = MediaClock.monotonicNanoseconds() + duration
        while generation.load(ordering: .relaxed) == mine, MediaClock.monotonicNanoseconds() < until {
            guard let standIn, (try? standIn()) != nil else {
                MediaClock.sleep(untilMonotonic: until)
                return
            }
        }
    }

    /// Stops the loop after its current frame; the thread then releases its devices.
    public func stop() {
        generation.add(1, ordering: .sequentiallyConsistent)
        statsBox.withLock {
            $0.running = false
            $0.source = nil
            $0.framesPerSecond = 0
        }
    }

    func record(frameBytes: Int, keyframe: Bool, encodeMicroseconds: Int, capturedAt: UInt64) {
        let now = MediaClock.monotonicNanoseconds()
        statsBox.withLock {
            $0.framesEncoded += 1
            $0.keyframes += keyframe ? 1 : 0
            $0.bytesEncoded += frameBytes
            $0.lastEncodeMicroseconds = encodeMicroseconds
            $0.lastCaptureToSendMicroseconds = capturedAt <= now ? Int((now - capturedAt) / 1_000) : 0
        }
        rate.withLock { window in
            window.append(now)
            while let first = window.first, now - first > 1_000_000_000 { window.removeFirst() }
            let count = window.count
            statsBox.withLock { $0.framesPerSecond = Double(count) }
        }
    }

    /// Updates what the pipeline reports about its source.
    func update(_ change: (inout PipelineStats) -> Void) { statsBox.withLock { change(&$0) } }

    private func record(error: String) {
        statsBox.withLock {
            $0.errors += 1
            $0.lastError = error
        }
    }
}
