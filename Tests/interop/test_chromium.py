"""Headless Chromium plays Pinhole's own viewer page, which POSTs the offer with fetch()."""
import shutil
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

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
