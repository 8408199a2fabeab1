internal import COpenSSL
internal import CPinholeShims

/// One DTLS association driven without sockets: datagrams in, datagrams out, and a
/// retransmission deadline (RFC 6347 §4.2.4) that the caller services. Confined to one thread.
public final class DTLSEndpoint {
    public enum Role: Sendable { case server, client }

    public enum State: Equatable, Sendable {
        case handshaking
        case connected(SRTPKeys)
        case failed(DTLSError)
        case closed
    }

    /// A link MTU that fits every path WebRTC runs over (RFC 8261 §5 uses the same order).
    static let mtu: Int32 = 1200

    public private(set) var state: State = .handshaking
    private let ssl: OpaquePointer
    private let queue = DatagramQueue()
    private let remoteFingerprints: [(algorithm: String, digest: [UInt8])]
    private let role: Role
    /// Set by `verify` when the peer's certificate is not one its SDP named.
    private var certificateRefused = false

    public init(context: DTLSContext, role: Role, remoteFingerprints: [(algorithm: String, digest: [UInt8])]) {
        ssl = SSL_new(context.ctx)!
        self.role = role
        self.remoteFingerprints = remoteFingerprints
        let bio = DatagramBIO.make(queue: queue)
        SSL_set_bio(ssl, bio, bio)
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())  // for `verify`; self outlives ssl
        SSL_set_options(ssl, UInt64(1) << 12)  // SSL_OP_NO_QUERY_MTU
        pinhole_DTLS_set_link_mtu(ssl, Int(Self.mtu))
        if role == .server { SSL_set_accept_state(ssl) } else { SSL_set_connect_state(ssl) }
    }

    deinit { SSL_free(ssl) }

    /// Starts a client handshake; returns the ClientHello flight.
    public func start() -> [[UInt8]] {
        if role == .client { advanceHandshake() }
        return drain()
    }

    /// Feeds one received datagram; returns the datagrams to send in reply.
    public func receive(_ datagram: [UInt8]) -> [[UInt8]] {
        queue.incoming = datagram
        switch state {
        case .handshaking: advanceHandshake()
        case .connected: readApplicationData()
        case .failed, .closed: queue.incoming = nil
        }
        return drain()
    }

    /// Microseconds until `handleTimeout` must run, or nil when no retransmission is pending.
    public var timeoutMicroseconds: Int64? {
        guard state == .handshaking else { return nil }
        let us = pinhole_DTLSv1_get_timeout_us(ssl)
        return us < 0 ? nil : Int64(us)
    }

    /// Retransmits the last flight when its timer has expired.
    public func handleTimeout() -> [[UInt8]] {
        if pinhole_DTLSv1_handle_timeout(ssl) < 0 { state = .failed(.handshakeFailed(detail: "retransmission limit reached")) }
        return drain()
    }

    /// Sends close_notify (RFC 5246 §7.2.1).
    public func close() -> [[UInt8]] {
        if case .connected = state { SSL_shutdown(ssl) }
        state = .closed
        return drain()
    }

    private func drain() -> [[UInt8]] {
        defer { queue.outgoing.removeAll(keepingCapacity: true) }
        return queue.outgoing
    }

    private func advanceHandshake() {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            state = finishHandshake()
            return
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: break
        default: state = .failed(certificateRefused ? .fingerprintMismatch : .handshakeFailed(detail: lastOpenSSLError()))
        }
    }

    private func readApplicationData() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let n = SSL_read(ssl, &buffer, Int32(buffer.count))
        if n <= 0, SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN { state = .closed }
    }

    /// OpenSSL's certificate check, in the handshake: the peer's certificate must match every
    /// fingerprint from its SDP that we can compute (RFC 8122 §5, RFC 8827 §6.5). A refusal ends
    /// the handshake with a fatal bad_certificate alert (RFC 5246 §7.2.2).
    static func verify(_ store: OpaquePointer?) -> Int32 {
        guard let store, let ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
              let this = SSL_get_ex_data(OpaquePointer(ssl), 0), let peer = X509_STORE_CTX_get0_cert(store) else { return 0 }
        let endpoint = Unmanaged<DTLSEndpoint>.fromOpaque(this).takeUnretainedValue()
        let checked = endpoint.remoteFingerprints.compactMap { expected in
            certificateDigest(peer, algorithm: expected.algorithm).map { $0 == expected.digest }
        }
        if !checked.isEmpty, checked.allSatisfy({ $0 }) { return 1 }
        endpoint.certificateRefused = true
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)
        return 0
    }

    /// The SRTP keys, exported once the handshake (and so `verify`) has succeeded (RFC 5764 §4.2).
    private func finishHandshake() -> State {
        guard let profile = SSL_get_selected_srtp_profile(ssl), let keys = exportKeys(profile: UInt16(profile.pointee.id)) else {
            return .failed(.noSRTPProfile)
        }
        return .connected(keys)
    }

    private func exportKeys(profile: UInt16) -> SRTPKeys? {
        guard let lengths = SRTPKeys.lengths[profile] else { return nil }
        let total = 2 * (lengths.key + lengths.salt)
        var material = [UInt8](repeating: 0, count: total)
        let label = "EXTRACTOR-dtls_srtp"
        guard SSL_export_keying_material(ssl, &material, total, label, label.utf8.count, nil, 0, 0) == 1 else { return nil }
        return SRTPKeys(profile: profile, material: material, isServer: role == .server)
    }
}

/// SRTP master keys from the DTLS exporter, laid out as RFC 5764 §4.2 says:
/// client key, server key, client salt, server salt.
public struct SRTPKeys: Equatable, Sendable {
    /// IANA DTLS-SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2).
    public var profile: UInt16
    /// Key then salt, for what we send.
    public var localMasterKey: [UInt8]
    /// Key then salt, for what the peer sends.
    public var remoteMasterKey: [UInt8]

    static let lengths: [UInt16: (key: Int, salt: Int)] = [0x0001: (16, 14), 0x0007: (16, 12)]

    init(profile: UInt16, material m: [UInt8], isServer: Bool) {
        let (k, s) = Self.lengths[profile]!
        let client = Array(m[0..<k] + m[2 * k..<2 * k + s])
        let server = Array(m[k..<2 * k] + m[2 * k + s..<2 * k + 2 * s])
        self.profile = profile
        localMasterKey = isServer ? server : client
        remoteMasterKey = isServer ? client : server
    }
}
