"""The results table, the targets of issue #9 checked against it, and docs/benchmarks.md."""


def fmt(value, unit="", digits=0):
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def cpu1(entry):
    value = entry["cpu"].get("1", entry["cpu"].get("0"))
    return value["cpu"] if isinstance(value, dict) else value


def rows(results):
    out = [("contender", "POST→frame ms", "offer→frame ms", "gather ms", "g2g median ms", "g2g p95 ms",
            "CPU 1 viewer", "per extra viewer", "+16 viewers", "PSS 8 viewers MB", "anon / file MB")]
    for entry in results["contenders"].values():
        setup, latency, viewers = entry.get("setup", {}), entry.get("latency", {}), entry.get("viewers", {})
        out.append((entry["name"], fmt(setup.get("postToFirstFrameMs")), fmt(setup.get("offerToFirstFrameMs")),
                    fmt(setup.get("gatherMs")), fmt(latency.get("medianMs")), fmt(latency.get("p95Ms")),
                    fmt(cpu1(entry), "", 3), fmt(viewers.get("marginalPerViewer"), "", 4), fmt(viewers.get("added16"), "", 3),
                    fmt(entry.get("pssMB8"), "", 1), f"{fmt(entry.get('pssAnonMB8'), '', 1)} / {fmt(entry.get('pssFileMB8'), '', 1)}"))
    return out


def table(results):
    lines = rows(results)
    widths = [max(len(str(row[i])) for row in lines) for i in range(len(lines[0]))]
    text = "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in lines)
    return text + "\n\n" + "\n".join(targets(results)) + f"\n\nstripped binary: {results['binaryBytes'] / 1e6:.1f} MB"


def markdown(results):
    lines = rows(results)
    head = "| " + " | ".join(lines[0]) + " |\n|" + "---|" * len(lines[0]) + "\n"
    return head + "\n".join("| " + " | ".join(str(c) for c in row) + " |" for row in lines[1:])


def targets(results):
    c = results["contenders"]
    out = []

    def check(name, ok, detail):
        out.append(f"{'met   ' if ok else 'MISSED'} {name}: {detail}")

    if "pinhole" in c:
        p = c["pinhole"]
        post = p["setup"]["postToFirstFrameMs"]
        check("WHEP POST to first frame ≤ 60 ms", post <= 60, f"{post:.0f} ms")
        g2g = p["latency"]["medianMs"]
        check("glass-to-glass median ≤ 50 ms (640x480, 30 fps)", g2g is not None and g2g <= 50, f"{fmt(g2g)} ms")
        added = p["viewers"]["added16"]
        check("16 viewers add < 0.1 core", added < 0.1, f"{added:.3f} core")
        pss = p["pssMB8"]
        check("PSS with 8 viewers ≤ 30 MB", pss <= 30, f"{pss:.1f} MB")
        if "pion-ffmpeg-1" in c:
            q = c["pion-ffmpeg-1"]
            ratio = cpu1(p) / cpu1(q)
            check("CPU, 1 viewer ≤ 0.6× pion + ffmpeg -threads 1", ratio <= 0.6, f"{cpu1(p):.3f} / {cpu1(q):.3f} = {ratio:.2f}×")
            mine, theirs = p["viewers"]["marginalPerViewer"], q["viewers"]["marginalPerViewer"]
            check("per extra viewer ≤ pion's + 0.002 core", mine <= theirs + 0.002, f"{mine:.4f} vs {theirs:.4f} core")
            ratio = pss / q["pssMB8"]
            check("PSS, 8 viewers ≤ 0.5× pion + ffmpeg", ratio <= 0.5, f"{pss:.1f} / {q['pssMB8']:.1f} MB = {ratio:.2f}×")
        if "floor" in c:
            ratio = cpu1(p) / cpu1(c["floor"])
            check("CPU, 1 viewer ≤ 1.2× the encoder-only floor", ratio <= 1.2, f"{cpu1(p):.3f} / {cpu1(c['floor']):.3f} = {ratio:.2f}×")
    return out


