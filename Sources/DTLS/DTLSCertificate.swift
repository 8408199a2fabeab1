internal import COpenSSL
internal import CPinholeShims

/// A self-signed ECDSA P-256 certificate made at start (RFC 8827 §6.5: WebRTC endpoints
/// authenticate by certificate fingerprint, not by a CA). Immutable once made.
public final class DTLSCertificate: @unchecked Sendable {
    let key: OpaquePointer
    let x509: OpaquePointer
    /// SHA-256 digest of the DER certificate, for `a=fingerprint:sha-256`.
    public let sha256Fingerprint: [UInt8]

    public init(commonName: String = "pinhole", validDays: Int = 30) throws(DTLSError) {
        guard let key = pinhole_EVP_EC_gen("P-256") else { throw .openSSL(call: "EVP_EC_gen", detail: lastOpenSSLError()) }
        guard let x509 = X509_new() else {
            EVP_PKEY_free(key)
            throw .openSSL(call: "X509_new", detail: lastOpenSSLError())
        }
        self.key = key
        self.x509 = x509
        X509_set_version(x509, 2)
        ASN1_INTEGER_set(X509_get_serialNumber(x509), Int.random(in: 1...Int(Int32.max)))
        X509_gmtime_adj(X509_getm_notBefore(x509), -86_400)
        X509_gmtime_adj(X509_getm_notAfter(x509), validDays * 86_400)
        X509_set_pubkey(x509, key)
        let name = X509_get_subject_name(x509)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0)
        X509_set_issuer_name(x509, name)
        guard X509_sign(x509, key, EVP_sha256()) > 0 else { throw .openSSL(call: "X509_sign", detail: lastOpenSSLError()) }
        guard let digest = certificateDigest(x509, algorithm: "sha-256") else {
            throw .openSSL(call: "X509_digest", detail: lastOpenSSLError())
        }
        sha256Fingerprint = digest
    }

    deinit {
        X509_free(x509)
        EVP_PKEY_free(key)
    }
}

/// The digest of a certificate by its SDP hash name (RFC 8122 §5), nil for unknown names.
func certificateDigest(_ x509: OpaquePointer, algorithm: String) -> [UInt8]? {
    let md: OpaquePointer?
    switch algorithm {
    case "sha-1": md = EVP_sha1()
    case "sha-224": md = EVP_sha224()
    case "sha-256": md = EVP_sha256()
    case "sha-384": md = EVP_sha384()
    case "sha-512": md = EVP_sha512()
    default: return nil
    }
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard X509_digest(x509, md, &digest, &length) == 1 else { return nil }
    return Array(digest.prefix(Int(length)))
}

/// The oldest queued OpenSSL error as text, clearing the queue.
func lastOpenSSLError() -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0 else { return "no OpenSSL error queued" }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

public enum DTLSError: Error, Equatable, Sendable {
    case openSSL(call: String, detail: String)
    case handshakeFailed(detail: String)
    case fingerprintMismatch
    case noSRTPProfile
}
