internal import Glibc
internal import CV4L2
internal import CPinholeShims

/// The V4L2 calls shared by capture and discovery.
enum V4L2Device {
    /// An ioctl on a plain C struct (the V4L2 ones hold no object references).
    static func ioctl<T>(_ fd: Int32, _ request: UInt, _ argument: inout T, _ name: String) throws(CaptureError) {
        while true {
            let result = withUnsafeMutableBytes(of: &argument) { pinhole_v4l2_ioctl(fd, request, $0.baseAddress) }
            if result == 0 { return }
            if errno != EINTR { throw .system(call: name, errno: errno) }
        }
    }

    /// The card name; fails unless the node captures video with streaming I/O (metadata and
    /// output nodes are skipped this way).
    static func checkCapture(fd: Int32, path: String) throws(CaptureError) -> String {
        var caps = v4l2_capability()
        try ioctl(fd, pinhole_VIDIOC_QUERYCAP, &caps, "VIDIOC_QUERYCAP")
        let nodeCaps = caps.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? caps.device_caps : caps.capabilities
        guard nodeCaps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0, nodeCaps & UInt32(V4L2_CAP_STREAMING) != 0 else {
            throw .notACaptureDevice(path: path)
        }
        return withUnsafeBytes(of: caps.card) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Formats the node offers: (fourcc, emulated by libv4l2).
    static func formats(fd: Int32) -> [(fourcc: UInt32, emulated: Bool)] {
        var result: [(UInt32, Bool)] = []
        for index in 0..<64 {
            var desc = v4l2_fmtdesc()
            desc.index = UInt32(index)
            desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            guard pinhole_v4l2_ioctl(fd, pinhole_VIDIOC_ENUM_FMT, &desc) == 0 else { break }
            result.append((desc.pixelformat, desc.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0))
        }
        return result
    }

    /// Native YU12 first (no copy), then native NV12 and YUYV (one conversion), then YU12 as
    /// libv4lconvert produces it from anything else (MJPEG, Bayer, RGB).
    static func bestFormat(fd: Int32, path: String, only: String? = nil) throws(CaptureError) -> PixelFormat {
        let offered = formats(fd: fd)
        let candidates = only.map { name in PixelFormat.preference.filter { $0.name == name } } ?? PixelFormat.preference
        for wanted in candidates {
            if offered.contains(where: { $0.fourcc == wanted.fourcc && !$0.emulated }) { return wanted }
        }
        if only == nil, offered.contains(where: { $0.fourcc == PixelFormat.yu12.fourcc }) { return .yu12Converted }
        throw .noUsableFormat(path: path, offered: offered.map { fourccName($0.fourcc) })
    }

    /// Asks for `fps`; returns what the driver granted.
    static func setFrameRate(fd: Int32, fps: Int) -> String {
        var parm = v4l2_streamparm()
        parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        parm.parm.capture.timeperframe = v4l2_fract(numerator: 1, denominator: UInt32(fps))
        _ = pinhole_v4l2_ioctl(fd, pinhole_VIDIOC_S_PARM, &parm)
        let t = parm.parm.capture.timeperframe
        guard t.numerator > 0 else { return "\(fps)" }
        let rate = Double(t.denominator) / Double(t.numerator)
        return rate == rate.rounded() ? "\(Int(rate))" : "\(rate)"
    }

    static func release(fd: Int32, buffers: [(start: UnsafeMutableRawPointer, length: Int)]) {
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        _ = pinhole_v4l2_ioctl(fd, pinhole_VIDIOC_STREAMOFF, &type)
        for buffer in buffers { v4l2_munmap(buffer.start, buffer.length) }
        v4l2_close(fd)
    }

    static func fourcc(_ text: String) -> UInt32 {
        text.utf8.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    /// The four characters; bit 31 marks the big-endian variant of a format (videodev2.h).
    static func fourccName(_ code: UInt32) -> String {
        let name = String(decoding: (0..<4).map { UInt8(truncatingIfNeeded: (code & 0x7FFF_FFFF) >> (8 * $0)) }, as: UTF8.self)
        return code & 0x8000_0000 != 0 ? name + "-BE" : name
    }
}

/// The pixel formats Pinhole reads, and what each costs.
struct PixelFormat: Equatable {
    let name: String
    let fourcc: UInt32
    let isZeroCopy: Bool

    static let yu12 = PixelFormat(name: "YU12", fourcc: V4L2Device.fourcc("YU12"), isZeroCopy: true)
    static let nv12 = PixelFormat(name: "NV12", fourcc: V4L2Device.fourcc("NV12"), isZeroCopy: false)
    static let yuyv = PixelFormat(name: "YUYV", fourcc: V4L2Device.fourcc("YUYV"), isZeroCopy: false)
    /// YU12 made by libv4lconvert from the camera's own format: already converted, so no copy here.
    static let yu12Converted = PixelFormat(name: "YU12 (libv4lconvert)", fourcc: V4L2Device.fourcc("YU12"), isZeroCopy: true)
    static let preference = [yu12, nv12, yuyv]

    func minimumBytesPerLine(width: Int) -> Int { fourcc == Self.yuyv.fourcc ? 2 * width : width }

    func frameBytes(bytesPerLine: Int, height: Int) -> Int {
        fourcc == Self.yuyv.fourcc ? bytesPerLine * height : bytesPerLine * height * 3 / 2
    }
}
