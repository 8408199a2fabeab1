internal import Media

/// The one pass from a camera's layout to I420, and the zero-copy view for I420 itself.
enum PixelConversion {
    /// YU12 (I420) planes inside the camera buffer: Y, then U and V at half the stride.
    static func i420View(_ data: UnsafeBufferPointer<UInt8>, width: Int, height: Int, bytesPerLine: Int) -> PictureView {
        let base = data.baseAddress!
        let u = base + bytesPerLine * height
        let v = u + (bytesPerLine / 2) * (height / 2)
        return PictureView(width: width, height: height, y: base, u: u, v: v, yStride: bytesPerLine, uvStride: bytesPerLine / 2)
    }

    static func convert(_ format: PixelFormat, from data: UnsafeBufferPointer<UInt8>, bytesPerLine: Int, into frame: inout I420Frame) {
        if format == .nv12 { fromNV12(data, bytesPerLine: bytesPerLine, into: &frame) } else { fromYUYV(data, bytesPerLine: bytesPerLine, into: &frame) }
    }

    /// NV12: the Y plane, then interleaved U/V at half height.
    static func fromNV12(_ src: UnsafeBufferPointer<UInt8>, bytesPerLine: Int, into frame: inout I420Frame) {
        let (w, h, cw, ch, u, v) = (frame.width, frame.height, frame.chromaWidth, frame.chromaHeight, frame.uOffset, frame.vOffset)
        frame.data.withUnsafeMutableBufferPointer { dst in
            for row in 0..<h {
                UnsafeMutableRawPointer(dst.baseAddress! + row * w).copyMemory(from: src.baseAddress! + row * bytesPerLine, byteCount: w)
            }
            let uv = src.baseAddress! + bytesPerLine * h
            for row in 0..<ch {
                let line = uv + row * bytesPerLine
                for col in 0..<cw {
                    dst[u + row * cw + col] = line[2 * col]
                    dst[v + row * cw + col] = line[2 * col + 1]
                }
            }
        }
    }

    /// YUYV (4:2:2 packed Y0 U Y1 V): luma as is, chroma from even rows (4:2:0 keeps half).
    static func fromYUYV(_ src: UnsafeBufferPointer<UInt8>, bytesPerLine: Int, into frame: inout I420Frame) {
        let (w, h, cw, u, v) = (frame.width, frame.height, frame.chromaWidth, frame.uOffset, frame.vOffset)
        frame.data.withUnsafeMutableBufferPointer { dst in
            for row in 0..<h {
                let line = src.baseAddress! + row * bytesPerLine
                let y = dst.baseAddress! + row * w
                for col in 0..<w { y[col] = line[2 * col] }
                if row % 2 == 0 {
                    let c = row / 2 * cw
                    for col in 0..<cw {
                        dst[u + c + col] = line[4 * col + 1]
                        dst[v + c + col] = line[4 * col + 3]
                    }
                }
            }
        }
    }
}
