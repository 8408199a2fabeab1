/// An SDES packet with one chunk carrying the CNAME (RFC 3550 §6.5), which every compound
/// RTCP packet must include so the receiver can bind audio and video of one source together.
///
///     |V=2|P|    SC   |  PT=SDES=202  |             length            |
///     |                          SSRC/CSRC_1                          |
///     |    CNAME=1    |     length    | user and domain name        ...
public struct SourceDescription: Sendable, Equatable {
    public var ssrc: UInt32
    public var cname: String

    public init(ssrc: UInt32, cname: String) {
        self.ssrc = ssrc
        self.cname = cname
    }

    public func serialize(into buffer: inout [UInt8]) {
        let name = Array(cname.utf8.prefix(255))
        // SSRC + CNAME item + END item, padded to a 32-bit boundary.
        let itemBytes = 2 + name.count + 1
        let chunkBytes = 4 + (itemBytes + 3) & ~3
        buffer += [0x81, 202, 0, UInt8(chunkBytes / 4)]
        append32(ssrc, to: &buffer)
        buffer += [1, UInt8(name.count)] + name
        buffer += [UInt8](repeating: 0, count: chunkBytes - 4 - itemBytes + 1)
    }
}
