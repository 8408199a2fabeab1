"""The real binary against real kernel drivers (vivid, snd-aloop, gpio-sim) in the lab VM,
watched by an aiortc viewer on the host."""
import asyncio
import time

import numpy
import pytest

from conftest import LabAgent
from sse import EventReader
from whep_client import Viewer


def dominant_frequency(frames):
    samples = numpy.concatenate([f.to_ndarray().reshape(-1)[:: len(f.layout.channels)] for f in frames]).astype(float)
    spectrum = numpy.abs(numpy.fft.rfft(samples * numpy.hanning(len(samples))))
    return numpy.fft.rfftfreq(len(samples), 1 / 48000)[spectrum.argmax()]


class AudioKeeper(Viewer):
    """A viewer that also keeps the decoded audio frames themselves."""

    def __init__(self, base):
        super().__init__(base)
        self.audio = []

    def on_frame(self, kind, frame):
        if kind == "audio":
            self.audio.append(frame)
        super().on_frame(kind, frame)


async def watch(agent, seconds):
    viewer = AudioKeeper(agent.base)
    await viewer.connect()
    await asyncio.sleep(seconds)
    return viewer


@pytest.mark.parametrize("pixel_format", ["YU12", "NV12", "YUYV"])
def test_vivid_and_loopback_reach_a_viewer(pixel_format):
    agent = LabAgent(pixel_format)
    try:
        async def run():
            viewer = await watch(agent, 10)
            status = agent.status()
            await viewer.close()
            return viewer, status

        viewer, status = asyncio.run(run())
    finally:
        agent.finish()
    video, audio = status["video"], status["audio"]
    print(f"\n{pixel_format}: {video['capturing']}; measured {video['measuredFPS']} fps, encode "
          f"{video['lastEncodeMilliseconds']} ms, capture-to-send {video['captureToSendMilliseconds']} ms, "
          f"zero-copy {video['zeroCopyFrames']}, converted {video['convertedFrames']}, dropped {video['framesDropped']}; "
          f"audio {audio['capturing']} at {audio['levelDBFS']:.1f} dBFS; viewer decoded {len(viewer.video_frames)} "
          f"frames and {len(viewer.audio)} audio frames")
    assert f"vivid" in video["capturing"].lower() and pixel_format in video["capturing"]
    if pixel_format == "YU12":
        assert "zero-copy" in video["capturing"] and video["convertedFrames"] == 0 and video["zeroCopyFrames"] > 0
    else:
        assert "converted" in video["capturing"] and video["zeroCopyFrames"] == 0 and video["convertedFrames"] > 0
    assert len(viewer.video_frames) >= 50
    assert {(w, h) for (w, h, _, _) in viewer.video_frames} == {(640, 480)}
    # vivid's picture, not the built-in pattern: no frame carries Pinhole's block-code stamp.
    assert all(code is None for (_, _, code, _) in viewer.video_frames)
    assert "Loopback" in audio["capturing"]
    frequency = dominant_frequency(viewer.audio[-150:])
    assert abs(frequency - 1000) < 15, frequency


def test_stop_closes_devices_and_start_resumes_within_a_second():
    agent = LabAgent("YU12")
    try:
        async def run():
            viewer = AudioKeeper(agent.base)
            await viewer.connect()
            await asyncio.sleep(4)
            stopped = agent.post("/api/stream/stop")
            await asyncio.sleep(1)
            paused = agent.status()
            before = len(viewer.video_frames)
            await asyncio.sleep(1)
            frozen = len(viewer.video_frames) - before
            started_at = time.time()
            agent.post("/api/stream/start")
            resumed_after = None
            while time.time() - started_at < 5:
                if len(viewer.video_frames) > before + frozen:
                    resumed_after = viewer.video_frames[before + frozen][3] / 1000 - started_at
                    break
                await asyncio.sleep(0.02)
            await viewer.close()
            return stopped, paused, frozen, resumed_after

        stopped, paused, frozen, resumed_after = asyncio.run(run())
    finally:
        agent.finish()
    log = open(f"{agent.share}/pinhole.log").read()
    print(f"\nresumed {resumed_after * 1000:.0f} ms after start" if resumed_after else "\nnot resumed")
    assert stopped["streaming"] is False
    assert paused["video"].get("capturing") is None and paused["audio"].get("capturing") is None
    assert paused["viewerCount"] == 1  # the viewer stays connected while paused
    assert frozen == 0
    assert "video: closed" in log and log.count("video: opened") >= 2
    assert resumed_after is not None and resumed_after < 1.0


