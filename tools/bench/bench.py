#!/usr/bin/env python3
"""`make bench`: Pinhole side by side with the setups people run today, in one invocation on one
machine, on loopback inside a network namespace of its own (tools/bench/run.sh makes it).

Contenders: Pinhole with its test pattern; pion (Go, Debian's pion 3.1) serving one shared VP8
and one Opus track fed by ffmpeg, with ffmpeg on one thread and on its default threads; an
aiortc WHEP server (one encoder per viewer); and the encoder-cost floor (ffmpeg's libvpx and
libopus alone, same settings, same frames) beside Pinhole with no viewer. Every video contender
encodes the same stamped pictures: Pinhole draws them itself, the others read `pinhole pattern`.

Figures: WHEP POST to first decoded frame in headless Chromium (and from the offer), glass-to-
glass latency read off the stamp in Chromium, CPU seconds per second from /proc at 1 to 16
viewers (aiortc receivers as load), PSS at 8 viewers, and the stripped binary's size.
"""
import argparse
import asyncio
import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import aioice.ice
import aiortc.rtcrtpreceiver
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import report

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PINHOLE = os.environ.get('PINHOLE_BIN', os.path.join(ROOT, '.build', 'release', 'pinhole'))
PION = os.path.join(ROOT, ".build-bench", "pion-whep")
TICK = os.sysconf("SC_CLK_TCK")
VIEWERS = [1, 2, 4, 8, 16]


# ---- load clients: aiortc receivers that receive, decrypt and answer with RTCP, but do not decode
class NoDecoder:
    def decode(self, frame):
        return []


aiortc.rtcrtpreceiver.get_decoder = lambda codec: NoDecoder()
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class Loop:
    """An asyncio loop on a thread for the load clients."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def run(self, coroutine, timeout=60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


async def load_client(base):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    # No bandwidth feedback from the load: every contender then sends at its configured bitrate
    # (Pinhole's encoder would otherwise follow aiortc's cautious REMB estimate, about 350 kbit/s).
    offer = "".join(line for line in pc.localDescription.sdp.splitlines(keepends=True) if "goog-remb" not in line and "transport-cc" not in line)
    request = urllib.request.Request(base + "/whep", data=offer.encode(), method="POST",
                                     headers={"Content-Type": "application/sdp"})
    response = await asyncio.to_thread(urllib.request.urlopen, request, timeout=10)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=response.read().decode(), type="answer"))
    return pc


async def received(pc):
    """(packets, bytes) received so far, video and audio."""
    stats = (await pc.getStats()).values()
    packets = sum(s.packetsReceived for s in stats if s.type == "inbound-rtp")
    return packets, sum(s.bytesReceived for s in stats if s.type == "transport")


# ---- processes and what they cost
def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime, stime, and waited-for children's
    return total / TICK


def pss_mb(pids, field="Pss:"):
    """Proportional set size (or Pss_Anon:, Pss_File:) of `pids` in MB, from smaps_rollup."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith(field))
    return total / 1024


def memory(pids):
    """PSS and its anonymous and file-backed parts, in MB (named for the 8-viewer point they are taken at)."""
    return {"pssMB8": pss_mb(pids), "pssAnonMB8": pss_mb(pids, "Pss_Anon:"), "pssFileMB8": pss_mb(pids, "Pss_File:")}


def cpu_rate(pids, seconds):
    before, start = cpu_seconds(pids), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pids) - before) / (time.monotonic() - start)


class Contender:
    """Processes started for one contender; `measured` are the ones whose cost counts."""

    def __init__(self, name, size, kbps):
        self.name, self.size, self.kbps = name, size, kbps
        self.width, self.height = map(int, size.split("x"))
        self.http = free_port()
        self.base = f"http://127.0.0.1:{self.http}"
        self.processes, self.measured = [], []
        self.log = open(os.path.join(ROOT, ".build-bench", re.sub(r"[^\w.-]+", "_", name) + ".log"), "w")

    def spawn(self, command, measured=True, **kwargs):
        process = subprocess.Popen(command, stdout=kwargs.pop("stdout", self.log), stderr=self.log, **kwargs)
        self.processes.append(process)
        if measured:
            self.measured.append(process.pid)
        return process

    def pattern_into(self, command):
        """`pinhole pattern | command`: the stamped pictures, the generator not counted (it is the camera)."""
        pattern = self.spawn([PINHOLE, "pattern", "--size", self.size, "--fps", "30"], measured=False, stdout=subprocess.PIPE)
        self.spawn(command, stdin=pattern.stdout)
        pattern.stdout.close()

    def wait_http(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.http), timeout=1).close()
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start; see {self.log.name}")

    def stop(self):
        for process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()


