internal import Glibc
internal import Synchronization
public import DTLS
public import Media
public import STUN
public import Logging
internal import Feedback

/// All WebRTC media over one UDP socket. A dedicated thread owns the socket and every
/// session; other threads talk to it through a small inbox and read a status snapshot.
public final class MediaTransport: Sendable {
    public let localAddress: TransportAddress
    let socket: UDPSocket
    /// A self-pipe that wakes the loop's poll when a command is posted.
    let wakeFD: Int32
    private let wakeWriteFD: Int32
    let dtlsContext: DTLSContext
    let keyframes: KeyframeRequests
    let logger: Logger
    let limits: Limits
    /// The packets the pipelines write and every viewer reads.
    public let ring: PacketRing
    private let inbox = Mutex<[Command]>([])
    /// The status of every session, viewers' and publications' alike.
    let viewersBox = Mutex<[String: ViewerStatus]>([:])
    /// Which sessions are publications (Pinhole → media server) rather than viewers.
    let publicationIDs = Mutex<Set<String>>([])
    /// Binding requests to STUN servers awaiting their answer, by transaction ID.
    let queries = Mutex<[[UInt8]: (server: TransportAddress, continuation: CheckedContinuation<TransportAddress?, Never>)]>([:])
    /// Hears viewers connect (DTLS done) and leave, with the address or the reason.
    let onViewer: @Sendable (ViewerEvent) -> Void

    public enum ViewerEvent: Sendable {
        case connected(id: String, address: String)
        case left(id: String, reason: String)
    }

    public struct Limits: Sendable {
        /// ICE and DTLS must complete within this time of the answer.
        public var setupTimeout: UInt64 = 10_000_000_000
        /// RFC 7675 §5.1: consent expires 30 s after the last authenticated check.
        public var consentTimeout: UInt64 = 30_000_000_000
        public init() {}
    }

    enum Command {
        case add(SessionSetup)
        case remove(String)
        case restartICE(id: String, localUfrag: String, localPwd: String, remoteUfrag: String)
        case restartPublication(id: String, local: (ufrag: String, pwd: String), remote: (ufrag: String, pwd: String),
                                candidates: [(address: TransportAddress, priority: UInt32)])
        case media(MediaBatch)
        /// A datagram to send from the socket (a STUN server query).
        case send([UInt8], to: TransportAddress)
        case stop
    }

    public init(binding address: TransportAddress, dtlsContext: DTLSContext, ring: PacketRing, limits: Limits = Limits(), logger: Logger,
                keyframes: KeyframeRequests, onViewer: @escaping @Sendable (ViewerEvent) -> Void = { _ in }) throws(TransportError) {
        self.ring = ring
        self.onViewer = onViewer
        socket = try UDPSocket(binding: address)
        localAddress = socket.localAddress
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw .system(call: "pipe", errno: errno) }
        for fd in pipeFDs {
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        (wakeFD, wakeWriteFD) = (pipeFDs[0], pipeFDs[1])
        self.dtlsContext = dtlsContext
        self.limits = limits
        self.logger = logger
        self.keyframes = keyframes
    }

    deinit {
        close(wakeFD)
        close(wakeWriteFD)
    }

    public func start() {
        MediaThread.start { [self] in TransportLoop(transport: self).run() }
    }

    /// Registers a viewer whose answer is about to be sent, or a publication whose answer came.
    public func add(_ setup: SessionSetup) {
        if setup.publish != nil { publicationIDs.withLock { _ = $0.insert(setup.id) } }
        viewersBox.withLock {
            $0[setup.id] = ViewerStatus(id: setup.id, address: nil, state: Session.Phase.checking.rawValue,
                                        connectedSeconds: nil, packetsSent: 0, bytesSent: 0,
                                        keyframeRequests: 0, receiverReports: 0, bitrateKbps: 0,
                                        // The policy counts a joining viewer at its start rate from the first moment.
                                        estimatedKbps: setup.transportWideExtensionID.map { _ in BandwidthEstimator.Limits().initial / 1_000 },
                                        video: nil, audio: nil, nacksReceived: 0, packetsRetransmitted: 0, unrepairableNACKs: 0)
        }
        post(.add(setup))
    }

    /// Ends a viewer's session; false when there is none by that id.
    @discardableResult
    public func remove(id: String) -> Bool {
        let existed = viewersBox.withLock { $0.removeValue(forKey: id) != nil }
        if existed { post(.remove(id)) }
        return existed
    }

    /// ICE restart (RFC 8445 §9): new credentials for a viewer; DTLS and media go on.
    public func restartICE(id: String, localUfrag: String, localPwd: String, remoteUfrag: String) {
        post(.restartICE(id: id, localUfrag: localUfrag, localPwd: localPwd, remoteUfrag: remoteUfrag))
    }

    /// ICE restart of a publication (RFC 8445 §9, RFC 9725 §4.3.1): new credentials on both sides
    /// and the server's new candidates; checks start again, DTLS and media go on.
    public func restartPublication(id: String, local: (ufrag: String, pwd: String), remote: (ufrag: String, pwd: String),
                                   candidates: [(address: TransportAddress, priority: UInt32)]) {
        post(.restartPublication(id: id, local: local, remote: remote, candidates: candidates))
    }

    /// Hands one frame's packets to every connected viewer.
    public func send(_ batch: MediaBatch) { post(.media(batch)) }

    public func stop() { post(.stop) }

    /// Viewers (WHEP sessions), by id.
    public var viewers: [ViewerStatus] { sessions.filter { !publicationIDs.withLock { [id = $0.id] in $0.contains(id) } } }
    /// Publications to media servers, by id.
    public var publications: [ViewerStatus] { sessions.filter { publicationIDs.withLock { [id = $0.id] in $0.contains(id) } } }
    /// Everything Pinhole sends to, viewers and media servers: what the encoder's bitrate answers to.
    public var sessions: [ViewerStatus] { viewersBox.withLock { Array($0.values) }.sorted { $0.id < $1.id } }

    func post(_ command: Command) {
        inbox.withLock { $0.append(command) }
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)  // a full pipe already means "wake up"

    }

    func takeCommands() -> [Command] {
        var drained = [UInt8](repeating: 0, count: 256)
        while read(wakeFD, &drained, drained.count) == drained.count {}
        return inbox.withLock { commands in
            defer { commands.removeAll(keepingCapacity: true) }
            return commands
        }
    }
}
