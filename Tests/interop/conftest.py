"""Starts the real pinhole binary for interop tests, on loopback only."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

# A blocking socket call in a test (the WebDriver client's, urllib's) gives up after a minute
# rather than waiting forever on a peer that stopped answering; pytest.ini bounds each test.
socket.setdefaulttimeout(60)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("PINHOLE_BIN", os.path.join(ROOT, ".build", "release", "pinhole"))
sys.path.insert(0, os.path.join(ROOT, "tools"))  # rawpeer, the bare viewer the robustness tests share with tools/churn.py


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Agent:
    def __init__(self, *extra, udp_host="127.0.0.1", env=None):
        self.http_port = free_port()
        self.udp_port = free_port(socket.SOCK_DGRAM)
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.log_path = f"/tmp/pinhole-test-{self.http_port}.log"
        self.args = [BINARY, "--video", "test", "--audio", "test",
                     "--http", f"127.0.0.1:{self.http_port}", "--udp", f"{udp_host}:{self.udp_port}", *extra]
        self.env = {**os.environ, **(env or {})}
        self.log = open(self.log_path, "w")
        self.launch()

    def launch(self):
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                self.status()
                return
            except urllib.error.HTTPError as error:
                if error.code == 401:  # started, with a token
                    return
                raise
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"pinhole did not start: {open(self.log_path).read()}")

    def restart(self, kill=True):
        """Ends the agent (SIGKILL: as a crash or a power cut would) and starts it again on the same ports."""
        self.process.kill() if kill else self.process.terminate()
        self.process.wait(timeout=10)
        self.launch()

    def status(self):
        with urllib.request.urlopen(self.base + "/api/status", timeout=2) as r:
            return json.load(r)

    def cpu_seconds(self):
        """User + system CPU time of the agent so far, from /proc (clock ticks)."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def agent():
    a = Agent("--size", "640x480", "--fps", "30")
    yield a
    a.stop()