def write_docs(results, path, micro_path, notes_path):
    """docs/benchmarks.md: the latest table, the machine, the targets, the micro-benchmarks, the notes."""
    m = results["machine"]
    micro = open(micro_path).read() if micro_path and __import__("os").path.exists(micro_path) else "(not run: BENCH_SKIP_MICRO)"
    notes = open(notes_path).read() if __import__("os").path.exists(notes_path) else ""
    text = f"""# Benchmarks

Written by `make bench` (tools/bench) on {results['date']}; every figure below comes from that one
invocation on one machine: {m['cpu']}, {m['cores']} cores, Linux {m['kernel']}, {m['chromium']}.
The machines here are shared and noisy: compare the rows of one run, not runs of different days.

## How to run

    make bench                                  # about 10 minutes; results also in .build-bench/results.json
    make bench BENCH_ARGS="--only pinhole pion-ffmpeg-1 --runs 9"

What runs: every contender encodes the same stamped test pattern at 30 fps (Pinhole draws it
itself; the others read `pinhole pattern` on a pipe, the generator not counted: it is the camera).
All traffic stays on loopback in a network namespace of the bench's own.

- **pinhole**: the agent with `--video test --audio test`, 1 Mbit/s at 640x480, 2.5 Mbit/s at 1280x720.
- **pion + ffmpeg -threads 1**: a pion 3.1 WHEP server (Debian's golang-github-pion-webrtc.v3-dev,
  tools/bench/pion-whep) with one shared VP8 and one Opus track, fed RTP by ffmpeg's libvpx with
  Pinhole's encoder settings (realtime, CBR, cpu-used -12, no lag, error resilient) on one thread,
  and libopus.
- **pion + stock ffmpeg**: the same server fed the way pion's rtp-to-webrtc example does it
  (`-deadline 1 -cpu-used 5 -g 10 -auto-alt-ref 1`, ffmpeg's default threads).
- **aiortc**: an aiortc 1.16 WHEP server (tools/bench/aiortc_whep.py), one VP8 and one Opus
  encoder per viewer as aiortc does, starting at the same 1 Mbit/s.
- **libvpx + libopus alone**: ffmpeg encoding the same frames and a tone with Pinhole's settings to
  nowhere: the encoder-cost floor.
- **pinhole, no viewer**: the agent capturing and encoding with nobody watching.

Figures: *POST→frame*, headless Chromium's time from the WHEP POST to the first decoded frame
(ICE gathering before the POST, *gather*, reported, not counted), and *offer→frame* from the offer
being set; medians of several runs. *g2g*: glass-to-glass latency, the display time of each frame
in Chromium minus the capture time stamped in it, same machine clock. *CPU*: CPU seconds per second
of the contender's processes (from /proc) with one viewer; *per extra viewer* from 1 to 16 viewers
(aiortc receivers that do not decode as load). *PSS*: proportional set size with 8 viewers.

## Results

{markdown(results)}

Stripped binary: {results['binaryBytes'] / 1e6:.1f} MB (Swift runtime linked in).

CPU by number of viewers, in cores (and the media each viewer received meanwhile):

{viewer_table(results)}

## Targets

{chr(10).join('- ' + line for line in targets(results))}

## Hot path (ordo-one/benchmark)

{micro}

{notes}"""
    with open(path, "w") as f:
        f.write(text)


def viewer_table(results):
    counts = ["1", "2", "4", "8", "16"]
    lines = ["| contender | " + " | ".join(counts) + " |", "|---|" + "---|" * len(counts)]
    for entry in results["contenders"].values():
        steps, rates = entry.get("viewers", {}).get("steps"), entry.get("kbpsPerViewer", {})
        if steps:
            cells = [f"{fmt(steps.get(n), '', 3)} ({fmt(rates.get(n))} kbit/s)" for n in counts]
            lines.append(f"| {entry['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
