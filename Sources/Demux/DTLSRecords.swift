/// The DTLS record layer checked before OpenSSL sees a datagram (RFC 6347 §4.1): a datagram
/// may carry several records, and each must be whole and plausible. OpenSSL ends a handshake on
/// some malformed plaintext records (a change_cipher_spec that is not the single byte 1, say),
/// so anyone able to send from a viewer's address could kill its handshake with one datagram;
/// RFC 6347 §4.1.2.7 lets invalid records be silently discarded, and here they are.
public enum DTLSRecords {
    /// RFC 6347 §4.1: type, version, epoch, sequence number, length.
    static let headerLength = 13
    /// RFC 6347 §4.1: a fragment is at most 2^14 bytes, plus 2,048 of protection.
    static let maxLength = (1 << 14) + 2_048

    /// The datagram with only its well-formed records, or nil when none is left.
    public static func wellFormed(_ datagram: [UInt8]) -> [UInt8]? {
        var kept: [UInt8] = []
        var offset = 0
        while datagram.count - offset >= headerLength {
            let length = Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12])
            let end = offset + headerLength + length
            guard end <= datagram.count else { break }  // the rest cannot be framed
            if isPlausible(datagram[offset..<end]) {
                if end - offset == datagram.count { return datagram }
                kept += datagram[offset..<end]
            }
            offset = end
        }
        return kept.isEmpty ? nil : kept
    }

    /// One framed record: a content type TLS 1.2 has (RFC 5246 §6.2.1), DTLS 1.0 or 1.2, a length
    /// in range, and for unprotected records (epoch 0) the length their content type fixes.
    static func isPlausible(_ record: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(record)
        let type = bytes[0], epoch = Int(bytes[3]) << 8 | Int(bytes[4])
        let length = bytes.count - headerLength
        guard (20...23).contains(type), bytes[1] == 0xFE, bytes[2] == 0xFD || bytes[2] == 0xFF,
              (1...maxLength).contains(length) else { return false }
        switch (type, epoch) {
        case (20, _): return length == 1 && bytes[headerLength] == 1  // change_cipher_spec (RFC 5246 §7.1)
        case (21, 0): return length == 2  // alert: level, description (RFC 5246 §7.2)
        case (22, 0): return framesHandshake(bytes[headerLength...])
        case (23, 0): return false  // application data is never unprotected
        default: return true  // protected: only the keys can tell
        }
    }

    /// Unprotected handshake messages, one or more to a record, each a header (RFC 6347 §4.2.2:
    /// type, length, message_seq, fragment_offset, fragment_length) whose fragment lies within
    /// its message and exactly fills its place in the record.
    static func framesHandshake(_ fragment: ArraySlice<UInt8>) -> Bool {
        var offset = fragment.startIndex
        while offset < fragment.endIndex {
            guard fragment.endIndex - offset >= 12 else { return false }
            let field = { (at: Int) in Int(fragment[offset + at]) << 16 | Int(fragment[offset + at + 1]) << 8 | Int(fragment[offset + at + 2]) }
            let (messageLength, fragmentOffset, fragmentLength) = (field(1), field(6), field(9))
            guard fragmentOffset + fragmentLength <= messageLength, offset + 12 + fragmentLength <= fragment.endIndex else { return false }
            offset += 12 + fragmentLength
        }
        return true
    }
}
