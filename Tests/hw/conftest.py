"""Boots the hardware lab VM (../shared/hwlab) with the real pinhole binary inside it.

The test runs in its own network namespace with only lo (make hw-test starts it under
`unshare --net`), as the lab needs for UDP replies from the guest (hwlab README, --open-net).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HWLAB = os.environ.get("HWLAB", os.path.join(ROOT, "..", "shared", "hwlab"))
BINARY = os.path.join(ROOT, ".build", "release", "pinhole")
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

HTTP_PORT, UDP_PORT = 18080, 18189
# Libraries the binary loads with dlopen, which ldd (and so hwlab --with-bin) cannot see:
# NSS's crypto modules, which Debian's libsrtp2 uses.
NSS = "/usr/lib/x86_64-linux-gnu"
DLOPENED = [f"{NSS}/{name}" for name in ("libsoftokn3.so", "libfreeblpriv3.so", "libfreebl3.so")]


class LabAgent:
    def __init__(self, pixel_format, *extra):
        self.share = tempfile.mkdtemp(prefix="pinhole-hw-")
        payload = os.path.join(self.share, "payload")
        shutil.copytree(os.path.join(HERE, "payload"), payload)
        subprocess.run([sys.executable, os.path.join(HERE, "tone.py"), os.path.join(payload, "tone.wav")], check=True)
        self.base = f"http://127.0.0.1:{HTTP_PORT}"
        self.commands = 0
        self.vm_log = open(os.path.join(self.share, "vm.log"), "w")
        self.vm = subprocess.Popen(
            ["bash", os.path.join(HWLAB, "run"), "--open-net", "--timeout", "240", "--smp", "2",
             "--modopt", "vivid n_devs=1 node_types=0x1", "--gpio", "button,mute,led",
             "--hostfwd", f"tcp:{HTTP_PORT}:8080", "--hostfwd", f"udp:{UDP_PORT}:{UDP_PORT}",
             "--with-bin", BINARY, *[arg for lib in DLOPENED if os.path.exists(lib) for arg in ("--with-bin", lib)],
             "--with-bin", "/opt/swift/usr/libexec/swift/linux/swift-backtrace-static", "--payload", payload, "--share", self.share,
             "--", "sh", "./guest.sh", BINARY, pixel_format, *extra],
            stdout=self.vm_log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if self.status()["video"]["capturing"]:
                    return
            except (OSError, KeyError, TypeError, ValueError):
                pass
            if self.vm.poll() is not None:
                break
            time.sleep(0.5)
        self.finish()
        pytest.fail(f"agent in the lab did not start streaming:\n{self.logs()}")

    def status(self):
        with urllib.request.urlopen(self.base + "/api/status", timeout=3) as r:
            return json.load(r)

    def post(self, path):
        request = urllib.request.Request(self.base + path, data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=5) as r:
            return json.load(r)

    def guest(self, script, timeout=30):
        """Runs a shell script in the guest (guest.sh picks it up); returns its output."""
        path = os.path.join(self.share, f"cmd-{self.commands}")
        self.commands += 1
        with open(path + ".part", "w") as f:
            f.write(script)
        os.rename(path + ".part", path)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(path + ".out"):
                return open(path + ".out").read()
            time.sleep(0.05)
        raise TimeoutError(f"guest did not run: {script}")

    def logs(self):
        text = ""
        for name in ("vm.log", "pinhole.log"):
            path = os.path.join(self.share, name)
            if os.path.exists(path):
                text += f"--- {name}\n" + open(path, errors="replace").read()[-4000:]
        return text

    def finish(self):
        """Tells the guest to stop; returns `pinhole devices --json` as run inside the lab."""
        open(os.path.join(self.share, "done"), "w").close()
        try:
            self.vm.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.vm.kill()
        self.vm_log.close()
        path = os.path.join(self.share, "devices.json")
        return json.load(open(path)) if os.path.exists(path) else None


def lab_available():
    return os.path.exists(os.path.join(HWLAB, "run"))


@pytest.fixture(scope="session", autouse=True)
def lab_setup():
    if not lab_available():
        pytest.skip(f"hardware lab not found at {HWLAB}: hardware tests skipped")
    subprocess.run(["bash", os.path.join(HWLAB, "setup")], check=True, stdout=subprocess.DEVNULL)
