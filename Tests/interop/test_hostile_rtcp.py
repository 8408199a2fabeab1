"""Hostile RTCP from a viewer that passed ICE and DTLS (issue #10), sent through aiortc's own
SRTP context: truncated, zero-length and overlong packets, a NACK for every sequence number, a
PLI flood, absurd REMB values, a TWCC packet claiming 65,535 statuses, then raw datagrams with a
bad SRTCP tag and a replay. The agent drops what is malformed, coalesces the keyframe requests,
keeps its bitrate inside its limits, and the same viewer keeps decoding."""
import asyncio
import struct

import pylibsrtp

from whep_client import Viewer


def ssrcs(sdp):
    return [int(line.split(":")[1].split()[0]) for line in sdp.splitlines() if line.startswith("a=ssrc:")]


def rtcp(packet_type, count, body):
    """A header (RFC 3550 §6.4.1) with the length the body really has."""
    body += b"\0" * (-len(body) % 4)
    return struct.pack("!BBH", 0x80 | count, packet_type, len(body) // 4) + body


def nacks_for_everything(sender, media):
    """Generic NACKs (RFC 4585 §6.2.1) for all 65,536 sequence numbers, 100 FCIs a packet."""
    fcis = [struct.pack("!HH", pid, 0xFFFF) for pid in range(0, 65536, 17)]
    return [rtcp(205, 1, struct.pack("!II", sender, media) + b"".join(fcis[i:i + 100])) for i in range(0, len(fcis), 100)]


def remb(sender, media, exponent, mantissa):
    """REMB (draft-alvestrand-rmcat-remb): 'REMB', one SSRC, BR Exp and Mantissa."""
    fci = b"REMB" + struct.pack("!I", (1 << 24) | (exponent << 18) | mantissa) + struct.pack("!I", media)
    return rtcp(206, 15, struct.pack("!II", sender, 0) + fci)


def test_hostile_rtcp_from_a_connected_viewer(agent):
    async def run():
        viewer = Viewer(agent.base)
        await viewer.connect()
        await asyncio.sleep(1.5)
        dtls = viewer.pc.getTransceivers()[0].receiver.transport
        media = ssrcs(viewer.pc.remoteDescription.sdp)[0]
        sender = 0x12345678
        before = agent.status()
        frames_before = len(viewer.video_frames)
        malformed = [
            struct.pack("!BBH", 0x81, 201, 10) + b"\0" * 4,                       # claims 44 bytes, has 8
            struct.pack("!BBH", 0x80, 201, 0),                                     # header only
            struct.pack("!BBH", 0x81, 200, 0xFFFF) + b"\0" * 24,                   # overlong
            rtcp(205, 15, struct.pack("!II", sender, media) + struct.pack("!HHI", 1, 65535, 0)),  # TWCC, 65,535 statuses, none there
            rtcp(206, 1, b""),                                                      # PLI without SSRCs
        ]
        async def send(packet):
            try:
                await dtls._send_rtp(packet)
            except pylibsrtp.Error:  # too short even for libsrtp to protect: sent raw, unauthenticated
                await dtls.transport._send(packet + bytes(14))

        for packet in malformed * 50 + nacks_for_everything(sender, media):
            await send(packet)
        for _ in range(1000):  # a PLI flood (RFC 4585 §6.3.1)
            await send(rtcp(206, 1, struct.pack("!II", sender, media)))
        protected = dtls._tx_srtp.protect_rtcp(rtcp(206, 1, struct.pack("!II", sender, media)))
        await dtls.transport._send(protected[:-1] + bytes([protected[-1] ^ 0xFF]))  # bad tag
        await dtls.transport._send(protected)
        await dtls.transport._send(protected)  # replay
        await asyncio.sleep(2)
        after = agent.status()
        frames = len(viewer.video_frames) - frames_before
        # Absurd estimates last: the shared encoder follows the slowest viewer, within its limits.
        for exponent, mantissa in [(63, 0x3FFFF), (0, 0), (0, 1)]:
            await send(remb(sender, media, exponent, mantissa))
        await asyncio.sleep(1)
        after["remb"] = agent.status()["video"]["bitrateKbps"]
        await viewer.close()
        return before, after, frames

    before, after, frames = asyncio.run(run())
    keyframes = after["video"]["keyframes"] - before["video"]["keyframes"]
    rate = after["remb"]
    print(f"\nafter hostile RTCP: {frames} frames decoded in the 2 s after it, {keyframes} keyframes for ~1,000 PLIs, "
          f"encoder at {rate} kbit/s after REMBs of 0, 1 and 2^81 bit/s, {after['viewers'][0]['packetsRetransmitted'] if after['viewers'] else '?'} packets resent "
          f"for NACKs of every sequence number")
    assert frames >= 40, "the viewer stopped decoding"
    assert keyframes <= 8, "PLIs were not coalesced"
    assert 64 <= rate <= 1000, rate
    assert after["viewerCount"] == 1 and after["streaming"] is True
