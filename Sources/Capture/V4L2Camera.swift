internal import Glibc
internal import CV4L2
internal import CPinholeShims
public import Media

/// A V4L2 capture device (through libv4l2, which converts formats such as MJPEG and Bayer that
/// the encoder cannot take): mmap buffers, poll + DQBUF on the caller's thread, each buffer
/// requeued as soon as the encoder has read it. YU12 goes to the encoder in the driver's own
/// buffer; NV12 and YUYV are converted once into a pooled I420 frame.
public final class V4L2Camera: VideoSource {
    public let width: Int
    public let height: Int
    public let description: String
    public private(set) var counters = CaptureCounters()
    let path: String
    let format: PixelFormat
    private let fd: Int32
    private let bytesPerLine: Int
    private var buffers: [(start: UnsafeMutableRawPointer, length: Int)] = []
    private var converted: I420Frame
    private var lastSequence: UInt32?

    /// How many buffers the driver cycles through: few, for low latency.
    static let bufferCount: UInt32 = 3

    /// `pixelFormat` (YU12, NV12 or YUYV) forces one native format instead of the best one.
    public init(path: String, width: Int, height: Int, fps: Int, pixelFormat: String? = nil) throws(CaptureError) {
        pinhole_snd_lib_error_silence()
        let fd = pinhole_v4l2_open(path, O_RDWR | O_NONBLOCK)
        guard fd >= 0 else { throw .system(call: "open \(path)", errno: errno) }
        self.fd = fd
        self.path = path
        do {
            let card = try V4L2Device.checkCapture(fd: fd, path: path)
            format = try V4L2Device.bestFormat(fd: fd, path: path, only: pixelFormat)
            var f = v4l2_format()
            f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            f.fmt.pix.width = UInt32(width)
            f.fmt.pix.height = UInt32(height)
            f.fmt.pix.pixelformat = format.fourcc
            f.fmt.pix.field = V4L2_FIELD_NONE.rawValue
            try V4L2Device.ioctl(fd, pinhole_VIDIOC_S_FMT, &f, "VIDIOC_S_FMT")
            (self.width, self.height) = (Int(f.fmt.pix.width) & ~1, Int(f.fmt.pix.height) & ~1)
            bytesPerLine = max(Int(f.fmt.pix.bytesperline), format.minimumBytesPerLine(width: self.width))
            converted = I420Frame(width: max(2, self.width), height: max(2, self.height))
            let actualFPS = V4L2Device.setFrameRate(fd: fd, fps: fps)
            description = "\(card) \(path) \(format.name) \(self.width)x\(self.height) \(actualFPS) fps"
                + (format.isZeroCopy ? " (zero-copy)" : " (converted to I420)")
            try startStreaming()
        } catch {
            V4L2Device.release(fd: fd, buffers: buffers)
            throw error
        }
    }

    deinit { V4L2Device.release(fd: fd, buffers: buffers) }

    private func startStreaming() throws(CaptureError) {
        var request = v4l2_requestbuffers()
        request.count = Self.bufferCount
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.memory = V4L2_MEMORY_MMAP.rawValue
        try V4L2Device.ioctl(fd, pinhole_VIDIOC_REQBUFS, &request, "VIDIOC_REQBUFS")
        for index in 0..<request.count {
            var buffer = Self.buffer(index: index)
            try V4L2Device.ioctl(fd, pinhole_VIDIOC_QUERYBUF, &buffer, "VIDIOC_QUERYBUF")
            let start = v4l2_mmap(nil, Int(buffer.length), PROT_READ | PROT_WRITE, MAP_SHARED, fd, Int64(buffer.m.offset))
            guard let start, start != MAP_FAILED else { throw .system(call: "mmap", errno: errno) }
            buffers.append((start, Int(buffer.length)))
            try V4L2Device.ioctl(fd, pinhole_VIDIOC_QBUF, &buffer, "VIDIOC_QBUF")
        }
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        try V4L2Device.ioctl(fd, pinhole_VIDIOC_STREAMON, &type, "VIDIOC_STREAMON")
    }

