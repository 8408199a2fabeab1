"""`GET /api/events` delivers each kind of state change as a server-sent event."""
import asyncio
import time

from sse import EventReader
from whep_client import Viewer, http


def test_each_event_type_arrives(agent):
    reader = EventReader(agent.base)
    try:
        http("POST", agent.base + "/api/stream/stop")
        stopped = reader.wait_for("streaming", state="stopped")
        reader.wait_for("device", device="video", state="closed")
        reader.wait_for("device", device="audio", state="closed")
        http("POST", agent.base + "/api/stream/start")
        reader.wait_for("streaming", state="started")
        reader.wait_for("device", device="video", state="opened", source="test pattern 640x480 30 fps")
        http("POST", agent.base + "/api/audio/mute")
        reader.wait_for("audio", muted="true")
        http("POST", agent.base + "/api/audio/unmute")
        reader.wait_for("audio", muted="false")

        async def join_and_leave():
            viewer = Viewer(agent.base)
            await viewer.connect()
            joined = await asyncio.to_thread(reader.wait_for, "viewer", state="connected")
            await viewer.close()
            left = await asyncio.to_thread(reader.wait_for, "viewer", state="left")
            return joined, left

        joined, left = asyncio.run(join_and_leave())
    finally:
        reader.close()
    assert abs(stopped["time"] - time.time()) < 30
    assert joined["address"].startswith("127.0.0.1:") and left["id"] == joined["id"]
    assert left["reason"] == "ended by the viewer"


def test_events_stream_does_not_hold_up_shutdown(agent):
    reader = EventReader(agent.base)
    started = time.time()
    agent.stop()
    assert time.time() - started < 2
    reader.close()
