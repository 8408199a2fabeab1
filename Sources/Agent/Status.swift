internal import Transport
internal import GPIO
internal import Media
internal import Feedback

/// The body of `GET /api/status`.
struct StatusReport: Codable, Sendable {
    public var streaming: Bool
    public var uptimeSeconds: Double
    public var viewerCount: Int
    public var viewers: [ViewerStatus]
    public var video: VideoReport?
    public var audio: AudioReport?
    /// Buttons and LEDs, when any are configured.
    public var gpio: GPIOController.Status?
    /// Publishing to a media server (WHIP), when a URL is configured.
    var publish: WHIPPublisher.Status?
    /// Load, memory and temperature of the machine.
    var system: SystemReport?

    public struct VideoReport: Codable, Sendable {
        /// What was configured: test, none, or a device path.
        public var source: String
        /// What is open now (format, size, rate, zero-copy or converted); nil while stopped.
        public var capturing: String?
        public var codec = "VP8"
        public var width: Int
        public var height: Int
        public var fps: Int
        public var measuredFPS: Double
        public var bitrateKbps: Int
        public var framesCaptured: Int
        public var framesDropped: Int
        public var zeroCopyFrames: Int
        public var convertedFrames: Int
        public var framesEncoded: Int
        public var keyframes: Int
        public var bytesEncoded: Int
        public var lastEncodeMilliseconds: Double
        public var captureToSendMilliseconds: Double
        public var errors: Int
        public var lastError: String?
    }

    public struct AudioReport: Codable, Sendable {
        public var source: String
        public var capturing: String?
        public var muted: Bool
        public var codec = "opus"
        public var sampleRate = 48_000
        public var framesEncoded: Int
        public var bytesEncoded: Int
        public var levelDBFS: Double?
        public var overruns: Int
        public var captureToSendMilliseconds: Double
        public var errors: Int
        public var lastError: String?
    }
}
