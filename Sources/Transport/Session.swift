internal import DTLS
internal import ICE
internal import SRTP
public import STUN
public import Media
public import Feedback

/// What the agent decided for a viewer when it answered the offer.
public struct SessionSetup: Sendable {
    public var id: String
    public var localUfrag: String
    public var localPwd: String
    public var remoteUfrag: String
    public var remoteFingerprints: [(algorithm: String, digest: [UInt8])]
    /// Negotiated payload type per kind; a kind absent here is not sent.
    public var payloadTypes: [MediaBatch.Kind: UInt8]
    /// The negotiated id of the transport-wide sequence number extension, when congestion control is on.
    public var transportWideExtensionID: UInt8?
    /// Retransmission (RFC 4588): nil, plain resends (`nack` without RTX) or an RTX stream.
    public var retransmission: Retransmission?
    /// Set when Pinhole publishes to a media server (WHIP): then it runs full ICE as the
    /// controlling agent toward the server's candidates and is the DTLS client.
    public var publish: Publication?

    public struct Publication: Sendable {
        public var remotePwd: String
        public var candidates: [(address: TransportAddress, priority: UInt32)]
        public init(remotePwd: String, candidates: [(address: TransportAddress, priority: UInt32)]) {
            self.remotePwd = remotePwd
            self.candidates = candidates
        }
    }

    public enum Retransmission: Sendable, Equatable {
        case plain
        case rtx(payloadType: UInt8, ssrc: UInt32)
    }

    public init(id: String, localUfrag: String, localPwd: String, remoteUfrag: String,
                remoteFingerprints: [(algorithm: String, digest: [UInt8])], payloadTypes: [MediaBatch.Kind: UInt8],
                transportWideExtensionID: UInt8? = nil, retransmission: Retransmission? = nil, publish: Publication? = nil) {
        self.id = id
        self.localUfrag = localUfrag
        self.localPwd = localPwd
        self.remoteUfrag = remoteUfrag
        self.remoteFingerprints = remoteFingerprints
        self.payloadTypes = payloadTypes
        self.transportWideExtensionID = transportWideExtensionID
        self.retransmission = retransmission
        self.publish = publish
    }
}

/// One viewer's transport: ICE-lite, then DTLS from the validated address, then SRTP.
/// Lives on the transport loop's thread only.
final class Session {
    enum Phase: String { case checking, handshaking, connected, closed }

    let setup: SessionSetup
    let createdAt: UInt64
    var ice: ICELiteResponder
    /// The controlling agent of a publication; nil for a viewer.
    var agent: ICEControllingAgent?
    /// The ufrag checks are matched by: the answer's, or the latest ICE restart's.
    var localUfrag: String
    let dtls: DTLSEndpoint
    var phase = Phase.checking
    /// The address ICE nominated, or the first one that passed an authenticated check.
    var address: TransportAddress?
    /// Addresses that passed an authenticated check, oldest first, at most `maxValidated`.
    var validated: [TransportAddress] = []
    /// More than a browser gathers (host, reflexive and relayed, IPv4 and IPv6, per interface).
    static let maxValidated = 16
    var lastConsent: UInt64
    var connectedAt: UInt64?
    var outbound: SRTPSession?
    var inbound: SRTPSession?
    var counters: [MediaBatch.Kind: (packets: UInt32, octets: UInt32)] = [:]
    var keyframeRequests = 0
    var receiverReports = 0
    var nextReportAt: UInt64 = 0
    var estimator = BandwidthEstimator()
    var transportWideSequence: UInt16 = 0
    var rtxSequence = UInt16.random(in: 0...0x7FFF)
    /// Made on connection: a viewer that never connects costs no history.
    var history: [MediaBatch.Kind: RetransmissionStore<PacketRef>] = [:]
    var budget = RetransmissionBudget()
    var pacer = Pacer<PacketRef>()
    var quality: [MediaBatch.Kind: ReceptionQuality] = [:]
    var nacksReceived = 0
    var packetsRetransmitted = 0
    /// NACKs that asked for a packet gone from the history or over the budget: each asked the
    /// encoder for a keyframe instead.
    var unrepairableNACKs = 0
    /// Media bytes sent, sampled once a second for the bitrate in status.
    var bitrate = BitrateMeter()

