internal import Glibc
internal import Media

/// `pinhole pattern`: the agent's test pattern as raw I420 frames on standard output, paced in
/// real time and stamped (BlockCode) exactly as the agent stamps its own, so that other encoders
/// and servers can be fed the very same pictures and measured the same way (tools/bench).
public enum PatternOutput {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `frames` frames (forever when nil) until standard output closes.
    public static func write(width: Int, height: Int, fps: Int, frames: Int?) throws {
        let source = TestPatternSource(width: width, height: height, fps: fps)
        var written = 0
        while frames.map({ written < $0 }) ?? true {
            try source.capture { view, _ in
                try plane(view.y, width: width, height: height, stride: view.yStride)
                try plane(view.u, width: width / 2, height: height / 2, stride: view.uvStride)
                try plane(view.v, width: width / 2, height: height / 2, stride: view.uvStride)
            }
            written += 1
        }
    }

    /// Unbuffered writes to file descriptor 1: a frame leaves when it is made.
    static func plane(_ base: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int) throws {
        for row in 0..<height {
            var next = base + row * stride, left = width
            while left > 0 {
                let written = Glibc.write(1, next, left)
                guard written > 0 else { throw WriteError(description: "standard output closed") }
                next += written
                left -= written
            }
        }
    }
}
