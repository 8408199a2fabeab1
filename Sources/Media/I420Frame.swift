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

/// A video frame as captured: the picture and when it was taken.
public struct CapturedFrame: Sendable {
    public var picture: I420Frame
    /// CLOCK_MONOTONIC nanoseconds; drives RTP timestamps.
    public var monotonicNanoseconds: UInt64
    /// Wall-clock milliseconds since the Unix epoch; drawn into test frames to measure latency.
    public var wallClockMilliseconds: UInt64
}

/// A chunk of 16-bit PCM at 48 kHz as captured.
public struct CapturedAudio: Sendable {
    public var samples: [Int16]
    public var channels: Int
    public var monotonicNanoseconds: UInt64
}
