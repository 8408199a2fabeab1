"""Malformed and unsupported offers get a JSON 400 naming the line; other misuse its own status."""
import json
import os
import urllib.error
import urllib.request

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "WireFormatTests", "Fixtures", "sdp")


def post(agent, body, content_type="application/sdp"):
    request = urllib.request.Request(agent.base + "/whep", data=body, method="POST")
    request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def chromium_offer():
    with open(os.path.join(FIXTURES, "chromium-156-recvonly-offer.sdp"), "rb") as f:
        return f.read().decode()


CASES = [
    ("RTP/AVP profile", [("UDP/TLS/RTP/SAVPF", "RTP/AVP")], "line 8"),
    ("malformed fingerprint", [("a=fingerprint:sha-256 02:D9", "a=fingerprint:sha-256 02:D9:")], "line 16"),
    ("no fingerprint", [("a=fingerprint:", "a=x-fingerprint:")], "line 8"),
    ("no rtcp-mux", [("a=rtcp-mux\r\n", "")], "line 8"),
    ("no BUNDLE", [("a=group:BUNDLE 0 1\r\n", "")], "BUNDLE"),
    ("no shared codec", [("VP8/90000", "VP7/90000"), ("opus/48000/2", "speex/48000/2")], "line 8"),
    ("short ufrag", [("a=ice-ufrag:Vces", "a=ice-ufrag:Vc")], "line 13"),
    ("extmap id 15", [("a=extmap:1 urn", "a=extmap:15 urn")], "line 19"),
    ("setup passive", [("a=setup:actpass", "a=setup:passive")], "line 17"),
    ("NUL byte", [("s=-", "s=\x00")], "line 3"),
    ("conflicting fingerprints", [("a=setup:actpass", "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\na=setup:actpass")], "line 17"),
]


def test_each_rejection_is_a_400_naming_the_line(agent):
    for name, edits, where in CASES:
        text = chromium_offer()
        for old, new in edits:
            text = text.replace(old, new)
        status, body = post(agent, text.encode())
        error = json.loads(body)
        assert status == 400, (name, status, body)
        assert where in error["detail"], (name, error)
    assert agent.status()["viewerCount"] == 0


def test_wrong_content_type_and_oversized_bodies(agent):
    status, body = post(agent, chromium_offer().encode(), "text/plain")
    assert status == 415 and json.loads(body)["error"]
    status, _ = post(agent, b"v=0\r\n" + b"a=" + b"x" * (70 * 1024) + b"\r\n")
    assert status == 413
    many_lines = "v=0\r\n" + "a=x\r\n" * 10_001
    status, body = post(agent, many_lines.encode())
    assert status in (400, 413), status


def test_unknown_session_is_404(agent):
    request = urllib.request.Request(agent.base + "/whep/sessions/0123456789abcdef0123456789abcdef", method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=5)
        assert False, "expected 404"
    except urllib.error.HTTPError as error:
        assert error.code == 404
        assert json.loads(error.read())["error"]


def offer_without_media():
    text = chromium_offer()
    return text[:text.index("m=")]


STRUCTURAL = [
    ("no m-lines", lambda: offer_without_media(), 400),
    ("1,000 m-lines", lambda: offer_without_media() + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" * 1000, 400),
    ("20 m-lines", lambda: offer_without_media() + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" * 20, 400),
    ("a 1 MiB line", lambda: "v=0\r\na=" + "x" * (1 << 20) + "\r\n", 413),
    ("100 candidates", lambda: chromium_offer() + "a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n" * 100, 400),
    ("5,000 candidates", lambda: chromium_offer() + "a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n" * 5000, 413),
    ("31-byte sha-256 fingerprint", lambda: chromium_offer().replace("a=fingerprint:sha-256 02:D9:", "a=fingerprint:sha-256 "), 400),
    ("300-character ufrag", lambda: chromium_offer().replace("a=ice-ufrag:Vces", "a=ice-ufrag:" + "V" * 300), 400),
    ("300-character pwd", lambda: chromium_offer().replace("a=ice-pwd:", "a=ice-pwd:" + "p" * 300), 400),
    ("extmap id 0", lambda: chromium_offer().replace("a=extmap:1 urn", "a=extmap:0 urn"), 400),
    ("extmap id 256", lambda: chromium_offer().replace("a=extmap:1 urn", "a=extmap:256 urn"), 400),
]


def test_structural_extremes_are_refused(agent):
    outcomes = {}
    for name, make, expected in STRUCTURAL:
        status, body = post(agent, make().encode())
        outcomes[name] = (status, json.loads(body)["detail"][:60] if body.startswith(b"{") else body[:60])
        assert status == expected, (name, status, body[:200])
    print("\n" + "\n".join(f"  {name}: {status} {detail}" for name, (status, detail) in outcomes.items()))
    assert agent.status()["viewerCount"] == 0


def test_wrong_methods_on_every_route(agent):
    wrong = [("GET", "/whep"), ("PUT", "/whep"), ("GET", "/whep/sessions/0"), ("POST", "/whep/sessions/0"),
             ("POST", "/api/status"), ("DELETE", "/api/events"), ("POST", "/metrics"), ("GET", "/api/stream/start"),
             ("GET", "/api/stream/stop"), ("PUT", "/api/stream/toggle"), ("GET", "/api/audio/mute"), ("DELETE", "/")]
    for method, path in wrong:
        try:
            urllib.request.urlopen(urllib.request.Request(agent.base + path, method=method), timeout=5)
            assert False, f"{method} {path} succeeded"
        except urllib.error.HTTPError as error:
            assert error.code in (404, 405), (method, path, error.code)
    assert agent.status()["streaming"] is True
