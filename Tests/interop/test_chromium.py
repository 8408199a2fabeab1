"""Headless Chromium plays Pinhole's own viewer page, which POSTs the offer with fetch()."""
import os
import shutil
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from conftest import Agent

STATS = """
const done = arguments[arguments.length - 1];
if (!window.pc) { done(null); return; }
window.pc.getStats().then((report) => {
  const out = {video: null, audio: null, connection: window.pc.connectionState, times: window.pinholeTimes};
  report.forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video")
      out.video = {framesDecoded: r.framesDecoded || 0, width: r.frameWidth || 0, height: r.frameHeight || 0};
    if (r.type === "inbound-rtp" && r.kind === "audio")
      out.audio = {samples: r.totalSamplesReceived || 0, packets: r.packetsReceived || 0};
  });
  done(out);
});
"""


def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.set_script_timeout(10)
    return driver


def wait_for(driver, condition, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        stats = driver.execute_async_script(STATS)
        if stats and condition(stats):
            return stats
        time.sleep(0.05)
    pytest.fail(f"timed out; last stats: {driver.execute_async_script(STATS)}")


def test_chromium_viewer_page_decodes_video_and_audio(agent):
    driver = chromium()
    try:
        driver.get(agent.base + "/")
        first = wait_for(driver, lambda s: s["video"] and s["video"]["framesDecoded"] > 0, 20)
        times = wait_for(driver, lambda s: (s["times"] or {}).get("firstFrame") is not None, 5)["times"]
        setup_ms = times["firstFrame"] - times["offerStart"]
        start = time.time()
        cpu_before = agent.cpu_seconds()
        time.sleep(10)
        end = driver.execute_async_script(STATS)
        cpu_share = (agent.cpu_seconds() - cpu_before) / (time.time() - start)
        decoded = end["video"]["framesDecoded"] - first["video"]["framesDecoded"]
        print(f"\nchromium: offer to first decoded frame {setup_ms:.0f} ms (answer after "
              f"{times['answered'] - times['offerStart']:.0f} ms); {decoded} frames decoded in 10 s at "
              f"{end['video']['width']}x{end['video']['height']}; {end['audio']['samples']} audio samples; "
              f"agent CPU {100 * cpu_share:.1f}% of one core")
        assert decoded >= 250
        assert (end["video"]["width"], end["video"]["height"]) == (640, 480)
        assert end["audio"]["samples"] > 48000 * 5
        assert agent.status()["viewerCount"] == 1
    finally:
        driver.quit()


PAGE = "return {state: pinhole.state, paused: pinhole.paused, times: pinhole.times, log: pinhole.log, stats: pinhole.stats, " \
       "reconnects: pinhole.reconnects, iceRestarts: pinhole.iceRestarts, pausedShown: !document.getElementById('paused').hidden};"
STEPS = ["offer created", "answer received: 201", "ICE checking", "ICE connected", "DTLS connected",
         "connection connected", "first frame decoded (640x480)", "setup time: "]


def page_until(driver, condition, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        page = driver.execute_script(PAGE)
        if condition(page):
            return page
        time.sleep(0.02)
    pytest.fail(f"{what}: not within {timeout} s; page state {page['state']}, log:\n" + "\n".join(page["log"]))


def frames(driver):
    stats = driver.execute_async_script(STATS)
    return stats["video"]["framesDecoded"] if stats and stats["video"] else 0


def test_viewer_page_log_pause_restart_and_reconnect():
    """The page shows each step and the setup time; a stop from the page and a start from the API
    show and clear the paused state within a second; an ICE restart by PATCH keeps the video; an
    agent killed and started again is found and watched again within five seconds."""
    agent = Agent("--size", "640x480", "--fps", "30")
    driver = chromium()
    try:
        driver.set_window_size(820, 1060)
        driver.get(agent.base + "/")
        page = page_until(driver, lambda p: "setup time" in " ".join(p["log"]), 20, "first frame")
        log = "\n".join(page["log"])
        missing = [step for step in STEPS if step not in log]
        assert not missing, f"steps missing from the log: {missing}\n{log}"
        setup = [line for line in page["log"] if "setup time" in line][0]
        page = page_until(driver, lambda p: p["stats"].get("fps", 0) > 20 and p["stats"].get("kbps", 0) > 100, 10, "stats overlay")
        assert page["state"] == "live" and page["stats"]["width"] == 640 and page["stats"]["rttMs"] is not None
        overlay = driver.find_element("id", "overlay").text
        assert "640x480" in overlay and "kbit/s" in overlay and "RTT" in overlay and "jitter buffer" in overlay
        if os.environ.get("PINHOLE_SCREENSHOT"):  # docs/viewer.png: make screenshot
            time.sleep(1.5)
            driver.save_screenshot(os.environ["PINHOLE_SCREENSHOT"])

        stopped_at = time.time()
        driver.find_element("id", "stream").click()
        page_until(driver, lambda p: p["paused"] and p["pausedShown"] and p["state"] == "paused", 1, "paused state after Stop")
        paused_ms = 1000 * (time.time() - stopped_at)
        assert agent.status()["streaming"] is False
        before = frames(driver)
        time.sleep(0.5)
        started_at = time.time()
        urllib.request.urlopen(urllib.request.Request(agent.base + "/api/stream/start", method="POST"), timeout=5).read()
        page_until(driver, lambda p: not p["paused"] and not p["pausedShown"] and p["state"] == "live", 1, "paused state cleared after start")
        resumed_ms = 1000 * (time.time() - started_at)
        deadline = time.time() + 5
        while frames(driver) < before + 30 and time.time() < deadline:
            time.sleep(0.05)
        assert frames(driver) >= before + 30, "no frames after streaming started again"
        frames_again_ms = 1000 * (time.time() - started_at)

        driver.execute_script("pinhole.restartIce()")
        page_until(driver, lambda p: p["iceRestarts"] == 1, 5, "ICE restart by PATCH")
        before = frames(driver)
        time.sleep(1)
        assert frames(driver) >= before + 20, "frames stopped after the ICE restart"

        agent.restart(kill=True)
        back_at = time.time()
        page = page_until(driver, lambda p: p["reconnects"] >= 1 and p["times"].get("firstFrame") and p["state"] == "live", 5,
                          "reconnection after the agent restarted")
        reconnect_ms = 1000 * (time.time() - back_at)
        assert frames(driver) > 0 and agent.status()["viewerCount"] == 1
        print(f"\nviewer page: {setup.split('  ', 1)[-1].strip()}; paused shown {paused_ms:.0f} ms after Stop, cleared "
              f"{resumed_ms:.0f} ms after the API start (frames again after {frames_again_ms:.0f} ms); ICE restart kept the video; "
              f"watching again {reconnect_ms:.0f} ms after the killed agent was back")
    finally:
        driver.quit()
        agent.stop()
