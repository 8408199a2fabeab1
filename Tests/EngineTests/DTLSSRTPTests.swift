import Testing
@testable import DTLS
@testable import SRTP
import RTP

/// Two in-process DTLS engines shake hands by passing datagrams, then protect and unprotect
/// RTP and RTCP with the exported keys.
@Suite struct DTLSSRTPTests {
    /// Runs both sides to completion, moving every datagram across; returns the number of rounds.
    @discardableResult
    static func handshake(_ client: DTLSEndpoint, _ server: DTLSEndpoint) -> Int {
        var toServer = client.start()
        var rounds = 0
        while (!toServer.isEmpty) && rounds < 20 {
            let toClient = toServer.flatMap { server.receive($0) }
            toServer = toClient.flatMap { client.receive($0) }
            rounds += 1
        }
        return rounds
    }

    static func rtpPacket(ssrc: UInt32, payloadType: UInt8, payloadLength: Int, timestamp: UInt32) -> [UInt8] {
        RTPPacketValue(header: RTPHeader(payloadType: payloadType, sequenceNumber: SequenceNumber(1), timestamp: timestamp, ssrc: SSRC(ssrc)),
                       payload: Array(repeating: 0xAB, count: payloadLength)).serialize()
    }

    static func fingerprint(_ c: DTLSCertificate) -> [(algorithm: String, digest: [UInt8])] {
        [("sha-256", c.sha256Fingerprint)]
    }

    /// A server and a client, each expecting the other's certificate unless told another.
    static func pair(serverExpects: DTLSCertificate? = nil, clientExpects: DTLSCertificate? = nil) throws
        -> (server: DTLSEndpoint, client: DTLSEndpoint, clientContext: DTLSContext) {
        let serverContext = try DTLSContext(certificate: DTLSCertificate())
        let clientContext = try DTLSContext(certificate: DTLSCertificate())
        let server = DTLSEndpoint(context: serverContext, role: .server, remoteFingerprints: fingerprint(serverExpects ?? clientContext.certificate))
        let client = DTLSEndpoint(context: clientContext, role: .client, remoteFingerprints: fingerprint(clientExpects ?? serverContext.certificate))
        return (server, client, clientContext)
    }

    @Test func handshakeThenSRTPRoundTrip() throws {
        let (server, client, _) = try Self.pair()
        Self.handshake(client, server)

        guard case .connected(let serverKeys) = server.state, case .connected(let clientKeys) = client.state else {
            Issue.record("not connected: server \(server.state), client \(client.state)")
            return
        }
        #expect(serverKeys.profile == 0x0007)  // AEAD_AES_128_GCM preferred
        #expect(serverKeys.localMasterKey == clientKeys.remoteMasterKey)
        #expect(serverKeys.remoteMasterKey == clientKeys.localMasterKey)
        #expect(serverKeys.localMasterKey != serverKeys.remoteMasterKey)

        let sender = try SRTPSession(profile: serverKeys.profile, masterKey: serverKeys.localMasterKey, direction: .outbound)
        let receiver = try SRTPSession(profile: clientKeys.profile, masterKey: clientKeys.remoteMasterKey, direction: .inbound)
        let packet = Self.rtpPacket(ssrc: 1234, payloadType: 96, payloadLength: 100, timestamp: 3000)

        var buffer = [UInt8](repeating: 0, count: 1500)
        let protectedLength = try buffer.withUnsafeMutableBytes { raw in
            packet.withUnsafeBytes { raw.copyMemory(from: $0) }
            return try sender.protectRTP(raw, length: packet.count)
        }
        #expect(protectedLength == packet.count + 16)  // GCM tag
        #expect(Array(buffer[12..<packet.count]) != Array(packet[12...]))  // payload encrypted

        var tampered = buffer
        tampered[20] ^= 1
        #expect(throws: SRTPError.self) {
            _ = try tampered.withUnsafeMutableBytes { try receiver.unprotectRTP($0, length: protectedLength) }
        }
        let plainLength = try buffer.withUnsafeMutableBytes { try receiver.unprotectRTP($0, length: protectedLength) }
        #expect(Array(buffer[0..<plainLength]) == packet)
        // A replayed packet is refused.
        #expect(throws: SRTPError.self) {
            var again = buffer
            _ = try again.withUnsafeMutableBytes { raw in
                let n = try sender.protectRTP(raw, length: packet.count)
                _ = try receiver.unprotectRTP(raw, length: n)
                return try receiver.unprotectRTP(raw, length: n)
            }
        }
    }

    @Test func aes128CMHmacSHA1ProtectsAndUnprotects() throws {
        let serverKeys: [UInt8] = Array(0..<30)
        let sender = try SRTPSession(profile: 0x0001, masterKey: serverKeys, direction: .outbound)
        let receiver = try SRTPSession(profile: 0x0001, masterKey: serverKeys, direction: .inbound)
        let packet = Self.rtpPacket(ssrc: 99, payloadType: 111, payloadLength: 60, timestamp: 960)
        var buffer = packet + [UInt8](repeating: 0, count: SRTPSession.maxTrailer)
        let n = try buffer.withUnsafeMutableBytes { try sender.protectRTP($0, length: packet.count) }
        #expect(n == packet.count + 10)  // HMAC-SHA1-80 tag
        let m = try buffer.withUnsafeMutableBytes { try receiver.unprotectRTP($0, length: n) }
        #expect(Array(buffer[0..<m]) == packet)
    }

    @Test func wrongFingerprintFailsTheHandshake() throws {
        let (server, client, _) = try Self.pair(serverExpects: try DTLSCertificate())
        Self.handshake(client, server)
        #expect(server.state == .failed(.fingerprintMismatch))
        // Refused inside the handshake: the client hears a fatal alert, not a close_notify later.
        guard case .failed(.handshakeFailed(let detail)) = client.state else {
            Issue.record("client not told: \(client.state)")
            return
        }
        #expect(detail.contains("bad certificate"))
    }

    @Test func aClientRefusesAServerWithAnotherCertificate() throws {
        let (server, client, _) = try Self.pair(clientExpects: try DTLSCertificate())
        Self.handshake(client, server)
        #expect(client.state == .failed(.fingerprintMismatch))
        if case .connected = server.state { Issue.record("server connected to a client that refused it") }
    }

    /// After the handshake a new ClientHello (renegotiation, or a flood of them) and garbage
    /// records change nothing: the association stays up with the same keys and sends nothing back.
    @Test func clientHellosAndGarbageAfterTheHandshakeAreIgnored() throws {
        let (server, client, clientContext) = try Self.pair()
        Self.handshake(client, server)
        let connected = server.state
        let hello = DTLSEndpoint(context: clientContext, role: .client, remoteFingerprints: []).start()
        var replies = 0
        for i in 0..<1000 {
            let garbage: [UInt8] = [UInt8(20 + i % 4), 254, 253] + (0..<60).map { UInt8(truncatingIfNeeded: $0 &* i) }
            replies += (hello.flatMap { server.receive($0) } + server.receive(garbage)).count
        }
        #expect(replies == 0)
        #expect(server.state == connected)
    }

    @Test func garbageDoesNotConnect() throws {
        let server = DTLSEndpoint(context: try DTLSContext(certificate: DTLSCertificate()), role: .server, remoteFingerprints: [])
        _ = server.receive([22, 254, 253] + Array(repeating: 0xFF, count: 40))
        if case .connected = server.state { Issue.record("garbage connected") }
    }
}
