public import RTP
internal import Glibc
internal import Synchronization

/// Capture → Opus → RTP (RFC 7587: one Opus frame per packet), once for all viewers.
public final class AudioPipeline: Sendable {
    public let runner: PipelineRunner
    public let ssrc: SSRC
    private let sink: MediaSink
    private let ring: PacketRing
    private let state: Mutex<(packetizer: RTPPacketizer, timestamp: UInt32)>
    private let muted = Atomic(false)

    public init(ssrc: SSRC, payloadType: UInt8, ring: PacketRing, log: @escaping @Sendable (PipelineRunner.DeviceEvent) -> Void = { _ in },
                sink: @escaping MediaSink) {
        runner = PipelineRunner(log: log)
        self.ssrc = ssrc
        self.ring = ring
        self.sink = sink
        state = Mutex((RTPPacketizer(ssrc: ssrc, payloadType: payloadType, firstSequenceNumber: SequenceNumber(.random(in: 0...0x7FFF))),
                       UInt32.random(in: 0...UInt32.max)))
    }

    /// Starts capturing; the encoder is made for the source's channel count. While the source
    /// fails (a sound card gone), `placeholder` (silence) is sent, so the stream's timing goes on.
    public func start(source makeSource: @escaping @Sendable () throws -> any AudioSource,
                      placeholder: (@Sendable () -> any AudioSource)? = nil,
                      encoder makeEncoder: @escaping @Sendable (_ channels: Int) throws -> any AudioEncoder) {
        runner.start(steps(makeSource, makeEncoder), fallback: placeholder.map { make in steps({ make() }, makeEncoder) })
    }

    private func steps(_ makeSource: @escaping @Sendable () throws -> any AudioSource,
                       _ makeEncoder: @escaping @Sendable (_ channels: Int) throws -> any AudioEncoder) -> PipelineRunner.MakeStep {
        { [self] in
            let source = try makeSource()
            let encoder = try makeEncoder(source.channels)
            runner.update { $0.source = source.description }
            let silence = [Int16](repeating: 0, count: encoder.frameSize * source.channels)
            return {
                let chunk = try source.nextChunk(frameSize: encoder.frameSize)
                let started = MediaClock.monotonicNanoseconds()
                // Muted, the stream goes on with silence: timing and lip sync stay as they were.
                let samples = self.isMuted ? silence : chunk.samples
                try encoder.encode(samples) { opus in
                    let micros = Int((MediaClock.monotonicNanoseconds() - started) / 1_000)
                    let (sequence, packet, timestamp) = self.state.withLock { s in
                        let sequence = s.packetizer.sequenceNumber
                        let ref = self.ring.write { slot in
                            s.packetizer.write(into: slot, marker: false, timestamp: s.timestamp) { payload in
                                payload.copyMemory(from: opus)
                                return opus.count
                            }
                        }
                        defer { s.timestamp &+= UInt32(encoder.frameSize) }
                        return (sequence, ref, s.timestamp)
                    }
                    self.sink(MediaBatch(kind: .audio, ssrc: self.ssrc, firstSequenceNumber: sequence, packets: [packet], rtpTimestamp: timestamp,
                                         monotonicNanoseconds: chunk.monotonicNanoseconds, isKeyframe: false))
                    self.runner.record(frameBytes: opus.count, keyframe: false, encodeMicroseconds: micros,
                                       capturedAt: chunk.monotonicNanoseconds)
                }
                let level = Self.levelDBFS(samples), overruns = source.overruns
                self.runner.update {
                    $0.levelDBFS = level
                    $0.overruns = overruns
                }
            }
        }
    }

    public func stop() { runner.stop() }

    /// Silences the microphone without stopping the stream (a mute button).
    public func setMuted(_ value: Bool) { muted.store(value, ordering: .relaxed) }
    public var isMuted: Bool { muted.load(ordering: .relaxed) }

    /// RMS level relative to full scale; -inf dB for silence is reported as -120.
    static func levelDBFS(_ samples: [Int16]) -> Double {
        guard !samples.isEmpty else { return -120 }
        let meanSquare = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
        return meanSquare > 0 ? max(-120, 10 * log10(meanSquare / (32768.0 * 32768.0))) : -120
    }
}
