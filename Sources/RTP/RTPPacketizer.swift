/// Turns payloads into RTP packets for one stream: one SSRC, consecutive sequence numbers,
/// the marker bit on the last packet of a frame (RFC 3550 §5.1; RFC 7741 §4.1; RFC 7587 §4.1).
public struct RTPPacketizer: Sendable {
    public let ssrc: SSRC
    public let payloadType: UInt8
    public private(set) var sequenceNumber: SequenceNumber

    public init(ssrc: SSRC, payloadType: UInt8, firstSequenceNumber: SequenceNumber) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.sequenceNumber = firstSequenceNumber
    }

    public mutating func packets(payloads: [[UInt8]], timestamp: UInt32) -> [RTPPacket] {
        payloads.enumerated().map { index, payload in
            let header = RTPHeader(marker: index == payloads.count - 1, payloadType: payloadType,
                                   sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc)
            sequenceNumber = sequenceNumber.next()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(header.length + payload.count)
            header.serialize(into: &bytes)
            bytes += payload
            return RTPPacket(bytes: bytes, payloadOffset: header.length)
        }
    }
}

/// One serialized RTP packet, shared by every viewer; only SRTP and the payload type differ per viewer.
public struct RTPPacket: Sendable, Equatable {
    public var bytes: [UInt8]
    public var payloadOffset: Int

    public init(bytes: [UInt8], payloadOffset: Int) {
        self.bytes = bytes
        self.payloadOffset = payloadOffset
    }

    public var header: RTPHeader? { try? RTPHeader.parse(bytes).header }
    public var payload: ArraySlice<UInt8> { bytes[payloadOffset...] }
}
