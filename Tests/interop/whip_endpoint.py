"""A WHIP endpoint (RFC 9725) on aiortc, a WebRTC stack nobody on the team wrote, standing in for a
media server: it answers POST /whip with an aiortc answer (full ICE, DTLS server), decodes what
arrives, and writes what it decoded to a JSON file twice a second. DELETE ends a session.

    whip_endpoint.py --port 8099 --stats stats.json [--token T] [--deaf] [--busy N] [--redirect]

--busy N answers the first N POSTs 503 with Retry-After: 2. --redirect answers POST /whip with
307 to /ingest, where the endpoint really is (RFC 9725 §4.5).

--deaf drops the offer's candidates before aiortc sees them: aiortc then has nothing to check and
sends no check first, so the connection stands only if Pinhole's checks reach it (and aiortc
learns Pinhole's address from them as a peer-reflexive candidate, RFC 8445 §7.3.1.3).

A plain asyncio HTTP/1.1 server: one request per connection, enough for a test. Loopback only.
"""
import argparse
import asyncio
import json
import os
import secrets
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

import aioice.ice
import whep_client  # noqa: F401  (keeps aiortc's ICE on loopback)

if os.environ.get("WHIP_ENDPOINT_HOST"):  # the NAT lab's "internet" side (natlab.py)
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [os.environ["WHIP_ENDPOINT_HOST"]]

SESSIONS = {}
STATS = {"offer_candidates": [], "posts": 0, "post_times": [], "refused": 0, "redirected": 0, "deletes": 0, "video_frames": 0, "audio_frames": 0, "sizes": [], "first_frame_at": None, "authorization": []}


async def consume(track):
    while True:
        try:
            frame = await track.recv()
        except Exception:
            return
        if track.kind == "video":
            STATS["video_frames"] += 1
            STATS["first_frame_at"] = STATS["first_frame_at"] or time.time()
            if [frame.width, frame.height] not in STATS["sizes"]:
                STATS["sizes"].append([frame.width, frame.height])
        else:
            STATS["audio_frames"] += 1


async def answer(offer, deaf):
    if deaf:
        # No candidates and no end-of-candidates: aioice waits for checks (trickle) rather than failing at once.
        offer = "".join(line for line in offer.splitlines(keepends=True) if not line.startswith(("a=candidate:", "a=end-of-candidates")))
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.on("track", lambda track: asyncio.ensure_future(consume(track)))
    await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    session = secrets.token_hex(8)
    SESSIONS[session] = pc
    return session, pc.localDescription.sdp


async def handle(reader, writer, args):
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    request_line, *header_lines = head.split("\r\n")
    method, path, _ = request_line.split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in header_lines if ":" in line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    STATS["authorization"].append(headers.get("authorization"))
    status, extra, payload = "404 Not Found", "", b""
    if args.token and headers.get("authorization") != f"Bearer {args.token}":
        status = "401 Unauthorized"
    elif method == "POST" and path == "/whip" and args.redirect:
        STATS["redirected"] += 1
        status, extra = "307 Temporary Redirect", "Location: /ingest\r\n"
    elif method == "POST" and STATS["refused"] < args.busy:
        STATS["refused"] += 1
        STATS["post_times"].append(time.time())
        status, extra, payload = "503 Service Unavailable", "Retry-After: 2\r\n", b"busy"
    elif method == "POST" and path == ("/ingest" if args.redirect else "/whip"):
        STATS["posts"] += 1
        STATS["post_times"].append(time.time())
        STATS["offer_candidates"] = [line for line in body.decode().splitlines() if line.startswith("a=candidate:")]
        session, sdp = await answer(body.decode(), args.deaf)
        status, payload = "201 Created", sdp.encode()
        extra = f"Location: /whip/{session}\r\nContent-Type: application/sdp\r\n"
    elif method == "DELETE" and path.startswith("/whip/") and path[6:] in SESSIONS:
        STATS["deletes"] += 1
        await SESSIONS.pop(path[6:]).close()
        status = "200 OK"
    writer.write(f"HTTP/1.1 {status}\r\n{extra}Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
    await writer.drain()
    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--deaf", action="store_true")
    parser.add_argument("--busy", type=int, default=0)
    parser.add_argument("--redirect", action="store_true")
    args = parser.parse_args()
    host = os.environ.get("WHIP_ENDPOINT_HOST", "127.0.0.1")
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), host, args.port)
    async with server:
        while True:
            with open(args.stats + ".part", "w") as f:
                json.dump(STATS, f)
            os.replace(args.stats + ".part", args.stats)
            await asyncio.sleep(0.5)


if __name__ == "__main__":
    asyncio.run(main())
