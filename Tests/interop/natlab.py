"""A NAT lab in network namespaces this test creates (run under `unshare --net --mount`): the
agent at home (10.1.0.2) behind a masquerading router (10.1.0.1 | 10.2.0.1), and on the other side
(10.2.0.2) a STUN server (pion/turn) and a WHIP endpoint (aiortc), which cannot reach the home
network at all. The agent publishes there; this prints what happened as JSON.

    unshare --net --mount python natlab.py [--no-stun] [--pion] [--outage SECONDS]

--pion puts the pion ICE-lite endpoint (pion_whip) beyond the NAT instead of aiortc; --outage drops
every UDP datagram through the router for that long once the stream flows (a Wi-Fi roam, a
flapping uplink): the path dies, HTTP does not, so the agent restarts ICE by PATCH.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SETUP = """
mount -t tmpfs none /run; mkdir -p /run/netns
ip link set lo up
ip netns add home; ip netns add wan
ip link add r-home type veth peer name home0; ip link set home0 netns home
ip link add r-wan type veth peer name wan0; ip link set wan0 netns wan
ip addr add 10.1.0.1/24 dev r-home; ip link set r-home up
ip addr add 10.2.0.1/24 dev r-wan; ip link set r-wan up
ip netns exec home sh -c 'ip link set lo up; ip addr add 10.1.0.2/24 dev home0; ip link set home0 up; ip route add default via 10.1.0.1'
ip netns exec wan sh -c 'ip link set lo up; ip addr add 10.2.0.2/24 dev wan0; ip link set wan0 up'
echo 1 > /proc/sys/net/ipv4/ip_forward
nft add table ip nat
nft add chain ip nat post '{ type nat hook postrouting priority 100; }'
nft add rule ip nat post oifname r-wan masquerade
"""


def read(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return {}


def wait_frames(stats, at_least, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if read(stats).get("video_frames", 0) >= at_least:
            return time.time()
        time.sleep(0.2)
    return None


def main():
    processes = []
    try:
        run(processes)
    finally:
        for p in processes:
            p.kill()


def run(processes):
    stun = "--no-stun" not in sys.argv
    outage = float(sys.argv[sys.argv.index("--outage") + 1]) if "--outage" in sys.argv else 0
    subprocess.run(["sh", "-ec", SETUP], check=True)
    stats = "/tmp/natlab-endpoint.json"
    endpoint = ([os.path.join(ROOT, ".build-interop", "pion-whip"), "--http", "10.2.0.2:8099", "--stats", stats] if "--pion" in sys.argv
                else [sys.executable, os.path.join(HERE, "whip_endpoint.py"), "--port", "8099", "--stats", stats])
    processes += [
        subprocess.Popen(["ip", "netns", "exec", "wan", os.path.join(ROOT, ".build-interop", "pion-turn"), "--listen", "10.2.0.2:3478",
                          "--relay-ip", "10.2.0.2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(["ip", "netns", "exec", "wan", *endpoint], env={**os.environ, "WHIP_ENDPOINT_HOST": "10.2.0.2"},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    time.sleep(1)
    agent_log = open("/tmp/natlab-agent.log", "w")
    processes.append(subprocess.Popen(
        ["ip", "netns", "exec", "home", os.path.join(ROOT, ".build", "release", "pinhole"), "--video", "test", "--audio", "test",
         "--http", "10.1.0.2:8080", "--udp", "10.1.0.2:8189", "--whip", "http://10.2.0.2:8099/whip",
         *(["--ice-server", "stun:10.2.0.2:3478"] if stun else [])], stdout=agent_log, stderr=subprocess.STDOUT))
    result = {"flowing": wait_frames(stats, 30, 30) is not None}
    if outage and result["flowing"]:
        subprocess.run(["sh", "-ec", "nft add table ip cut; nft add chain ip cut block '{ type filter hook forward priority 0; }';"
                                     "nft add rule ip cut block meta l4proto udp drop"], check=True)
        time.sleep(outage)
        subprocess.run(["nft", "delete", "table", "ip", "cut"], check=True)
        healed = time.time()
        before = read(stats).get("video_frames", 0)
        back = wait_frames(stats, before + 30, 40)
        result["outage"] = {"seconds": outage, "frames_at_heal": before, "flowing_again_after": back and round(back - healed, 2)}
    result["endpoint"] = read(stats)
    try:
        with urllib.request.urlopen("http://10.1.0.2:8080/api/status", timeout=3) as r:
            result["publish"] = json.load(r).get("publish")
    except OSError as error:
        result["publish"] = str(error)
    for p in processes:
        p.terminate()
    for p in processes:
        p.wait(timeout=10)
    result["agent_log"] = open("/tmp/natlab-agent.log").read()[-2000:]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
