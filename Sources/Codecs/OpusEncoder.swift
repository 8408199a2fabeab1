public import Media
internal import COpus
internal import CPinholeShims

/// libopus at 48 kHz in 20 ms frames (RFC 7587 §4.2 allows 2.5–120 ms; 20 ms is what browsers send).
public final class OpusEncoder: AudioEncoder {
    public let frameSize = 960
    private let encoder: OpaquePointer
    private let channels: Int
    // Caps a packet well under the 1200-byte path MTU (a 20 ms frame at 32 kbit/s is ~80 bytes).
    private var output = [UInt8](repeating: 0, count: 1_000)

    public init(channels: Int, bitrate: Int = 32_000) throws(CodecError) {
        var error: Int32 = 0
        guard let encoder = opus_encoder_create(48_000, Int32(channels), OPUS_APPLICATION_AUDIO, &error), error == OPUS_OK else {
            throw .libopus(call: "opus_encoder_create", code: Int(error))
        }
        self.encoder = encoder
        self.channels = channels
        _ = pinhole_opus_encoder_ctl_int(encoder, OPUS_SET_BITRATE_REQUEST, Int32(bitrate))
        _ = pinhole_opus_encoder_ctl_int(encoder, OPUS_SET_COMPLEXITY_REQUEST, 5)
    }

    deinit { opus_encoder_destroy(encoder) }

    public func encode(_ pcm: [Int16], output body: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(pcm.count == frameSize * channels, "an Opus frame is \(frameSize) samples per channel")
        let length = opus_encode(encoder, pcm, Int32(frameSize), &output, Int32(output.count))
        guard length > 0 else { throw CodecError.libopus(call: "opus_encode", code: Int(length)) }
        try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(length)])) }
    }
}
