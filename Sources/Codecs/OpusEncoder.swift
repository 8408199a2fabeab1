public import Media
internal import COpus
internal import CPinholeShims

/// libopus at 48 kHz in 20 ms frames (RFC 7587 §4.2 allows 2.5–120 ms; 20 ms is what browsers send).
public final class OpusEncoder: AudioEncoder {
    public let frameSize = 960
    private let encoder: OpaquePointer
    private let channels: Int
    private var output = [UInt8](repeating: 0, count: 1_500)

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

    public func encode(_ pcm: [Int16]) throws -> [UInt8] {
        precondition(pcm.count == frameSize * channels, "an Opus frame is \(frameSize) samples per channel")
        let length = opus_encode(encoder, pcm, Int32(frameSize), &output, Int32(output.count))
        guard length > 0 else { throw CodecError.libopus(call: "opus_encode", code: Int(length)) }
        return Array(output[0..<Int(length)])
    }
}
