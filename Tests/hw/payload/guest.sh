#!/bin/sh
# Runs inside the hwlab VM: plays a 1 kHz tone into snd-aloop and runs the real pinhole binary
# against vivid and the loopback card until the host test writes /mnt/host/done. Meanwhile it
# runs each command the host drops as /mnt/host/cmd-N (driving gpio-sim lines, reading the
# LED), writing its output to /mnt/host/cmd-N.out.
# Usage: guest.sh PINHOLE PIXEL-FORMAT [EXTRA PINHOLE OPTIONS...]
pinhole=$1 format=$2
shift 2
( while [ ! -e /mnt/host/done ]; do aplay -q -D hw:Loopback,0,0 /payload/tone.wav 2>/dev/null || sleep 0.2; done ) &
SWIFT_BACKTRACE=enable=yes,interactive=no,swift-backtrace=/opt/swift/usr/libexec/swift/linux/swift-backtrace-static "$pinhole" --video /dev/video0 --audio hw:Loopback,1,0 --pixel-format "$format" --size 640x480 --fps 25 \
    --http 0.0.0.0:8080 --udp 0.0.0.0:18189 --advertise 127.0.0.1 "$@" > /mnt/host/pinhole.log 2>&1 &
agent=$!
n=0
for i in $(seq 3000); do
  [ -e /mnt/host/done ] && break
  if [ -e "/mnt/host/cmd-$n" ]; then
    sh "/mnt/host/cmd-$n" > "/mnt/host/cmd-$n.tmp" 2>&1
    mv "/mnt/host/cmd-$n.tmp" "/mnt/host/cmd-$n.out"
    n=$((n + 1))
  else
    sleep 0.05
  fi
done
"$pinhole" devices --json > /mnt/host/devices.json 2>&1
kill -TERM $agent; wait $agent
echo "guest: agent exited with $?"
