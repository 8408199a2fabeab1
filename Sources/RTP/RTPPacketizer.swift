/// Numbers the RTP packets of one stream: one SSRC, consecutive sequence numbers, the marker
/// bit on the last packet of a frame (RFC 3550 §5.1; RFC 7741 §4.1; RFC 7587 §4.1 for Opus,
/// one frame per packet). Packets are written straight into the caller's buffer.
public struct RTPPacketizer: Sendable {
    public let ssrc: SSRC
    public let payloadType: UInt8
    public private(set) var sequenceNumber: SequenceNumber

    public init(ssrc: SSRC, payloadType: UInt8, firstSequenceNumber: SequenceNumber) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.sequenceNumber = firstSequenceNumber
    }

    /// Writes the 12-byte header, then lets `payload` fill the rest; returns the packet length.
    public mutating func write(into buffer: UnsafeMutableRawBufferPointer, marker: Bool, timestamp: UInt32,
                               payload: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        precondition(buffer.count > RTPHeader.fixedLength, "no room for an RTP header")
        let fields: [UInt32] = [
            0x8000_0000 | (marker ? 0x80_0000 : 0) | UInt32(payloadType & 0x7F) << 16 | UInt32(sequenceNumber.rawValue),
            timestamp, ssrc.rawValue,
        ]
        for (i, field) in fields.enumerated() { buffer.storeBytes(of: field.bigEndian, toByteOffset: 4 * i, as: UInt32.self) }
        sequenceNumber = sequenceNumber.next()
        return RTPHeader.fixedLength + payload(UnsafeMutableRawBufferPointer(rebasing: buffer[RTPHeader.fixedLength...]))
    }
}
