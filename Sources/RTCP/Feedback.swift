/// The common part of feedback messages (RFC 4585 §6.1):
///
///     |V=2|P|   FMT   |       PT      |          length               |
///     |                  SSRC of packet sender                        |
///     |                  SSRC of media source                         |
///     :            Feedback Control Information (FCI)                 :

/// Generic NACK (RFC 4585 §6.2.1): each FCI entry names a lost packet (PID) and a bitmask of
/// the 16 packets after it (BLP).
public struct GenericNACK: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var packetID: UInt16
        public var bitmask: UInt16
        public init(packetID: UInt16, bitmask: UInt16) {
            self.packetID = packetID
            self.bitmask = bitmask
        }
    }

    public var sender: UInt32
    public var mediaSource: UInt32
    public var entries: [Entry]

    public init(sender: UInt32, mediaSource: UInt32, entries: [Entry]) {
        self.sender = sender
        self.mediaSource = mediaSource
        self.entries = entries
    }

    /// Every sequence number the NACK asks for, in order.
    public var lostSequenceNumbers: [UInt16] {
        var lost: [UInt16] = []
        for entry in entries {
            lost.append(entry.packetID)
            for bit in 0..<16 where entry.bitmask & (1 << bit) != 0 { lost.append(entry.packetID &+ UInt16(bit + 1)) }
        }
        return lost
    }

    init(reader r: inout RTCPReader) throws(RTCPError) {
        sender = try r.u32()
        mediaSource = try r.u32()
        guard r.remaining % 4 == 0 else { throw r.malformed("NACK FCI is not whole entries") }
        entries = []
        while r.remaining >= 4 { entries.append(Entry(packetID: try r.u16(), bitmask: try r.u16())) }
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: 1, type: RTCPPacket.PacketType.transportFeedback, into: &buffer) { b in
            append32(sender, to: &b)
            append32(mediaSource, to: &b)
            for entry in entries {
                append16(entry.packetID, to: &b)
                append16(entry.bitmask, to: &b)
            }
        }
    }
}

/// Picture Loss Indication (RFC 4585 §6.3.1): no FCI.
public struct PictureLossIndication: Sendable, Equatable {
    public var sender: UInt32
    public var mediaSource: UInt32

    public init(sender: UInt32, mediaSource: UInt32) {
        self.sender = sender
        self.mediaSource = mediaSource
    }

    init(reader r: inout RTCPReader) throws(RTCPError) {
        sender = try r.u32()
        mediaSource = try r.u32()
        _ = r.rest()
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: 1, type: RTCPPacket.PacketType.payloadFeedback, into: &buffer) { b in
            append32(sender, to: &b)
            append32(mediaSource, to: &b)
        }
    }
}

/// Full Intra Request (RFC 5104 §4.3.1): FCI entries of SSRC, command sequence number, reserved.
public struct FullIntraRequest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var ssrc: UInt32
        public var sequenceNumber: UInt8
        public init(ssrc: UInt32, sequenceNumber: UInt8) {
            self.ssrc = ssrc
            self.sequenceNumber = sequenceNumber
        }
    }

    public var sender: UInt32
    public var mediaSource: UInt32
    public var entries: [Entry]

    public init(sender: UInt32, mediaSource: UInt32 = 0, entries: [Entry]) {
        self.sender = sender
        self.mediaSource = mediaSource
        self.entries = entries
    }

    init(reader r: inout RTCPReader) throws(RTCPError) {
        sender = try r.u32()
        mediaSource = try r.u32()
        guard r.remaining % 8 == 0 else { throw r.malformed("FIR FCI is not whole 8-byte entries") }
        entries = []
        while r.remaining >= 8 {
            let ssrc = try r.u32(), sequence = try r.u8()
            _ = try r.bytes(3)
            entries.append(Entry(ssrc: ssrc, sequenceNumber: sequence))
        }
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: 4, type: RTCPPacket.PacketType.payloadFeedback, into: &buffer) { b in
            append32(sender, to: &b)
            append32(mediaSource, to: &b)
            for entry in entries {
                append32(entry.ssrc, to: &b)
                b += [entry.sequenceNumber, 0, 0, 0]
            }
        }
    }
}

/// Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2), an application
/// layer feedback message (PSFB FMT 15) marked by the four bytes "REMB":
///
///     |  Unique identifier 'R' 'E' 'M' 'B'                            |
///     |  Num SSRC     | BR Exp    |  BR Mantissa                      |
///     |   SSRC feedback                                               |
public struct ReceiverEstimatedMaximumBitrate: Sendable, Equatable {
    public var sender: UInt32
    /// Bits per second: an 18-bit mantissa times 2^exp on the wire.
    public var bitrate: UInt64
    public var ssrcs: [UInt32]

    public init(sender: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        self.sender = sender
        self.bitrate = bitrate
        self.ssrcs = ssrcs
    }

    static let identifier: [UInt8] = Array("REMB".utf8)

    static func matches(_ body: [UInt8]) -> Bool { body.count >= 12 && Array(body[8..<12]) == identifier }

    init(reader r: inout RTCPReader) throws(RTCPError) {
        sender = try r.u32()
        _ = try r.u32()  // media source, always 0
        _ = try r.bytes(4)
        let count = Int(try r.u8())
        let packed = try r.u24()
        try r.require(4 * count)
        let exponent = packed >> 18, mantissa = UInt64(packed & 0x3_FFFF)
        // An exponent this large overflows 64 bits: such an estimate means "no limit".
        bitrate = exponent > 45 ? UInt64.max : mantissa << exponent
        ssrcs = []
        for _ in 0..<count { ssrcs.append(try r.u32()) }
        _ = r.rest()
    }

    public func serialize(into buffer: inout [UInt8]) {
        var exponent: UInt64 = 0
        while bitrate >> exponent > 0x3_FFFF { exponent += 1 }
        let mantissa = UInt32(bitrate >> exponent)
        writeRTCP(count: 15, type: RTCPPacket.PacketType.payloadFeedback, into: &buffer) { b in
            append32(sender, to: &b)
            append32(0, to: &b)
            b += Self.identifier
            b += [UInt8(min(255, ssrcs.count)), UInt8(exponent << 2) | UInt8(mantissa >> 16), UInt8(mantissa >> 8 & 0xFF), UInt8(mantissa & 0xFF)]
            for ssrc in ssrcs.prefix(255) { append32(ssrc, to: &b) }
        }
    }
}
