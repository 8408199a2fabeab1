"""WHEP PATCH (draft-ietf-wish-whep §4.3, RFC 9725 §4.3.1): trickle with the session's ETag,
ICE restart with If-Match "*", and each error status, against the real binary."""
import asyncio
import json
import urllib.error
import urllib.request

from whep_client import Viewer

FRAG = "application/trickle-ice-sdpfrag"
TRICKLE = "a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n" \
          "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\n"
RESTART = "a=ice-ufrag:Restart1\r\na=ice-pwd:restartrestartrestart22\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"


def patch(agent, location, body, if_match=None, content_type=FRAG):
    request = urllib.request.Request(agent.base + location, data=body.encode(), method="PATCH")
    request.add_header("Content-Type", content_type)
    if if_match is not None:
        request.add_header("If-Match", if_match)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def remote_credentials(viewer):
    sdp = viewer.pc.localDescription.sdp
    values = dict(line[2:].split(":", 1) for line in sdp.splitlines() if line.startswith(("a=ice-ufrag", "a=ice-pwd")))
    return values["ice-ufrag"], values["ice-pwd"]


def test_patch_trickle_restart_and_errors(agent):
    async def run():
        viewer = Viewer(agent.base)
        await viewer.connect()
        await asyncio.sleep(1)
        ufrag, pwd = remote_credentials(viewer)
        trickle = TRICKLE.format(ufrag=ufrag, pwd=pwd)
        results = {
            "no If-Match": patch(agent, viewer.location, trickle),
            "wrong ETag": patch(agent, viewer.location, trickle, '"nope"'),
            "wrong type": patch(agent, viewer.location, trickle, viewer.etag, "application/sdp"),
            "unknown": patch(agent, "/whep/sessions/00000000000000000000000000000000", trickle, viewer.etag),
            "malformed": patch(agent, viewer.location, "a=end-of-candidates\r\nb=1\r\n", viewer.etag),
            "trickle": patch(agent, viewer.location, trickle, viewer.etag),
            "restart": patch(agent, viewer.location, RESTART, "*"),
        }
        results["old ETag after restart"] = patch(agent, viewer.location, trickle, viewer.etag)
        frames_before = len(viewer.video_frames)
        await asyncio.sleep(1)
        results["frames after restart"] = len(viewer.video_frames) - frames_before
        await viewer.close()
        return viewer, results

    viewer, results = asyncio.run(run())
    codes = {name: result[0] for name, result in results.items() if isinstance(result, tuple)}
    assert codes == {"no If-Match": 428, "wrong ETag": 412, "wrong type": 415, "unknown": 404, "malformed": 400,
                     "trickle": 204, "restart": 200, "old ETag after restart": 412}, codes
    assert "line 2" in json.loads(results["malformed"][2])["detail"]
    status, headers, body = results["restart"]
    assert headers["Content-Type"] == FRAG and headers["ETag"] != viewer.etag
    assert "a=ice-ufrag:" in body and "a=ice-pwd:" in body and "a=candidate:" in body and "a=end-of-candidates" in body
    assert body.count("a=ice-ufrag:") == 1 and f"a=ice-ufrag:{viewer.etag}" not in body
    # The media path was not touched: DTLS and SRTP go on across the restart.
    assert results["frames after restart"] > 10
