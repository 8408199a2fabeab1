internal import CPinholeShims
internal import DTLS
internal import Synchronization
internal import Logging

/// Timers, endings, and keeping what peers cause — log lines, memory — bounded.
extension TransportLoop {
    func serviceTimers() {
        let now = self.now
        for (id, session) in sessions {
            if session.agent != nil { servicePublication(session, id: id, now: now) }
            if session.phase != .connected, now - session.createdAt > transport.limits.setupTimeout {
                close(id, reason: "ICE and DTLS did not complete in time")
            } else if session.agent == nil, now - session.lastConsent > transport.limits.consentTimeout {  // a publication's agent judges its own
                close(id, reason: "consent expired (RFC 7675)")
            } else if session.phase == .handshaking, let wait = session.dtls.timeoutMicroseconds, wait <= 0,
                      let address = session.address {
                for datagram in session.dtls.handleTimeout() { transport.socket.send(datagram, to: address) }
            } else if session.phase == .connected, now >= session.nextReportAt {
                sendReports(session, now: now)
                session.nextReportAt = now + 1_000_000_000
            }
        }
        transport.viewersBox.withLock { viewers in
            for (id, session) in sessions where viewers[id] != nil { viewers[id] = session.status(now: now) }
        }
        returnFreedMemory(now: now)
    }

    func close(_ id: String, reason: String) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        if let address = session.address {
            for datagram in session.dtls.close() { transport.socket.send(datagram, to: address) }
        }
        byUfrag.removeValue(forKey: session.localUfrag)
        for address in session.validated where byAddress[address] == id { byAddress.removeValue(forKey: address) }
        transport.viewersBox.withLock { _ = $0.removeValue(forKey: id) }
        transport.publicationIDs.withLock { _ = $0.remove(id) }
        log(.info, "\(session.noun) left", [session.noun: "\(id)", "reason": "\(reason)"])
        memoryFreed = true
        // A publication's comings and goings are the publisher's to report.
        if session.setup.publish == nil { transport.onViewer(.left(id: id, reason: reason)) }
    }

    /// Logs a line that a peer's doing caused, within the log budget.
    func log(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message, _ metadata: @autoclosure () -> Logger.Metadata) {
        guard transport.logger.logLevel <= level, let withheld = logBudget.admit(now: now) else { return }
        var metadata = metadata()
        if withheld > 0 { metadata["withheld"] = "\(withheld) lines before this one (rate limit)" }
        transport.logger.log(level: level, message(), metadata: metadata)
    }

    /// glibc keeps the heap that ended sessions freed (about 100 KB each, more while their DTLS
    /// handshake was under way): after a burst of viewers the agent would stay that much larger
    /// for good. Handing it back costs a millisecond, so it is done at most every 10 s.
    func returnFreedMemory(now: UInt64) {
        guard memoryFreed, now - lastTrim >= 10_000_000_000 else { return }
        malloc_trim(0)
        memoryFreed = false
        lastTrim = now
    }
}
