public import Media
internal import CVPX
internal import CPinholeShims

/// libvpx's VP8 encoder set up for live streaming: realtime deadline, CBR, no lookahead (every
/// frame comes out as it goes in), error resilient, one thread (two spin-wait and stall when the
/// cores are busy), keyframes on demand.
public final class VP8Encoder: VideoEncoder {
    public struct Settings: Sendable {
        public var width: Int
        public var height: Int
        public var fps: Int
        public var bitrateKbps: Int
        /// libvpx speed: -16 (fastest) … 16; -12 keeps 640x480 at ~2–3 ms a frame here.
        public var cpuUsed = -12
        public var threads = 1

        public init(width: Int, height: Int, fps: Int, bitrateKbps: Int) {
            self.width = width
            self.height = height
            self.fps = fps
            self.bitrateKbps = bitrateKbps
        }
    }

    private let context = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
    private var config = vpx_codec_enc_cfg_t()
    private var image = vpx_image_t()

    public init(_ settings: Settings) throws(CodecError) {
        guard vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &config, 0) == VPX_CODEC_OK else {
            context.deallocate()
            throw .libvpx(call: "vpx_codec_enc_config_default", detail: "")
        }
        config.g_w = UInt32(settings.width)
        config.g_h = UInt32(settings.height)
        config.g_timebase = vpx_rational(num: 1, den: 90_000)
        config.g_threads = UInt32(settings.threads)
        config.g_lag_in_frames = 0
        config.g_error_resilient = vpx_codec_er_flags_t(VPX_ERROR_RESILIENT_DEFAULT)
        config.rc_end_usage = VPX_CBR
        config.rc_target_bitrate = UInt32(settings.bitrateKbps)
        config.rc_min_quantizer = 4
        config.rc_max_quantizer = 63
        config.rc_undershoot_pct = 100
        config.rc_overshoot_pct = 15
        // A short decoder buffer model keeps frames small and latency low.
        config.rc_buf_sz = 1000
        config.rc_buf_initial_sz = 500
        config.rc_buf_optimal_sz = 600
        // Skipping a frame when the rate buffer runs dry beats overshooting a slow link (the value
        // libwebrtc uses for VP8): on a starved link a late frame is worse than a skipped one.
        config.rc_dropframe_thresh = 30
        config.kf_mode = VPX_KF_AUTO
        config.kf_max_dist = UInt32(settings.fps * 10)
        guard pinhole_vpx_codec_enc_init(context, &config) == VPX_CODEC_OK else {
            let detail = String(cString: vpx_codec_error_detail(context) ?? vpx_codec_error(context))
            context.deallocate()
            throw .libvpx(call: "vpx_codec_enc_init", detail: detail)
        }
        _ = pinhole_vpx_codec_control_int(context, Int32(VP8E_SET_CPUUSED.rawValue), Int32(settings.cpuUsed))
        _ = pinhole_vpx_codec_control_int(context, Int32(VP8E_SET_NOISE_SENSITIVITY.rawValue), 0)
        _ = pinhole_vpx_codec_control_int(context, Int32(VP8E_SET_STATIC_THRESHOLD.rawValue), 1)
        // Caps a keyframe at 3x an average frame so that it does not stall the link.
        _ = pinhole_vpx_codec_control_int(context, Int32(VP8E_SET_MAX_INTRA_BITRATE_PCT.rawValue), 300)
    }

    deinit {
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Encodes the planes where they are: a camera's mmap buffer goes to libvpx without a copy.
    public func encode(_ picture: PictureView, timestamp90kHz: UInt64, forceKeyframe: Bool,
                       output: (UnsafeRawBufferPointer, Bool) throws -> Void) throws {
        precondition(picture.width == Int(config.g_w) && picture.height == Int(config.g_h), "frame size differs from encoder size")
        vpx_img_wrap(&image, VPX_IMG_FMT_I420, config.g_w, config.g_h, 1, UnsafeMutablePointer(mutating: picture.y))
        image.planes.0 = UnsafeMutablePointer(mutating: picture.y)
        image.planes.1 = UnsafeMutablePointer(mutating: picture.u)
        image.planes.2 = UnsafeMutablePointer(mutating: picture.v)
        image.stride.0 = Int32(picture.yStride)
        image.stride.1 = Int32(picture.uvStride)
        image.stride.2 = Int32(picture.uvStride)
        let flags: vpx_enc_frame_flags_t = forceKeyframe ? vpx_enc_frame_flags_t(VPX_EFLAG_FORCE_KF) : 0
        let status = vpx_codec_encode(context, &image, vpx_codec_pts_t(timestamp90kHz), 3000, flags, UInt(VPX_DL_REALTIME))
        guard status == VPX_CODEC_OK else {
            throw CodecError.libvpx(call: "vpx_codec_encode", detail: String(cString: vpx_codec_error(context)))
        }
        var iterator: vpx_codec_iter_t?
        while let packet = vpx_codec_get_cx_data(context, &iterator) {
            guard packet.pointee.kind == VPX_CODEC_CX_FRAME_PKT else { continue }
            let frame = packet.pointee.data.frame
            try output(UnsafeRawBufferPointer(start: frame.buf, count: frame.sz), frame.flags & vpx_codec_frame_flags_t(VPX_FRAME_IS_KEY) != 0)
        }
    }

    public func setTargetBitrate(kbps: Int) throws {
        config.rc_target_bitrate = UInt32(max(30, kbps))
        guard vpx_codec_enc_config_set(context, &config) == VPX_CODEC_OK else {
            throw CodecError.libvpx(call: "vpx_codec_enc_config_set", detail: String(cString: vpx_codec_error(context)))
        }
    }
}

public enum CodecError: Error, Equatable, Sendable {
    case libvpx(call: String, detail: String)
    case libopus(call: String, code: Int)
}
