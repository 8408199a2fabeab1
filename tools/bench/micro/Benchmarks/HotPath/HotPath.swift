// The per-packet and per-session work of the agent, each beside a reference that shows the
// floor under it (a plain copy, the HMAC alone, libsrtp alone, splitting the offer into lines),
// so that a ratio, not an absolute time, says how much our code adds.
import Benchmark
import Foundation
import ICE
import RTP
import SDP
import SRTP
import STUN

let benchmarks: @Sendable () -> Void = {
    // Per-packet work is timed over 1,000 iterations a sample (figures are per iteration); set-up
    // before startMeasurement() is not counted.
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .instructions, .mallocCountTotal], warmupIterations: 10,
                                           scalingFactor: .kilo, maxDuration: .seconds(1), maxIterations: 100_000)
    packetizing()
    srtp()
    stun()
    sdp()
}

/// A 1 Mbit/s, 30 fps frame: about 4.2 KB, four packets.
func packetizing() {
    let frame = [UInt8](repeating: 0x5A, count: 4_200)
    Benchmark("VP8 packetize a 4.2 KB frame") { benchmark in
        var packetizer = RTPPacketizer(ssrc: SSRC(1234), payloadType: 96, firstSequenceNumber: SequenceNumber(1))
        var payloader = VP8Payloader()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1_500, alignment: 8)
        defer { buffer.deallocate() }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            frame.withUnsafeBytes { bytes in
                let fragments = VP8Payloader.fragments(frameLength: bytes.count, maxPayload: 1_200 - RTPHeader.fixedLength - VP8Payloader.descriptorLength)
                for fragment in fragments {
                    blackHole(packetizer.write(into: buffer, marker: fragment.upperBound == bytes.count, timestamp: 3_000) { payload in
                        payloader.writePayload(bytes, fragment: fragment, into: payload)
                    })
                }
            }
            payloader.finishFrame()
        }
    }
    Benchmark("reference: copy a 4.2 KB frame into 1,200-byte packets") { benchmark in
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1_500, alignment: 8)
        defer { buffer.deallocate() }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            frame.withUnsafeBytes { bytes in
                for start in stride(from: 0, to: bytes.count, by: 1_184) {
                    let chunk = UnsafeRawBufferPointer(rebasing: bytes[start..<min(bytes.count, start + 1_184)])
                    buffer.baseAddress!.advanced(by: 16).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
                    blackHole(buffer[16])
                }
            }
        }
    }
}

/// SRTP protect of one 1,200-byte RTP packet, with each profile the agent offers in DTLS.
func srtp() {
    for (name, profile, keyLength) in [("AES-128-GCM", UInt16(0x0007), 28), ("AES-128-CM-HMAC-SHA1-80", UInt16(0x0001), 30)] {
        protect(name, profile: profile, key: [UInt8](repeating: 7, count: keyLength))
    }
    Benchmark("reference: clear a 1,200-byte buffer") { benchmark in
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1_200 + SRTPSession.maxTrailer, alignment: 8)
        defer { buffer.deallocate() }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            blackHole(buffer[100])
        }
    }
}

func protect(_ name: String, profile: UInt16, key: [UInt8]) {
    Benchmark("SRTP protect a 1,200-byte packet (\(name))") { benchmark in
        let session = try! SRTPSession(profile: profile, masterKey: key, direction: .outbound)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1_200 + SRTPSession.maxTrailer, alignment: 8)
        defer { buffer.deallocate() }
        var sequence: UInt16 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            (buffer[0], buffer[1], buffer[2], buffer[3]) = (0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF))
            buffer.storeBytes(of: UInt32(0x1234).bigEndian, toByteOffset: 8, as: UInt32.self)
            sequence &+= 1
            blackHole(try! session.protectRTP(buffer, length: 1_200))
        }
    }
}

/// An authenticated Binding request, as a browser sends every few seconds per viewer.
func stun() {
    let local = ICECredentials(ufrag: "evtj", pwd: "AAAAAAAAAAAAAAAAAAAAAAAA")
    var builder = STUNMessageBuilder(class: .request, method: .binding, transactionID: Array(repeating: 9, count: 12))
    builder.append(.username, Array("evtj:h6vY".utf8))
    builder.append(.iceControlling, Array(repeating: 1, count: 8))
    builder.append(.useCandidate, [])
    let request = builder.finish(integrityKey: Array(local.pwd.utf8))
    let source = TransportAddress(ip: [127, 0, 0, 1], port: 5000)
    Benchmark("STUN parse and answer a Binding request") { benchmark in
        var responder = ICELiteResponder(local: local, remoteUfrag: "h6vY")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(responder.handle(try! STUNMessage.parse(request), from: source))
        }
    }
    Benchmark("reference: check the request's MESSAGE-INTEGRITY (HMAC-SHA1 alone)") { benchmark in
        let key = Array(local.pwd.utf8), parsed = try! STUNMessage.parse(request)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(parsed.hasValidIntegrity(key: key))
        }
    }
}

/// The answer to Chromium's offer: parse, negotiate, write.
func sdp() {
    let url = Bundle.module.url(forResource: "chromium-offer", withExtension: "sdp")!
    let text = try! String(contentsOf: url, encoding: .utf8)
    let parameters = Answer.Parameters(
        ice: ("evtj", "AAAAAAAAAAAAAAAAAAAAAAAA"), fingerprint: Fingerprint(algorithm: "sha-256", digest: Array(repeating: 0xAB, count: 32)),
        candidates: [Candidate(address: "127.0.0.1", port: 8189)], videoSSRC: 1, audioSSRC: 2, sessionID: 42)
    Benchmark("SDP answer to Chromium's offer", configuration: .init(scalingFactor: .one)) { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! Answer(offer: try! Offer(parsing: text), parameters: parameters).sdp)
        }
    }
    Benchmark("reference: split the offer into lines", configuration: .init(scalingFactor: .one)) { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(text.utf8.split(separator: UInt8(ascii: "\n")).count)
        }
    }
}
