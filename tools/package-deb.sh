#!/usr/bin/env bash
# Builds dist/pinhole_<version>_<arch>.deb: the binary (Swift runtime linked statically, so
# the package depends only on Debian libraries), the systemd unit and the docs. Depends is
# worked out from the libraries the binary links, as dpkg knows them.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/.*version: "\([^"]*\)".*/\1/p' Sources/pinhole/Pinhole.swift | head -n 1)
arch=$(dpkg --print-architecture)
# The same command as `make build`: one release build serves the tests, the bench and the package.
swift build -c release --product pinhole --static-swift-stdlib -Xswiftc -Osize >&2
binary=.build/release/pinhole

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$binary" "$root/usr/bin/pinhole"
strip --strip-unneeded "$root/usr/bin/pinhole"
install -D -m 0644 systemd/pinhole.service "$root/lib/systemd/system/pinhole.service"
install -D -m 0644 README.md "$root/usr/share/doc/pinhole/README.md"
install -D -m 0644 etc/pinhole/pinhole.toml "$root/etc/pinhole/pinhole.toml"

# Each shared library the binary needs -> the package that ships it, at least this version.
depends=$(ldd "$root/usr/bin/pinhole" | awk '/=> \// { print $3 }' | while read -r lib; do
    real=$(readlink -f "$lib")
    package=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null || true)
    package=${package%%:*}
    [ -n "$package" ] || continue
    upstream=$(dpkg-query -W -f='${Version}' "$package" | sed 's/-[^-]*$//')
    echo "$package (>= $upstream)"
done | sort -u | paste -sd, - | sed 's/,/, /g')

mkdir -p "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: pinhole
Version: $version
Architecture: $arch
Maintainer: Pinhole developers <pinhole@localhost>
Depends: $depends
Section: video
Priority: optional
Description: WebRTC camera endpoint for single-board computers
 Streams a V4L2 camera and an ALSA microphone (or a test pattern and tone)
 to browsers over WebRTC with WHEP, from one binary with one UDP port.
CONTROL
echo /etc/pinhole/pinhole.toml > "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable --now pinhole.service
fi
SCRIPT
cat > "$root/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl disable --now pinhole.service
fi
SCRIPT
cat > "$root/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
SCRIPT
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

mkdir -p dist
out="dist/pinhole_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$out" > /dev/null
echo "$out"
