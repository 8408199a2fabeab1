internal import DTLS
internal import RTCP
internal import SRTP
internal import STUN
internal import Media
internal import Synchronization
internal import Logging
internal import RTP

extension TransportLoop {
    /// Encrypts the shared packets once per viewer, with the viewer's own payload type.
    /// Encrypts the shared packets once per viewer, with the viewer's own payload type: the
    /// only copy is from the ring into the per-viewer SRTP buffer.
    func send(_ batch: MediaBatch) {
        clocks[batch.kind] = (batch.ssrc.rawValue, batch.rtpTimestamp, batch.monotonicNanoseconds)
        for session in sessions.values {
            guard session.phase == .connected, let address = session.address, let srtp = session.outbound,
                  let payloadType = session.setup.payloadTypes[batch.kind] else { continue }
            var counter = session.counters[batch.kind] ?? (0, 0)
            for packet in batch.packets {
                let sent = scratch.withUnsafeMutableBytes { raw -> Bool in
                    guard let length = transport.ring.read(packet, into: raw) else { return false }
                    raw[1] = raw[1] & 0x80 | payloadType
                    guard let protected = try? srtp.protectRTP(raw, length: length) else { return false }
                    return transport.socket.send(UnsafeRawBufferPointer(rebasing: raw[0..<protected]), to: address)
                }
                if sent {
                    counter.packets &+= 1
                    counter.octets &+= UInt32(packet.length - RTPHeader.fixedLength)
                }
            }
            session.counters[batch.kind] = counter
        }
    }

    func serviceTimers() {
        let now = self.now
        for (id, session) in sessions {
            if session.phase != .connected, now - session.createdAt > transport.limits.setupTimeout {
                close(id, reason: "ICE and DTLS did not complete in time")
            } else if now - session.lastConsent > transport.limits.consentTimeout {
                close(id, reason: "consent expired (RFC 7675)")
            } else if session.phase == .handshaking, let wait = session.dtls.timeoutMicroseconds, wait <= 0,
                      let address = session.address {
                for datagram in session.dtls.handleTimeout() { transport.socket.send(datagram, to: address) }
            } else if session.phase == .connected, now >= session.nextReportAt {
                sendReports(session, now: now)
                session.nextReportAt = now + 1_000_000_000
            }
        }
        transport.viewersBox.withLock { viewers in
            for (id, session) in sessions where viewers[id] != nil { viewers[id] = session.status }
        }
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

    func close(_ id: String, reason: String) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        if let address = session.address {
            for datagram in session.dtls.close() { transport.socket.send(datagram, to: address) }
        }
        byUfrag.removeValue(forKey: session.setup.localUfrag)
        for address in session.validated where byAddress[address] == id { byAddress.removeValue(forKey: address) }
        transport.viewersBox.withLock { _ = $0.removeValue(forKey: id) }
        transport.logger.info("viewer left", metadata: ["viewer": "\(id)", "reason": "\(reason)"])
    }
}