    static func buffer(index: UInt32) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        buffer.index = index
        return buffer
    }

    public func capture(_ body: (PictureView, CaptureTime) throws -> Void) throws {
        var buffer = try dequeue()
        defer { _ = pinhole_v4l2_ioctl(fd, pinhole_VIDIOC_QBUF, &buffer) }  // back to the driver at once
        let time = Self.captureTime(buffer)
        countSequence(buffer.sequence)
        let mapped = buffers[Int(buffer.index)]
        let used = min(Int(buffer.bytesused), mapped.length)
        let data = UnsafeRawBufferPointer(start: mapped.start, count: used).bindMemory(to: UInt8.self)
        guard used >= format.frameBytes(bytesPerLine: bytesPerLine, height: height) else {
            throw CaptureError.shortFrame(bytes: used)
        }
        counters.frames += 1
        if format.isZeroCopy {
            counters.zeroCopy += 1
            try body(PixelConversion.i420View(data, width: width, height: height, bytesPerLine: bytesPerLine), time)
        } else {
            counters.converted += 1
            PixelConversion.convert(format, from: data, bytesPerLine: bytesPerLine, into: &converted)
            try converted.withView { try body($0, time) }
        }
    }

    private func dequeue() throws(CaptureError) -> v4l2_buffer {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&pfd, 1, 2_000)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { throw .timeout(path: path) }
            guard pfd.revents & Int16(POLLERR | POLLHUP | POLLNVAL) == 0 else { throw .vanished(path: path) }
            var buffer = Self.buffer(index: 0)
            if pinhole_v4l2_ioctl(fd, pinhole_VIDIOC_DQBUF, &buffer) == 0 { return buffer }
            if errno == EAGAIN || errno == EINTR { continue }
            throw errno == ENODEV ? .vanished(path: path) : .system(call: "VIDIOC_DQBUF", errno: errno)
        }
    }

    private func countSequence(_ sequence: UInt32) {
        if let last = lastSequence, sequence > last &+ 1 { counters.dropped += Int(sequence &- last &- 1) }
        lastSequence = sequence
    }

    /// The driver's capture timestamp when it is CLOCK_MONOTONIC (most drivers, vivid among
    /// them), else the time of dequeue.
    static func captureTime(_ buffer: v4l2_buffer) -> CaptureTime {
        let now = MediaClock.monotonicNanoseconds()
        var captured = now
        if buffer.flags & UInt32(V4L2_BUF_FLAG_TIMESTAMP_MASK) == UInt32(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC) {
            let stamp = UInt64(buffer.timestamp.tv_sec) * 1_000_000_000 + UInt64(buffer.timestamp.tv_usec) * 1_000
            if stamp <= now, now - stamp < 5_000_000_000 { captured = stamp }
        }
        let wall = (MediaClock.wallClockNanoseconds() - (now - captured)) / 1_000_000
        return CaptureTime(monotonicNanoseconds: captured, wallClockMilliseconds: wall)
    }
}

public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    case system(call: String, errno: Int32)
    case notACaptureDevice(path: String)
    case noUsableFormat(path: String, offered: [String])
    case timeout(path: String)
    case vanished(path: String)
    case shortFrame(bytes: Int)
    case alsa(call: String, device: String, code: Int32)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .notACaptureDevice(let path): "\(path) is not a video capture device with streaming I/O"
        case .noUsableFormat(let path, let offered): "\(path) offers no format Pinhole can use (offered: \(offered.joined(separator: ", ")))"
        case .timeout(let path): "\(path) delivered no frame for 2 s"
        case .vanished(let path): "\(path) went away"
        case .shortFrame(let bytes): "the camera delivered a short frame (\(bytes) bytes)"
        case .alsa(let call, let device, let code): "\(call) \(device): \(String(cString: snd_strerror(code)))"
        }
    }
}
