/// What the pipeline needs of a video encoder; libvpx's VP8 encoder is the real one.
public protocol VideoEncoder: AnyObject {
    /// Encodes one picture; a realtime encoder returns the frame at once (no lag).
    func encode(_ picture: PictureView, timestamp90kHz: UInt64, forceKeyframe: Bool) throws -> [EncodedFrame]
    /// Target bitrate in kbit/s; takes effect from the next frame.
    func setTargetBitrate(kbps: Int) throws
}

/// What the pipeline needs of an audio encoder; libopus is the real one.
public protocol AudioEncoder: AnyObject {
    /// Samples per channel in one frame (20 ms at 48 kHz = 960).
    var frameSize: Int { get }
    func encode(_ pcm: [Int16]) throws -> [UInt8]
}

public struct EncodedFrame: Sendable {
    public var data: [UInt8]
    public var isKeyframe: Bool

    public init(data: [UInt8], isKeyframe: Bool) {
        self.data = data
        self.isKeyframe = isKeyframe
    }
}
