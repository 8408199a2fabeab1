public import RTP
internal import Synchronization

/// The RTP packets of one encoded frame, packetized once and shared by every viewer.
public struct MediaBatch: Sendable {
    public enum Kind: String, Sendable { case video, audio }
    public var kind: Kind
    public var packets: [RTPPacket]
    public var rtpTimestamp: UInt32
    /// When the frame was captured (CLOCK_MONOTONIC), to map RTP time to wall time in sender reports.
    public var monotonicNanoseconds: UInt64
    public var isKeyframe: Bool
}

public typealias MediaSink = @Sendable (MediaBatch) -> Void

/// Running figures of one pipeline, for the status API.
public struct PipelineStats: Sendable, Equatable {
    public var running = false
    public var framesEncoded = 0
    public var keyframes = 0
    public var bytesEncoded = 0
    public var lastEncodeMicroseconds = 0
    public var errors = 0
    public var lastError: String?
}

/// Runs a capture → encode → packetize loop on its own thread while streaming is on.
/// Start and stop may be called from anywhere; the devices live only on the loop's thread.
public final class PipelineRunner: Sendable {
    private let generation = Atomic<Int>(0)
    private let statsBox = Mutex(PipelineStats())

    public init() {}

    public var stats: PipelineStats { statsBox.withLock { $0 } }

    /// Starts a loop: `makeStep` runs on the new thread and returns the per-frame step.
    /// A failing step is reported and retried after a second (a camera may come back).
    public func start(_ makeStep: @escaping @Sendable () throws -> () throws -> Void) {
        let mine = generation.add(1, ordering: .sequentiallyConsistent).newValue
        statsBox.withLock { $0.running = true }
        MediaThread.start { [self] in
            while generation.load(ordering: .relaxed) == mine {
                do {
                    let step = try makeStep()
                    while generation.load(ordering: .relaxed) == mine { try step() }
                } catch {
                    record(error: "\(error)")
                    MediaClock.sleep(untilMonotonic: MediaClock.monotonicNanoseconds() + 1_000_000_000)
                }
            }
        }
    }

    /// Stops the loop after its current frame; the thread then releases its devices.
    public func stop() {
        generation.add(1, ordering: .sequentiallyConsistent)
        statsBox.withLock { $0.running = false }
    }

    func record(frameBytes: Int, keyframe: Bool, encodeMicroseconds: Int) {
        statsBox.withLock {
            $0.framesEncoded += 1
            $0.keyframes += keyframe ? 1 : 0
            $0.bytesEncoded += frameBytes
            $0.lastEncodeMicroseconds = encodeMicroseconds
        }
    }

    private func record(error: String) {
        statsBox.withLock {
            $0.errors += 1
            $0.lastError = error
        }
    }
}
