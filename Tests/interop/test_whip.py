"""Publishing by WHIP (issue #11) to an endpoint on aiortc (whip_endpoint.py), a stack nobody on the
team wrote: aiortc runs full ICE as the controlled agent and is the DTLS server; Pinhole controls
ICE and is the DTLS client. The endpoint decodes the video and audio; a local WHEP viewer goes on
watching meanwhile; the endpoint is restarted mid-stream and the agent publishes again by itself."""
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT, Agent, free_port
from sse import EventReader
from whep_client import Viewer

HERE = os.path.dirname(os.path.abspath(__file__))


class Endpoint:
    def __init__(self, port, stats, token, *extra):
        self.stats = stats
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "whip_endpoint.py"), "--port", str(port),
                                         "--stats", stats, "--token", token, *extra], stderr=subprocess.DEVNULL)

    def read(self):
        try:
            with open(self.stats) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def wait_for(self, condition, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition(self.read()):
                return time.time()
            time.sleep(0.2)
        return None

    def kill(self):
        self.process.kill()
        self.process.wait()


def post(agent, path):
    urllib.request.urlopen(urllib.request.Request(agent.base + path, method="POST"), timeout=5).read()


def test_publishes_to_an_aiortc_endpoint_and_comes_back_after_it_restarts(tmp_path):
    port = free_port()
    endpoint = Endpoint(port, str(tmp_path / "first.json"), "t0ken")
    agent = Agent("--whip", f"http://127.0.0.1:{port}/whip", "--whip-token", "t0ken")
    try:
        reader = EventReader(agent.base)
        published = endpoint.wait_for(lambda s: s.get("video_frames", 0) >= 50 and s.get("audio_frames", 0) >= 100, 30)
        first = endpoint.read()
        status = agent.status()
        metrics = urllib.request.urlopen(agent.base + "/metrics", timeout=5).read().decode()

        async def watch():
            viewer = Viewer(agent.base)
            await viewer.connect()
            await asyncio.sleep(3)
            await viewer.close()
            return len(viewer.video_frames)

        local_frames = asyncio.run(watch())
        endpoint.kill()
        restarted_at = time.time()
        endpoint = Endpoint(port, str(tmp_path / "second.json"), "t0ken")
        resumed = endpoint.wait_for(lambda s: s.get("video_frames", 0) >= 10, 40)
        again = agent.status()["publish"]
        events = [reader.wait_for("publish", state=state, timeout=2) for state in ("publishing", "retrying")]
        reader.close()
        post(agent, "/api/stream/stop")
        stopped = endpoint.wait_for(lambda s: s.get("deletes", 0) >= 1, 10)
        idle = agent.status()["publish"]
    finally:
        endpoint.kill()
        agent.stop()
    print(f"\npublished: {first.get('video_frames')} video and {first.get('audio_frames')} audio frames decoded by aiortc "
          f"at {first.get('sizes')}; status {status.get('publish')}; a local WHEP viewer decoded {local_frames} frames meanwhile; "
          f"after the endpoint restarted, publishing resumed in {resumed - restarted_at if resumed else None} s "
          f"(attempts {again.get('attempts')}); stopping streaming DELETEd it: {bool(stopped)}, then {idle}")
    assert published, first
    assert first["sizes"] == [[640, 480]] and set(first["authorization"]) == {"Bearer t0ken"}
    assert status["publish"]["state"] == "publishing" and status["viewerCount"] == 0
    assert "pinhole_publish_up 1" in metrics and all(events), events
    assert local_frames >= 60
    assert resumed and resumed - restarted_at < 35
    assert again["state"] == "publishing" and again["attempts"] >= 2
    assert stopped and idle["state"] == "idle"


def test_a_full_ice_peer_that_sends_no_check_first_is_reached_by_ours(tmp_path):
    """aiortc without Pinhole's candidates (--deaf) cannot check first: Pinhole's checks, as the
    controlling agent, find it, and its triggered checks come back to the address they came from."""
    port = free_port()
    endpoint = Endpoint(port, str(tmp_path / "deaf.json"), "", "--deaf")
    agent = Agent("--whip", f"http://127.0.0.1:{port}/whip")
    try:
        published = endpoint.wait_for(lambda s: s.get("video_frames", 0) >= 30 and s.get("audio_frames", 0) >= 50, 30)
        status = agent.status()["publish"]
        # Shutting down (SIGTERM, as systemd does) deletes the session on the server, and does not hang.
        started = time.time()
        agent.process.terminate()
        code = agent.process.wait(timeout=15)
        shutdown = time.time() - started
        deleted = endpoint.wait_for(lambda s: s.get("deletes", 0) >= 1, 5)
    finally:
        endpoint.kill()
        agent.stop()
    print(f"\na deaf aiortc endpoint: {endpoint.read()}; publish status {status}; SIGTERM: exit {code} after {shutdown:.2f} s, "
          f"session deleted: {bool(deleted)}")
    assert published and status["state"] == "publishing" and status["attempts"] == 1
    assert code == 0 and shutdown < 5 and deleted


PION = os.path.join(ROOT, ".build-interop", "pion-whip")


def test_an_ice_lite_server_on_pion_receives_whole_frames(tmp_path):
    """pion in ICE-lite mode (pion_whip/main.go, built by `make interop-test`) answers a=ice-lite:
    Pinhole, the full agent, controls, checks and nominates (RFC 8445 §6.1.1); pion 3.1 also answers
    a=setup:active to the active offer, yet acts as the DTLS server, and Pinhole stays the client.
    This endpoint has an RSA certificate (aiortc's are ECDSA): Pinhole, the DTLS client, checks it
    against the answer's fingerprint all the same. pion reassembles the VP8 frames and counts Opus."""
    port = free_port()
    stats = tmp_path / "pion.json"
    server = subprocess.Popen([PION, "--http", f"127.0.0.1:{port}", "--stats", str(stats), "--rsa"], stderr=subprocess.DEVNULL)
    agent = Agent("--whip", f"http://127.0.0.1:{port}/whip")
    try:
        def read():
            try:
                return json.loads(stats.read_text())
            except (OSError, ValueError):
                return {}

        deadline = time.time() + 30
        while time.time() < deadline and not (read().get("video_frames", 0) >= 60 and read().get("audio_packets", 0) >= 100):
            time.sleep(0.2)
        counts, status = read(), agent.status()["publish"]
    finally:
        server.kill()
        agent.stop()
    print(f"\npion ICE-lite endpoint: {({k: v for k, v in counts.items() if k != 'answer'})}; publish status {status}")
    assert "a=ice-lite" in counts.get("answer", "") and counts["certificate"] == "RSA 2048"
    assert counts["video_frames"] >= 60 and counts["key_frames"] >= 1 and counts["audio_packets"] >= 100
    assert status["state"] == "publishing" and status["attempts"] == 1


def test_redirects_are_followed_and_a_busy_server_is_asked_again_when_it_says(tmp_path):
    """POST /whip is redirected (307) to /ingest, which is busy twice (503, Retry-After: 2): the
    offer follows the redirect as a POST, and each retry waits the 2 s the server asked, not the
    1 s the backoff would. A wrong token (401) is retried with backoff, not hammered."""
    port = free_port()
    endpoint = Endpoint(port, str(tmp_path / "busy.json"), "", "--busy", "2", "--redirect")
    agent = Agent("--whip", f"http://127.0.0.1:{port}/whip")
    try:
        published = endpoint.wait_for(lambda s: s.get("video_frames", 0) >= 30, 30)
        counts, status = endpoint.read(), agent.status()["publish"]
    finally:
        endpoint.kill()
        agent.stop()
    gaps = [b - a for a, b in zip(counts["post_times"], counts["post_times"][1:])]
    print(f"\nredirected {counts['redirected']} times, refused {counts['refused']}, POSTs at gaps {[round(g, 2) for g in gaps]} s; {status}")
    assert published and counts["refused"] == 2 and counts["posts"] == 1 and counts["redirected"] == 3
    assert all(gap >= 1.9 for gap in gaps)
    assert status["state"] == "publishing" and status["attempts"] == 3 and "503" in status["lastError"]

    port = free_port()
    endpoint = Endpoint(port, str(tmp_path / "locked.json"), "right-token")
    agent = Agent("--whip", f"http://127.0.0.1:{port}/whip", "--whip-token", "wrong-token")
    try:
        time.sleep(8)
        counts, status = endpoint.read(), agent.status()["publish"]
    finally:
        endpoint.kill()
        agent.stop()
    print(f"a wrong token: {len(counts['authorization'])} requests in 8 s; {status}")
    assert status["state"] == "retrying" and "401" in status["lastError"]
    assert 3 <= len(counts["authorization"]) <= 5  # at 0, 1, 3 and 7 s (with a tenth of jitter)


def natlab(*args):
    run = subprocess.run(["unshare", "--net", "--mount", sys.executable, os.path.join(HERE, "natlab.py"), *args],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_publishing_from_behind_a_nat(tmp_path):
    """natlab.py: the agent behind a masquerading router learns its server-reflexive address from
    a STUN server (pion/turn) and offers it; the WHIP endpoint beyond the NAT, which cannot reach
    the agent's host address, receives and decodes the stream."""
    result = natlab()
    endpoint = result.get("endpoint", {})
    srflx = [c for c in endpoint.get("offer_candidates", []) if "typ srflx" in c]
    print(f"\nbehind a NAT: offered {endpoint.get('offer_candidates', [])[:2]}; the endpoint decoded "
          f"{endpoint.get('video_frames')} video and {endpoint.get('audio_frames')} audio frames; publish {result.get('publish')}")
    assert srflx and " 10.2.0.1 " in srflx[0] and "raddr 10.1.0.2" in srflx[0]
    assert endpoint["video_frames"] >= 30 and endpoint["audio_frames"] >= 30
    assert result["publish"]["state"] == "publishing"


def test_a_path_that_dies_is_restarted_by_patch_and_the_server_keeps_its_session():
    """natlab.py --pion --outage 12: every UDP datagram through the router is dropped for 12 s
    (HTTP still works). Consent goes unanswered, the agent PATCHes an ICE restart (RFC 9725 §4.3.2)
    that pion answers, and when the path heals the stream flows again in the same server session."""
    result = natlab("--pion", "--outage", "12")
    endpoint, outage = result["endpoint"], result.get("outage", {})
    print(f"\n12 s without UDP: {outage}; pion saw {endpoint.get('posts')} POST, {endpoint.get('restarts')} ICE restart, "
          f"{endpoint.get('video_frames')} frames; publish {result['publish']}")
    assert endpoint["posts"] == 1 and endpoint["restarts"] == 1
    assert outage["flowing_again_after"] is not None and outage["flowing_again_after"] < 10
    assert result["publish"]["state"] == "publishing" and result["publish"]["attempts"] == 1
