"""Hostile datagrams on the media port while a real viewer (aiortc) watches (issue #10): forged
and malformed STUN, a USE-CANDIDATE flood, DTLS from an address ICE never validated, RTCP-shaped
and random garbage. None is answered, the viewer keeps its picture, and the log stays quiet. A
correctly authenticated check from the same socket is answered: the forging code is right, so
the silence means something."""
import asyncio
import os
import random
import socket
import time

from rawpeer import Certificate, RawPeer, binding_request, client_hello, credentials
from whep_client import Viewer


def answered(sock):
    """Datagrams that came back within 0.3 s."""
    replies, deadline = 0, time.time() + 0.3
    while time.time() < deadline:
        try:
            sock.recvfrom(2048)
            replies += 1
        except socket.timeout:
            pass
    return replies


def test_hostile_datagrams_are_dropped_and_the_viewer_keeps_watching(agent):
    async def run():
        viewer = Viewer(agent.base)
        await viewer.connect()
        await asyncio.sleep(1.5)
        ours, our_pwd = credentials(viewer.pc.remoteDescription.sdp)
        theirs, _ = credentials(viewer.pc.localDescription.sdp)
        target = ("127.0.0.1", agent.udp_port)
        log_lines = sum(1 for _ in open(agent.log_path))
        frames_before = len(viewer.video_frames)
        attacks = {
            "bad integrity": [binding_request(f"{ours}:{theirs}", "not-the-password-at-all")],
            "no USERNAME": [binding_request(None, our_pwd)],
            "username halves swapped": [binding_request(f"{theirs}:{ours}", our_pwd)],
            "attribute past the end": [binding_request(f"{ours}:{theirs}", our_pwd, corrupt_length=True)],
            "USE-CANDIDATE flood, forged": [binding_request(f"{ours}:{theirs}", "guess%d" % i, use_candidate=True) for i in range(1000)],
            "DTLS ClientHello, unvalidated address": [bytes([22, 0xFE, 0xFD]) + os.urandom(120) for _ in range(1000)],
            "RTCP-shaped garbage": [bytes([0x81, 200 + i % 7]) + os.urandom(60) for i in range(1000)],
            "random bytes": [os.urandom(random.Random(i).randint(1, 1400)) for i in range(1000)],
        }
        outcomes = {}
        for name, datagrams in attacks.items():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.bind(("127.0.0.1", 0))
                sock.settimeout(0.05)
                for datagram in datagrams:
                    sock.sendto(datagram, target)
                outcomes[name] = await asyncio.to_thread(answered, sock)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.settimeout(0.05)
            sock.sendto(binding_request(f"{ours}:{theirs}", our_pwd), target)
            outcomes["control: authenticated check, no nomination"] = await asyncio.to_thread(answered, sock)
        await asyncio.sleep(1.5)
        frames_after = len(viewer.video_frames)
        await viewer.close()
        return outcomes, frames_after - frames_before, sum(1 for _ in open(agent.log_path)) - log_lines

    outcomes, frames, log_growth = asyncio.run(run())
    print(f"\nreplies per attack: {outcomes}; viewer decoded {frames} frames meanwhile; log grew {log_growth} lines")
    control = outcomes.pop("control: authenticated check, no nomination")
    assert control == 1, "the forging code is wrong: a correct check was not answered"
    assert all(replies == 0 for replies in outcomes.values()), outcomes
    assert frames >= 60, "the viewer stopped getting pictures"
    assert log_growth < 20
    assert agent.status()["streaming"] is True


def test_checks_from_a_thousand_new_addresses_keep_the_tables_bounded(agent):
    """A viewer holding its session's credentials sends authenticated checks from 1,000 ports.
    ICE-lite answers each (RFC 8445 §7.3), but remembers only the latest 16 addresses: DTLS from
    an early one is dropped again, from the latest it is answered."""
    peer = RawPeer(agent.base, agent.udp_port)
    assert peer.post() == 201
    ufrag, pwd = credentials(peer.answer)
    hello = client_hello(Certificate())
    answered_checks, kept = 0, []
    for i in range(1000):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(1)
        sock.sendto(binding_request(f"{ufrag}:{peer.ufrag}", pwd), ("127.0.0.1", agent.udp_port))
        try:
            answered_checks += sock.recvfrom(2048)[0][:2] == b"\x01\x01"
        except socket.timeout:
            pass
        if i in (1, 999):
            kept.append(sock)
        else:
            sock.close()
    replies = {}
    for name, sock in zip(("an early address", "the latest address"), kept):
        sock.settimeout(0.05)
        sock.sendto(hello, ("127.0.0.1", agent.udp_port))
        replies[name] = answered(sock)
        sock.close()
    peer.close()
    print(f"\n1,000 authenticated checks from new ports: {answered_checks} answered; DTLS replies: {replies}")
    assert answered_checks == 1000
    assert replies["an early address"] == 0 and replies["the latest address"] >= 1
    assert agent.status()["streaming"] is True
