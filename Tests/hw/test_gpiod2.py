"""Pinhole's GPIO shim built against libgpiod 2.x (Debian 13, Raspberry Pi OS trixie) and run in
the lab on gpio-sim. Debian 12 packages only libgpiod 1.6, so the 2.x library comes from its
own sources as vendored in the `gpiod` Python package's sdist on PyPI (libgpiod 2.3), compiled
here together with the shim and a small C driver (gpiod2/check.c)."""
import glob
import os
import subprocess
import tarfile
import tempfile

from conftest import HERE, HWLAB, ROOT

# Downloaded by `make hw-test` (this test runs in a network namespace without a route out).
SDIST = os.path.join(ROOT, ".build-gpiod2", "gpiod-2.5.0.tar.gz")


def build_check(work):
    assert os.path.exists(SDIST), f"{SDIST} missing: run the lab tests with `make hw-test`, which fetches it"
    with tarfile.open(SDIST) as archive:
        archive.extractall(work, filter="data")
    source = glob.glob(os.path.join(work, "gpiod-*/"))[0]
    version = open(os.path.join(source, "libgpiod-version.txt")).read().strip()
    shim = os.path.join(ROOT, "Sources", "C", "CPinholeGPIO")
    binary = os.path.join(work, "check-gpiod2")
    subprocess.run(["gcc", "-O1", "-Wall", "-Werror", "-std=gnu11", "-D_GNU_SOURCE", f'-DGPIOD_API_VERSION_STR="{version}"',
                    "-I", os.path.join(source, "include"), "-I", os.path.join(source, "lib"), "-I", os.path.join(shim, "include"),
                    *sorted(glob.glob(os.path.join(source, "lib", "*.c"))), os.path.join(shim, "gpio.c"),
                    os.path.join(HERE, "gpiod2", "check.c"), "-o", binary], check=True)
    return binary, version


def test_the_shim_drives_gpio_sim_through_libgpiod_2():
    work = tempfile.mkdtemp(prefix="pinhole-gpiod2-")
    binary, version = build_check(work)
    script = (f"set -- $(hwlab-gpio find button); {binary} /dev/$1 > /tmp/out 2>&1 & "
              "sleep 2; echo \"led while requested: $(hwlab-gpio get led)\"; "
              "hwlab-gpio press button; sleep 0.2; hwlab-gpio release button; wait; cat /tmp/out")
    result = subprocess.run(["bash", os.path.join(HWLAB, "run"), "--timeout", "120", "--gpio", "button,mute,led",
                             "--with-bin", binary, "--", "sh", "-c", script], capture_output=True, text=True, timeout=300)
    out = result.stdout
    print(f"\nlibgpiod {version}:\n{out}")
    assert result.returncode == 0, out + result.stderr
    assert "api 2" in out and "label hwlab lines 3" in out and "line 0 button" in out
    assert "kernel debounce 1" in out  # uAPI v2 debounces in the kernel
    assert "led while requested: 1" in out
    assert "edge rising 1" in out and "level 1" in out and out.strip().endswith("ok")
