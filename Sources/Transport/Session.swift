internal import DTLS
internal import ICE
internal import SRTP
internal import STUN
public import Media

/// What the agent decided for a viewer when it answered the offer.
public struct SessionSetup: Sendable {
    public var id: String
    public var localUfrag: String
    public var localPwd: String
    public var remoteUfrag: String
    public var remoteFingerprints: [(algorithm: String, digest: [UInt8])]
    /// Negotiated payload type per kind; a kind absent here is not sent.
    public var payloadTypes: [MediaBatch.Kind: UInt8]

    public init(id: String, localUfrag: String, localPwd: String, remoteUfrag: String,
                remoteFingerprints: [(algorithm: String, digest: [UInt8])], payloadTypes: [MediaBatch.Kind: UInt8]) {
        self.id = id
        self.localUfrag = localUfrag
        self.localPwd = localPwd
        self.remoteUfrag = remoteUfrag
        self.remoteFingerprints = remoteFingerprints
        self.payloadTypes = payloadTypes
    }
}

/// One viewer's transport: ICE-lite, then DTLS from the validated address, then SRTP.
/// Lives on the transport loop's thread only.
final class Session {
    enum Phase: String { case checking, handshaking, connected, closed }

    let setup: SessionSetup
    let createdAt: UInt64
    var ice: ICELiteResponder
    let dtls: DTLSEndpoint
    var phase = Phase.checking
    /// The address ICE nominated, or the first one that passed an authenticated check.
    var address: TransportAddress?
    var validated: Set<TransportAddress> = []
    var lastConsent: UInt64
    var connectedAt: UInt64?
    var outbound: SRTPSession?
    var inbound: SRTPSession?
    var counters: [MediaBatch.Kind: (packets: UInt32, octets: UInt32)] = [:]
    var keyframeRequests = 0
    var receiverReports = 0
    var nextReportAt: UInt64 = 0

    init(setup: SessionSetup, dtlsContext: DTLSContext, now: UInt64) {
        self.setup = setup
        createdAt = now
        lastConsent = now
        ice = ICELiteResponder(local: ICECredentials(ufrag: setup.localUfrag, pwd: setup.localPwd), remoteUfrag: setup.remoteUfrag)
        dtls = DTLSEndpoint(context: dtlsContext, role: .server, remoteFingerprints: setup.remoteFingerprints)
    }

    /// Becomes connected once DTLS has produced SRTP keys (RFC 5764 §4.2).
    func startSRTP(_ keys: SRTPKeys, now: UInt64) throws(SRTPError) {
        outbound = try SRTPSession(profile: keys.profile, masterKey: keys.localMasterKey, direction: .outbound)
        inbound = try SRTPSession(profile: keys.profile, masterKey: keys.remoteMasterKey, direction: .inbound)
        phase = .connected
        connectedAt = now
        nextReportAt = now
    }

    var status: ViewerStatus {
        ViewerStatus(id: setup.id, address: address?.description, state: phase.rawValue,
                     connectedAtMonotonicNanoseconds: connectedAt,
                     packetsSent: counters.values.reduce(0) { $0 + Int($1.packets) },
                     bytesSent: counters.values.reduce(0) { $0 + Int($1.octets) },
                     keyframeRequests: keyframeRequests, receiverReports: receiverReports)
    }
}

/// A viewer as the status API shows it.
public struct ViewerStatus: Sendable, Equatable, Codable {
    public var id: String
    public var address: String?
    public var state: String
    public var connectedAtMonotonicNanoseconds: UInt64?
    public var packetsSent: Int
    public var bytesSent: Int
    public var keyframeRequests: Int
    public var receiverReports: Int
}
