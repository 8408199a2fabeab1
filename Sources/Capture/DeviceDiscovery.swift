internal import Glibc
internal import CV4L2
internal import CALSA
internal import CPinholeShims

/// A camera as `pinhole devices` lists it.
public struct CameraInfo: Codable, Sendable {
    public var path: String
    public var card: String
    public var formats: [FormatInfo]

    public struct FormatInfo: Codable, Sendable {
        public var fourcc: String
        /// "WxH@fps,fps" per size, or a stepwise range.
        public var sizes: [String]
    }
}

/// An ALSA capture device.
public struct AudioInputInfo: Codable, Sendable {
    public var device: String
    public var card: String
    public var name: String
}

public enum DeviceDiscovery {
    /// Capture-capable V4L2 nodes in /dev, in number order (metadata and output nodes left out).
    public static func cameras() -> [CameraInfo] {
        (0..<64).compactMap { camera(path: "/dev/video\($0)") }
    }

    /// The first capture-capable camera, for `--video auto`.
    public static func firstCamera() -> String? {
        for n in 0..<64 {
            let path = "/dev/video\(n)"
            guard access(path, F_OK) == 0 else { continue }
            let fd = pinhole_v4l2_open(path, O_RDWR | O_NONBLOCK)
            guard fd >= 0 else { continue }
            defer { v4l2_close(fd) }
            if (try? V4L2Device.checkCapture(fd: fd, path: path)) != nil { return path }
        }
        return nil
    }

    static func camera(path: String) -> CameraInfo? {
        guard access(path, F_OK) == 0 else { return nil }
        let fd = open(path, O_RDWR | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let card = try? V4L2Device.checkCapture(fd: fd, path: path) else { return nil }
        let formats = V4L2Device.formats(fd: fd).map { format in
            CameraInfo.FormatInfo(fourcc: V4L2Device.fourccName(format.fourcc), sizes: sizes(fd: fd, fourcc: format.fourcc))
        }
        return CameraInfo(path: path, card: card, formats: formats)
    }

    static func sizes(fd: Int32, fourcc: UInt32) -> [String] {
        var result: [String] = []
        for index in 0..<64 {
            var size = v4l2_frmsizeenum()
            size.index = UInt32(index)
            size.pixel_format = fourcc
            guard ioctl(fd, pinhole_VIDIOC_ENUM_FRAMESIZES, &size) == 0 else { break }
            if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                let (w, h) = (size.discrete.width, size.discrete.height)
                result.append("\(w)x\(h)@" + rates(fd: fd, fourcc: fourcc, width: w, height: h).joined(separator: ","))
            } else {
                let s = size.stepwise
                result.append("\(s.min_width)x\(s.min_height)–\(s.max_width)x\(s.max_height)")
                break
            }
        }
        return result
    }

    static func rates(fd: Int32, fourcc: UInt32, width: UInt32, height: UInt32) -> [String] {
        var result: [String] = []
        for index in 0..<32 {
            var interval = v4l2_frmivalenum()
            interval.index = UInt32(index)
            interval.pixel_format = fourcc
            interval.width = width
            interval.height = height
            guard ioctl(fd, pinhole_VIDIOC_ENUM_FRAMEINTERVALS, &interval) == 0,
                  interval.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue, interval.discrete.numerator > 0 else { break }
            let fps = Double(interval.discrete.denominator) / Double(interval.discrete.numerator)
            result.append(fps == fps.rounded() ? "\(Int(fps))" : "\(fps)")
        }
        return result
    }

    /// Every ALSA capture PCM, as "hw:CARD,DEVICE".
    public static func audioInputs() -> [AudioInputInfo] {
        pinhole_snd_lib_error_silence()
        var result: [AudioInputInfo] = []
        var card: Int32 = -1
        while snd_card_next(&card) == 0, card >= 0 {
            var ctl: OpaquePointer?
            guard snd_ctl_open(&ctl, "hw:\(card)", 0) == 0, let ctl else { continue }
            defer { snd_ctl_close(ctl) }
            var info: OpaquePointer?
            snd_ctl_card_info_malloc(&info)
            defer { snd_ctl_card_info_free(info) }
            snd_ctl_card_info(ctl, info)
            let cardID = String(cString: snd_ctl_card_info_get_id(info))
            var device: Int32 = -1
            while snd_ctl_pcm_next_device(ctl, &device) == 0, device >= 0 {
                var pcmInfo: OpaquePointer?
                snd_pcm_info_malloc(&pcmInfo)
                defer { snd_pcm_info_free(pcmInfo) }
                snd_pcm_info_set_device(pcmInfo, UInt32(device))
                snd_pcm_info_set_stream(pcmInfo, SND_PCM_STREAM_CAPTURE)
                guard snd_ctl_pcm_info(ctl, pcmInfo) == 0 else { continue }
                result.append(AudioInputInfo(device: "hw:\(cardID),\(device)", card: String(cString: snd_ctl_card_info_get_name(info)),
                                             name: String(cString: snd_pcm_info_get_name(pcmInfo))))
            }
        }
        return result
    }
}
