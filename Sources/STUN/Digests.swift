/// The digests STUN needs, in pure Swift so that the wire-format layer imports no C:
/// SHA-1 for MESSAGE-INTEGRITY (RFC 8489 §14.5), SHA-256 for MESSAGE-INTEGRITY-SHA256 (§14.6),
/// MD5 for the long-term credential key (§9.2.2), each with HMAC (RFC 2104).
enum SHA1 {
    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        let padded = mdPadded(message, bigEndianLength: true)
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: padded.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(padded[j]) << 24 | UInt32(padded[j + 1]) << 16 | UInt32(padded[j + 2]) << 8 | UInt32(padded[j + 3])
            }
            for i in 16..<80 { w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotatedLeft(1) }
            var (a, b, c, d, e) = h
            for i in 0..<80 {
                let (f, k): (UInt32, UInt32)
                switch i {
                case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                }
                let t = a.rotatedLeft(5) &+ f &+ e &+ k &+ w[i]
                (e, d, c, b, a) = (d, c, b.rotatedLeft(30), a, t)
            }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
        }
        return [h.0, h.1, h.2, h.3, h.4].flatMap { $0.bigEndianBytes }
    }

    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] { HMAC.compute(hash, key: key, message: message) }
}

enum HMAC {
    /// HMAC over a hash with a 64-byte block (RFC 2104 §2).
    static func compute(_ hash: ([UInt8]) -> [UInt8], key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = hash(block.map { $0 ^ 0x36 } + message)
        return hash(block.map { $0 ^ 0x5C } + inner)
    }
}

/// Pads a message to 64-byte blocks with its bit length (big- or little-endian), as the
/// Merkle–Damgård hashes here all do.
func mdPadded(_ message: [UInt8], bigEndianLength: Bool) -> [UInt8] {
    var padded = message
    padded.append(0x80)
    while padded.count % 64 != 56 { padded.append(0) }
    let bits = UInt64(message.count) &* 8
    let shifts = bigEndianLength ? Array(stride(from: 56, through: 0, by: -8)) : Array(stride(from: 0, through: 56, by: 8))
    for shift in shifts { padded.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    return padded
}

/// SHA-256 (FIPS 180-4 §6.2).
enum SHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        let padded = mdPadded(message, bigEndianLength: true)
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: padded.count, by: 64) {
            for i in 0..<16 { w[i] = readUInt32(padded, chunk + 4 * i) }
            for i in 16..<64 {
                let s0 = w[i - 15].rotatedRight(7) ^ w[i - 15].rotatedRight(18) ^ (w[i - 15] >> 3)
                let s1 = w[i - 2].rotatedRight(17) ^ w[i - 2].rotatedRight(19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
        }
        return h.flatMap { $0.bigEndianBytes }
    }

    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] { HMAC.compute(hash, key: key, message: message) }
}

/// MD5 (RFC 1321), only for the long-term credential key MD5(username:realm:password).
enum MD5 {
    static let s: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
    static let k: [UInt32] = (0..<64).map { i in
        // floor(abs(sin(i + 1)) * 2^32), precomputed by the formula of RFC 1321 §3.4.
        UInt32(truncatingIfNeeded: Int64((abs(sine(Double(i + 1))) * 4_294_967_296).rounded(.down)))
    }

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
        let padded = mdPadded(message, bigEndianLength: false)
        for chunk in stride(from: 0, to: padded.count, by: 64) {
            let m = (0..<16).map { i in
                UInt32(padded[chunk + 4 * i]) | UInt32(padded[chunk + 4 * i + 1]) << 8
                    | UInt32(padded[chunk + 4 * i + 2]) << 16 | UInt32(padded[chunk + 4 * i + 3]) << 24
            }
            var (a, b, c, d) = (h[0], h[1], h[2], h[3])
            for i in 0..<64 {
                let (f, g): (UInt32, Int)
                switch i {
                case 0..<16: (f, g) = ((b & c) | (~b & d), i)
                case 16..<32: (f, g) = ((d & b) | (~d & c), (5 * i + 1) % 16)
                case 32..<48: (f, g) = (b ^ c ^ d, (3 * i + 5) % 16)
                default: (f, g) = (c ^ (b | ~d), (7 * i) % 16)
                }
                let rotated = (a &+ f &+ k[i] &+ m[g]).rotatedLeft(s[(i / 16) * 4 + i % 4])
                (a, d, c, b) = (d, c, b, b &+ rotated)
            }
            h = [h[0] &+ a, h[1] &+ b, h[2] &+ c, h[3] &+ d]
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
    }

    /// sin(x) by argument reduction and a Taylor series: no libm in this layer.
    static func sine(_ x: Double) -> Double {
        let r = x - (x / (2 * .pi)).rounded() * 2 * .pi
        var term = r, sum = r
        for n in stride(from: 3, through: 31, by: 2) {
            term *= -r * r / Double((n - 1) * n)
            sum += term
        }
        return sum
    }
}

/// CRC-32 (ISO 3309 / ITU-T V.42), as STUN FINGERPRINT requires (RFC 8489 §14.7).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

extension UInt32 {
    func rotatedLeft(_ n: UInt32) -> UInt32 { self << n | self >> (32 - n) }
    func rotatedRight(_ n: UInt32) -> UInt32 { self >> n | self << (32 - n) }
    var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8(self >> 16 & 0xFF), UInt8(self >> 8 & 0xFF), UInt8(self & 0xFF)] }
}
