internal import RTCP
internal import SRTP
internal import Media
internal import Feedback
internal import RTP

extension TransportLoop {
    /// Hands one frame's packets to every connected viewer: audio at once, video through the
    /// viewer's pacer when congestion control gives it an estimate to pace against.
    func send(_ batch: MediaBatch) {
        clocks[batch.kind] = (batch.ssrc.rawValue, batch.rtpTimestamp, batch.monotonicNanoseconds)
        let now = self.now
        for session in sessions.values {
            guard session.phase == .connected, session.address != nil, session.setup.payloadTypes[batch.kind] != nil else { continue }
            var sequence = batch.firstSequenceNumber
            for packet in batch.packets {
                session.history[batch.kind]?.record(sequence: sequence.rawValue, packet: packet, sentAt: now)
                sequence = sequence.next()
                if batch.kind == .video, session.usesCongestionControl {
                    session.pacer.enqueue(packet, bytes: packet.length, now: now)
                } else if let length = sendMedia(packet, kind: batch.kind, to: session, now: now) {
                    session.pacer.spent(bytes: length, now: now)
                }
            }
            releasePaced(session, now: now)
        }
    }

    /// Sends the video packets the viewer's pacer lets go at `now`.
    func releasePaced(_ session: Session, now: UInt64) {
        while let packet = session.pacer.dequeue(now: now) { _ = sendMedia(packet, kind: .video, to: session, now: now) }
    }

    /// Encrypts one shared packet for a viewer, with the viewer's own payload type (and
    /// transport-wide sequence number): the only copy is from the ring into the SRTP buffer.
    func sendMedia(_ packet: PacketRef, kind: MediaBatch.Kind, to session: Session, now: UInt64) -> Int? {
        guard let payloadType = session.setup.payloadTypes[kind],
              let length = sendPacket(packet, to: session, rewrite: { raw in
                  raw[1] = raw[1] & 0x80 | payloadType
                  return nil
              }, now: now) else { return nil }
        session.counters[kind, default: (0, 0)].packets &+= 1
        session.counters[kind, default: (0, 0)].octets &+= UInt32(packet.length - RTPHeader.fixedLength)
        session.budget.mediaSent(bytes: length, now: now)
        session.bitrate.add(length, now: now)
        return length
    }

    /// Copies `packet` out of the ring, lets `rewrite` change it (returning a new length when it
    /// grows), adds the transport-wide sequence number, protects and sends it. Returns the
    /// bytes sent.
    func sendPacket(_ packet: PacketRef, to session: Session, rewrite: (UnsafeMutableRawBufferPointer) -> Int?,
                    now: UInt64) -> Int? {
        guard let address = session.address, let srtp = session.outbound else { return nil }
        return scratch.withUnsafeMutableBytes { raw -> Int? in
            guard var length = transport.ring.read(packet, into: raw) else { return nil }
            length = rewrite(raw) ?? length
            if let id = session.setup.transportWideExtensionID {
                length = TransportWideSequence.insert(session.transportWideSequence, id: id, into: raw, length: length)
                session.estimator.packetSent(sequence: session.transportWideSequence, bytes: length, at: now)
                session.transportWideSequence &+= 1
            }
            guard let protected = try? srtp.protectRTP(raw, length: length),
                  transport.socket.send(UnsafeRawBufferPointer(rebasing: raw[0..<protected]), to: address) else { return nil }
            return protected
        }
    }

    /// Answers a generic NACK for our video stream from the history, within the budget
    /// (RFC 4585 §6.2.1), as RTX when negotiated (RFC 4588 §4) or as the packet itself. A lost
    /// packet that is gone from the history or over the budget can only be repaired by a
    /// keyframe: ask for one at once rather than wait for the receiver's PLI.
    func retransmit(_ lost: [UInt16], mediaSource: UInt32, session: Session, now: UInt64) {
        guard let mode = session.setup.retransmission, clocks[.video]?.ssrc == mediaSource,
              let payloadType = session.setup.payloadTypes[.video] else { return }
        var unrepairable = false
        for sequence in lost.prefix(64) {
            switch session.history[.video]?.answer(sequence: sequence, now: now) {
            case .resend(let packet)? where session.budget.spend(bytes: packet.length + 2, now: now):
                resend(packet, mode: mode, payloadType: payloadType, session: session, now: now)
            case .resend?, .gone?: unrepairable = true
            case .justResent?, nil: continue
            }
        }
        if unrepairable {
            session.unrepairableNACKs += 1
            transport.keyframes.requestRepair()
        }
    }

    private func resend(_ packet: PacketRef, mode: SessionSetup.Retransmission, payloadType: UInt8, session: Session, now: UInt64) {
        let sent = sendPacket(packet, to: session, rewrite: { raw in
            raw[1] = raw[1] & 0x80 | payloadType
            guard case .rtx(let rtxType, let rtxSSRC) = mode else { return nil }
            let rtx = session.rtxSequence
            session.rtxSequence &+= 1
            return RTXPacket.rewrite(raw, length: packet.length, payloadType: rtxType, ssrc: rtxSSRC, sequence: rtx)
        }, now: now)
        guard let sent else { return }
        session.packetsRetransmitted += 1
        session.pacer.spent(bytes: sent, now: now)
    }

    /// A sender report and CNAME per stream this viewer receives (RFC 3550 §6.4.1, §6.1).
    func sendReports(_ session: Session, now: UInt64) {
        guard let address = session.address, let srtp = session.outbound else { return }
        let wall = NTPTime(unixNanoseconds: MediaClock.wallClockNanoseconds())
        for (kind, counter) in session.counters {
            guard let clock = clocks[kind] else { continue }
            let rate: UInt64 = kind == .video ? 90_000 : 48_000
            let elapsed = (now &- clock.monotonic) * rate / 1_000_000_000
            var compound: [UInt8] = []
            SenderReport(ssrc: clock.ssrc, ntpTime: wall, rtpTimestamp: clock.rtpTimestamp &+ UInt32(truncatingIfNeeded: elapsed),
                         packetCount: counter.packets, octetCount: counter.octets).serialize(into: &compound)
            SourceDescription(ssrc: clock.ssrc, cname: "pinhole").serialize(into: &compound)
            scratch.withUnsafeMutableBytes { raw in
                compound.withUnsafeBytes { raw.copyMemory(from: $0) }
                guard let length = try? srtp.protectRTCP(raw, length: compound.count) else { return }
                transport.socket.send(UnsafeRawBufferPointer(rebasing: raw[0..<length]), to: address)
            }
        }
    }
}
