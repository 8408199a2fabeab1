internal import CSRTP

/// One direction of SRTP/SRTCP (RFC 3711) under one master key, backed by libsrtp2.
/// Outbound sessions protect, inbound sessions unprotect; each has one owner thread.
public final class SRTPSession {
    public enum Direction: Sendable { case outbound, inbound }

    /// Bytes a protected packet may grow by; buffers handed to `protect` need this much room
    /// (SRTCP adds a 4-byte index to SRTP's trailer).
    public static let maxTrailer = Int(SRTP_MAX_TRAILER_LEN) + 4

    private var session: srtp_t?

    /// `profile` is the IANA DTLS-SRTP id; `masterKey` is key then salt, as DTLS exports it.
    public init(profile: UInt16, masterKey: [UInt8], direction: Direction) throws(SRTPError) {
        try SRTPLibrary.initializeOnce()
        var policy = srtp_policy_t()
        switch profile {
        case 0x0001:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtp_default(&policy.rtcp)
        case 0x0007:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        default:
            throw .unsupportedProfile(profile)
        }
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 1024
        // Retransmissions (NACK) resend a packet under the same sequence number.
        policy.allow_repeat_tx = 1
        var key = masterKey
        let status = key.withUnsafeMutableBufferPointer { buffer in
            policy.key = buffer.baseAddress
            return srtp_create(&session, &policy)
        }
        guard status == srtp_err_status_ok else { throw .libsrtp(call: "srtp_create", status: Int(status.rawValue)) }
    }

    deinit { if let session { srtp_dealloc(session) } }

    /// Protects the RTP packet in `buffer[0..<length]` in place; returns the new length.
    /// `buffer` must have `maxTrailer` bytes to spare after `length`.
    public func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(buffer, length: length, room: Self.maxTrailer, call: "srtp_protect", srtp_protect)
    }

    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(buffer, length: length, room: Self.maxTrailer, call: "srtp_protect_rtcp", srtp_protect_rtcp)
    }

    public func unprotectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(buffer, length: length, room: 0, call: "srtp_unprotect", srtp_unprotect)
    }

    public func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(buffer, length: length, room: 0, call: "srtp_unprotect_rtcp", srtp_unprotect_rtcp)
    }

    private func transform(_ buffer: UnsafeMutableRawBufferPointer, length: Int, room: Int, call: String,
                           _ function: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t)
        throws(SRTPError) -> Int {
        precondition(length + room <= buffer.count, "SRTP buffer without room for the trailer")
        var newLength = Int32(length)
        let status = function(session, buffer.baseAddress, &newLength)
        guard status == srtp_err_status_ok else { throw .libsrtp(call: call, status: Int(status.rawValue)) }
        return Int(newLength)
    }
}

public enum SRTPError: Error, Equatable, Sendable {
    case unsupportedProfile(UInt16)
    /// `status` is libsrtp's srtp_err_status_t (e.g. 7 auth_fail, 9 replay_fail).
    case libsrtp(call: String, status: Int)
}

/// srtp_init must run once per process before any session is made. Debian's libsrtp2 uses NSS,
/// which loads its crypto modules (libsoftokn3, libfreeblpriv3) with dlopen: when they are
/// missing, srtp_init fails and every session is refused with this error rather than a crash.
enum SRTPLibrary {
    private static let status: srtp_err_status_t = srtp_init()
    static func initializeOnce() throws(SRTPError) {
        guard status == srtp_err_status_ok else { throw .libsrtp(call: "srtp_init", status: Int(status.rawValue)) }
    }
}
