/// A machine-readable stamp drawn into the corner of test frames so that a receiver can read
/// the frame number and capture time off a decoded picture and compute glass-to-glass latency.
///
/// 96 bits as a grid of 16 × 6 black-or-white luma blocks, row-major, most significant bit first:
/// frame counter (32 bits), capture wall-clock milliseconds (48 bits), CRC-16/CCITT-FALSE of
/// those ten bytes (16 bits). The grid starts `margin` pixels from the top-left corner.
public struct BlockCode: Equatable, Sendable {
    public static let columns = 16, rows = 6, block = 8, margin = 8
    public static let black: UInt8 = 16, white: UInt8 = 235

    public var frameCounter: UInt32
    public var wallClockMilliseconds: UInt64

    public init(frameCounter: UInt32, wallClockMilliseconds: UInt64) {
        self.frameCounter = frameCounter
        self.wallClockMilliseconds = wallClockMilliseconds & 0xFFFF_FFFF_FFFF
    }

    var payload: [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: frameCounter >> (24 - 8 * $0)) }
            + (0..<6).map { UInt8(truncatingIfNeeded: wallClockMilliseconds >> (40 - 8 * $0)) }
    }

    var bits: [Bool] {
        let bytes = payload + { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }(Self.crc16(payload))
        return bytes.flatMap { byte in (0..<8).map { byte & (0x80 >> $0) != 0 } }
    }

    /// Draws the code in black and white (neutral chroma) into the top-left corner.
    public func draw(into frame: inout I420Frame) {
        for (index, bit) in bits.enumerated() {
            frame.fill(x: Self.margin + (index % Self.columns) * Self.block, y: Self.margin + (index / Self.columns) * Self.block,
                       width: Self.block, height: Self.block, luma: bit ? Self.white : Self.black)
        }
    }

    /// Reads a code back from a (decoded) luma plane by sampling each block's centre.
    public static func read(luma: [UInt8], width: Int) -> BlockCode? {
        var bytes = [UInt8](repeating: 0, count: 12)
        for index in 0..<columns * rows {
            let x = margin + (index % columns) * block + block / 2
            let y = margin + (index / columns) * block + block / 2
            guard y * width + x < luma.count else { return nil }
            if luma[y * width + x] > 128 { bytes[index / 8] |= 0x80 >> UInt8(index % 8) }
        }
        guard crc16(Array(bytes[0..<10])) == UInt16(bytes[10]) << 8 | UInt16(bytes[11]) else { return nil }
        let counter = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let millis = bytes[4..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return BlockCode(frameCounter: counter, wallClockMilliseconds: millis)
    }

    /// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF.
    static func crc16(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? crc << 1 ^ 0x1021 : crc << 1 }
        }
        return crc
    }
}
