internal import Synchronization
internal import Codecs
internal import Media
internal import RTP

/// Owns the capture pipelines and the streaming on/off state. While stopped, sources and
/// encoders are released (the camera closes); viewers stay connected and resume at a keyframe.
final class Streamer: Sendable {
    public static let videoPayloadType: UInt8 = 96
    public static let audioPayloadType: UInt8 = 111

    let configuration: Configuration
    let plan: (video: MediaChoice, audio: MediaChoice)
    let video: VideoPipeline?
    let audio: AudioPipeline?
    private let streaming = Mutex(false)

    init(configuration: Configuration, plan: (video: MediaChoice, audio: MediaChoice), keyframes: KeyframeRequests,
         sink: @escaping MediaSink) {
        self.configuration = configuration
        self.plan = plan
        video = plan.video == .none ? nil : VideoPipeline(
            ssrc: SSRC(.random(in: 1...UInt32.max)), payloadType: Self.videoPayloadType,
            bitrateKbps: configuration.bitrateKbps, keyframes: keyframes, sink: sink)
        audio = plan.audio == .none ? nil : AudioPipeline(
            ssrc: SSRC(.random(in: 1...UInt32.max)), payloadType: Self.audioPayloadType, sink: sink)
    }

    public var isStreaming: Bool { streaming.withLock { $0 } }

    public func start() {
        guard streaming.withLock({ on in defer { on = true }; return !on }) else { return }
        let c = configuration
        video?.start(source: { TestPatternSource(width: c.width, height: c.height, fps: c.fps) },
                     encoder: { try VP8Encoder(.init(width: c.width, height: c.height, fps: c.fps, bitrateKbps: c.bitrateKbps)) })
        audio?.start(source: { ToneSource() }, encoder: { try OpusEncoder(channels: 1) })
    }

    public func stop() {
        guard streaming.withLock({ on in defer { on = false }; return on }) else { return }
        video?.stop()
        audio?.stop()
    }

    public func toggle() { isStreaming ? stop() : start() }

    func videoReport() -> StatusReport.VideoReport? {
        guard let video else { return nil }
        let s = video.runner.stats
        return .init(source: plan.video.rawValue, width: configuration.width, height: configuration.height,
                     fps: configuration.fps, bitrateKbps: video.targetBitrateKbps, framesEncoded: s.framesEncoded,
                     keyframes: s.keyframes, bytesEncoded: s.bytesEncoded,
                     lastEncodeMilliseconds: Double(s.lastEncodeMicroseconds) / 1000, errors: s.errors, lastError: s.lastError)
    }

    func audioReport() -> StatusReport.AudioReport? {
        guard let audio else { return nil }
        let s = audio.runner.stats
        return .init(source: plan.audio.rawValue, channels: 1, framesEncoded: s.framesEncoded,
                     bytesEncoded: s.bytesEncoded, errors: s.errors, lastError: s.lastError)
    }
}
