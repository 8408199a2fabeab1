"""The systemd contract: the unit verifies, and the binary speaks sd_notify (READY, WATCHDOG
only while media flows, STOPPING) and exits 0 on SIGTERM."""
import os
import signal
import socket
import subprocess
import tempfile
import time

from conftest import BINARY, ROOT, Agent


def test_unit_file_verifies():
    # The unit names /usr/bin/pinhole; point that one line at the built binary and verify.
    with open(os.path.join(ROOT, "systemd", "pinhole.service")) as f:
        unit = f.read()
    assert "ExecStart=/usr/bin/pinhole" in unit
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pinhole.service")
        with open(path, "w") as f:
            f.write(unit.replace("ExecStart=/usr/bin/pinhole", f"ExecStart={BINARY}"))
        result = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
        assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr
        security = subprocess.run(["systemd-analyze", "security", "--offline=true", path], capture_output=True, text=True)
        print("\n" + security.stdout.strip().splitlines()[-1])


class NotifySocket:
    def __init__(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []  # (time, text)

    def collect(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                self.messages.append((time.time(), self.sock.recv(4096).decode()))
            except socket.timeout:
                pass

    def times(self, key):
        return [t for (t, text) in self.messages if key in text.split("\n")]


def start(notify, *extra):
    return Agent(*extra, env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"})


def test_ready_watchdog_stopping_and_clean_exit():
    notify = NotifySocket()
    agent = start(notify)
    notify.collect(4)
    assert notify.times("READY=1"), notify.messages
    pings = notify.times("WATCHDOG=1")
    assert len(pings) >= 5, notify.messages  # every 0.5 s
    assert any("STATUS=streaming" in text for (_, text) in notify.messages)
    agent.process.send_signal(signal.SIGTERM)
    notify.collect(1)
    assert agent.process.wait(timeout=10) == 0
    assert notify.times("STOPPING=1"), notify.messages
    agent.log.close()


def test_watchdog_pings_stop_when_the_pipeline_stalls():
    notify = NotifySocket()
    agent = start(notify, "--test-stall-video-after", "2", "--audio", "none")
    started = time.time()
    notify.collect(6)
    agent.stop()
    pings = [t - started for t in notify.times("WATCHDOG=1")]
    assert any(t < 2 for t in pings), pings
    assert not any(t > 3.5 for t in pings), pings  # silent once the stall is seen
