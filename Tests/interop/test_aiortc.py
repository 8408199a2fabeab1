"""aiortc decodes Pinhole's VP8 test pattern and Opus tone over WHEP."""
import asyncio
import statistics
import time

from whep_client import Viewer


def summarize(viewer):
    codes = [c for (_, _, c, _) in viewer.video_frames if c]
    latencies = [received - code[1] for (_, _, code, received) in viewer.video_frames if code]
    return codes, latencies


def test_aiortc_decodes_video_and_audio(agent):
    async def run():
        viewer = Viewer(agent.base)
        await viewer.connect()
        cpu_before, t_before = agent.cpu_seconds(), time.time()
        await asyncio.sleep(10)
        cpu_share = (agent.cpu_seconds() - cpu_before) / (time.time() - t_before)
        await viewer.close()
        return viewer, cpu_share

    viewer, cpu_share = asyncio.run(run())
    sizes = {(w, h) for (w, h, _, _) in viewer.video_frames}
    codes, latencies = summarize(viewer)
    print(f"\naiortc: {len(viewer.video_frames)} video frames in 10 s, sizes {sizes}, "
          f"{len(viewer.audio_frames)} audio frames; stamp latency median "
          f"{statistics.median(latencies):.0f} ms; agent CPU {100 * cpu_share:.1f}% of one core")
    assert len(viewer.video_frames) >= 250
    assert sizes == {(640, 480)}
    # The stamp is readable in nearly every frame and its counter only moves forward.
    assert len(codes) >= 0.95 * len(viewer.video_frames)
    counters = [c[0] for c in codes]
    assert counters == sorted(counters) and len(set(counters)) == len(counters)
    assert len(viewer.audio_frames) >= 400  # 20 ms frames: 500 in 10 s
    assert {rate for (rate, _) in viewer.audio_frames} == {48000}


def test_two_viewers_decode_at_once(agent):
    async def run():
        viewers = [Viewer(agent.base), Viewer(agent.base)]
        await asyncio.gather(*(v.connect() for v in viewers))
        await asyncio.sleep(5)
        during = agent.status()
        await asyncio.gather(*(v.close() for v in viewers))
        return viewers, during

    viewers, during = asyncio.run(run())
    assert during["viewerCount"] == 2
    assert all(v["state"] == "connected" for v in during["viewers"])
    for viewer in viewers:
        assert len(viewer.video_frames) >= 100
        assert len(viewer.audio_frames) >= 150


def test_delete_frees_the_viewer_within_a_second(agent):
    async def run():
        viewer = Viewer(agent.base)
        await viewer.connect()
        for _ in range(50):
            if viewer.video_frames:
                break
            await asyncio.sleep(0.1)
        assert agent.status()["viewerCount"] == 1
        await viewer.close()
        deleted_at = time.time()
        while agent.status()["viewerCount"] != 0:
            assert time.time() - deleted_at < 1.0
            await asyncio.sleep(0.05)

    asyncio.run(run())
