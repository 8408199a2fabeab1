public import STUN

/// A candidate of the peer's (RFC 8445 §5.1): where to send checks, and its priority.
public struct ICERemoteCandidate: Sendable, Equatable {
    public var address: TransportAddress
    public var priority: UInt32

    public init(address: TransportAddress, priority: UInt32) {
        self.address = address
        self.priority = priority
    }
}

/// A full ICE agent in the controlling role (RFC 8445 §6.1.1: the offerer), the one Pinhole is
/// when it publishes to a media server. It owns one socket, so every candidate pair has the same
/// local base (§6.1.2.4 prunes pairs to their bases) and the check list is the peer's candidates
/// ordered by pair priority. It checks them paced at Ta, nominates the first pair that works
/// (regular nomination, §8.1.1), then keeps consent (RFC 7675). No I/O; time is injected.
public struct ICEControllingAgent: Sendable {
    public enum State: Equatable, Sendable {
        case checking
        case connected(TransportAddress)
        /// No consent response for `livenessTimeout`: the path may be gone.
        case disconnected(TransportAddress)
        /// Every pair failed, or consent expired (RFC 7675 §5.1).
        case failed
    }

    /// Ta (§14.2), the initial retransmission timeout (§14.3) and the transmissions per check.
    static let pacing: UInt64 = 50_000_000
    static let initialRTO: UInt64 = 500_000_000
    static let maxTransmissions = 5
    /// Consent checks every 4 to 6 s (RFC 7675 §5.1), expiring after 30 s without a response.
    static let consentInterval: UInt64 = 5_000_000_000
    public static let consentTimeout: UInt64 = 30_000_000_000
    public static let livenessTimeout: UInt64 = 6_000_000_000

    struct Check: Sendable {
        var transaction: [UInt8]
        var sentAt: UInt64
        var transmissions: Int
        var nominate: Bool
    }

    struct Pair: Sendable {
        enum State: Sendable { case waiting, inProgress, succeeded, failed }
        var remote: ICERemoteCandidate
        var state = State.waiting
        var check: Check?
    }

    public let local: ICECredentials
    public let remote: ICECredentials
    let tieBreaker: UInt64
    /// PRIORITY in our checks: what a peer-reflexive candidate of ours would have (§7.1.1).
    let localPriority: UInt32
    private(set) var pairs: [Pair] = []
    public private(set) var state = State.checking
    /// Pairs (by the peer's address) to check before the ordered list (§7.3.1.4), and the one nominated.
    private var triggered: [TransportAddress] = []
    private var nominating: TransportAddress?
    private var nextCheckAt: UInt64 = 0
    private var consent: Check?
    private var lastConsent: UInt64 = 0
    private var nextConsentAt: UInt64 = 0

    public init(local: ICECredentials, remote: ICECredentials, tieBreaker: UInt64, localPriority: UInt32 = 110 << 24 | 65_535 << 8 | 255) {
        self.local = local
        self.remote = remote
        self.tieBreaker = tieBreaker
        self.localPriority = localPriority
    }

    /// The selected address while connected or disconnected.
    public var selected: TransportAddress? {
        switch state {
        case .connected(let address), .disconnected(let address): address
        case .checking, .failed: nil
        }
    }

    /// Adds a candidate from the answer or a trickled fragment; duplicates are ignored.
    public mutating func add(_ candidate: ICERemoteCandidate) {
        guard !pairs.contains(where: { $0.remote.address == candidate.address }) else { return }
        let rank = { [localPriority] (pair: Pair) in Self.pairPriority(local: localPriority, remote: pair.remote.priority) }
        pairs.append(Pair(remote: candidate))
        pairs.sort { rank($0) > rank($1) }
    }

    /// §6.1.2.3, with us controlling: G is our priority, D the peer's.
    static func pairPriority(local: UInt32, remote: UInt32) -> UInt64 {
        let g = UInt64(local), d = UInt64(remote)
        return (1 << 32) * min(g, d) + 2 * max(g, d) + (g > d ? 1 : 0)
    }
}

extension ICEControllingAgent {
    /// Datagrams due now: retransmissions, the next paced check, a consent check.
    public mutating func poll(now: UInt64) -> [(datagram: [UInt8], to: TransportAddress)] {
        var out: [(datagram: [UInt8], to: TransportAddress)] = []
        for index in pairs.indices { if let datagram = retransmit(index, now: now) { out.append((datagram, pairs[index].remote.address)) } }
        if state == .checking, now >= nextCheckAt, let index = nextToCheck() {
            out.append((start(index, nominate: pairs[index].remote.address == nominating, now: now), pairs[index].remote.address))
            nextCheckAt = now + Self.pacing
        }
        if state == .checking, !pairs.isEmpty, pairs.allSatisfy({ $0.state == .failed }) { state = .failed }
        if let consentCheck = keepConsent(now: now) { out.append(consentCheck) }
        return out
    }

