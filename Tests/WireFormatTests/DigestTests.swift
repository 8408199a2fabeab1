import Testing
@testable import STUN

/// Known-answer tests for the digests STUN integrity uses.
@Suite struct DigestTests {
    static func hexString(_ bytes: [UInt8]) -> String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

    @Test func sha1MatchesFIPS180Examples() {
        #expect(Self.hexString(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Self.hexString(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test func sha256MatchesFIPS180Examples() {
        #expect(Self.hexString(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.hexString(SHA256.hash(twoBlocks)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func md5MatchesRFC1321TestSuite() {
        #expect(Self.hexString(MD5.hash([])) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Self.hexString(MD5.hash(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Self.hexString(MD5.hash(Array("message digest".utf8))) == "f96b697d7cb7938d525a2f31aaf161d0")
        let digits = Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8)
        #expect(Self.hexString(MD5.hash(digits)) == "57edf4a22be3c955ac49da2e2107b67a")
    }

    /// RFC 4231 §4.2, test case 1.
    @Test func hmacSHA256MatchesRFC4231() {
        let mac = SHA256.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
        #expect(Self.hexString(mac) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    /// RFC 2202 §3, test case 2.
    @Test func hmacSHA1MatchesRFC2202() {
        let mac = SHA1.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Self.hexString(mac) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }
}
