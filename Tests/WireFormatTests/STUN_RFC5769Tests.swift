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

    // §2.4 Sample Request with Long-Term Authentication (no FINGERPRINT)
    static let longTermRequest = hex("""
        00 01 00 60  21 12 a4 42  78 ad 34 33  c6 ad 72 c0  29 da 41 2e
        00 06 00 12  e3 83 9e e3  83 88 e3 83  aa e3 83 83  e3 82 af e3  82 b9 00 00
        00 15 00 1c  66 2f 2f 34  39 39 6b 39  35 34 64 36  4f 4c 33 34  6f 4c 39 46  53 54 76 79  36 34 73 41
        00 14 00 0b  65 78 61 6d  70 6c 65 2e  6f 72 67 00
        00 08 00 14  f6 70 24 65  6d d6 4a 3e  02 b8 e0 71  2e 85 c9 a2  8c a8 96 66
        """)
    static let longTermKey = STUNMessage.longTermKey(username: "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}",
                                                    realm: "example.org", password: "TheMatrIX")

    /// Each vector with the key that authenticates it.
    static let vectors: [(name: String, bytes: [UInt8], key: [UInt8])] = [
        ("2.1 request", request, password), ("2.2 IPv4 response", responseIPv4, password),
        ("2.3 IPv6 response", responseIPv6, password), ("2.4 long-term request", longTermRequest, longTermKey),
    ]

    @Test func longTermRequestAuthenticatesWithTheMD5Key() throws {
        let message = try STUNMessage.parse(Self.longTermRequest)
        #expect(message.attribute(.realm)?.value == Array("example.org".utf8))
        #expect(message.attribute(.nonce)?.value == Array("f//499k954d6OL34oL9FSTvy64sA".utf8))
        #expect(message.attribute(.fingerprint) == nil && !message.hasValidFingerprint)
        #expect(message.hasValidIntegrity(key: Self.longTermKey))
    }

    /// RFC 5769 §2: every vector authenticates, and any single flipped bit is caught.
    @Test(arguments: 0..<4)
    func everySingleBitFlipIsDetected(vector: Int) throws {
        let (name, bytes, key) = Self.vectors[vector]
        let original = try STUNMessage.parse(bytes)
        // 2.4 carries no FINGERPRINT; the others must keep theirs.
        let fingerprinted = original.attribute(.fingerprint) != nil
        func authentic(_ m: STUNMessage) -> Bool { m.hasValidIntegrity(key: key) && (!fingerprinted || m.hasValidFingerprint) }
        #expect(authentic(original), "\(name)")
        for bit in 0..<bytes.count * 8 {
            var flipped = bytes
            flipped[bit / 8] ^= 0x80 >> UInt8(bit % 8)
            guard let message = try? STUNMessage.parse(flipped) else { continue }
            #expect(!authentic(message), "\(name): bit \(bit) went unnoticed")
        }
    }

    @Test(arguments: 0..<4)
    func everyTruncatedPrefixThrows(vector: Int) {
        let bytes = Self.vectors[vector].bytes
        for length in 0..<bytes.count {
            #expect(throws: STUNError.self, "prefix of \(length) bytes") { try STUNMessage.parse(Array(bytes.prefix(length))) }
        }
    }

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

@Suite struct ICELiteAttributeTests {
    let local = ICECredentials(ufrag: "evtj", pwd: "VOkJxbRl1RmTxUk/WvJxBt")
    let source = TransportAddress(ip: [127, 0, 0, 1], port: 5000)

    @Test func unknownComprehensionRequiredAttributeIsAnsweredWith420() throws {
        var b = STUNMessageBuilder(class: .request, method: .binding, transactionID: Array(repeating: 9, count: 12))
        b.append(.username, Array("evtj:h6vY".utf8))
        b.append(STUNAttributeType(rawValue: 0x7F01), [1, 2, 3, 4])
        b.append(STUNAttributeType(rawValue: 0xC001), [5])  // comprehension-optional: ignored
        var responder = ICELiteResponder(local: local, remoteUfrag: "h6vY")
        guard case .refuse(let bytes) = responder.handle(try STUNMessage.parse(b.finish(integrityKey: Array(local.pwd.utf8))), from: source) else {
            Issue.record("not refused"); return
        }
        let response = try STUNMessage.parse(bytes)
        #expect(response.messageClass == .errorResponse)
        #expect(response.errorCode?.code == 420)
        #expect(response.attribute(.unknownAttributes)?.value == [0x7F, 0x01])
        #expect(responder.selected == nil)
    }

    @Test func messageIntegritySHA256IsCheckedWhenPresent() throws {
        let key = Array(local.pwd.utf8)
        var b = STUNMessageBuilder(class: .request, method: .binding, transactionID: Array(repeating: 3, count: 12))
        b.append(.username, Array("evtj:h6vY".utf8))
        b.append(.useCandidate, [])
        // MESSAGE-INTEGRITY-SHA256 over the message so far, with the length counting it (§14.6).
        var unsigned = b.finish(integrityKey: nil, fingerprint: false)
        let length = unsigned.count + 36 - 20
        unsigned[2] = UInt8(length >> 8); unsigned[3] = UInt8(length & 0xFF)
        b.append(.messageIntegritySHA256, SHA256.hmac(key: key, message: unsigned))
        let good = try STUNMessage.parse(b.finish(integrityKey: nil))
        #expect(good.hasValidIntegritySHA256(key: key))
        var responder = ICELiteResponder(local: local, remoteUfrag: "h6vY")
        guard case .respond(_, true) = responder.handle(good, from: source) else { Issue.record("not accepted"); return }
        #expect(!good.hasValidIntegritySHA256(key: Array("another password entirely".utf8)))
    }
}
