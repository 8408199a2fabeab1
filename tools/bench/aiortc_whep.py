"""A WHEP server on aiortc doing Pinhole's job the way a Python stack does it: the same stamped
test pattern (read from `pinhole pattern`) and a 1 kHz tone, encoded by aiortc for each viewer
separately (one VP8 and one Opus encoder per viewer). For tools/bench only."""
import argparse
import asyncio
import fractions
import math
import secrets
import subprocess
import threading
import time

import aioice.ice
import aiortc.codecs.vpx
import av
import numpy
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

# Keep every packet on loopback (aioice skips it when gathering).
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class Camera:
    """The latest frame from `pinhole pattern`, read on a thread."""

    def __init__(self, command, width, height):
        self.size = width * height * 3 // 2
        self.shape = (height * 3 // 2, width)
        self.frame, self.count = None, 0
        self.condition = threading.Condition()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, bufsize=0)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        stream = self.process.stdout
        while True:
            data = bytearray()
            while len(data) < self.size:
                chunk = stream.read(self.size - len(data))
                if not chunk:
                    return
                data += chunk
            with self.condition:
                self.frame, self.count = numpy.frombuffer(bytes(data), numpy.uint8).reshape(self.shape), self.count + 1
                self.condition.notify_all()

    def next_after(self, count):
        with self.condition:
            self.condition.wait_for(lambda: self.count > count, timeout=1)
            return self.frame, self.count


class PatternTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, camera):
        super().__init__()
        self.camera, self.seen, self.start = camera, 0, None

    async def recv(self):
        frame, self.seen = await asyncio.to_thread(self.camera.next_after, self.seen)
        self.start = self.start or time.monotonic()
        video = av.VideoFrame.from_ndarray(frame, format="yuv420p")
        video.pts, video.time_base = int((time.monotonic() - self.start) * 90000), fractions.Fraction(1, 90000)
        return video


class ToneTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self):
        super().__init__()
        self.samples, self.start = 0, None

    async def recv(self):
        self.start = self.start or time.monotonic()
        wait = self.start + self.samples / 48000 - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (self.samples + numpy.arange(960)) / 48000
        pcm = (0.25 * 32767 * numpy.sin(2 * math.pi * 1000 * t)).astype(numpy.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = 48000, self.samples, fractions.Fraction(1, 48000)
        self.samples += 960
        return frame


class Server:
    def __init__(self, camera):
        self.camera, self.sessions = camera, {}

    async def handle(self, reader, writer):
        try:
            request = (await reader.readuntil(b"\r\n\r\n")).decode()
            method, path = request.split(" ", 2)[:2]
            headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in request.split("\r\n")[1:] if ":" in line}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status, extra, payload = await self.route(method, path, body.decode())
        except Exception as error:  # a bad request ends this connection only
            status, extra, payload = 400, {}, str(error)
        head = [f"HTTP/1.1 {status} X", "Access-Control-Allow-Origin: *", "Access-Control-Allow-Headers: Content-Type",
                "Access-Control-Allow-Methods: POST, DELETE, OPTIONS", "Access-Control-Expose-Headers: Location",
                f"Content-Length: {len(payload.encode())}", "Connection: close"] + [f"{k}: {v}" for k, v in extra.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n" + payload).encode())
        await writer.drain()
        writer.close()

    async def route(self, method, path, body):
        if method == "OPTIONS":
            return 204, {}, ""
        if method == "DELETE" and path.startswith("/whep/"):
            pc = self.sessions.pop(path[len("/whep/"):], None)
            if pc:
                await pc.close()
            return 200, {}, ""
        if method != "POST" or path != "/whep":
            return 404, {}, ""
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTrack(PatternTrack(self.camera))
        pc.addTrack(ToneTrack())
        await pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        session = secrets.token_hex(16)
        self.sessions[session] = pc
        return 201, {"Content-Type": "application/sdp", "Location": f"/whep/{session}"}, pc.localDescription.sdp


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", default="127.0.0.1:8091")
    parser.add_argument("--pattern", required=True, help="the pinhole binary")
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--fps", default="30")
    parser.add_argument("--bitrate", type=int, default=1000, help="kbit/s each viewer's encoder starts at (aiortc: 500)")
    args = parser.parse_args()
    aiortc.codecs.vpx.DEFAULT_BITRATE = args.bitrate * 1000
    width, height = map(int, args.size.split("x"))
    camera = Camera([args.pattern, "pattern", "--size", args.size, "--fps", args.fps], width, height)
    host, port = args.http.rsplit(":", 1)
    server = await asyncio.start_server(Server(camera).handle, host, int(port))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