    init(setup: SessionSetup, dtlsContext: DTLSContext, now: UInt64) {
        self.setup = setup
        createdAt = now
        lastConsent = now
        localUfrag = setup.localUfrag
        ice = ICELiteResponder(local: ICECredentials(ufrag: setup.localUfrag, pwd: setup.localPwd), remoteUfrag: setup.remoteUfrag)
        dtls = DTLSEndpoint(context: dtlsContext, role: setup.publish == nil ? .server : .client, remoteFingerprints: setup.remoteFingerprints)
        if let publish = setup.publish {
            var agent = ICEControllingAgent(local: ICECredentials(ufrag: setup.localUfrag, pwd: setup.localPwd),
                                            remote: ICECredentials(ufrag: setup.remoteUfrag, pwd: publish.remotePwd), tieBreaker: .random(in: 0...UInt64.max))
            for candidate in publish.candidates { agent.add(ICERemoteCandidate(address: candidate.address, priority: candidate.priority)) }
            self.agent = agent
        }
        // Paced from the first packet: the joining keyframe is the largest frame of all.
        if setup.transportWideExtensionID != nil { pacer.setEstimate(bitsPerSecond: estimator.estimate) }
    }

    /// Becomes connected once DTLS has produced SRTP keys (RFC 5764 §4.2).
    func startSRTP(_ keys: SRTPKeys, now: UInt64) throws(SRTPError) {
        outbound = try SRTPSession(profile: keys.profile, masterKey: keys.localMasterKey, direction: .outbound)
        inbound = try SRTPSession(profile: keys.profile, masterKey: keys.remoteMasterKey, direction: .inbound)
        phase = .connected
        history = [.video: .init(), .audio: .init()]
        connectedAt = now
        nextReportAt = now
    }

    /// What the log calls it.
    var noun: String { setup.publish == nil ? "viewer" : "publication" }

    /// The phase, or "disconnected" for a publication whose consent checks go unanswered.
    var stateName: String {
        if case .disconnected = agent?.state { return "disconnected" }
        return phase.rawValue
    }

    func status(now: UInt64) -> ViewerStatus {
        ViewerStatus(id: setup.id, address: address?.description, state: stateName,
                     connectedSeconds: connectedAt.map { Double(now - $0) / 1e9 },
                     packetsSent: counters.values.reduce(0) { $0 + Int($1.packets) },
                     bytesSent: counters.values.reduce(0) { $0 + Int($1.octets) },
                     keyframeRequests: keyframeRequests, receiverReports: receiverReports,
                     bitrateKbps: bitrate.kbps, estimatedKbps: usesCongestionControl ? estimator.estimate / 1_000 : nil,
                     video: quality[.video], audio: quality[.audio],
                     nacksReceived: nacksReceived, packetsRetransmitted: packetsRetransmitted,
                     unrepairableNACKs: unrepairableNACKs)
    }

    /// Whether this viewer's estimate should steer the encoder: it sends transport-wide feedback or REMB.
    var usesCongestionControl: Bool { setup.transportWideExtensionID != nil || estimator.remb != nil }
}

/// Bytes sent per second, measured over whole seconds.
struct BitrateMeter {
    private var windowStart: UInt64 = 0
    private var bytes = 0
    private(set) var kbps = 0

    mutating func add(_ count: Int, now: UInt64) {
        if windowStart == 0 { windowStart = now }
        bytes += count
        if now - windowStart >= 1_000_000_000 {
            kbps = Int(Double(bytes * 8) / (Double(now - windowStart) / 1e9) / 1_000)
            (windowStart, bytes) = (now, 0)
        }
    }
}

/// A viewer as the status API shows it.
public struct ViewerStatus: Sendable, Equatable, Codable {
    public var id: String
    public var address: String?
    public var state: String
    public var connectedSeconds: Double?
    public var packetsSent: Int
    public var bytesSent: Int
    public var keyframeRequests: Int
    public var receiverReports: Int
    public var bitrateKbps: Int
    /// The congestion controller's estimate for this viewer, when it sends feedback.
    public var estimatedKbps: Int?
    public var video: ReceptionQuality?
    public var audio: ReceptionQuality?
    public var nacksReceived: Int
    public var packetsRetransmitted: Int
    public var unrepairableNACKs: Int
}
