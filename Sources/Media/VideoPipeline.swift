public import RTP
internal import Synchronization

/// Capture → VP8 → RTP, once for all viewers. Sequence numbers and PictureIDs run on across
/// stop and start, so viewers that stay connected see one continuous stream.
public final class VideoPipeline: Sendable {
    /// Largest RTP packet before SRTP, so that the protected packet fits a 1200-byte path MTU.
    public static let maxPacket = 1200 - 16

    public let runner = PipelineRunner()
    public let ssrc: SSRC
    private let sink: MediaSink
    private let timestampOffset = UInt32.random(in: 0...UInt32.max)
    private let keyframes: KeyframeRequests
    private let targetKbps: Atomic<Int>
    private let packetizing: Mutex<(payloader: VP8Payloader, packetizer: RTPPacketizer)>

    public init(ssrc: SSRC, payloadType: UInt8, bitrateKbps: Int, keyframes: KeyframeRequests = KeyframeRequests(),
                sink: @escaping MediaSink) {
        self.ssrc = ssrc
        self.keyframes = keyframes
        self.sink = sink
        targetKbps = Atomic(bitrateKbps)
        packetizing = Mutex((VP8Payloader(pictureID: .random(in: 0...0x7FFF)),
                             RTPPacketizer(ssrc: ssrc, payloadType: payloadType, firstSequenceNumber: SequenceNumber(.random(in: 0...0x7FFF)))))
    }

    public func requestKeyframe() { keyframes.request() }

    public func setTargetBitrate(kbps: Int) { targetKbps.store(kbps, ordering: .relaxed) }
    public var targetBitrateKbps: Int { targetKbps.load(ordering: .relaxed) }

    public func start(source makeSource: @escaping @Sendable () throws -> any VideoSource,
                      encoder makeEncoder: @escaping @Sendable () throws -> any VideoEncoder) {
        requestKeyframe()  // viewers resume at a keyframe
        runner.start { [self] in
            let source = try makeSource()
            let encoder = try makeEncoder()
            var appliedKbps = 0
            return {
                let frame = try source.nextFrame()
                let kbps = self.targetKbps.load(ordering: .relaxed)
                if kbps != appliedKbps { try encoder.setTargetBitrate(kbps: kbps); appliedKbps = kbps }
                try self.encodeAndSend(frame, encoder: encoder)
            }
        }
    }

    public func stop() { runner.stop() }

    private func encodeAndSend(_ frame: CapturedFrame, encoder: any VideoEncoder) throws {
        let force = keyframes.take()
        let timestamp90kHz = frame.monotonicNanoseconds * 9 / 100_000
        let started = MediaClock.monotonicNanoseconds()
        let encoded = try encoder.encode(frame.picture, timestamp90kHz: timestamp90kHz, forceKeyframe: force)
        let micros = Int((MediaClock.monotonicNanoseconds() - started) / 1_000)
        let rtpTimestamp = timestampOffset &+ UInt32(truncatingIfNeeded: timestamp90kHz)
        for output in encoded {
            let packets = packetizing.withLock { state in
                let payloads = state.payloader.payloads(for: output.data, maxPayload: Self.maxPacket - RTPHeader.fixedLength)
                return state.packetizer.packets(payloads: payloads, timestamp: rtpTimestamp)
            }
            runner.record(frameBytes: output.data.count, keyframe: output.isKeyframe, encodeMicroseconds: micros)
            sink(MediaBatch(kind: .video, packets: packets, rtpTimestamp: rtpTimestamp,
                            monotonicNanoseconds: frame.monotonicNanoseconds, isKeyframe: output.isKeyframe))
        }
    }
}

/// Pending keyframe requests, shared by whoever asks (a viewer joining, PLI, FIR) and the
/// video pipeline that honours them on its next frame; many requests make one keyframe.
public final class KeyframeRequests: Sendable {
    private let pending = Atomic<Bool>(false)
    public init() {}
    public func request() { pending.store(true, ordering: .relaxed) }
    func take() -> Bool { pending.exchange(false, ordering: .relaxed) }
}

/// Capture → Opus → RTP (RFC 7587: one Opus frame per packet), once for all viewers.
public final class AudioPipeline: Sendable {
    public let runner = PipelineRunner()
    public let ssrc: SSRC
    private let sink: MediaSink
    private let state: Mutex<(packetizer: RTPPacketizer, timestamp: UInt32)>

    public init(ssrc: SSRC, payloadType: UInt8, sink: @escaping MediaSink) {
        self.ssrc = ssrc
        self.sink = sink
        state = Mutex((RTPPacketizer(ssrc: ssrc, payloadType: payloadType, firstSequenceNumber: SequenceNumber(.random(in: 0...0x7FFF))),
                       UInt32.random(in: 0...UInt32.max)))
    }

    public func start(source makeSource: @escaping @Sendable () throws -> any AudioSource,
                      encoder makeEncoder: @escaping @Sendable () throws -> any AudioEncoder) {
        runner.start { [self] in
            let source = try makeSource()
            let encoder = try makeEncoder()
            return {
                let chunk = try source.nextChunk(frameSize: encoder.frameSize)
                let started = MediaClock.monotonicNanoseconds()
                let opus = try encoder.encode(chunk.samples)
                let micros = Int((MediaClock.monotonicNanoseconds() - started) / 1_000)
                let (packets, timestamp) = self.state.withLock { s in
                    let packets = s.packetizer.packets(payloads: [opus], timestamp: s.timestamp)
                    defer { s.timestamp &+= UInt32(encoder.frameSize) }
                    return (packets, s.timestamp)
                }
                self.runner.record(frameBytes: opus.count, keyframe: false, encodeMicroseconds: micros)
                self.sink(MediaBatch(kind: .audio, packets: packets, rtpTimestamp: timestamp,
                                     monotonicNanoseconds: chunk.monotonicNanoseconds, isKeyframe: false))
            }
        }
    }

    public func stop() { runner.stop() }
}
