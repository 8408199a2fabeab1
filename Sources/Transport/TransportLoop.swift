internal import Glibc
internal import Demux
internal import DTLS
internal import ICE
internal import RTCP
internal import SRTP
internal import STUN
internal import Media
internal import Feedback
internal import Logging
internal import RTP

/// The transport thread: reads the socket, serves ICE, DTLS and RTCP, sends media and reports.
final class TransportLoop {
    let transport: MediaTransport
    var sessions: [String: Session] = [:]
    var byUfrag: [String: String] = [:]
    var byAddress: [TransportAddress: String] = [:]
    /// The latest RTP timestamp of each stream and when it was captured, for sender reports.
    var clocks: [MediaBatch.Kind: (ssrc: UInt32, rtpTimestamp: UInt32, monotonic: UInt64)] = [:]
    var receiveBuffer = [UInt8](repeating: 0, count: 2048)
    /// Per-viewer copy of a packet, with room for the SRTP trailer.
    var scratch = [UInt8](repeating: 0, count: PacketRing.slotSize + SRTPSession.maxTrailer + 1_024)
    var running = true
    var logBudget = LogBudget()
    /// Sessions have ended since the heap was last trimmed.
    var memoryFreed = false
    var lastTrim: UInt64 = 0
    static let tick: Int32 = 50  // ms

    init(transport: MediaTransport) { self.transport = transport }

    var now: UInt64 { MediaClock.monotonicNanoseconds() }

    func run() {
        var fds = [pollfd(fd: transport.socket.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: transport.wakeFD, events: Int16(POLLIN), revents: 0)]
        var nextTick = now
        while running {
            _ = poll(&fds, 2, pollTimeout(until: nextTick))
            if fds[1].revents != 0 { transport.takeCommands().forEach(handle) }
            if fds[0].revents != 0 { drainSocket() }
            let now = self.now
            for session in sessions.values where !session.pacer.isEmpty { releasePaced(session, now: now) }
            if now >= nextTick {
                serviceTimers()
                nextTick = now + UInt64(Self.tick) * 1_000_000
            }
        }
        for id in Array(sessions.keys) { close(id, reason: "shutting down") }
    }

    /// Milliseconds until the next timer tick or paced packet, whichever is first.
    func pollTimeout(until nextTick: UInt64) -> Int32 {
        let now = self.now
        var wake = nextTick
        for session in sessions.values {
            if let next = session.pacer.nextSendTime(now: now) { wake = min(wake, next) }
        }
        guard wake > now else { return 0 }
        return Int32(min(UInt64(Self.tick), (wake - now + 999_999) / 1_000_000))  // rounded up: never spin
    }

    func handle(_ command: MediaTransport.Command) {
        switch command {
        case .add(let setup):
            sessions[setup.id] = Session(setup: setup, dtlsContext: transport.dtlsContext, now: now)
            byUfrag[setup.localUfrag] = setup.id
        case .remove(let id): close(id, reason: sessions[id]?.setup.publish == nil ? "ended by the viewer" : "ended by the agent")
        case .restartICE(let id, let localUfrag, let localPwd, let remoteUfrag):
            guard let session = sessions[id] else { return }
            byUfrag.removeValue(forKey: session.localUfrag)
            session.localUfrag = localUfrag
            session.ice = ICELiteResponder(local: ICECredentials(ufrag: localUfrag, pwd: localPwd), remoteUfrag: remoteUfrag)
            byUfrag[localUfrag] = id
            log(.info, "ICE restart", ["viewer": "\(id)"])
        case .restartPublication(let id, let local, let remote, let candidates):
            restartPublication(id, local: local, remote: remote, candidates: candidates)
        case .media(let batch): send(batch)
        case .send(let datagram, let address): transport.socket.send(datagram, to: address)
        case .stop: running = false
        }
    }

    func drainSocket() {
        while let (length, source) = receiveBuffer.withUnsafeMutableBytes({ transport.socket.receive(into: $0) }) {
            let datagram = Array(receiveBuffer[0..<length])
            switch DatagramKind(classifying: datagram) {
            case .stun: handleSTUN(datagram, from: source)
            case .dtls: handleDTLS(datagram, from: source)
            case .rtcp: handleRTCP(datagram, from: source)
            default: break  // we receive no RTP, ZRTP or TURN
            }
        }
    }

    func handleSTUN(_ datagram: [UInt8], from source: TransportAddress) {
        guard let message = try? STUNMessage.parse(datagram) else { return }
        guard message.messageClass == .request else { return handleCheckResponse(message, from: source) }
        guard let ufrag = ICELiteResponder.localUfrag(of: message),
              let id = byUfrag[String(ufrag)], let session = sessions[id] else { return }
        if session.agent != nil { return answerServerCheck(message, from: source, id: id, session: session) }
        switch session.ice.handle(message, from: source) {
        case .respond(let response, let nominated):
            transport.socket.send(response, to: source)
            session.lastConsent = now
            validate(source, session: session, id: id)
            if session.address == nil || nominated { session.address = source }
            if session.phase == .checking { session.phase = .handshaking }
        case .refuse(let response):
            transport.socket.send(response, to: source)
        case .drop(let reason):
            log(.debug, "STUN check dropped", ["viewer": "\(id)", "reason": "\(reason)"])
        }
    }

