import Testing
@testable import ICE
import STUN

/// The controlling agent against peers on a simulated network with a manual clock.
@Suite struct ICEAgentTests {
    static let ms: UInt64 = 1_000_000
    static let us = TransportAddress(ip: [10, 0, 0, 1], port: 5000)
    static let localCredentials = ICECredentials(ufrag: "pinh", pwd: "0123456789012345678901")
    static let peerCredentials = ICECredentials(ufrag: "peer", pwd: "abcdefghijklmnopqrstuv")

    static func address(_ last: UInt8, _ port: UInt16 = 6000) -> TransportAddress { TransportAddress(ip: [10, 0, 0, last], port: port) }

    /// An ICE-lite peer (RFC 8445 §2.5) at the addresses in `reachable`, answering what arrives there.
    struct Network {
        var agent = ICEControllingAgent(local: ICEAgentTests.localCredentials, remote: ICEAgentTests.peerCredentials, tieBreaker: 42)
        var peer = ICELiteResponder(local: ICEAgentTests.peerCredentials, remoteUfrag: ICEAgentTests.localCredentials.ufrag)
        var reachable: Set<TransportAddress> = []
        var sent: [(at: UInt64, to: TransportAddress, nominates: Bool)] = []

        mutating func run(from start: UInt64, to end: UInt64) {
            for now in stride(from: start, to: end, by: Int(10 * ICEAgentTests.ms)) {
                for (datagram, to) in agent.poll(now: now) {
                    let request = try! STUNMessage.parse(datagram)
                    sent.append((now, to, request.attribute(.useCandidate) != nil))
                    guard reachable.contains(to), case .respond(let response, _) = peer.handle(request, from: ICEAgentTests.us) else { continue }
                    let taken = agent.handleResponse(try! STUNMessage.parse(response), from: to, now: now)
                    #expect(taken)
                }
            }
        }
    }

    @Test func checksArePacedAndTheFirstWorkingPairIsNominated() {
        var network = Network()
        let (unreachable, lower, best) = (Self.address(2), Self.address(3), Self.address(4))
        network.agent.add(ICERemoteCandidate(address: lower, priority: 100))
        network.agent.add(ICERemoteCandidate(address: unreachable, priority: 2_000_000_000))
        network.agent.add(ICERemoteCandidate(address: best, priority: 1_000_000))
        network.reachable = [lower, best]
        network.run(from: 0, to: 1_000 * Self.ms)
        // Highest pair priority first: the unreachable one, then `best`, which works and is nominated.
        #expect(network.sent.prefix(3).map(\.to) == [unreachable, best, best])
        #expect(network.sent[2].nominates)
        #expect(network.agent.state == .connected(best))
        #expect(network.peer.selected == Self.us)  // the lite peer selected us by the nomination
        let firstChecks = network.sent.filter { !$0.nominates }.map(\.at)
        #expect(zip(firstChecks, firstChecks.dropFirst()).allSatisfy { $1 - $0 >= 50 * Self.ms })  // Ta
    }

    @Test func consentIsKeptThenLostWhenThePeerFallsSilent() {
        var network = Network()
        let peer = Self.address(4)
        network.agent.add(ICERemoteCandidate(address: peer, priority: 1_000))
        network.reachable = [peer]
        network.run(from: 0, to: 20_000 * Self.ms)
        #expect(network.agent.state == .connected(peer))
        let consentChecks = network.sent.filter { $0.at > 1_000 * Self.ms }.count
        #expect((3...4).contains(consentChecks))  // every 5 s
        network.reachable = []
        network.run(from: 20_000 * Self.ms, to: 28_000 * Self.ms)
        #expect(network.agent.state == .disconnected(peer))
        network.reachable = [peer]
        network.run(from: 28_000 * Self.ms, to: 34_000 * Self.ms)
        #expect(network.agent.state == .connected(peer))  // back before consent expired
        network.reachable = []
        network.run(from: 34_000 * Self.ms, to: 70_000 * Self.ms)
        #expect(network.agent.state == .failed)
    }

