public import STUN

/// Short-term ICE credentials (RFC 8445 §5.3): ufrag of at least 4 and pwd of at least 22 characters.
public struct ICECredentials: Sendable, Hashable {
    public var ufrag: String
    public var pwd: String

    public init(ufrag: String, pwd: String) {
        self.ufrag = ufrag
        self.pwd = pwd
    }

    /// Random credentials from the ice-char set (RFC 8839 §5.4), with more entropy than the minimum.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> ICECredentials {
        let chars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        func make(_ n: Int) -> String { String((0..<n).map { _ in chars.randomElement(using: &generator)! }) }
        return ICECredentials(ufrag: make(8), pwd: make(24))
    }
}

/// The responder half of an ICE-lite agent (RFC 8445 §2.5): it never sends checks, it answers
/// authenticated Binding requests from wherever they arrive and selects the pair the
/// controlling agent nominates with USE-CANDIDATE.
public struct ICELiteResponder: Sendable {
    public let local: ICECredentials
    public let remoteUfrag: String
    public private(set) var selected: TransportAddress?

    public init(local: ICECredentials, remoteUfrag: String) {
        self.local = local
        self.remoteUfrag = remoteUfrag
    }

    public enum Outcome: Equatable, Sendable {
        /// Send `response` back to the source; `nominated` when this check selected the source.
        case respond(response: [UInt8], nominated: Bool)
        /// Send this error response back; the source is not validated.
        case refuse(response: [UInt8])
        case drop(reason: DropReason)
    }

    public enum DropReason: Equatable, Sendable {
        case notBindingRequest, wrongUsername, badIntegrity, badFingerprint, roleConflict
    }

    /// The ufrag a Binding request is addressed to: USERNAME is "local:remote" (§7.2.2), so the
    /// transport can find the session before any cryptography is spent.
    public static func localUfrag(of message: STUNMessage) -> Substring? {
        guard let value = message.attribute(.username)?.value,
              let username = String(validating: value, as: UTF8.self) else { return nil }
        return username.split(separator: ":", maxSplits: 1).first
    }

    /// Answers one Binding request (RFC 8445 §7.3) received from `source`.
    public mutating func handle(_ request: STUNMessage, from source: TransportAddress) -> Outcome {
        switch ICECheck.authenticate(request, from: source, local: local, remoteUfrag: remoteUfrag) {
        case .drop(let reason): return .drop(reason: reason)
        case .refuse(let response): return .refuse(response: response)
        case .authentic(let success):
            // A lite agent is always controlled (§6.1.3.1); a peer that also claims to be is in conflict.
            guard request.attribute(.iceControlled) == nil else { return .drop(reason: .roleConflict) }
            let nominated = request.attribute(.useCandidate) != nil && selected != source
            if request.attribute(.useCandidate) != nil { selected = source }
            return .respond(response: success, nominated: nominated)
        }
    }
}
