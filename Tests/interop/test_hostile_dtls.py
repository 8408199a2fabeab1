"""DTLS with a certificate that is not the one the offer's fingerprint names (issue #10): a real
aiortc peer whose offer carries another fingerprint completes ICE, but the agent refuses the
handshake, tells the peer (close_notify), frees the session and never sends it media (RFC 8122 §5,
RFC 8827 §6.5)."""
import asyncio
import time
import urllib.request

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

import whep_client  # noqa: F401  (keeps aiortc's ICE on loopback)


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