def vp8_ffmpeg(size, kbps, threads=None, tuned=False):
    """libvpx in ffmpeg as a stock setup runs it (realtime deadline, the bitrate, ffmpeg's other
    defaults), or `tuned` with Pinhole's own settings (CBR, cpu-used -12, no lag, error resilient,
    1 s keyframe interval). `threads` None leaves ffmpeg's default (one per core)."""
    width, height = size.split("x")
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}",
               "-r", "30", "-i", "-", "-c:v", "libvpx", "-deadline", "realtime", "-b:v", f"{kbps}k"]
    if tuned:
        command += ["-cpu-used", "-12", "-lag-in-frames", "0", "-error-resilient", "1", "-minrate", f"{kbps}k", "-maxrate", f"{kbps}k",
                    "-bufsize", f"{kbps}k", "-undershoot-pct", "100", "-overshoot-pct", "15", "-g", "30"]
    return command + ([] if threads is None else ["-threads", str(threads)])


OPUS = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
        "-c:a", "libopus", "-b:a", "48k", "-frame_duration", "20", "-application", "lowdelay"]


def pinhole(size, kbps, label=""):
    c = Contender(f"pinhole {size}{label}", size, kbps)
    c.spawn([PINHOLE, "--video", "test", "--audio", "test", "--http", f"127.0.0.1:{c.http}",
             "--udp", f"127.0.0.1:{free_port(socket.SOCK_DGRAM)}", "--size", size, "--fps", "30", "--bitrate", str(kbps)])
    c.wait_http()
    return c


def pion(size, kbps, threads, tuned=False):
    label = ("ffmpeg, default threads" if threads is None else f"ffmpeg -threads {threads}") + (" (Pinhole's encoder settings)" if tuned else "")
    c = Contender(f"pion + {label} {size}", size, kbps)
    video, audio = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
    c.spawn([PION, "-http", f"127.0.0.1:{c.http}", "-udp", f"127.0.0.1:{free_port(socket.SOCK_DGRAM)}",
             "-video-rtp", f"127.0.0.1:{video}", "-audio-rtp", f"127.0.0.1:{audio}"])
    c.wait_http()
    c.pattern_into(vp8_ffmpeg(size, kbps, threads, tuned) + ["-f", "rtp", f"rtp://127.0.0.1:{video}?pkt_size=1200"])
    c.spawn(OPUS + ["-f", "rtp", f"rtp://127.0.0.1:{audio}"])
    return c


def aiortc_server(size, kbps):
    c = Contender(f"aiortc {size}", size, kbps)
    c.spawn([sys.executable, os.path.join(HERE, "aiortc_whep.py"), "--http", f"127.0.0.1:{c.http}", "--pattern", PINHOLE,
             "--size", size, "--bitrate", str(kbps)])
    c.wait_http()
    return c


def encoder_floor(size, kbps):
    c = Contender(f"libvpx + libopus alone {size}", size, kbps)
    c.pattern_into(vp8_ffmpeg(size, kbps, 1, tuned=True) + ["-f", "null", "-"])
    c.spawn(OPUS + ["-f", "null", "-"])
    return c


# ---- the browser
class Browser:
    def __init__(self, page_url):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium")
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection"):
            options.add_argument(flag)
        self.driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
        self.driver.set_script_timeout(30)
        self.driver.get(page_url)

    def call(self, expression, *args):
        script = f"const done = arguments[arguments.length - 1]; ({expression}).then(done, (e) => done({{error: String(e)}}));"
        result = self.driver.execute_async_script(script, *args)
        if isinstance(result, dict) and "error" in result:
            raise RuntimeError(result["error"])
        return result


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else None


def measure_setup(browser, c, runs):
    results = []
    for _ in range(runs):
        results.append(browser.call("connect(arguments[0])", c.base))
        time.sleep(0.3)
    browser.call("hangUp()")
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def measure_latency(browser, c, seconds):
    browser.call("connect(arguments[0])", c.base)
    time.sleep(1)
    result = browser.call(f"latency({seconds})")
    browser.call("hangUp()")
    samples = result["samples"]
    return {"medianMs": statistics.median(samples) if samples else None, "p95Ms": percentile(samples, 95),
            "frames": len(samples), "unreadable": result["unreadable"]}


