internal import Glibc

/// The picture streamed when there is no camera: colour bars that scroll, a white square that
/// bounces, and the `BlockCode` stamp in the top-left corner. Every frame differs, so the
/// encoder does real work and a frozen stream is visible at a glance.
public struct TestPattern: Sendable {
    public let width: Int
    public let height: Int
    private var frame: I420Frame

    /// BT.601 limited-range YUV of white, yellow, cyan, green, magenta, red, blue, black.
    static let bars: [(y: UInt8, u: UInt8, v: UInt8)] = [
        (235, 128, 128), (210, 16, 146), (170, 166, 16), (145, 54, 34),
        (106, 202, 222), (81, 90, 240), (41, 240, 110), (16, 128, 128),
    ]

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        frame = I420Frame(width: width, height: height)
    }

    /// Draws frame number `counter`, stamped with `wallClockMilliseconds`.
    public mutating func render(counter: UInt32, wallClockMilliseconds: UInt64) -> I420Frame {
        drawBars(shift: Int(counter) * 4)
        drawSquare(counter: Int(counter))
        BlockCode(frameCounter: counter, wallClockMilliseconds: wallClockMilliseconds).draw(into: &frame)
        return frame
    }

    /// Every row of the bars is the same: draw the first luma and chroma rows, copy them down.
    private mutating func drawBars(shift: Int) {
        let (w, h, cw, ch) = (width, height, frame.chromaWidth, frame.chromaHeight)
        let barWidth = max(2, w / Self.bars.count)
        let (uOffset, vOffset) = (frame.uOffset, frame.vOffset)
        func bar(_ x: Int) -> (y: UInt8, u: UInt8, v: UInt8) { Self.bars[((x + shift) / barWidth) % Self.bars.count] }
        frame.data.withUnsafeMutableBufferPointer { p in
            let luma = p.baseAddress!, u = luma + uOffset, v = luma + vOffset
            for x in 0..<w { luma[x] = bar(x).y }
            for x in 0..<cw {
                let colour = bar(2 * x)
                (u[x], v[x]) = (colour.u, colour.v)
            }
            for row in 1..<h { (luma + row * w).update(from: luma, count: w) }
            for row in 1..<ch {
                (u + row * cw).update(from: u, count: cw)
                (v + row * cw).update(from: v, count: cw)
            }
        }
    }

    private mutating func drawSquare(counter: Int) {
        let side = max(16, height / 6) & ~1
        let travelX = max(1, width - side), travelY = max(1, height - side)
        let x0 = bounce(counter * 6, travelX) & ~1, y0 = bounce(counter * 4, travelY) & ~1
        frame.fill(x: x0, y: y0, width: side, height: side, luma: 235)
    }

    private func bounce(_ position: Int, _ travel: Int) -> Int {
        let phase = position % (2 * travel)
        return phase < travel ? phase : 2 * travel - phase
    }
}

/// A 1 kHz sine at 48 kHz, the audio streamed when there is no microphone.
public struct ToneGenerator: Sendable {
    public static let sampleRate = 48_000
    public let frequency: Int
    private var phase = 0
    private let table: [Int16]

    public init(frequency: Int = 1_000, amplitude: Double = 0.25) {
        self.frequency = frequency
        // One period; 48 samples for 1 kHz, so the table repeats exactly.
        let period = Self.sampleRate / frequency
        table = (0..<period).map { i in
            Int16(amplitude * 32767 * sin(2 * Double.pi * Double(i) / Double(period)))
        }
    }

    public mutating func next(count: Int) -> [Int16] {
        let samples = (0..<count).map { table[(phase + $0) % table.count] }
        phase = (phase + count) % table.count
        return samples
    }
}
