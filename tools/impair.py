#!/usr/bin/env python3
"""A UDP impairment relay for tests: the kernel here has no netem, so this sits between a client
and the agent and impairs what passes. Seeded, so a run can be repeated.

    tools/impair.py --listen 127.0.0.1:8189 --forward 127.0.0.2:8189 --profile loss5-delay50

Each client address gets its own socket towards the agent, so the agent sees one peer per
client. Agent-to-client traffic (the media) gets the profile's loss, delay, jitter, reordering
and rate limit (a token bucket feeding a bounded queue: excess is dropped at the tail, like a
router). Client-to-agent traffic (checks, feedback) gets the same delay only.
"""
import argparse
import asyncio
import heapq
import json
import random
import signal
import sys
import time

# Profiles like those of libwebrtc's own network tests. "schedule" lists (seconds, kbit/s).
PROFILES = {
    "clean": {},
    "loss5-delay50": {"loss": 0.05, "delay_ms": 50},
    "rate500-loss3": {"rate_kbps": 500, "loss": 0.03, "delay_ms": 20},
    "rate150": {"rate_kbps": 150, "delay_ms": 20},
    "drop2000-300-2000": {"delay_ms": 20, "schedule": [(0, 2000), (10, 300), (20, 2000)]},
    "jitter-reorder": {"delay_ms": 30, "jitter_ms": 15, "reorder": 0.02},
}


class Link:
    """One direction of the relay with its impairments."""

    def __init__(self, profile, rng, impaired):
        self.profile = profile if impaired else {"delay_ms": profile.get("delay_ms", 0)}
        self.rng = rng
        self.started = time.monotonic()
        self.queue_until = self.started  # when the bottleneck is free again
        self.stats = {"packets": 0, "lost": 0, "queue_drops": 0, "bytes": 0}

    def rate_kbps(self, now):
        schedule = self.profile.get("schedule")
        if schedule:
            rate = schedule[0][1]
            for at, kbps in schedule:
                if now - self.started >= at:
                    rate = kbps
            return rate
        return self.profile.get("rate_kbps")

    def departure(self, size, now):
        """When this datagram leaves, or None when it is dropped."""
        self.stats["packets"] += 1
        if self.rng.random() < self.profile.get("loss", 0):
            self.stats["lost"] += 1
            return None
        at = now
        rate = self.rate_kbps(now)
        if rate:
            start = max(now, self.queue_until)
            if start - now > 0.3:  # 300 ms of queue at most
                self.stats["queue_drops"] += 1
                return None
            self.queue_until = start + size * 8 / (rate * 1000)
            at = self.queue_until
        at += self.profile.get("delay_ms", 0) / 1000
        jitter = self.profile.get("jitter_ms", 0)
        if jitter:
            at += self.rng.uniform(0, jitter) / 1000
        if self.rng.random() < self.profile.get("reorder", 0):
            at += 0.02
        self.stats["bytes"] += size
        return at


class Relay:
    def __init__(self, listen, forward, profile, seed):
        self.listen, self.forward = listen, forward
        self.rng = random.Random(seed)
        self.down = Link(profile, self.rng, impaired=True)
        self.up = Link(profile, self.rng, impaired=False)
        self.upstreams = {}
        self.pending = []  # (time, counter, transport, data, address)
        self.counter = 0
        self.wakeup = asyncio.Event()
        self.stopped = False

    def schedule(self, at, transport, data, address):
        if at is None:
            return
        self.counter += 1
        heapq.heappush(self.pending, (at, self.counter, transport, data, address))
        self.wakeup.set()

    async def pump(self):
        while not self.stopped:
            now = time.monotonic()
            while self.pending and self.pending[0][0] <= now:
                _, _, transport, data, address = heapq.heappop(self.pending)
                transport.sendto(data, address)
            timeout = self.pending[0][0] - now if self.pending else 1
            self.wakeup.clear()
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
            # that races with the event, which once left this loop running after SIGTERM.
            try:
                async with asyncio.timeout(max(0, timeout)):
                    await self.wakeup.wait()
            except TimeoutError:
                pass

    def stop(self):
        self.stopped = True
        self.wakeup.set()

    async def upstream_for(self, client):
        if client not in self.upstreams:
            loop = asyncio.get_running_loop()
            relay = self

            class FromAgent(asyncio.DatagramProtocol):
                def datagram_received(self, data, _):
                    relay.schedule(relay.down.departure(len(data), time.monotonic()), relay.front, data, client)

            transport, _ = await loop.create_datagram_endpoint(FromAgent, remote_addr=self.forward)
            self.upstreams[client] = transport
        return self.upstreams[client]

    async def run(self):
        loop = asyncio.get_running_loop()
        relay = self

        class FromClient(asyncio.DatagramProtocol):
            def datagram_received(self, data, client):
                async def forward():
                    upstream = await relay.upstream_for(client)
                    relay.schedule(relay.up.departure(len(data), time.monotonic()), upstream, data, None)
                asyncio.ensure_future(forward())

        loop.add_signal_handler(signal.SIGTERM, self.stop)
        self.front, _ = await loop.create_datagram_endpoint(FromClient, local_addr=self.listen)
        print(f"relaying {self.listen} -> {self.forward}", flush=True)
        await self.pump()


def address(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=address, required=True)
    parser.add_argument("--forward", type=address, required=True)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="clean")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", help="write the link counters here as JSON on exit")
    args = parser.parse_args()
    relay = Relay(args.listen, args.forward, PROFILES[args.profile], args.seed)
    try:
        asyncio.run(relay.run())
    except KeyboardInterrupt:
        pass
    finally:
        if args.stats:
            json.dump({"down": relay.down.stats, "up": relay.up.stats}, open(args.stats, "w"))


if __name__ == "__main__":
    sys.exit(main())
