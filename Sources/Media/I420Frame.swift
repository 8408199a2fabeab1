/// A picture in I420 (YUV 4:2:0 planar): the full-size Y plane, then quarter-size U and V.
/// This is what libvpx takes without conversion.
public struct I420Frame: Sendable {
    public let width: Int
    public let height: Int
    public var data: [UInt8]

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0 && width % 2 == 0 && height % 2 == 0, "I420 needs even, positive dimensions")
        self.width = width
        self.height = height
        data = [UInt8](repeating: 0, count: width * height * 3 / 2)
    }

    public var lumaCount: Int { width * height }
    public var chromaWidth: Int { width / 2 }
    public var chromaHeight: Int { height / 2 }
    public var uOffset: Int { lumaCount }
    public var vOffset: Int { lumaCount + chromaWidth * chromaHeight }

    /// Fills a rectangle (clipped to the frame, even-aligned for chroma) with a grey level.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, luma: UInt8) {
        let x0 = max(0, x) & ~1, y0 = max(0, y) & ~1
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        let (stride, cw, u, v) = (width, chromaWidth, uOffset, vOffset)
        data.withUnsafeMutableBufferPointer { p in
            for row in y0..<y1 { p[(row * stride + x0)..<(row * stride + x1)].update(repeating: luma) }
            for row in (y0 / 2)..<((y1 + 1) / 2) {
                p[(u + row * cw + x0 / 2)..<(u + row * cw + (x1 + 1) / 2)].update(repeating: 128)
                p[(v + row * cw + x0 / 2)..<(v + row * cw + (x1 + 1) / 2)].update(repeating: 128)
            }
        }
    }
}

extension I420Frame {
    /// Lends the planes to `body` without copying.
    public func withView<R>(_ body: (PictureView) throws -> R) rethrows -> R {
        try data.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            return try body(PictureView(width: width, height: height, y: base, u: base + uOffset, v: base + vOffset,
                                        yStride: width, uvStride: chromaWidth))
        }
    }
}

/// Borrowed I420 planes: a camera's own buffer (zero copy) or a pooled converted frame.
/// Valid only inside the closure that lends it.
public struct PictureView {
    public var width: Int
    public var height: Int
    public var y: UnsafePointer<UInt8>
    public var u: UnsafePointer<UInt8>
    public var v: UnsafePointer<UInt8>
    public var yStride: Int
    public var uvStride: Int

    public init(width: Int, height: Int, y: UnsafePointer<UInt8>, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>,
                yStride: Int, uvStride: Int) {
        self.width = width
        self.height = height
        self.y = y
        self.u = u
        self.v = v
        self.yStride = yStride
        self.uvStride = uvStride
    }
}

/// When a frame was captured.
public struct CaptureTime: Sendable {
    /// CLOCK_MONOTONIC nanoseconds; drives RTP timestamps.
    public var monotonicNanoseconds: UInt64
    /// Wall-clock milliseconds since the Unix epoch; drawn into test frames to measure latency.
    public var wallClockMilliseconds: UInt64

    public init(monotonicNanoseconds: UInt64, wallClockMilliseconds: UInt64) {
        self.monotonicNanoseconds = monotonicNanoseconds
        self.wallClockMilliseconds = wallClockMilliseconds
    }
}

/// A chunk of interleaved 16-bit PCM at 48 kHz as captured.
public struct CapturedAudio: Sendable {
    public var samples: [Int16]
    public var channels: Int
    public var monotonicNanoseconds: UInt64

    public init(samples: [Int16], channels: Int, monotonicNanoseconds: UInt64) {
        self.samples = samples
        self.channels = channels
        self.monotonicNanoseconds = monotonicNanoseconds
    }
}
