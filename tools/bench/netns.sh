#!/bin/sh
# Runs "$@" in the network namespace `unshare --net` made: loopback, plus a veth pair of our own
# (10.99.0.1 - 10.99.0.2, default route) because Chromium gathers no candidates at all on a
# machine with loopback only. Nothing here reaches outside the namespace.
set -eu
ip link set lo up
ip link add bench0 type veth peer name bench1
ip addr add 10.99.0.1/24 dev bench0
ip addr add 10.99.0.2/24 dev bench1
ip link set bench0 up
ip link set bench1 up
ip route add default via 10.99.0.2 dev bench0
exec "$@"
