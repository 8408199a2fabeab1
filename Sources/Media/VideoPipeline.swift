public import RTP
internal import Glibc
internal import Synchronization
internal import Feedback

/// Capture → VP8 → RTP, once for all viewers. Sequence numbers and PictureIDs run on across
/// stop and start, so viewers that stay connected see one continuous stream.
public final class VideoPipeline: Sendable {
    /// Largest RTP packet before SRTP, so that the protected packet fits a 1200-byte path MTU.
    public static let maxPacket = 1200 - 16

    public let runner: PipelineRunner
    public let ssrc: SSRC
    private let sink: MediaSink
    private let ring: PacketRing
    private let timestampOffset = UInt32.random(in: 0...UInt32.max)
    private let keyframes: KeyframeRequests
    private let targetKbps: Atomic<Int>
    private let packetizing: Mutex<(payloader: VP8Payloader, packetizer: RTPPacketizer)>

    public init(ssrc: SSRC, payloadType: UInt8, bitrateKbps: Int, keyframes: KeyframeRequests = KeyframeRequests(),
                ring: PacketRing, log: @escaping @Sendable (PipelineRunner.DeviceEvent) -> Void = { _ in }, sink: @escaping MediaSink) {
        runner = PipelineRunner(log: log)
        self.ssrc = ssrc
        self.ring = ring
        self.keyframes = keyframes
        self.sink = sink
        targetKbps = Atomic(bitrateKbps)
        packetizing = Mutex((VP8Payloader(pictureID: .random(in: 0...0x7FFF)),
                             RTPPacketizer(ssrc: ssrc, payloadType: payloadType, firstSequenceNumber: SequenceNumber(.random(in: 0...0x7FFF)))))
    }

    public func requestKeyframe() { keyframes.request() }

    public func setTargetBitrate(kbps: Int) { targetKbps.store(kbps, ordering: .relaxed) }
    public var targetBitrateKbps: Int { targetKbps.load(ordering: .relaxed) }

    /// Starts capturing; the encoder is made for the size the source actually delivers. While
    /// the source fails (a camera unplugged), `placeholder` (the "no signal" picture) is sent.
    public func start(source makeSource: @escaping @Sendable () throws -> any VideoSource,
                      placeholder: (@Sendable () -> any VideoSource)? = nil,
                      encoder makeEncoder: @escaping @Sendable (_ width: Int, _ height: Int) throws -> any VideoEncoder) {
        requestKeyframe()  // viewers resume at a keyframe
        runner.start(steps(makeSource, makeEncoder), fallback: placeholder.map { make in steps({ make() }, makeEncoder) })
    }

    /// Opens the source and an encoder for it (its first frame a keyframe, so viewers switch
    /// cleanly), and returns the per-frame step.
    private func steps(_ makeSource: @escaping @Sendable () throws -> any VideoSource,
                       _ makeEncoder: @escaping @Sendable (_ width: Int, _ height: Int) throws -> any VideoEncoder) -> PipelineRunner.MakeStep {
        { [self] in
            let source = try makeSource()
            let encoder = try makeEncoder(source.width, source.height)
            runner.update { $0.source = source.description }
            var appliedKbps = 0
            return {
                try source.capture { picture, time in
                    let kbps = self.targetKbps.load(ordering: .relaxed)
                    if kbps != appliedKbps { try encoder.setTargetBitrate(kbps: kbps); appliedKbps = kbps }
                    try self.encodeAndSend(picture, at: time, encoder: encoder)
                }
                let counters = source.counters
                self.runner.update { $0.capture = counters }
            }
        }
    }

    public func stop() { runner.stop() }

    private func encodeAndSend(_ picture: PictureView, at time: CaptureTime, encoder: any VideoEncoder) throws {
        let force = keyframes.take()
        let timestamp90kHz = time.monotonicNanoseconds * 9 / 100_000
        let started = MediaClock.monotonicNanoseconds()
        let rtpTimestamp = timestampOffset &+ UInt32(truncatingIfNeeded: timestamp90kHz)
        try encoder.encode(picture, timestamp90kHz: timestamp90kHz, forceKeyframe: force) { frame, isKeyframe in
            let micros = Int((MediaClock.monotonicNanoseconds() - started) / 1_000)
            if isKeyframe { keyframes.encoded() }
            let (first, packets) = packetize(frame, timestamp: rtpTimestamp)
            sink(MediaBatch(kind: .video, ssrc: ssrc, firstSequenceNumber: first, packets: packets, rtpTimestamp: rtpTimestamp,
                            monotonicNanoseconds: time.monotonicNanoseconds, isKeyframe: isKeyframe))
            runner.record(frameBytes: frame.count, keyframe: isKeyframe, encodeMicroseconds: micros, capturedAt: time.monotonicNanoseconds)
        }
    }

    /// Writes the frame's packets straight from the encoder's buffer into the ring.
    private func packetize(_ frame: UnsafeRawBufferPointer, timestamp: UInt32) -> (SequenceNumber, [PacketRef]) {
        packetizing.withLock { state in
            let fragments = VP8Payloader.fragments(frameLength: frame.count, maxPayload: Self.maxPacket - RTPHeader.fixedLength)
            defer { state.payloader.finishFrame() }
            return (state.packetizer.sequenceNumber, fragments.enumerated().map { index, fragment in
                ring.write { slot in
                    state.packetizer.write(into: slot, marker: index == fragments.count - 1, timestamp: timestamp) {
                        state.payloader.writePayload(frame, fragment: fragment, into: $0)
                    }
                }
            })
        }
    }
}

/// Keyframe requests from every viewer (joining, PLI, FIR) for the one shared encoder,
/// coalesced by `KeyframeCoalescer`: repairs at most every 500 ms, joins at once.
public final class KeyframeRequests: Sendable {
    private let coalescer = Mutex(KeyframeCoalescer())
    public init() {}
    /// A viewer joined or streaming resumed.
    public func request() { coalescer.withLock { $0.requestForJoin() } }
    /// A viewer lost a picture (PLI or FIR).
    public func requestRepair() { coalescer.withLock { $0.requestForRepair() } }
    func take() -> Bool { coalescer.withLock { $0.shouldEncodeKeyframe(now: MediaClock.monotonicNanoseconds()) } }
    func encoded() { coalescer.withLock { $0.keyframeEncoded(now: MediaClock.monotonicNanoseconds()) } }
}
