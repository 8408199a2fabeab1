"""`make deb` builds a package whose contents and declared dependencies are right;
tools/install.sh installs into a scratch root; the shell tools are shellcheck-clean."""
import os
import subprocess
import tempfile

import pytest

from conftest import ROOT

LIBRARIES = ["libvpx7", "libopus0", "libasound2", "libv4l-0", "libssl3", "libsrtp2-1", "libgpiod2", "libc6"]


# A release build of its own with the Swift runtime linked in: about 4 minutes on 2 cores.
@pytest.mark.timeout(1200)
def test_deb_contents_and_dependencies():
    result = subprocess.run(["make", "-s", "deb"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    deb = os.path.join(ROOT, result.stdout.strip().splitlines()[-1])
    depends = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True, text=True, check=True).stdout
    for package in LIBRARIES:
        assert package in depends, depends
    assert "swift" not in depends.lower()  # the Swift runtime is linked in
    with tempfile.TemporaryDirectory() as root:
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        assert os.access(os.path.join(root, "usr/bin/pinhole"), os.X_OK)
        assert os.path.exists(os.path.join(root, "lib/systemd/system/pinhole.service"))
        assert os.path.exists(os.path.join(root, "etc/pinhole/pinhole.toml"))
        conffiles = subprocess.run(["dpkg-deb", "-I", deb, "conffiles"], capture_output=True, text=True).stdout
        assert "/etc/pinhole/pinhole.toml" in conffiles
        version = subprocess.run([os.path.join(root, "usr/bin/pinhole"), "--version"], capture_output=True, text=True)
        assert version.returncode == 0 and version.stdout.strip()
        ldd = subprocess.run(["ldd", os.path.join(root, "usr/bin/pinhole")], capture_output=True, text=True).stdout
        assert "libswiftCore" not in ldd
    size = os.path.getsize(deb)
    print(f"\n{os.path.basename(deb)}: {size / 1e6:.1f} MB; Depends: {depends.strip()}")


def test_install_script_into_a_scratch_root_and_back():
    binary = os.path.join(ROOT, ".build", "release", "pinhole")
    with tempfile.TemporaryDirectory() as root:
        for _ in range(2):  # idempotent
            subprocess.run(["sh", os.path.join(ROOT, "tools", "install.sh"), "--binary", binary, "--root", root], check=True)
        assert os.access(os.path.join(root, "usr/bin/pinhole"), os.X_OK)
        assert os.path.exists(os.path.join(root, "lib/systemd/system/pinhole.service"))
        assert os.path.exists(os.path.join(root, "etc/pinhole/pinhole.toml"))
        subprocess.run(["sh", os.path.join(ROOT, "tools", "install.sh"), "--uninstall", "--root", root], check=True)
        assert not os.path.exists(os.path.join(root, "usr/bin/pinhole"))


def test_shell_tools_are_shellcheck_clean():
    scripts = [os.path.join(ROOT, "tools", name) for name in os.listdir(os.path.join(ROOT, "tools")) if name.endswith(".sh")]
    result = subprocess.run(["shellcheck", *scripts], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
