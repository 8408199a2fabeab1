internal import COpenSSL

/// The process-wide DTLS 1.2 configuration (RFC 5764 DTLS-SRTP, RFC 8827 §6.5): our certificate,
/// peer certificates required (checked against the SDP fingerprint during the handshake),
/// and the SRTP protection profiles we offer, preferred first.
public final class DTLSContext: @unchecked Sendable {
    let ctx: OpaquePointer
    public let certificate: DTLSCertificate

    /// AEAD_AES_128_GCM (RFC 7714) first, AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2) as fallback.
    static let srtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"

    public init(certificate: DTLSCertificate) throws(DTLSError) {
        guard let ctx = SSL_CTX_new(DTLS_method()) else { throw .openSSL(call: "SSL_CTX_new", detail: lastOpenSSLError()) }
        self.ctx = ctx
        self.certificate = certificate
        guard SSL_CTX_use_certificate(ctx, certificate.x509) == 1, SSL_CTX_use_PrivateKey(ctx, certificate.key) == 1 else {
            throw .openSSL(call: "SSL_CTX_use_certificate", detail: lastOpenSSLError())
        }
        SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(DTLS1_2_VERSION), nil)
        // Returns 0 on success, unlike most of OpenSSL.
        guard SSL_CTX_set_tlsext_use_srtp(ctx, Self.srtpProfiles) == 0 else {
            throw .openSSL(call: "SSL_CTX_set_tlsext_use_srtp", detail: lastOpenSSLError())
        }
        // Self-signed peers are the norm: identity is the SDP fingerprint, checked inside the
        // handshake (DTLSEndpoint.verify) so that a wrong certificate ends it with a fatal alert.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        SSL_CTX_set_cert_verify_callback(ctx, { store, _ in DTLSEndpoint.verify(store) }, nil)
        // Every association is new (WebRTC never resumes): no session cache to grow with churn,
        // no tickets, and no renegotiation for a peer to start again and again (RFC 5746 §4.4).
        SSL_CTX_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, 0, nil)  // SSL_SESS_CACHE_OFF
        SSL_CTX_set_options(ctx, UInt64(1) << 14 | UInt64(1) << 30)  // SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION
    }

    deinit { SSL_CTX_free(ctx) }
}
