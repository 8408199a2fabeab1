# Pinhole: `make run` builds and starts the agent, `make test` runs every test.
# On first use both install the Debian packages they need (only the missing ones) and the
# Python test tools (into .venv).

SWIFT      ?= swift
PYTHON     ?= python3
VENV       := .venv
BINARY     := .build/release/pinhole
SUDO       := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
BUILD_DEBS := pkg-config libvpx-dev libopus-dev libasound2-dev libv4l-dev libssl-dev libsrtp2-dev libgpiod-dev
TEST_DEBS  := chromium chromium-driver shellcheck systemd golang-go golang-github-pion-webrtc.v3-dev nftables
BENCH_DEBS := golang-go golang-github-pion-webrtc.v3-dev ffmpeg binutils
RUN_ARGS   ?=
FUZZ_SECONDS ?= 60
HWLAB      ?= ../shared/hwlab
GPIOD2_SDIST := .build-gpiod2/gpiod-2.5.0.tar.gz
PION_WHIP  := .build-interop/pion-whip
PION_TURN  := .build-interop/pion-turn

.PHONY: run build test unit-test interop-test hw-test fuzz deb screenshot bench deps test-deps install-debs clean

run: build
	$(BINARY) $(RUN_ARGS)

# Optimized for size: the hot paths are C (libvpx, libopus, libsrtp); -Osize makes the binary 4 MB
# smaller and its resident text 1.3 MB smaller at no CPU cost the benchmarks can see (docs/benchmarks.md).
RELEASE := -c release --product pinhole --static-swift-stdlib -Xswiftc -Osize

build: deps
	$(SWIFT) build $(RELEASE)

test: unit-test interop-test hw-test

unit-test: deps
	$(SWIFT) test

interop-test: build test-deps $(VENV)/.installed $(PION_WHIP) $(PION_TURN)
	cd Tests/interop && ../../$(VENV)/bin/python -m pytest -v -s -p no:cacheprovider --durations=0 .

# The real binary in the hardware lab VM (vivid, snd-aloop, gpio-sim), in a network namespace
# of its own as the lab's UDP forwarding needs. Skipped, saying so, where the lab is absent.
hw-test: build $(VENV)/.installed $(GPIOD2_SDIST)
	@if [ -f "$(HWLAB)/run" ]; then \
	  HWLAB=$(abspath $(HWLAB)) unshare --net sh -c 'ip link set lo up && cd Tests/hw && ../../$(VENV)/bin/python -m pytest -v -s -p no:cacheprovider --durations=0 .'; \
	else echo "hardware lab not found at $(HWLAB): hardware tests skipped"; fi

# libgpiod 2.x sources for the lab test of the GPIO shim's 2.x path (Debian 12 has only 1.6):
# the `gpiod` sdist on PyPI vendors them. Fetched here, as the lab test runs without network.
$(GPIOD2_SDIST): | $(VENV)/.installed
	$(VENV)/bin/pip download -q --no-deps --no-binary :all: gpiod==2.5.0 -d $(dir $@)

# The ICE-lite WHIP endpoint and the STUN/TURN server of the publishing tests, from Debian's pion
# (GOPATH mode, offline; Debian installs pion v3 without its /v3 directory, so a link stands in).
.build-interop/pion-%: Tests/interop/pion_%/main.go | test-deps
	mkdir -p .build-interop/gopath/src/github.com/pion/webrtc
	ln -sfn /usr/share/gocode/src/github.com/pion/webrtc .build-interop/gopath/src/github.com/pion/webrtc/v3
	GOPATH="$(CURDIR)/.build-interop/gopath:/usr/share/gocode" GO111MODULE=off GOCACHE="$(CURDIR)/.build-interop/gocache" \
	  go build -o $@ ./Tests/interop/pion_$*

# A Debian package in dist/ (Swift runtime linked in; depends on Debian's libraries only).
deb: deps
	@tools/package-deb.sh

# docs/viewer.png: the viewer page while streaming, taken by the Chromium page test.
screenshot: build test-deps $(VENV)/.installed
	cd Tests/interop && PINHOLE_SCREENSHOT=$(abspath docs/viewer.png) ../../$(VENV)/bin/python -m pytest -q -p no:cacheprovider \
	  -k viewer_page_log test_chromium.py

# Side by side with pion + ffmpeg, aiortc and the encoder floor, one invocation (docs/benchmarks.md).
bench: build test-deps $(VENV)/.installed
	@$(MAKE) --no-print-directory install-debs DEBS="$(BENCH_DEBS)"
	tools/bench/run.sh $(BENCH_ARGS)

# One libFuzzer target per network parser, FUZZ_SECONDS each (Tests/Fuzz/README.md).
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh

deps:
	@$(MAKE) --no-print-directory install-debs DEBS="$(BUILD_DEBS)"

test-deps:
	@$(MAKE) --no-print-directory install-debs DEBS="$(TEST_DEBS)"

install-debs:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

$(VENV)/.installed: Tests/interop/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r Tests/interop/requirements.txt
	touch $@

clean:
	rm -rf .build .build-bench .build-gpiod2 dist $(VENV)
