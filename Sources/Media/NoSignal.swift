/// The picture sent while the camera is gone: "NO SIGNAL" in light grey on dark grey, so that a
/// viewer who stays connected sees at once that the camera, not the network, is at fault. A
/// flat picture: it costs the encoder next to nothing at the few frames a second it is sent.
public final class NoSignalSource: VideoSource {
    public static let background: UInt8 = 40, ink: UInt8 = 200
    public static let fps = 5
    public let width: Int
    public let height: Int
    public let description: String
    public private(set) var counters = CaptureCounters()
    private let frame: I420Frame
    private var deadline = MediaClock.monotonicNanoseconds()

    public init(width: Int, height: Int, reason: String) {
        self.width = width
        self.height = height
        description = "no signal (\(reason))"
        frame = Self.render(width: width, height: height)
    }

    public func capture(_ body: (PictureView, CaptureTime) throws -> Void) throws {
        MediaClock.sleep(untilMonotonic: deadline)
        let now = MediaClock.monotonicNanoseconds()
        deadline = max(deadline + 1_000_000_000 / UInt64(Self.fps), now)
        counters.frames += 1
        try frame.withView { try body($0, CaptureTime(monotonicNanoseconds: now, wallClockMilliseconds: MediaClock.wallClockNanoseconds() / 1_000_000)) }
    }

    /// 5×7 glyphs, a row of five bits each, most significant (leftmost) first.
    static let glyphs: [Character: [UInt8]] = [
        "N": [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11], "O": [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        "S": [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], "I": [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "G": [0x0F, 0x10, 0x10, 0x13, 0x11, 0x11, 0x0F], "A": [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F], " ": [0, 0, 0, 0, 0, 0, 0],
    ]

    /// The text centred, half the picture wide.
    static func render(width: Int, height: Int) -> I420Frame {
        var frame = I420Frame(width: width, height: height)
        frame.fill(x: 0, y: 0, width: width, height: height, luma: background)
        let text = Array("NO SIGNAL")
        let scale = max(1, width / 2 / (text.count * 6))
        let x0 = (width - (text.count * 6 - 1) * scale) / 2, y0 = (height - 7 * scale) / 2
        for (index, character) in text.enumerated() {
            for (row, bits) in glyphs[character, default: []].enumerated() {
                for column in 0..<5 where bits & (0x10 >> column) != 0 {
                    frame.fill(x: x0 + (index * 6 + column) * scale, y: y0 + row * scale, width: scale, height: scale, luma: ink)
                }
            }
        }
        return frame
    }
}
