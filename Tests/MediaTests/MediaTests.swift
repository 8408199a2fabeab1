import Testing
import Synchronization
@testable import Media
@testable import Codecs
@testable import Capture
import RTP

@Suite struct TestPatternTests {
    @Test func blockCodeRoundTripsThroughTheLumaPlane() {
        var pattern = TestPattern(width: 320, height: 240)
        let frame = pattern.render(counter: 0xDEAD_BEEF, wallClockMilliseconds: 1_764_115_200_123)
        let code = BlockCode.read(luma: Array(frame.data.prefix(frame.lumaCount)), width: frame.width)
        #expect(code == BlockCode(frameCounter: 0xDEAD_BEEF, wallClockMilliseconds: 1_764_115_200_123))
    }

    @Test func corruptedCodeIsRejectedByItsChecksum() {
        var pattern = TestPattern(width: 320, height: 240)
        var frame = pattern.render(counter: 5, wallClockMilliseconds: 1_000)
        // Flip the first block of the counter.
        let x = BlockCode.margin + BlockCode.block / 2, y = BlockCode.margin + BlockCode.block / 2
        frame.data[y * frame.width + x] = frame.data[y * frame.width + x] > 128 ? 16 : 235
        #expect(BlockCode.read(luma: frame.data, width: frame.width) == nil)
    }

    @Test func consecutiveFramesDiffer() {
        var pattern = TestPattern(width: 64, height: 64)
        let a = pattern.render(counter: 1, wallClockMilliseconds: 0).data
        let b = pattern.render(counter: 2, wallClockMilliseconds: 0).data
        #expect(a != b)
    }

    @Test func toneIsOneKilohertz() {
        var tone = ToneGenerator()
        let samples = tone.next(count: 960) + tone.next(count: 960) + tone.next(count: 1)
        // 40 ms of 1 kHz starting on a zero: 40 rising zero crossings after the first sample,
        // and the phase carries across chunks.
        let crossings = zip(samples, samples.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
        #expect(crossings == 40)
        #expect(samples.max()! > 8_000 && samples.max()! < 8_300)
    }
}

@Suite struct CodecTests {
    @Test func vp8StartsWithAKeyframeAndHonoursRequests() throws {
        let encoder = try VP8Encoder(.init(width: 320, height: 240, fps: 30, bitrateKbps: 500))
        var pattern = TestPattern(width: 320, height: 240)
        var keyframes: [Bool] = []
        for i in 0..<10 {
            var frames = 0
            try pattern.render(counter: UInt32(i), wallClockMilliseconds: 0).withView {
                try encoder.encode($0, timestamp90kHz: UInt64(i) * 3000, forceKeyframe: i == 6) { frame, isKeyframe in
                    frames += 1
                    keyframes.append(isKeyframe)
                    #expect(frame.count > 0)
                }
            }
            #expect(frames == 1)  // no lag: one frame out per frame in
        }
        #expect(keyframes == [true, false, false, false, false, false, true, false, false, false])
        try encoder.setTargetBitrate(kbps: 200)
    }