def measure_viewers(loop, c, settle, window):
    """CPU at each viewer count (the ends measured twice as long: their difference is the figure),
    the media each viewer got meanwhile (Pinhole's encoder follows the slowest viewer's estimate,
    so a lower rate would flatter it), and memory at 8. Keyed by the viewer count as text, as in the JSON."""
    clients, cpu, kbps, pss = [], {}, {}, {}
    for count in VIEWERS:
        while len(clients) < count:
            clients.append(loop.run(load_client(c.base)))
        time.sleep(settle)
        seconds = window * (2 if count in (VIEWERS[0], VIEWERS[-1]) else 1)
        before = [loop.run(received(pc)) for pc in clients]
        key = str(count)
        cpu[key] = cpu_rate(c.measured, seconds)
        after = [loop.run(received(pc)) for pc in clients]
        kbps[key] = statistics.mean(8 * (a[1] - b[1]) / seconds / 1000 for b, a in zip(before, after))
        starved = sum(1 for b, a in zip(before, after) if a[0] - b[0] < 10 * seconds)
        if starved:
            cpu[key] = {"cpu": cpu[key], "starvedViewers": starved}
        if count == 8:
            pss = memory(c.measured)
    for pc in clients:
        loop.run(pc.close())
    return cpu, kbps, pss


def per_viewer(cpu):
    plain = {n: (v["cpu"] if isinstance(v, dict) else v) for n, v in cpu.items()}
    return {"marginalPerViewer": (plain["16"] - plain["1"]) / 15, "added16": plain["16"] - plain["1"], "steps": plain}


def run(args):
    os.makedirs(os.path.join(ROOT, ".build-bench"), exist_ok=True)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=HERE))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = Browser(f"http://127.0.0.1:{server.server_address[1]}/page.html")
    loop = Loop()
    plans = [
        ("pinhole", lambda: pinhole("640x480", 1000), True),
        ("pion-ffmpeg-1", lambda: pion("640x480", 1000, 1), True),
        ("pion-ffmpeg-default-threads", lambda: pion("640x480", 1000, None), True),
        ("pion-ffmpeg-1-tuned", lambda: pion("640x480", 1000, 1, tuned=True), True),
        ("aiortc", lambda: aiortc_server("640x480", 1000), True),
        ("floor", lambda: encoder_floor("640x480", 1000), False),
        ("pinhole-idle", lambda: pinhole("640x480", 1000, ", no viewer"), False),
        ("pinhole-720", lambda: pinhole("1280x720", 2500), True),
        ("pion-ffmpeg-1-720", lambda: pion("1280x720", 2500, 1), True),
        ("floor-720", lambda: encoder_floor("1280x720", 2500), False),
    ]
    results = {"machine": machine(), "binaryBytes": binary_size(), "contenders": {}}
    for key, start, served in plans:
        if args.only and key not in args.only:
            continue
        c = start()
        print(f"== {c.name}", flush=True)
        try:
            time.sleep(2)
            entry = {"name": c.name}
            if served:
                entry["setup"] = measure_setup(browser, c, args.runs)
                entry["latency"] = measure_latency(browser, c, args.latency_seconds)
                entry["cpu"], entry["kbpsPerViewer"], pss = measure_viewers(loop, c, args.settle, args.window)
                entry.update(pss)
                entry["viewers"] = per_viewer(entry["cpu"])
            else:
                entry["cpu"] = {"0": cpu_rate(c.measured, args.window * 2)}
                entry.update(memory(c.measured))
            results["contenders"][key] = entry
            print(json.dumps(entry), flush=True)
        finally:
            c.stop()
    browser.driver.quit()
    return results


def machine():
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "unknown")
    return {"cpu": model, "cores": os.cpu_count(), "kernel": os.uname().release,
            "chromium": subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()}


def binary_size():
    stripped = os.path.join(ROOT, ".build-bench", "pinhole-stripped")
    shutil.copy(PINHOLE, stripped)
    subprocess.run(["strip", "--strip-unneeded", stripped], check=True)
    return os.path.getsize(stripped)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="setup-time runs per contender (median)")
    parser.add_argument("--latency-seconds", type=float, default=8)
    parser.add_argument("--settle", type=float, default=1.5, help="seconds after viewers join before measuring")
    parser.add_argument("--window", type=float, default=3, help="seconds of each CPU measurement")
    parser.add_argument("--only", nargs="*", help="contender keys to run")
    parser.add_argument("--json", default=os.path.join(ROOT, ".build-bench", "results.json"))
    parser.add_argument("--docs", default=os.path.join(ROOT, "docs", "benchmarks.md"), help="written only when every contender ran")
    args = parser.parse_args()
    results = run(args)
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
    print(report.table(results))
    print(f"\nJSON: {args.json}")
    if not args.only:
        report.write_docs(results, args.docs, os.path.join(ROOT, ".build-bench", "micro.md"), os.path.join(HERE, "notes.md"))
        print(f"written: {args.docs}")


if __name__ == "__main__":
    main()
