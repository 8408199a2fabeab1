#!/bin/sh
# `make bench`: builds the contenders (pion from Debian's Go packages, offline), runs the hot-path
# micro-benchmarks, then tools/bench/bench.py in a network namespace of its own (loopback only).
# Arguments go to bench.py (--only pinhole pion-ffmpeg-1, --runs 9, ...).
set -eu
cd "$(dirname "$0")/../.."
mkdir -p .build-bench

echo "== pion WHEP server (pion $(dpkg-query -W -f='${Version}' golang-github-pion-webrtc.v3-dev), GOPATH mode)"
# Debian installs pion v3 without its /v3 directory; GOPATH mode finds it through this link.
mkdir -p .build-bench/gopath/src/github.com/pion/webrtc
ln -sfn /usr/share/gocode/src/github.com/pion/webrtc .build-bench/gopath/src/github.com/pion/webrtc/v3
GOPATH="$PWD/.build-bench/gopath:/usr/share/gocode" GO111MODULE=off GOCACHE="$PWD/.build-bench/gocache" \
  go build -o .build-bench/pion-whep ./tools/bench/pion-whep

if [ -z "${BENCH_SKIP_MICRO:-}" ]; then
  echo "== hot-path micro-benchmarks (ordo-one/benchmark)"
  (cd tools/bench/micro && swift package --disable-sandbox benchmark --format markdown --no-progress) | tee .build-bench/micro.md
fi

echo "== side by side"
exec unshare --net tools/bench/netns.sh .venv/bin/python tools/bench/bench.py "$@"
