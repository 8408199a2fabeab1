"""Bearer-token authentication (`--token`): WHEP and the control API answer 401 with
`WWW-Authenticate: Bearer` without the right token; the viewer page and CORS preflights stay
open; status is open only with `--public-status`."""
import json
import urllib.error
import urllib.request

from conftest import Agent


def request(agent, method, path, token=None, body=None, content_type=None):
    r = urllib.request.Request(agent.base + path, data=body, method=method)
    if token is not None:
        r.add_header("Authorization", f"Bearer {token}")
    if content_type:
        r.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(r, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_token_guards_whep_and_control():
    agent = Agent("--token", "s3cret-token")
    try:
        for method, path in [("POST", "/whep"), ("POST", "/api/stream/stop"), ("POST", "/api/audio/mute"),
                             ("GET", "/api/status"), ("GET", "/api/events"), ("GET", "/metrics"), ("DELETE", "/whep/sessions/x")]:
            for token in (None, "wrong", "s3cret-token-and-more", ""):
                status, headers, body = request(agent, method, path, token)
                assert status == 401, (method, path, token, status)
                assert headers["WWW-Authenticate"].startswith("Bearer"), headers
                assert json.loads(body)["error"] == "authentication required"
        assert request(agent, "GET", "/")[0] == 200
        assert request(agent, "OPTIONS", "/whep")[0] == 204
        status, _, body = request(agent, "GET", "/api/status", "s3cret-token")
        assert status == 200 and json.loads(body)["streaming"] is True
        status, _, body = request(agent, "POST", "/api/stream/stop", "s3cret-token")
        assert status == 200 and json.loads(body)["streaming"] is False
        # Past authentication, the route itself answers: a wrong content type is still a 415.
        assert request(agent, "POST", "/whep", "s3cret-token", b"x", "text/plain")[0] == 415
    finally:
        agent.stop()
    assert "s3cret-token" not in open(agent.log_path).read()


def test_public_status_opens_only_reading():
    agent = Agent("--token", "s3cret-token", "--public-status")
    try:
        assert request(agent, "GET", "/api/status")[0] == 200 and request(agent, "GET", "/metrics")[0] == 200
        assert request(agent, "POST", "/api/stream/stop")[0] == 401
        assert request(agent, "POST", "/whep", None, b"v=0", "application/sdp")[0] == 401
    finally:
        agent.stop()


def test_the_viewer_page_takes_the_token_from_its_address():
    from test_chromium import chromium, wait_for
    agent = Agent("--token", "s3cret-token")
    driver = None
    try:
        driver = chromium()
        driver.get(agent.base + "/#token=s3cret-token")
        wait_for(driver, lambda s: s["video"] and s["video"]["framesDecoded"] > 0, 20)
        driver.get(agent.base + "/")  # remembered for the next visit
        wait_for(driver, lambda s: s["video"] and s["video"]["framesDecoded"] > 0, 20)
    finally:
        if driver:
            driver.quit()
        agent.stop()
