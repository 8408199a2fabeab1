/// A video source lends frames as they are captured, blocking until the next one; the frame's
/// memory is the source's again when `body` returns (a camera buffer is requeued then).
/// It is made, used and released on the pipeline's thread (the camera is open only meanwhile).
public protocol VideoSource: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// What is being captured, for status and logs, e.g. "vivid /dev/video0 YU12 640x480 25 fps".
    var description: String { get }
    var counters: CaptureCounters { get }
    func capture(_ body: (PictureView, CaptureTime) throws -> Void) throws
}

/// What a video source has seen, for the status API.
public struct CaptureCounters: Sendable, Equatable {
    public var frames = 0
    /// Frames the driver dropped (gaps in its sequence numbers).
    public var dropped = 0
    /// Frames handed to the encoder in the camera's own buffer.
    public var zeroCopy = 0
    /// Frames converted to I420 first.
    public var converted = 0
    public init() {}
}

/// An audio source hands out `frameSize` samples per channel at a time, blocking until captured.
public protocol AudioSource: AnyObject {
    var channels: Int { get }
    var description: String { get }
    /// Overruns recovered from (ALSA xruns).
    var overruns: Int { get }
    func nextChunk(frameSize: Int) throws -> CapturedAudio
}

/// The test pattern, paced in real time at `fps`.
public final class TestPatternSource: VideoSource {
    public let width: Int
    public let height: Int
    public let description: String
    public private(set) var counters = CaptureCounters()
    private var pattern: TestPattern
    private let interval: UInt64
    private var counter: UInt32 = 0
    private var deadline = MediaClock.monotonicNanoseconds()

    public init(width: Int, height: Int, fps: Int) {
        self.width = width
        self.height = height
        description = "test pattern \(width)x\(height) \(fps) fps"
        pattern = TestPattern(width: width, height: height)
        interval = 1_000_000_000 / UInt64(max(1, fps))
    }

    public func capture(_ body: (PictureView, CaptureTime) throws -> Void) throws {
        MediaClock.sleep(untilMonotonic: deadline)
        // A late frame does not cause a burst of catch-up frames.
        let now = MediaClock.monotonicNanoseconds()
        deadline = max(deadline + interval, now)
        let wall = MediaClock.wallClockNanoseconds() / 1_000_000
        defer { counter &+= 1 }
        counters.frames += 1
        try pattern.render(counter: counter, wallClockMilliseconds: wall).withView { view in
            try body(view, CaptureTime(monotonicNanoseconds: now, wallClockMilliseconds: wall))
        }
    }
}

/// The 1 kHz tone, paced in real time; silent, what is sent while a microphone is gone.
public final class ToneSource: AudioSource {
    public let channels = 1
    public let description: String
    public let overruns = 0
    private var generator: ToneGenerator
    private var deadline = MediaClock.monotonicNanoseconds()

    public init() {
        description = "1 kHz test tone"
        generator = ToneGenerator()
    }

    public init(silenceBecause reason: String) {
        description = "silence (\(reason))"
        generator = ToneGenerator(amplitude: 0)
    }

    public func nextChunk(frameSize: Int) throws -> CapturedAudio {
        // The chunk is "captured" when its last sample would have arrived.
        deadline += UInt64(frameSize) * 1_000_000_000 / UInt64(ToneGenerator.sampleRate)
        MediaClock.sleep(untilMonotonic: deadline)
        let now = MediaClock.monotonicNanoseconds()
        if now > deadline + 200_000_000 { deadline = now }  // resynchronise after a stall
        return CapturedAudio(samples: generator.next(count: frameSize), channels: 1, monotonicNanoseconds: now)
    }
}
