import Testing
@testable import STUN
@testable import ICE

/// Test vectors from RFC 5769 (STUN test vectors), checked against our parser and builder.
@Suite struct STUNRFC5769Tests {
    static let password = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)

    // §2.1 Sample Request
    static let request = hex("""
        00 01 00 58  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
        80 22 00 10  53 54 55 4e  20 74 65 73  74 20 63 6c  69 65 6e 74
        00 24 00 04  6e 00 01 ff
        80 29 00 08  93 2f f9 b1  51 26 3b 36
        00 06 00 09  65 76 74 6a  3a 68 36 76  59 20 20 20
        00 08 00 14  9a ea a7 0c  bf d8 cb 56  78 1e f2 b5  b2 d3 f2 49  c1 b5 71 a2
        80 28 00 04  e5 7a 3b cf
        """)

    // §2.2 Sample IPv4 Response
    static let responseIPv4 = hex("""
        01 01 00 3c  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
        80 22 00 0b  74 65 73 74  20 76 65 63  74 6f 72 20
        00 20 00 08  00 01 a1 47  e1 12 a6 43
        00 08 00 14  2b 91 f5 99  fd 9e 90 c3  8c 74 89 f9  2a f9 ba 53  f0 6b e7 d7
        80 28 00 04  c0 7d 4c 96
        """)

    // §2.3 Sample IPv6 Response
    static let responseIPv6 = hex("""
        01 01 00 48  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
        80 22 00 0b  74 65 73 74  20 76 65 63  74 6f 72 20
        00 20 00 14  00 02 a1 47  01 13 a9 fa  a5 d3 f1 79  bc 25 f4 b5  be d2 b9 d9
        00 08 00 14  a3 82 95 4e  4b e6 7b f1  17 84 c9 7c  82 92 c2 75  bf e3 ed 41
        80 28 00 04  c8 fb 0b 4c
        """)

    @Test func sampleRequestParsesAndAuthenticates() throws {
        let message = try STUNMessage.parse(Self.request)
        #expect(message.messageClass == .request)
        #expect(message.method == .binding)
        #expect(message.attribute(.username)?.value == Array("evtj:h6vY".utf8))
        #expect(message.attribute(.priority)?.value == [0x6e, 0x00, 0x01, 0xff])
        #expect(message.hasValidIntegrity(key: Self.password))
        #expect(message.hasValidFingerprint)
        #expect(!message.hasValidIntegrity(key: Array("wrong password".utf8)))
    }

    @Test func sampleResponsesCarryTheMappedAddress() throws {
        let v4 = try STUNMessage.parse(Self.responseIPv4)
        #expect(v4.messageClass == .successResponse)
        #expect(v4.xorMappedAddress == TransportAddress(ip: [192, 0, 2, 1], port: 32853))
        #expect(v4.hasValidIntegrity(key: Self.password) && v4.hasValidFingerprint)
        let v6 = try STUNMessage.parse(Self.responseIPv6)
        #expect(v6.xorMappedAddress == TransportAddress(
            ip: hex("20 01 0d b8 12 34 56 78 00 11 22 33 44 55 66 77"), port: 32853))
        #expect(v6.hasValidIntegrity(key: Self.password) && v6.hasValidFingerprint)
    }

    @Test func builderReproducesTheXORMappedAddressAndVerifies() throws {
        let transaction = Array(Self.request[8..<20])
        var builder = STUNMessageBuilder(class: .successResponse, method: .binding, transactionID: transaction)
        builder.appendXORMappedAddress(TransportAddress(ip: [192, 0, 2, 1], port: 32853))
        let bytes = builder.finish(integrityKey: Self.password)
        #expect(Array(bytes[20..<32]) == Array(Self.responseIPv4[36..<48]))
        let parsed = try STUNMessage.parse(bytes)
        #expect(parsed.hasValidIntegrity(key: Self.password))
        #expect(parsed.hasValidFingerprint)
        #expect(parsed.transactionID == transaction)
    }

    @Test func corruptedFingerprintOrTruncationIsRejected() throws {
        var corrupted = Self.request
        corrupted[corrupted.count - 1] ^= 0x01
        let parsedCorrupt = try STUNMessage.parse(corrupted)
        #expect(!parsedCorrupt.hasValidFingerprint)
        #expect(throws: STUNError.self) { try STUNMessage.parse(Array(Self.request.dropLast(4))) }
        #expect(throws: STUNError.self) { try STUNMessage.parse(Array(Self.request.prefix(19))) }
        var overlong = Self.request
        overlong[3] = 0x5C  // declares 4 bytes more than present
        #expect(throws: STUNError.self) { try STUNMessage.parse(overlong) }
    }
}

@Suite struct ICELiteTests {
    let local = ICECredentials(ufrag: "evtj", pwd: "VOkJxbRl1RmTxUk/WvJxBt")

    func request(username: String, useCandidate: Bool, key: String) -> STUNMessage {
        var b = STUNMessageBuilder(class: .request, method: .binding, transactionID: Array(repeating: 7, count: 12))
        b.append(.username, Array(username.utf8))
        b.append(.iceControlling, Array(repeating: 1, count: 8))
        if useCandidate { b.append(.useCandidate, []) }
        return try! STUNMessage.parse(b.finish(integrityKey: Array(key.utf8)))
    }

    @Test func authenticatedCheckIsAnsweredAndNominates() throws {
        var responder = ICELiteResponder(local: local, remoteUfrag: "h6vY")
        let source = TransportAddress(ip: [127, 0, 0, 1], port: 5000)
        #expect(ICELiteResponder.localUfrag(of: request(username: "evtj:h6vY", useCandidate: false, key: local.pwd)) == "evtj")
        guard case .respond(let bytes, let nominated) = responder.handle(
            request(username: "evtj:h6vY", useCandidate: true, key: local.pwd), from: source) else {
            Issue.record("no response"); return
        }
        #expect(nominated)
        #expect(responder.selected == source)
        let response = try STUNMessage.parse(bytes)
        #expect(response.messageClass == .successResponse)
        #expect(response.xorMappedAddress == source)
        #expect(response.hasValidIntegrity(key: Array(local.pwd.utf8)))
    }

    @Test func badCredentialsAreDroppedWithoutStateChange() {
        var responder = ICELiteResponder(local: local, remoteUfrag: "h6vY")
        let source = TransportAddress(ip: [127, 0, 0, 1], port: 5000)
        #expect(responder.handle(request(username: "evtj:h6vY", useCandidate: true, key: "not the password at all"), from: source)
                == .drop(reason: .badIntegrity))
        #expect(responder.handle(request(username: "h6vY:evtj", useCandidate: true, key: local.pwd), from: source)
                == .drop(reason: .wrongUsername))
        #expect(responder.selected == nil)
    }
}
