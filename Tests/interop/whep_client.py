"""A WHEP viewer built on aiortc, a WebRTC stack nobody on the team wrote."""
import asyncio
import time
import urllib.request

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

import blockcode

# aioice skips loopback when gathering; keep every packet of the test on 127.0.0.1.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


def http(method, url, body=None, content_type=None):
    request = urllib.request.Request(url, data=body, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, dict(response.headers), response.read()


class Viewer:
    def __init__(self, base):
        self.base = base
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_frames = []      # (width, height, block code or None, receive wall ms)
        self.audio_frames = []      # (sample_rate, samples)
        self.location = None
        self.etag = None
        self.tasks = []

    async def connect(self):
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        self.pc.on("track", self._on_track)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        status, headers, body = await asyncio.to_thread(
            http, "POST", self.base + "/whep", self.pc.localDescription.sdp.encode(), "application/sdp")
        assert status == 201, status
        self.location = headers["Location"]
        self.etag = headers.get("ETag")
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=self.answer_filter(body.decode()), type="answer"))

    def answer_filter(self, sdp):
        """The answer as the viewer takes it; subclasses may drop candidates (to force a path)."""
        return sdp

    def _on_track(self, track):
        self.tasks.append(asyncio.ensure_future(self._consume(track)))

    async def _consume(self, track):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            self.on_frame(track.kind, frame)

    def on_frame(self, kind, frame):
        """Keeps what tests look at of each decoded frame; subclasses keep more."""
        if kind == "video":
            luma = frame.to_ndarray(format="gray")
            self.video_frames.append((frame.width, frame.height, blockcode.read(luma), time.time() * 1000))
        else:
            self.audio_frames.append((frame.sample_rate, frame.samples))

    async def wait_for(self, condition, timeout=15):
        """Waits until `condition()` holds (ICE and DTLS through the lab VM take a few seconds)."""
        deadline = time.time() + timeout
        while not condition() and time.time() < deadline:
            await asyncio.sleep(0.1)

    async def close(self, delete=True):
        if delete and self.location:
            await asyncio.to_thread(http, "DELETE", self.base + self.location)
        for task in self.tasks:
            task.cancel()
        await self.pc.close()