    /// Remembers an address that passed a check. A viewer checking from thousands of ports would
    /// otherwise grow these tables without bound: the oldest address (never the one media goes
    /// to) makes room, and DTLS or RTCP from it is dropped again.
    func validate(_ source: TransportAddress, session: Session, id: String) {
        if !session.validated.contains(source) {
            if session.validated.count >= Session.maxValidated, let oldest = session.validated.firstIndex(where: { $0 != session.address }) {
                let evicted = session.validated.remove(at: oldest)
                if byAddress[evicted] == id { byAddress.removeValue(forKey: evicted) }
            }
            session.validated.append(source)
        }
        byAddress[source] = id
    }

    func handleDTLS(_ datagram: [UInt8], from source: TransportAddress) {
        // DTLS is accepted only from an address that passed an authenticated ICE check.
        guard let id = byAddress[source], let session = sessions[id], let records = DTLSRecords.wellFormed(datagram) else { return }
        for reply in session.dtls.receive(records) { transport.socket.send(reply, to: source) }
        switch session.dtls.state {
        case .connected(let keys) where session.phase != .connected:
            do {
                try session.startSRTP(keys, now: now)
                log(.info, "\(session.noun) connected", [session.noun: "\(id)", "address": "\(source)"])
                if session.setup.publish == nil { transport.onViewer(.connected(id: id, address: "\(source)")) }
                transport.keyframes.request()  // a new viewer starts at a keyframe
            } catch {
                close(id, reason: "SRTP setup failed: \(error)")
            }
        case .failed(let error): close(id, reason: "DTLS failed: \(error)")
        case .closed: close(id, reason: "DTLS closed by the viewer")
        default: break
        }
    }

    func handleRTCP(_ datagram: [UInt8], from source: TransportAddress) {
        guard let id = byAddress[source], let session = sessions[id], let inbound = session.inbound else { return }
        let plain: [UInt8]
        do {
            let length = try scratch.withUnsafeMutableBytes { raw in
                datagram.withUnsafeBytes { raw.copyMemory(from: $0) }
                return try inbound.unprotectRTCP(raw, length: datagram.count)
            }
            plain = Array(scratch[0..<length])
        } catch {
            return
        }
        guard let packets = try? RTCPPacket.parseCompound(plain) else { return }
        for packet in packets { handleFeedback(packet, session: session) }
    }

    func handleFeedback(_ packet: RTCPPacket, session: Session) {
        let now = self.now
        switch packet {
        case .pictureLossIndication, .fullIntraRequest:
            session.keyframeRequests += 1
            transport.keyframes.requestRepair()
        case .receiverReport(let report):
            session.receiverReports += 1
            record(report.reports, session: session)
        case .senderReport(let report):
            record(report.reports, session: session)
        case .genericNACK(let nack):
            session.nacksReceived += 1
            retransmit(nack.lostSequenceNumbers, mediaSource: nack.mediaSource, session: session, now: now)
        case .transportWideFeedback(let feedback):
            session.estimator.feedback(feedback, now: now)
        case .receiverEstimatedMaximumBitrate(let remb):
            session.estimator.receiverEstimate(bitsPerSecond: remb.bitrate)
        default: break
        }
        // Whatever moved the estimate (TWCC, REMB, loss in a receiver report), the pacer follows.
        if session.usesCongestionControl { session.pacer.setEstimate(bitsPerSecond: session.estimator.estimate) }
    }

    /// Report blocks about our streams: RTT, loss and jitter for status; loss for viewers
    /// that send no transport-wide feedback.
    func record(_ blocks: [ReportBlock], session: Session) {
        let arrival = NTPTime(unixNanoseconds: MediaClock.wallClockNanoseconds()).middle32
        for block in blocks {
            guard let kind = clocks.first(where: { $0.value.ssrc == block.ssrc })?.key else { continue }
            let quality = ReceptionQuality(lastSenderReport: block.lastSenderReport, delaySinceLastSenderReport: block.delaySinceLastSenderReport,
                                           fractionLost: block.fractionLost, cumulativeLost: block.cumulativeLost, jitter: block.jitter,
                                           clockRate: kind == .video ? 90_000 : 48_000, arrivalNTPMiddle32: arrival)
            session.quality[kind] = quality
            if kind == .video, session.setup.transportWideExtensionID == nil {
                session.estimator.reportedLoss(fraction: quality.fractionLost, now: now)
            }
        }
    }
}
