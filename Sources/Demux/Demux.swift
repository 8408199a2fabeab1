/// What arrived on the one UDP port, told apart by its first byte (RFC 7983 §7):
///
///                      +----------------+
///                      |        [0..3] -+--> STUN
///                      |      [16..19] -+--> ZRTP
///          packet -->  |      [20..63] -+--> DTLS
///                      |      [64..79] -+--> TURN channel
///                      |    [128..191] -+--> RTP/RTCP
///                      +----------------+
///
/// RTP and RTCP sharing the port are told apart by the second byte: 192–223 is RTCP (RFC 5761 §4).
public enum DatagramKind: Sendable, Equatable {
    case stun, zrtp, dtls, turnChannel, rtp, rtcp
    /// Anything else, and datagrams too short for their kind: dropped.
    case unknown

    public init(classifying bytes: some Collection<UInt8>) {
        guard let first = bytes.first else { self = .unknown; return }
        switch first {
        case 0...3: self = bytes.count >= 20 ? .stun : .unknown
        case 16...19: self = .zrtp
        case 20...63: self = bytes.count >= 13 ? .dtls : .unknown  // a DTLS record header is 13 bytes
        case 64...79: self = bytes.count >= 4 ? .turnChannel : .unknown
        case 128...191:
            let second = bytes.dropFirst().first ?? 0
            if (192...223).contains(second) { self = bytes.count >= 8 ? .rtcp : .unknown } else { self = bytes.count >= 12 ? .rtp : .unknown }
        default: self = .unknown
        }
    }
}