def test_devices_lists_vivid_loopback_and_gpio_sim():
    agent = LabAgent("YU12")
    devices = agent.finish()
    assert devices, agent.logs()
    camera = devices["cameras"][0]
    formats = {f["fourcc"]: f["sizes"] for f in camera["formats"]}
    assert camera["path"] == "/dev/video0" and "vivid" in camera["card"].lower()
    assert {"YU12", "NV12", "YUYV"} <= set(formats)
    assert any(size.startswith("640x480@") and ",25" in size for size in formats["YU12"])
    assert any("Loopback" in a["card"] for a in devices["audioInputs"])
    chip = next(c for c in devices["gpioChips"] if c["label"] == "hwlab")
    assert [line["name"] for line in chip["lines"]] == ["button", "mute", "led"]


def wait_until(condition, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


# Pressing `button` through gpio-sim's pull (hwlab-gpio press = the line reads 1); a burst of
# contact bounces is written straight to the sim's pull file, all within a few milliseconds.
BOUNCY_PRESS = """P=$(hwlab-gpio find button | cut -d' ' -f3)/sim_gpio$(hwlab-gpio find button | cut -d' ' -f2)/pull
for i in 1 2 3 4 5; do echo pull-up > $P; echo pull-down > $P; done; echo pull-up > $P
sleep 0.3; echo pull-down > $P"""


def test_buttons_toggle_streaming_and_mute_and_the_led_follows():
    agent = LabAgent("YU12", "--button", "hwlab:button,debounce=50ms", "--mute-button", "hwlab:mute", "--led", "hwlab:led")
    try:
        assert wait_until(lambda: agent.status()["gpio"]["state"] == "ready"), agent.status()["gpio"]
        reader = EventReader(agent.base)
        led_streaming = agent.guest("hwlab-gpio get led").strip()

        async def run():
            viewer = AudioKeeper(agent.base)
            await viewer.connect()
            await viewer.wait_for(lambda: len(viewer.audio) >= 100)
            results = {"tone": dominant_frequency(viewer.audio[-100:])}
            agent.guest("hwlab-gpio pulse button 0.2")
            results["stopped"] = wait_until(lambda: agent.status()["streaming"] is False, 5) and agent.status()
            results["led_stopped"] = agent.guest("hwlab-gpio get led").strip()
            agent.guest(BOUNCY_PRESS)
            results["restarted"] = wait_until(lambda: agent.status()["video"].get("capturing"), 10) and agent.status()
            await asyncio.sleep(1)
            results["led_restarted"] = agent.guest("hwlab-gpio get led").strip()
            agent.guest("hwlab-gpio pulse mute 0.2")
            results["muted"] = wait_until(lambda: agent.status()["audio"]["muted"], 5) and agent.status()
            await asyncio.sleep(2)
            tail = numpy.concatenate([f.to_ndarray().reshape(-1) for f in viewer.audio[-25:]]).astype(float)
            results["muted_rms"] = float(numpy.sqrt(numpy.mean(tail * tail)))
            await viewer.close()
            return results

        results = asyncio.run(run())
        gpio = agent.status()["gpio"]
        button_event = reader.wait_for("button", line="button", event="pressed")
        mute_event = reader.wait_for("audio", muted="true")
        reader.close()
    finally:
        agent.finish()
    log = open(f"{agent.share}/pinhole.log").read()
    print(f"\nGPIO: {gpio}; LED {led_streaming} streaming, {results['led_stopped']} stopped, "
          f"{results['led_restarted']} restarted; muted RMS {results['muted_rms']:.1f}")
    assert abs(results["tone"] - 1000) < 15
    assert led_streaming == "1"
    stopped = results["stopped"]
    assert stopped and stopped["video"].get("capturing") is None and stopped["audio"].get("capturing") is None
    assert "video: closed" in log
    assert results["led_stopped"] == "0"
    assert results["restarted"] and results["restarted"]["streaming"] is True
    assert results["led_restarted"] == "1"
    # Ten bounced edges and a hold: one press. The mute button: one.
    assert gpio["presses"] == {"button": 2, "mute": 1}, gpio
    # The bounces reached the agent (gpio-sim may merge edges written faster than its interrupt
    # runs: 11 to 14 of the 14 arrive), yet they counted as one press.
    assert gpio["edges"]["button"] >= 8, gpio
    assert results["muted"] and results["muted"]["audio"]["muted"] is True
    assert results["muted_rms"] < 50
    assert button_event and mute_event  # presses reach /api/events too  # the tone at -6 dBFS is ~11,000; Opus's silence is 0
