"""Limits on what a client may hold (issue #10): a session that never completes ICE and DTLS is
freed after --setup-timeout; an HTTP client that drips its request is cut off after
--http-timeout, while a normal request and a long event stream are not."""
import os
import socket
import time
import urllib.request

from conftest import Agent, ROOT

OFFER = open(os.path.join(ROOT, "Tests", "WireFormatTests", "Fixtures", "sdp", "chromium-156-recvonly-offer.sdp"), "rb").read()


def post_offer(agent):
    request = urllib.request.Request(agent.base + "/whep", data=OFFER, method="POST", headers={"Content-Type": "application/sdp"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


def test_a_session_that_never_connects_is_freed():
    agent = Agent("--setup-timeout", "2")
    try:
        assert post_offer(agent) == 201
        assert agent.status()["viewerCount"] == 1
        posted = time.time()
        while agent.status()["viewerCount"] and time.time() - posted < 5:
            time.sleep(0.1)
        freed = time.time() - posted
        print(f"\nunconnected session freed after {freed:.1f} s (setup timeout 2 s)")
        assert agent.status()["viewerCount"] == 0 and 1.8 < freed < 3.5
    finally:
        agent.stop()


def closed_after(agent, first, drip):
    """Sends `first`, then one byte of `drip` every 0.25 s; seconds until the agent closes."""
    with socket.create_connection(("127.0.0.1", agent.http_port), timeout=10) as s:
        started = time.time()
        s.sendall(first)
        s.settimeout(0.25)
        for byte in drip:
            try:
                if s.recv(4096) == b"":
                    return time.time() - started
            except socket.timeout:
                pass
            except ConnectionResetError:
                return time.time() - started
            try:
                s.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                return time.time() - started
        return None


def test_slow_senders_are_cut_off_and_nothing_else_is():
    agent = Agent("--http-timeout", "2")
    try:
        head = closed_after(agent, b"GET /api/status HTTP/1.1\r\nHost: pinhole\r\n", b"X-Drip: " + b"a" * 40)
        body = closed_after(agent, b"POST /whep HTTP/1.1\r\nHost: pinhole\r\nContent-Type: application/sdp\r\nContent-Length: 4000\r\n\r\n",
                            b"v" * 40)
        print(f"\nslow headers cut off after {head:.1f} s, slow body after {body:.1f} s (HTTP timeout 2 s)")
        assert head is not None and 1.8 < head < 3.5
        assert body is not None and 1.8 < body < 3.5
        assert agent.status()["streaming"] is True
        with urllib.request.urlopen(agent.base + "/api/events", timeout=10) as events:
            assert events.read1(64).startswith(b"retry:")
            time.sleep(3)  # longer than the timeout with nothing to send: the stream stays open
            urllib.request.urlopen(urllib.request.Request(agent.base + "/api/audio/mute", method="POST"), timeout=5).read()
            received = b""
            while b"event: audio" not in received:
                chunk = events.read1(4096)
                assert chunk, "the event stream was closed"
                received += chunk
        assert post_offer(agent) == 201
    finally:
        agent.stop()


def test_a_connection_flood_is_capped_and_the_agent_recovers(tmp_path):
    """max_connections = 16: 200 idle connections opened at once. Those over the cap are closed at
    once, the agent's descriptors stay bounded, and once the flood lets go it serves again."""
    config = tmp_path / "pinhole.toml"
    config.write_text("max_connections = 16\n")
    agent = Agent("--config", str(config), "--http-timeout", "30")
    try:
        fds_before = len(os.listdir(f"/proc/{agent.process.pid}/fd"))
        flood = [socket.create_connection(("127.0.0.1", agent.http_port), timeout=5) for _ in range(200)]
        time.sleep(1)
        closed = 0
        for s in flood:
            s.settimeout(0.05)
            try:
                closed += s.recv(1) == b""
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed += 1
        fds_during = len(os.listdir(f"/proc/{agent.process.pid}/fd"))
        for s in flood:
            s.close()
        time.sleep(0.5)
        print(f"\n200 idle connections, cap 16: {closed} closed by the agent at once, {200 - closed} held; "
              f"agent descriptors {fds_before} before, {fds_during} during")
        assert closed == 200 - 16
        assert fds_during <= fds_before + 16 + 4
        assert agent.status()["streaming"] is True and post_offer(agent) == 201
    finally:
        agent.stop()


def test_an_event_stream_nobody_reads_is_closed(tmp_path):
    """The write timeout: a client opens /api/events with a tiny receive buffer and never reads.
    Thousands of events later the agent's send side is full; it closes the connection within
    --http-timeout rather than holding it (and its queued events) forever."""
    agent = Agent("--http-timeout", "2")
    try:
        def sockets():
            links = [os.readlink(f"/proc/{agent.process.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{agent.process.pid}/fd")]
            return sum(link.startswith("socket:") for link in links)

        baseline = sockets()
        reader = socket.socket()
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        reader.connect(("127.0.0.1", agent.http_port))
        reader.sendall(b"GET /api/events HTTP/1.1\r\nHost: pinhole\r\n\r\n")
        started = time.time()
        closed_at = None
        while time.time() - started < 60 and closed_at is None:
            for path in ("/api/audio/mute", "/api/audio/unmute") * 50:
                urllib.request.urlopen(urllib.request.Request(agent.base + path, method="POST"), timeout=5).read()
            time.sleep(0.1)
            if sockets() == baseline:
                closed_at = time.time() - started
            elif closed_at is None and time.time() - started < 1:
                assert sockets() == baseline + 1, "the reader's connection is not counted"
        print(f"\nan event stream nobody reads: closed by the agent after {closed_at} s of mute/unmute events")
        assert closed_at is not None
        assert agent.status()["streaming"] is True
    finally:
        agent.stop()
