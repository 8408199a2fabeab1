#!/usr/bin/env python3
"""Churn: viewers that come and go by the thousand must leave nothing behind (issue #10).

    tools/churn.py --base http://127.0.0.1:8080 --udp-port 8189 --pid PID [--cycles 1000] [--abandoned 1000]

Runs against a live agent (whose viewer cap should allow --batch sessions at once, and whose
setup timeout bounds how long abandoned ones wait):
1. a warm-up of 20 full viewers, then the baseline: open file descriptors, threads, resident memory;
2. --cycles viewers that each POST an offer, pass ICE, finish DTLS, receive SRTP and DELETE;
3. --abandoned viewers that stop part-way — after the POST, after the ICE check, or after the
   ClientHello — in batches of --batch, each batch left for the agent's setup timeout to free;
4. the same figures again once the agent is idle. Exits 1 when there are more descriptors or
   threads than at the baseline or resident memory grew by more than --rss-slack-mb.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawpeer  # noqa: E402


def footprint(pid):
    with open(f"/proc/{pid}/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return {"fds": len(os.listdir(f"/proc/{pid}/fd")), "threads": len(os.listdir(f"/proc/{pid}/task")), "rss_mb": round(rss_kb / 1024, 1)}


def full_viewer(args, certificate):
    peer = rawpeer.RawPeer(args.base, args.udp_port, certificate)
    try:
        ok = peer.post() == 201 and peer.check() and peer.handshake() and peer.media(3) == 3
        return ok and peer.delete() == 200
    finally:
        peer.close()


def abandoned_viewer(args, certificate, stage):
    """Stops after the POST (stage 0), the ICE check (1) or the ClientHello (2)."""
    peer = rawpeer.RawPeer(args.base, args.udp_port, certificate)
    try:
        if peer.post() != 201:
            return False
        if stage >= 1 and not peer.check():
            return False
        if stage >= 2:
            peer.hello()
        return True
    finally:
        peer.close()


def wait_idle(base, timeout):
    deadline = time.time() + timeout
    while rawpeer.status(base)["viewerCount"] and time.time() < deadline:
        time.sleep(0.2)
    return rawpeer.status(base)["viewerCount"] == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True)
    parser.add_argument("--udp-port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--abandoned", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--idle-timeout", type=float, default=30, help="seconds to wait for abandoned sessions to be freed")
    parser.add_argument("--settle", type=float, default=12, help="seconds idle before the last figures (the agent trims its heap every 10 s)")
    parser.add_argument("--rss-slack-mb", type=float, default=4)
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    certificate = rawpeer.Certificate()  # one key pair: the agent's work, not ours, is being measured

    warm = sum(full_viewer(args, certificate) for _ in range(20))
    wait_idle(args.base, args.idle_timeout)
    time.sleep(1)
    baseline = footprint(args.pid)

    started = time.time()
    connected = sum(full_viewer(args, certificate) for _ in range(args.cycles))
    cycle_seconds = time.time() - started

    started, abandoned, peak = time.time(), 0, dict(baseline)
    for first in range(0, args.abandoned, args.batch):
        abandoned += sum(abandoned_viewer(args, certificate, i % 3) for i in range(first, min(first + args.batch, args.abandoned)))
        peak = {k: max(v, footprint(args.pid)[k]) for k, v in peak.items()}
        if not wait_idle(args.base, args.idle_timeout):
            break
    abandon_seconds = time.time() - started
    idle = wait_idle(args.base, args.idle_timeout)
    time.sleep(args.settle)
    after = footprint(args.pid)

    report = {"warm_up_connected": warm, "cycles": args.cycles, "connected_and_deleted": connected, "cycle_seconds": round(cycle_seconds, 1),
              "abandoned_requested": args.abandoned, "abandoned_started": abandoned, "abandon_seconds": round(abandon_seconds, 1),
              "idle_after": idle, "baseline": baseline, "peak_while_abandoned": peak, "after": after}
    print(f"churn: {connected}/{args.cycles} viewers connected, received media and were deleted in {cycle_seconds:.1f} s; "
          f"{abandoned}/{args.abandoned} abandoned part-way, freed in {abandon_seconds:.1f} s")
    print(f"{'':>10} {'fds':>6} {'threads':>8} {'RSS MB':>8}")
    for name, figures in (("baseline", baseline), ("peak", peak), ("after", after)):
        print(f"{name:>10} {figures['fds']:>6} {figures['threads']:>8} {figures['rss_mb']:>8}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    leaked = (after["fds"] > baseline["fds"] or after["threads"] > baseline["threads"]
              or after["rss_mb"] > baseline["rss_mb"] + args.rss_slack_mb)
    failed = connected != args.cycles or abandoned != args.abandoned or not idle or warm != 20
    sys.exit(1 if leaked or failed else 0)


if __name__ == "__main__":
    main()
