/// What the pipeline needs of a video encoder; libvpx's VP8 encoder is the real one.
public protocol VideoEncoder: AnyObject {
    /// Encodes one picture; a realtime encoder hands out the frame at once (no lag). `output`
    /// sees the encoder's own buffer, valid only during the call: nothing is copied.
    func encode(_ picture: PictureView, timestamp90kHz: UInt64, forceKeyframe: Bool,
                output: (_ frame: UnsafeRawBufferPointer, _ isKeyframe: Bool) throws -> Void) throws
    /// Target bitrate in kbit/s; takes effect from the next frame.
    func setTargetBitrate(kbps: Int) throws
}

/// What the pipeline needs of an audio encoder; libopus is the real one.
public protocol AudioEncoder: AnyObject {
    /// Samples per channel in one frame (20 ms at 48 kHz = 960).
    var frameSize: Int { get }
    /// Encodes one frame of interleaved PCM; `output` sees the encoder's buffer during the call.
    func encode(_ pcm: [Int16], output: (UnsafeRawBufferPointer) throws -> Void) throws
}
