internal import ICE
internal import Logging
internal import SDP
internal import STUN
internal import Transport
internal import Synchronization

/// The publication's ICE: its candidates (host and server-reflexive), the server's, and the
/// restart of a path that stopped answering.
extension WHIPPublisher {
    /// The server's candidates this socket can send to.
    func addresses(_ candidates: [RemoteCandidate]) -> [(address: TransportAddress, priority: UInt32)] {
        candidates.compactMap { c in (try? TransportAddress(parsing: c.address, defaultPort: c.port)).map { (address: $0, priority: c.priority) } }
            .filter { $0.address.isIPv6 == transport.localAddress.isIPv6 }
    }

    /// Our candidates: the host ones, then the server-reflexive ones with the socket they map.
    func offeredCandidates() async -> [Candidate] {
        let base = Candidate.Related(address: transport.localAddress.canonicalIP, port: transport.localAddress.port)
        return candidates.map { Candidate(address: $0.canonicalIP, port: $0.port) }
            + (await reflexiveAddresses()).map { Candidate(address: $0.canonicalIP, port: $0.port, related: base) }
    }

    /// ICE restart by PATCH (RFC 9725 §4.3.2, RFC 8445 §9) on a path that stopped answering: the
    /// server keeps its session and DTLS goes on. False when the server cannot (then: publish again).
    func restartICE(_ id: String, resource: String, previous: [(address: TransportAddress, priority: UInt32)]) async -> Bool {
        var generator = SystemRandomNumberGenerator()
        let local = ICECredentials.random(using: &generator)
        let fragment = TrickleFragment.restart(ufrag: local.ufrag, pwd: local.pwd, media: "video", payloadType: PublishOffer.videoPayloadType,
                                               mid: "0", candidates: await offeredCandidates())
        guard let text = try? await exchange.restart(resource: resource, fragment: fragment),
              let answer = try? TrickleFragment(parsing: text), let ufrag = answer.iceUfrag, let pwd = answer.icePwd else { return false }
        let offered = addresses(answer.candidates.compactMap { RemoteCandidate(attributeValue: Substring($0)) })
        transport.restartPublication(id: id, local: (local.ufrag, local.pwd), remote: (ufrag, pwd), candidates: offered.isEmpty ? previous : offered)
        logger.info("WHIP ICE restart", metadata: ["resource": "\(resource)"])
        events.publish("publish", ["state": "restarting ICE", "resource": resource])
        return true
    }

    /// Where the STUN servers see the media socket (a NAT's mapping), asked all at once; each
    /// address once, and none that is already a host candidate (RFC 8445 §5.1.3).
    func reflexiveAddresses() async -> [TransportAddress] {
        let servers = (stunServers + linkedServers.withLock { $0 }).compactMap(\.stunServer)
        return await withTaskGroup(of: TransportAddress?.self) { [transport, candidates, logger] group in
            for (host, port) in servers {
                group.addTask {
                    guard let server = await transport.resolve(host: host, port: port).first else { return nil }
                    let mapped = await transport.reflexiveAddress(from: server)
                    logger.debug("STUN server answered", metadata: ["server": "\(server)", "reflexive": "\(mapped.map { "\($0)" } ?? "none")"])
                    return mapped
                }
            }
            var found: [TransportAddress] = []
            for await address in group {
                if let address, !found.contains(address), !candidates.contains(address) { found.append(address) }
            }
            return found
        }
    }
}
