/// Source description (RFC 3550 §6.5): chunks of items, each chunk ended by a null item and
/// padded to a word. Every compound packet carries a CNAME, which binds a source's streams.
///
///     |V=2|P|    SC   |  PT=SDES=202  |             length            |
///     |                          SSRC/CSRC_1                          |
///     |    CNAME=1    |     length    | user and domain name        ...
public struct SourceDescription: Sendable, Equatable {
    public struct Chunk: Sendable, Equatable {
        public var ssrc: UInt32
        public var items: [Item]
        public init(ssrc: UInt32, items: [Item]) {
            self.ssrc = ssrc
            self.items = items
        }
    }

    public struct Item: Sendable, Equatable {
        public static let cname: UInt8 = 1
        public var type: UInt8
        public var value: [UInt8]
        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }

    public init(ssrc: UInt32, cname: String) {
        chunks = [Chunk(ssrc: ssrc, items: [Item(type: Item.cname, value: Array(cname.utf8.prefix(255)))])]
    }

    init(count: UInt8, reader r: inout RTCPReader) throws(RTCPError) {
        try r.require(8 * Int(count))  // a chunk is at least an SSRC and a null item, padded
        chunks = []
        for _ in 0..<count {
            let ssrc = try r.u32()
            var items: [Item] = []
            var consumed = 0
            while true {
                let type = try r.u8()
                consumed += 1
                if type == 0 { break }
                let length = Int(try r.u8())
                items.append(Item(type: type, value: try r.bytes(length)))
                consumed += 1 + length
            }
            // Skip the null padding to the next word boundary.
            _ = try r.bytes((4 - consumed % 4) % 4)
            chunks.append(Chunk(ssrc: ssrc, items: items))
        }
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: UInt8(min(31, chunks.count)), type: RTCPPacket.PacketType.sourceDescription, into: &buffer) { b in
            for chunk in chunks.prefix(31) {
                append32(chunk.ssrc, to: &b)
                var written = 0
                for item in chunk.items where item.type != 0 {
                    let value = item.value.prefix(255)
                    b += [item.type, UInt8(value.count)] + value
                    written += 2 + value.count
                }
                b.append(0)  // end of the item list
                written += 1
                b += [UInt8](repeating: 0, count: (4 - written % 4) % 4)
            }
        }
    }
}

/// Goodbye (RFC 3550 §6.6): the sources leaving, with an optional reason.
public struct Goodbye: Sendable, Equatable {
    public var ssrcs: [UInt32]
    public var reason: [UInt8]?

    public init(ssrcs: [UInt32], reason: [UInt8]? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason
    }

    init(count: UInt8, reader r: inout RTCPReader) throws(RTCPError) {
        try r.require(4 * Int(count))
        ssrcs = []
        for _ in 0..<count { ssrcs.append(try r.u32()) }
        if r.remaining > 0 {
            let length = Int(try r.u8())
            reason = try r.bytes(length)
        }
        _ = r.rest()
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: UInt8(min(31, ssrcs.count)), type: RTCPPacket.PacketType.goodbye, into: &buffer) { b in
            for ssrc in ssrcs.prefix(31) { append32(ssrc, to: &b) }
            if let reason {
                // The reason is padded with nulls to a word, not with the P bit (§6.6).
                let text = reason.prefix(255)
                b += [UInt8(text.count)] + text
                b += [UInt8](repeating: 0, count: (4 - (1 + text.count) % 4) % 4)
            }
        }
    }
}

/// Application-defined packet (RFC 3550 §6.7).
public struct ApplicationDefined: Sendable, Equatable {
    public var subtype: UInt8
    public var ssrc: UInt32
    /// Four ASCII characters.
    public var name: [UInt8]
    /// A multiple of four bytes.
    public var data: [UInt8]

    public init(subtype: UInt8, ssrc: UInt32, name: [UInt8], data: [UInt8]) {
        self.subtype = subtype
        self.ssrc = ssrc
        self.name = name
        self.data = data
    }

    init(subtype: UInt8, reader r: inout RTCPReader) throws(RTCPError) {
        self.subtype = subtype
        ssrc = try r.u32()
        name = try r.bytes(4)
        data = r.rest()
    }

    public func serialize(into buffer: inout [UInt8]) {
        writeRTCP(count: subtype, type: RTCPPacket.PacketType.application, into: &buffer) { b in
            append32(ssrc, to: &b)
            b += (name + [0x20, 0x20, 0x20, 0x20]).prefix(4)
            b += data
        }
    }
}
