"""Hostile DTLS (issue #10). A certificate that is not the one the offer's fingerprint names: a real
aiortc peer whose offer carries another fingerprint completes ICE, but the agent refuses its
certificate inside the handshake (a fatal bad_certificate alert), frees the session and never sends
it media (RFC 8122 §5, RFC 8827 §6.5). Floods of ClientHellos and garbage records from an address ICE
validated reach OpenSSL and change nothing."""
import asyncio
import os
import struct
import time
import urllib.request

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from rawpeer import Certificate, RawPeer, client_hello, status
from whep_client import Viewer


def test_a_certificate_that_does_not_match_the_fingerprint_is_refused(agent):
    async def run():
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTransceiver("video", direction="recvonly")
        pc.addTransceiver("audio", direction="recvonly")
        frames = []
        pc.on("track", lambda track: frames.append(track))
        await pc.setLocalDescription(await pc.createOffer())
        forged = "\r\n".join("a=fingerprint:sha-256 " + ":".join(["AB"] * 32) if line.startswith("a=fingerprint:") else line
                             for line in pc.localDescription.sdp.splitlines()) + "\r\n"
        request = urllib.request.Request(agent.base + "/whep", data=forged.encode(), method="POST",
                                         headers={"Content-Type": "application/sdp"})
        response = await asyncio.to_thread(urllib.request.urlopen, request, timeout=5)
        assert response.status == 201
        await pc.setRemoteDescription(RTCSessionDescription(sdp=response.read().decode(), type="answer"))
        started = time.time()
        while agent.status()["viewerCount"] and time.time() - started < 8:
            await asyncio.sleep(0.1)
        freed = time.time() - started
        while pc.connectionState not in ("closed", "failed") and time.time() - started < 5:
            await asyncio.sleep(0.1)
        received = sum(s.packetsReceived for s in (await pc.getStats()).values() if s.type == "inbound-rtp")
        state = pc.connectionState
        await pc.close()
        return freed, received, state

    freed, received, state = asyncio.run(run())
    log = open(agent.log_path).read()
    print(f"\nmismatched certificate: session freed {freed:.1f} s after the answer, {received} RTP packets reached the peer, "
          f"its state {state}; agent log: {[l.split('reason=')[1][:60] for l in log.splitlines() if 'reason=' in l]}")
    assert agent.status()["viewerCount"] == 0 and freed < 5
    assert received == 0
    assert state in ("closed", "failed"), "the peer was not told"
    assert "fingerprint" in log.lower()


def test_dtls_floods_from_a_validated_address_change_nothing(agent):
    """A peer that passed ICE for its own session, so its DTLS reaches OpenSSL: 1,000 ClientHellos
    and 1,000 garbage records in the middle of its handshake, then the same once connected. The
    handshake still completes, its media keeps flowing, replies stay bounded, and a real viewer
    (aiortc) watching meanwhile keeps its picture."""
    async def run():
        viewer = Viewer(agent.base)
        await viewer.connect()
        await asyncio.sleep(1.5)
        frames_before, log_before = len(viewer.video_frames), sum(1 for _ in open(agent.log_path))
        outcome = await asyncio.to_thread(flood, agent)
        await asyncio.sleep(1)
        frames = len(viewer.video_frames) - frames_before
        await viewer.close()
        return outcome, frames, sum(1 for _ in open(agent.log_path)) - log_before

    outcome, frames, log_growth = asyncio.run(run())
    print(f"\nDTLS floods from a validated address: {outcome}; the aiortc viewer decoded {frames} frames meanwhile; log grew {log_growth} lines")
    assert outcome["handshake completed after the in-handshake floods, certificate as answered"]
    assert outcome["SRTP packets after the connected floods"] >= 20
    # Bounded, not one per datagram: what comes back is the agent's own flight, resent on its timer.
    assert outcome["replies to 1,000 ClientHellos in the handshake"] <= 10
    assert outcome["replies to 1,000 garbage records in the handshake"] <= 10
    assert outcome["DTLS replies to the floods once connected"] == 0
    assert frames >= 60 and log_growth < 10
    assert outcome["viewers connected after the floods"] == 2  # the aiortc viewer and the flooding peer


def replies(peer, wanted=lambda d: True, seconds=0.5):
    count, deadline = 0, time.time() + seconds
    while peer._receive(deadline - time.time(), wanted) is not None:
        count += 1
    return count


def flood(agent):
    peer = RawPeer(agent.base, agent.udp_port)
    assert peer.post() == 201 and peer.check()
    hello = peer.hello()
    assert replies(peer) >= 1  # the agent's first flight
    hellos = [client_hello(Certificate()) for _ in range(20)]
    for i in range(1000):
        peer.send(hellos[i % 20])
    outcome = {"replies to 1,000 ClientHellos in the handshake": replies(peer)}
    for i in range(1000):
        peer.send(garbage(i))
    outcome["replies to 1,000 garbage records in the handshake"] = replies(peer)
    peer.send(hello)  # our own ClientHello again: the agent repeats its flight and we go on from it
    outcome["handshake completed after the in-handshake floods, certificate as answered"] = peer.handshake()
    for i in range(1000):
        peer.send(hellos[i % 20])
        peer.send(garbage(i))
    outcome["DTLS replies to the floods once connected"] = replies(peer, lambda d: 20 <= d[0] <= 63)
    outcome["SRTP packets after the connected floods"] = peer.media(20)
    outcome["viewers connected after the floods"] = sum(v["state"] == "connected" for v in status(agent.base)["viewers"])
    peer.delete()
    peer.close()
    return outcome


def garbage(i):
    """A record header of each content type (RFC 6347 §4.1) over random bytes, some claiming epoch 1."""
    return bytes([20 + i % 4, 0xFE, 0xFD, 0, i % 2]) + os.urandom(6) + struct.pack("!H", 40) + os.urandom(40)
