public import STUN

/// The two ends of a connectivity check (RFC 8445 §7.1.2, §7.3), shared by the ICE-lite responder
/// and the full controlling agent.
public enum ICECheck {
    public enum Verdict: Equatable, Sendable {
        /// Authentic: answer it with `success` (XOR-MAPPED-ADDRESS, integrity, fingerprint).
        case authentic(success: [UInt8])
        /// Send this error response back; the source is not validated.
        case refuse(response: [UInt8])
        case drop(reason: ICELiteResponder.DropReason)
    }

    /// Checks a Binding request addressed to `local` by the peer `remoteUfrag` (USERNAME is
    /// "local:remote", §7.2.2), signed with the local pwd; unknown comprehension-required
    /// attributes are answered with 420 (RFC 8489 §6.3.1.1).
    public static func authenticate(_ request: STUNMessage, from source: TransportAddress, local: ICECredentials, remoteUfrag: String) -> Verdict {
        guard request.messageClass == .request, request.method == .binding else { return .drop(reason: .notBindingRequest) }
        guard let value = request.attribute(.username)?.value,
              String(validating: value, as: UTF8.self) == "\(local.ufrag):\(remoteUfrag)" else {
            return .drop(reason: .wrongUsername)
        }
        guard request.hasValidFingerprint else { return .drop(reason: .badFingerprint) }
        let key = Array(local.pwd.utf8)
        // RFC 8489 §14.6: MESSAGE-INTEGRITY-SHA256 is checked when present, else MESSAGE-INTEGRITY.
        let authentic = request.attribute(.messageIntegritySHA256) != nil
            ? request.hasValidIntegritySHA256(key: key) : request.hasValidIntegrity(key: key)
        guard authentic else { return .drop(reason: .badIntegrity) }
        let unknown = request.unknownComprehensionRequired
        if !unknown.isEmpty {
            var builder = STUNMessageBuilder(class: .errorResponse, method: .binding, transactionID: request.transactionID)
            builder.appendErrorCode(420, reason: "Unknown Attribute")
            builder.appendUnknownAttributes(unknown)
            return .refuse(response: builder.finish(integrityKey: key))
        }
        var builder = STUNMessageBuilder(class: .successResponse, method: .binding, transactionID: request.transactionID)
        builder.appendXORMappedAddress(source)
        return .authentic(success: builder.finish(integrityKey: key))
    }

    /// A role conflict answer (§7.3.1.1): 487, signed.
    public static func roleConflict(_ request: STUNMessage, local: ICECredentials) -> [UInt8] {
        var builder = STUNMessageBuilder(class: .errorResponse, method: .binding, transactionID: request.transactionID)
        builder.appendErrorCode(487, reason: "Role Conflict")
        return builder.finish(integrityKey: Array(local.pwd.utf8))
    }

    /// A check from the controlling agent (§7.1.2): USERNAME "remote:local", PRIORITY of the
    /// peer-reflexive candidate it may discover, ICE-CONTROLLING with the tie-breaker, and
    /// USE-CANDIDATE when it nominates; signed with the remote pwd.
    public static func request(transactionID: [UInt8], local: ICECredentials, remote: ICECredentials, priority: UInt32,
                               tieBreaker: UInt64, nominate: Bool) -> [UInt8] {
        var builder = STUNMessageBuilder(class: .request, method: .binding, transactionID: transactionID)
        builder.append(.username, Array("\(remote.ufrag):\(local.ufrag)".utf8))
        builder.append(.priority, bigEndian: priority)
        builder.append(.iceControlling, bigEndian: tieBreaker)
        if nominate { builder.append(.useCandidate, []) }
        return builder.finish(integrityKey: Array(remote.pwd.utf8))
    }
}
