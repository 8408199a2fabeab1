/// A video source hands out frames as they are captured, blocking until the next one.
/// It is made, used and released on the pipeline's thread (the camera is open only meanwhile).
public protocol VideoSource: AnyObject {
    func nextFrame() throws -> CapturedFrame
}

/// An audio source hands out `frameSize` samples per channel at a time, blocking until captured.
public protocol AudioSource: AnyObject {
    var channels: Int { get }
    func nextChunk(frameSize: Int) throws -> CapturedAudio
}

/// The test pattern, paced in real time at `fps`.
public final class TestPatternSource: VideoSource {
    private var pattern: TestPattern
    private let interval: UInt64
    private var counter: UInt32 = 0
    private var deadline = MediaClock.monotonicNanoseconds()

    public init(width: Int, height: Int, fps: Int) {
        pattern = TestPattern(width: width, height: height)
        interval = 1_000_000_000 / UInt64(max(1, fps))
    }

    public func nextFrame() throws -> CapturedFrame {
        MediaClock.sleep(untilMonotonic: deadline)
        // A late frame does not cause a burst of catch-up frames.
        let now = MediaClock.monotonicNanoseconds()
        deadline = max(deadline + interval, now)
        let wall = MediaClock.wallClockNanoseconds() / 1_000_000
        defer { counter &+= 1 }
        return CapturedFrame(picture: pattern.render(counter: counter, wallClockMilliseconds: wall),
                             monotonicNanoseconds: now, wallClockMilliseconds: wall)
    }
}

/// The 1 kHz tone, paced in real time.
public final class ToneSource: AudioSource {
    public let channels = 1
    private var generator = ToneGenerator()
    private var deadline = MediaClock.monotonicNanoseconds()

    public init() {}

    public func nextChunk(frameSize: Int) throws -> CapturedAudio {
        // The chunk is "captured" when its last sample would have arrived.
        deadline += UInt64(frameSize) * 1_000_000_000 / UInt64(ToneGenerator.sampleRate)
        MediaClock.sleep(untilMonotonic: deadline)
        let now = MediaClock.monotonicNanoseconds()
        if now > deadline + 200_000_000 { deadline = now }  // resynchronise after a stall
        return CapturedAudio(samples: generator.next(count: frameSize), channels: 1, monotonicNanoseconds: now)
    }
}
