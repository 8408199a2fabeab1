/// In-place rewrites of a plain RTP packet (12-byte header, no CSRC or extension, as the
/// pipelines write them) for one viewer.

/// The transport-wide sequence number header extension
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2) in the one-byte form (RFC 8285 §4.2):
///
///     | 0xBE | 0xDE | length=1 | ID | L=1 | seq (16 bits) | 0 (pad) |
enum TransportWideSequence {
    static let blockLength = 8

    /// Inserts the extension after the fixed header; returns the new length.
    static func insert(_ sequence: UInt16, id: UInt8, into raw: UnsafeMutableRawBufferPointer, length: Int) -> Int {
        precondition(length + blockLength <= raw.count, "no room for the extension")
        let header = 12
        (raw.baseAddress! + header + blockLength).copyMemory(from: raw.baseAddress! + header, byteCount: length - header)
        raw[0] |= 0x10  // X bit
        let block: [UInt8] = [0xBE, 0xDE, 0x00, 0x01, id << 4 | 0x01, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0x00]
        for (i, byte) in block.enumerated() { raw[header + i] = byte }
        return length + blockLength
    }
}

/// An RTX packet (RFC 4588 §4): the RTX stream's payload type, SSRC and sequence number, and
/// the original sequence number (OSN) in front of the original payload.
enum RTXPacket {
    static func rewrite(_ raw: UnsafeMutableRawBufferPointer, length: Int, payloadType: UInt8, ssrc: UInt32, sequence: UInt16) -> Int {
        precondition(length + 2 <= raw.count, "no room for the OSN")
        let header = 12
        let original = (raw[2], raw[3])
        (raw.baseAddress! + header + 2).copyMemory(from: raw.baseAddress! + header, byteCount: length - header)
        raw[header] = original.0
        raw[header + 1] = original.1
        raw[1] = raw[1] & 0x80 | payloadType & 0x7F
        raw[2] = UInt8(sequence >> 8)
        raw[3] = UInt8(sequence & 0xFF)
        raw.storeBytes(of: ssrc.bigEndian, toByteOffset: 8, as: UInt32.self)
        return length + 2
    }
}
