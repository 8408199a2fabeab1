internal import Synchronization
internal import Codecs
internal import Capture
internal import Logging
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
    let events: EventBus

    init(configuration: Configuration, plan: (video: MediaChoice, audio: MediaChoice), keyframes: KeyframeRequests,
         ring: PacketRing, logger: Logger, events: EventBus, sink: @escaping MediaSink) {
        self.configuration = configuration
        self.plan = plan
        self.events = events
        video = plan.video == .none ? nil : VideoPipeline(
            ssrc: SSRC(.random(in: 1...UInt32.max)), payloadType: Self.videoPayloadType,
            bitrateKbps: configuration.bitrateKbps, keyframes: keyframes, ring: ring, log: Self.reporter("video", logger, events), sink: sink)
        audio = plan.audio == .none ? nil : AudioPipeline(
            ssrc: SSRC(.random(in: 1...UInt32.max)), payloadType: Self.audioPayloadType, ring: ring,
            log: Self.reporter("audio", logger, events), sink: sink)
    }

    /// A device event goes to the log and to `/api/events`.
    static func reporter(_ kind: String, _ logger: Logger, _ events: EventBus) -> @Sendable (PipelineRunner.DeviceEvent) -> Void {
        { event in
            switch event {
            case .failed(let error, _):
                logger.warning("\(kind): \(event)")
                events.publish("device", ["device": kind, "state": "failed", "error": error])
            case .opened(let source):
                logger.info("\(kind): \(event)")
                events.publish("device", ["device": kind, "state": "opened", "source": source])
            case .closed(let source):
                logger.info("\(kind): \(event)")
                events.publish("device", ["device": kind, "state": "closed", "source": source])
            }
        }
    }

    public var isStreaming: Bool { streaming.withLock { $0 } }

    /// `cause` says who asked (agent, api, button), for the log of events and the viewer page.
    public func start(by cause: String) {
        guard streaming.withLock({ on in defer { on = true }; return !on }) else { return }
        events.publish("streaming", ["state": "started", "by": cause])
        let c = configuration
        let videoPlan = plan.video, audioPlan = plan.audio
        video?.start(source: {
            if case .device(let path) = videoPlan {
                return try V4L2Camera(path: path, width: c.width, height: c.height, fps: c.fps,
                                      pixelFormat: c.pixelFormat == "auto" ? nil : c.pixelFormat)
            }
            return TestPatternSource(width: c.width, height: c.height, fps: c.fps)
        }, placeholder: {
            NoSignalSource(width: c.width, height: c.height, reason: "camera lost, retrying")
        }, encoder: { width, height in
            try VP8Encoder(.init(width: width, height: height, fps: c.fps, bitrateKbps: c.bitrateKbps))
        })
        audio?.start(source: {
            if case .device(let name) = audioPlan { return try ALSAMicrophone(device: name) }
            return ToneSource()
        }, placeholder: {
            ToneSource(silenceBecause: "microphone lost, retrying")
        }, encoder: { channels in try OpusEncoder(channels: channels) })
    }

    public func stop(by cause: String) {
        guard streaming.withLock({ on in defer { on = false }; return on }) else { return }
        events.publish("streaming", ["state": "stopped", "by": cause])
        video?.stop()
        audio?.stop()
    }

    public func toggle(by cause: String) { isStreaming ? stop(by: cause) : start(by: cause) }

    /// Stops and starts again: the devices are closed and reopened.
    public func restart(by cause: String) {
        stop(by: cause)
        start(by: cause)
    }

    /// The microphone muted: the audio stream goes on with silence.
    public func setMuted(_ muted: Bool) {
        guard let audio, audio.isMuted != muted else { return }
        audio.setMuted(muted)
        events.publish("audio", ["muted": "\(muted)"])
    }
    public var isMuted: Bool { audio?.isMuted ?? false }

    /// Streaming with every device open and producing (false while opening or after a failure).
    var isFlowing: Bool {
        isStreaming && [video?.runner.stats, audio?.runner.stats].allSatisfy { $0 == nil || $0?.source != nil }
    }

    /// Frames encoded so far by every pipeline: it grows while media flows.
    var progress: Int { (video?.runner.stats.framesEncoded ?? 0) + (audio?.runner.stats.framesEncoded ?? 0) }

    /// Test-only fault: the video pipeline stops producing while streaming still claims to be on,
    /// as a hung camera or encoder would.
    func stallVideoForTesting() { video?.stop() }

    func videoReport() -> StatusReport.VideoReport? {
        guard let video else { return nil }
        let s = video.runner.stats
        return .init(source: plan.video.description, capturing: s.source, width: configuration.width, height: configuration.height,
                     fps: configuration.fps, measuredFPS: s.framesPerSecond, bitrateKbps: video.targetBitrateKbps,
                     framesCaptured: s.capture.frames, framesDropped: s.capture.dropped, zeroCopyFrames: s.capture.zeroCopy,
                     convertedFrames: s.capture.converted, framesEncoded: s.framesEncoded,
                     keyframes: s.keyframes, bytesEncoded: s.bytesEncoded,
                     lastEncodeMilliseconds: Double(s.lastEncodeMicroseconds) / 1000,
                     captureToSendMilliseconds: Double(s.lastCaptureToSendMicroseconds) / 1000, errors: s.errors, lastError: s.lastError)
    }

    func audioReport() -> StatusReport.AudioReport? {
        guard let audio else { return nil }
        let s = audio.runner.stats
        return .init(source: plan.audio.description, capturing: s.source, muted: audio.isMuted, framesEncoded: s.framesEncoded,
                     bytesEncoded: s.bytesEncoded, levelDBFS: s.levelDBFS, overruns: s.overruns,
                     captureToSendMilliseconds: Double(s.lastCaptureToSendMicroseconds) / 1000, errors: s.errors, lastError: s.lastError)
    }
}