    @Test func everyPairFailingFailsTheAgent() {
        var network = Network()
        network.agent.add(ICERemoteCandidate(address: Self.address(2), priority: 1))
        network.run(from: 0, to: 20_000 * Self.ms)
        #expect(network.agent.state == .failed)
        #expect(network.sent.count == ICEControllingAgent.maxTransmissions)
    }

    /// A full peer whose candidates we cannot use (an mDNS name, none at all) checks us first:
    /// its address becomes a peer-reflexive candidate, checked at once and nominated.
    @Test func aCheckFromAnUnknownAddressIsAnsweredAndTriggersOurs() throws {
        var agent = ICEControllingAgent(local: Self.localCredentials, remote: Self.peerCredentials, tieBreaker: 42)
        let hidden = Self.address(9, 7000)
        var builder = STUNMessageBuilder(class: .request, method: .binding, transactionID: Array(repeating: 7, count: 12))
        builder.append(.username, Array("pinh:peer".utf8))
        builder.append(.priority, [0x6E, 0, 0, 1])
        builder.append(.iceControlled, Array(repeating: 1, count: 8))
        let request = try STUNMessage.parse(builder.finish(integrityKey: Array(Self.localCredentials.pwd.utf8)))
        guard let reply = agent.handleRequest(request, from: hidden) else { Issue.record("not answered"); return }
        let response = try STUNMessage.parse(reply)
        #expect(response.messageClass == .successResponse && response.xorMappedAddress == hidden)
        let checks = agent.poll(now: 0)
        #expect(checks.map(\.to) == [hidden])
        var peer = ICELiteResponder(local: Self.peerCredentials, remoteUfrag: "pinh")
        for now in stride(from: UInt64(0), to: 200 * Self.ms, by: Int(10 * Self.ms)) {
            for (datagram, to) in (now == 0 ? checks : agent.poll(now: now)) {
                guard case .respond(let answer, _) = peer.handle(try STUNMessage.parse(datagram), from: Self.us) else { continue }
                _ = agent.handleResponse(try STUNMessage.parse(answer), from: to, now: now)
            }
        }
        #expect(agent.state == .connected(hidden))
    }

    @Test func aPeerThatAlsoControlsIsToldOfTheConflict() throws {
        var agent = ICEControllingAgent(local: Self.localCredentials, remote: Self.peerCredentials, tieBreaker: 42)
        var builder = STUNMessageBuilder(class: .request, method: .binding, transactionID: Array(repeating: 3, count: 12))
        builder.append(.username, Array("pinh:peer".utf8))
        builder.append(.iceControlling, Array(repeating: 9, count: 8))
        let request = try STUNMessage.parse(builder.finish(integrityKey: Array(Self.localCredentials.pwd.utf8)))
        guard let reply = agent.handleRequest(request, from: Self.address(5)) else { Issue.record("not answered"); return }
        let answer = try STUNMessage.parse(reply)
        #expect(answer.errorCode?.code == 487)
    }

    @Test func responsesSignedWithAnotherPasswordAreIgnored() throws {
        var agent = ICEControllingAgent(local: Self.localCredentials, remote: Self.peerCredentials, tieBreaker: 42)
        let peer = Self.address(4)
        agent.add(ICERemoteCandidate(address: peer, priority: 1))
        let check = try STUNMessage.parse(agent.poll(now: 0)[0].datagram)
        var builder = STUNMessageBuilder(class: .successResponse, method: .binding, transactionID: check.transactionID)
        builder.appendXORMappedAddress(Self.us)
        let forged = try STUNMessage.parse(builder.finish(integrityKey: Array("not-the-peer-password!!".utf8)))
        let taken = agent.handleResponse(forged, from: peer, now: 1)
        #expect(!taken)
        #expect(agent.state == .checking)
    }
}
