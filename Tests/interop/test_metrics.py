"""`GET /metrics` parses with the Prometheus project's own text-format parser (prometheus_client)
and carries the pipeline, viewer and event figures."""
import asyncio
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from whep_client import Viewer, http


def scrape(agent):
    with urllib.request.urlopen(agent.base + "/metrics", timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = (family.type, sample.value)
    return samples


def value(samples, name, **labels):
    return samples[(name, tuple(sorted(labels.items())))][1]


def test_metrics_parse_and_follow_the_agent(agent):
    async def run():
        viewer = Viewer(agent.base)
        await viewer.connect()
        await asyncio.sleep(2)
        first = scrape(agent)
        await asyncio.sleep(1)
        second = scrape(agent)
        await viewer.close()
        return viewer, first, second

    viewer, first, second = asyncio.run(run())
    viewer_id = viewer.location.rsplit("/", 1)[1]
    assert value(second, "pinhole_streaming") == 1 and value(second, "pinhole_viewers") == 1
    assert first[("pinhole_video_frames_encoded_total", ())][0] == "counter"
    grown = value(second, "pinhole_video_frames_encoded_total") - value(first, "pinhole_video_frames_encoded_total")
    assert 20 <= grown <= 40, grown  # about a second at 30 fps
    assert value(second, "pinhole_video_fps") > 20
    assert value(second, "pinhole_viewer_bitrate_kbps", viewer=viewer_id) > 0
    assert value(second, "pinhole_events_total", type="viewer", detail="connected") == 1
    assert value(second, "pinhole_system_load1") >= 0 and 1 < value(second, "pinhole_resident_memory_megabytes") < 500
    time.sleep(1)
    http("POST", agent.base + "/api/stream/stop")
    after = scrape(agent)
    assert value(after, "pinhole_streaming") == 0
    assert value(after, "pinhole_events_total", type="viewer", detail="left") == 1
    assert value(after, "pinhole_events_total", type="streaming", detail="stopped") == 1
    assert not any(labels for (name, labels) in after if name.startswith("pinhole_viewer_")), "a gone viewer's series remain"
