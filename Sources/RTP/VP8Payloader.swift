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
public struct VP8Payloader: Sendable {
    public static let descriptorLength = 4
    public private(set) var pictureID: UInt16

    public init(pictureID: UInt16 = 0) { self.pictureID = pictureID & 0x7FFF }

    /// Payloads for one frame, each at most `maxPayload` bytes including the descriptor.
    public mutating func payloads(for frame: [UInt8], maxPayload: Int) -> [[UInt8]] {
        precondition(maxPayload > Self.descriptorLength, "payload budget smaller than the descriptor")
        defer { pictureID = (pictureID &+ 1) & 0x7FFF }
        let chunk = maxPayload - Self.descriptorLength
        var result: [[UInt8]] = []
        var offset = 0
        repeat {
            let end = min(offset + chunk, frame.count)
            var payload: [UInt8] = [offset == 0 ? 0x90 : 0x80, 0x80, UInt8(0x80 | pictureID >> 8), UInt8(pictureID & 0xFF)]
            payload.reserveCapacity(Self.descriptorLength + end - offset)
            payload += frame[offset..<end]
            result.append(payload)
            offset = end
        } while offset < frame.count
        return result
    }

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