    /// Handles a response to one of our checks; false when it answers none of them.
    public mutating func handleResponse(_ message: STUNMessage, from source: TransportAddress, now: UInt64) -> Bool {
        guard message.messageClass == .successResponse || message.messageClass == .errorResponse,
              message.hasValidIntegrity(key: Array(remote.pwd.utf8)) else { return false }
        if let consent, consent.transaction == message.transactionID {
            self.consent = nil
            if message.messageClass == .successResponse, let address = selected, source == address {
                lastConsent = now
                state = .connected(address)
            }
            return true
        }
        guard let index = pairs.firstIndex(where: { $0.check?.transaction == message.transactionID }) else { return false }
        let check = pairs[index].check!
        pairs[index].check = nil
        // §7.2.5.2.1: the response must come from where the check went.
        guard message.messageClass == .successResponse, source == pairs[index].remote.address else {
            pairs[index].state = .failed
            return true
        }
        pairs[index].state = .succeeded
        if check.nominate {
            state = .connected(source)
            lastConsent = now
            nextConsentAt = now + Self.consentInterval
        } else if nominating == nil {
            nominating = source  // the first pair that works is the one nominated
            triggered.insert(source, at: 0)
            pairs[index].state = .waiting
        }
        return true
    }

    /// Answers the peer's check (a full peer checks too, §7.3); an address not yet known becomes a
    /// peer-reflexive candidate and is checked at once (§7.3.1.3, §7.3.1.4).
    public mutating func handleRequest(_ request: STUNMessage, from source: TransportAddress) -> [UInt8]? {
        switch ICECheck.authenticate(request, from: source, local: local, remoteUfrag: remote.ufrag) {
        case .drop: return nil
        case .refuse(let response): return response
        case .authentic(let success):
            // The offerer controls (§6.1.1); a peer that also claims to is told so (§7.3.1.1).
            guard request.attribute(.iceControlling) == nil else { return ICECheck.roleConflict(request, local: local) }
            let priority = request.attribute(.priority).map { $0.value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } } ?? 0
            add(ICERemoteCandidate(address: source, priority: priority))
            if state == .checking, let index = pairs.firstIndex(where: { $0.remote.address == source }),
               pairs[index].state == .waiting || pairs[index].state == .failed, !triggered.contains(source) {
                pairs[index].state = .waiting
                triggered.append(source)
            }
            return success
        }
    }

    private mutating func nextToCheck() -> Int? {
        while !triggered.isEmpty {
            let address = triggered.removeFirst()
            if let index = pairs.firstIndex(where: { $0.remote.address == address && $0.state == .waiting }) { return index }
        }
        return nominating == nil ? pairs.firstIndex { $0.state == .waiting } : nil
    }

    private mutating func start(_ index: Int, nominate: Bool, now: UInt64) -> [UInt8] {
        let transaction = STUNMessage.randomTransactionID()
        pairs[index].state = .inProgress
        pairs[index].check = Check(transaction: transaction, sentAt: now, transmissions: 1, nominate: nominate)
        return request(transaction, nominate: nominate)
    }

    /// Resends a check whose timer ran out (RTO doubling, §14.3); fails it after the last one.
    private mutating func retransmit(_ index: Int, now: UInt64) -> [UInt8]? {
        guard var check = pairs[index].check, now >= check.sentAt + Self.initialRTO << UInt64(check.transmissions - 1) else { return nil }
        guard check.transmissions < Self.maxTransmissions else {
            pairs[index].check = nil
            pairs[index].state = .failed
            if nominating == pairs[index].remote.address { nominating = nil }
            return nil
        }
        check.transmissions += 1
        check.sentAt = now
        pairs[index].check = check
        return request(check.transaction, nominate: check.nominate)
    }

    /// RFC 7675: a check on the selected pair every 5 s; liveness and consent judged by the responses.
    private mutating func keepConsent(now: UInt64) -> (datagram: [UInt8], to: TransportAddress)? {
        guard let address = selected else { return nil }
        if now > lastConsent + Self.consentTimeout {
            state = .failed
            return nil
        }
        if now > lastConsent + Self.livenessTimeout { state = .disconnected(address) }
        guard now >= nextConsentAt else { return nil }
        nextConsentAt = now + Self.consentInterval
        let transaction = STUNMessage.randomTransactionID()
        consent = Check(transaction: transaction, sentAt: now, transmissions: 1, nominate: false)
        return (request(transaction, nominate: false), address)
    }

    private func request(_ transaction: [UInt8], nominate: Bool) -> [UInt8] {
        ICECheck.request(transactionID: transaction, local: local, remote: remote, priority: localPriority, tieBreaker: tieBreaker, nominate: nominate)
    }
}
