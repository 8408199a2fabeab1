internal import DTLS
internal import ICE
internal import STUN
internal import Logging

/// A publication (Pinhole → media server, WHIP): the same session as a viewer's once connected,
/// but Pinhole runs full ICE as the controlling agent (RFC 8445) and is the DTLS client.
extension TransportLoop {
    /// A response to one of our checks: the publication whose agent sent it takes it.
    func handleCheckResponse(_ message: STUNMessage, from source: TransportAddress) {
        if message.messageClass == .successResponse,
           transport.answer(transaction: message.transactionID, from: source, with: message.xorMappedAddress) { return }
        for (id, session) in sessions {
            guard var agent = session.agent, agent.handleResponse(message, from: source, now: now) else { continue }
            session.agent = agent
            follow(agent, id: id, session: session)
            return
        }
    }

    /// The server checks us too when it runs full ICE (§7.3); its address is then validated.
    func answerServerCheck(_ request: STUNMessage, from source: TransportAddress, id: String, session: Session) {
        guard var agent = session.agent, let response = agent.handleRequest(request, from: source) else { return }
        session.agent = agent
        transport.socket.send(response, to: source)
        if (try? STUNMessage.parse(response))?.messageClass == .successResponse { validate(source, session: session, id: id) }
    }

    /// Sends the agent's due checks and follows its state (called every tick).
    func servicePublication(_ session: Session, id: String, now: UInt64) {
        guard var agent = session.agent else { return }
        for (datagram, address) in agent.poll(now: now) { transport.socket.send(datagram, to: address) }
        session.agent = agent
        follow(agent, id: id, session: session)
    }

    /// A new controlling agent with the new credentials (RFC 8445 §9): it checks and nominates
    /// again while DTLS and SRTP go on; media keeps going to the old address until a new one is selected.
    func restartPublication(_ id: String, local: (ufrag: String, pwd: String), remote: (ufrag: String, pwd: String),
                            candidates: [(address: TransportAddress, priority: UInt32)]) {
        guard let session = sessions[id], session.agent != nil else { return }
        var agent = ICEControllingAgent(local: ICECredentials(ufrag: local.ufrag, pwd: local.pwd),
                                        remote: ICECredentials(ufrag: remote.ufrag, pwd: remote.pwd), tieBreaker: .random(in: 0...UInt64.max))
        for candidate in candidates { agent.add(ICERemoteCandidate(address: candidate.address, priority: candidate.priority)) }
        session.agent = agent
        byUfrag.removeValue(forKey: session.localUfrag)
        session.localUfrag = local.ufrag
        byUfrag[local.ufrag] = id
        log(.info, "ICE restart", ["publication": "\(id)"])
    }

    /// Once a pair is selected, DTLS starts from it (we are the client, RFC 5763 §5); a new
    /// selection moves media there; failure or expired consent ends the publication.
    func follow(_ agent: ICEControllingAgent, id: String, session: Session) {
        switch agent.state {
        case .checking: break
        case .connected(let address), .disconnected(let address):
            if session.address != address {
                validate(address, session: session, id: id)
                session.address = address
            }
            if session.phase == .checking {
                session.phase = .handshaking
                for datagram in session.dtls.start() { transport.socket.send(datagram, to: address) }
            }
        case .failed:
            close(id, reason: session.phase == .connected ? "consent expired (RFC 7675)" : "ICE failed: no candidate pair worked")
        }
    }
}