    @Test func opusEncodesTwentyMillisecondFrames() throws {
        let encoder = try OpusEncoder(channels: 1)
        var tone = ToneGenerator()
        var packet: [UInt8] = []
        try encoder.encode(tone.next(count: encoder.frameSize)) { packet = Array($0) }
        #expect(packet.count > 10 && packet.count < 400)
        // TOC byte (RFC 6716 §3.1): config for 20 ms CELT fullband is 31; code 0 = one frame.
        #expect(packet[0] >> 3 == 31 || packet[0] >> 3 == 15 || packet[0] >> 3 == 3)
    }
}

@Suite struct PipelineTests {
    @Test func videoPipelinePacketizesOnceAndContinuesAcrossRestart() async throws {
        let batches = Mutex<[MediaBatch]>([])
        let ring = PacketRing(capacity: 4_096)
        let pipeline = VideoPipeline(ssrc: SSRC(42), payloadType: 96, bitrateKbps: 300, ring: ring) { batch in
            batches.withLock { $0.append(batch) }
        }
        let start = { pipeline.start(source: { TestPatternSource(width: 160, height: 120, fps: 50) },
                                     encoder: { w, h in try VP8Encoder(.init(width: w, height: h, fps: 50, bitrateKbps: 300)) }) }
        start()
        try await Task.sleep(for: .milliseconds(300))
        pipeline.stop()
        try await Task.sleep(for: .milliseconds(100))
        start()
        try await Task.sleep(for: .milliseconds(300))
        pipeline.stop()
        try await Task.sleep(for: .milliseconds(100))

        let all = batches.withLock { $0 }
        #expect(all.count >= 10)
        #expect(all.first?.isKeyframe == true)
        let packets = all.flatMap { $0.packets.compactMap(ring.bytes) }
        #expect(packets.count == all.reduce(0) { $0 + $1.packets.count })
        let sequence = try packets.map { try RTPHeader.parse($0).header.sequenceNumber }
        #expect(zip(sequence, sequence.dropFirst()).allSatisfy { $0.next() == $1 })
        // The restart resumed at a keyframe.
        #expect(all.filter(\.isKeyframe).count >= 2)
        #expect(packets.allSatisfy { $0.count <= VideoPipeline.maxPacket })
        #expect(pipeline.runner.stats.framesEncoded == all.count)
    }
}

@Suite struct PixelConversionTests {
    /// NV12 and YUYV frames built from a known I420 picture convert back to the same planes
    /// (YUYV keeps the chroma of even rows, which is what the test picture has in both).
    @Test func nv12AndYUYVConvertToI420() throws {
        var pattern = TestPattern(width: 64, height: 48)
        let reference = pattern.render(counter: 3, wallClockMilliseconds: 7)
        let (w, h, cw, ch) = (64, 48, 32, 24)
        var nv12 = Array(reference.data.prefix(w * h))
        for row in 0..<ch { for col in 0..<cw {
            nv12 += [reference.data[reference.uOffset + row * cw + col], reference.data[reference.vOffset + row * cw + col]]
        } }
        var yuyv: [UInt8] = []
        for row in 0..<h { for col in 0..<cw {
            let c = (row / 2) * cw + col
            yuyv += [reference.data[row * w + 2 * col], reference.data[reference.uOffset + c],
                     reference.data[row * w + 2 * col + 1], reference.data[reference.vOffset + c]]
        } }
        for (format, bytes, stride) in [(PixelFormat.nv12, nv12, w), (PixelFormat.yuyv, yuyv, 2 * w)] {
            var out = I420Frame(width: w, height: h)
            bytes.withUnsafeBufferPointer { PixelConversion.convert(format, from: $0, bytesPerLine: stride, into: &out) }
            #expect(out.data == reference.data, "\(format.name)")
        }
    }
}

@Suite struct PacketRingTests {
    @Test func packetsReadBackUntilTheirSlotIsReused() {
        let ring = PacketRing(capacity: 4)
        let refs = (0..<6).map { n in ring.write { slot in slot[0] = UInt8(n); slot[1] = 0xEE; return 2 } }
        // Packets 0 and 1 were overwritten by 4 and 5; 2...5 are still there.
        #expect(ring.bytes(refs[0]) == nil && ring.bytes(refs[1]) == nil)
        #expect(refs[2...].map { ring.bytes($0) } == [[2, 0xEE], [3, 0xEE], [4, 0xEE], [5, 0xEE]])
        #expect(refs.map(\.number) == Array(0..<6))
    }

    @Test func aReaderNeverSeesTornPackets() async {
        let ring = PacketRing(capacity: 8)
        let writer = Task.detached {
            for n in 0..<20_000 {
                _ = ring.write { slot in
                    for i in 0..<64 { slot[i] = UInt8(truncatingIfNeeded: n) }
                    return 64
                }
            }
        }
        var torn = 0
        var buffer = [UInt8](repeating: 0, count: 128)
        for n in 0..<20_000 {
            let ref = PacketRef(number: n, length: 64)
            if buffer.withUnsafeMutableBytes({ ring.read(ref, into: $0) }) != nil,
               Set(buffer[0..<64]).count != 1 || buffer[0] != UInt8(truncatingIfNeeded: n) { torn += 1 }
        }
        await writer.value
        #expect(torn == 0)
    }
}
