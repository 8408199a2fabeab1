/// Splits a VP8 frame into RTP payloads (RFC 7741 §4.2), each with a payload descriptor
/// that carries a 15-bit PictureID so receivers can spot a lost frame:
///
///          0 1 2 3 4 5 6 7
///         +-+-+-+-+-+-+-+-+
///         |X|R|N|S|R| PID | (REQUIRED)   X=1, S=1 on the first packet of the frame
///         +-+-+-+-+-+-+-+-+
///     X:  |I|L|T|K| RSV   | (OPTIONAL)   I=1: PictureID present
///         +-+-+-+-+-+-+-+-+
///     I:  |M| PictureID   | (OPTIONAL)   M=1: 15-bit PictureID
///         +-+-+-+-+-+-+-+-+
///         |   PictureID   |
///         +-+-+-+-+-+-+-+-+
///
/// It plans the fragments and writes each payload straight into the caller's packet buffer.
public struct VP8Payloader: Sendable {
    public static let descriptorLength = 4
    public private(set) var pictureID: UInt16

    public init(pictureID: UInt16 = 0) { self.pictureID = pictureID & 0x7FFF }

    /// The byte ranges of a `frameLength`-byte frame that go into successive packets, so that
    /// each payload, descriptor included, is at most `maxPayload` bytes.
    public static func fragments(frameLength: Int, maxPayload: Int) -> [Range<Int>] {
        precondition(maxPayload > descriptorLength, "payload budget smaller than the descriptor")
        let chunk = maxPayload - descriptorLength
        return stride(from: 0, to: max(frameLength, 1), by: chunk).map { $0..<min($0 + chunk, frameLength) }
    }

    /// Writes the descriptor and `fragment` of `frame` into `buffer`; returns the bytes written.
    public func writePayload(_ frame: UnsafeRawBufferPointer, fragment: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let length = Self.descriptorLength + fragment.count
        precondition(buffer.count >= length, "payload does not fit")
        buffer[0] = fragment.lowerBound == 0 ? 0x90 : 0x80
        buffer[1] = 0x80
        buffer[2] = UInt8(0x80 | pictureID >> 8)
        buffer[3] = UInt8(pictureID & 0xFF)
        if !fragment.isEmpty {
            (buffer.baseAddress! + Self.descriptorLength).copyMemory(from: frame.baseAddress! + fragment.lowerBound, byteCount: fragment.count)
        }
        return length
    }

    /// Moves on to the next frame's PictureID.
    public mutating func finishFrame() { pictureID = (pictureID &+ 1) & 0x7FFF }

    /// True when an RTP payload starts a VP8 keyframe (RFC 7741 §4.3: S=1, PID=0, P bit clear).
    public static func isKeyframeStart(_ payload: [UInt8]) -> Bool {
        guard let first = payload.first, first & 0x10 != 0, first & 0x07 == 0 else { return false }
        var i = 1
        if first & 0x80 != 0 {
            guard payload.count > i else { return false }
            let x = payload[i]; i += 1
            if x & 0x80 != 0 { guard payload.count > i else { return false }; i += payload[i] & 0x80 != 0 ? 2 : 1 }
            if x & 0x40 != 0 { i += 1 }
            if x & 0x30 != 0 { i += 1 }
        }
        return payload.count > i && payload[i] & 0x01 == 0
    }
}
