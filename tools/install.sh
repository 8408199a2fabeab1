#!/bin/sh
# Installs Pinhole as a systemd service: the binary, the unit, then enable and start.
# Idempotent: running it again updates the files and restarts the service.
#
#   tools/install.sh                 build (make build) and install
#   tools/install.sh --binary PATH   install an already built binary
#   tools/install.sh --uninstall     stop, disable and remove
#   --root DIR                       install below DIR instead of / (no systemctl calls)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
root=""
binary=""
action=install

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --root) root=$2; shift 2 ;;
        --uninstall) action=uninstall; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

systemctl_here() {
    # Only on the live system, and only where systemd runs.
    if [ -z "$root" ] && [ -d /run/systemd/system ]; then systemctl "$@"; fi
}

if [ "$action" = uninstall ]; then
    systemctl_here disable --now pinhole.service || true
    rm -f "$root/usr/bin/pinhole" "$root/lib/systemd/system/pinhole.service"
    echo "kept $root/etc/pinhole/pinhole.toml"
    systemctl_here daemon-reload
    echo "pinhole removed"
    exit 0
fi

if [ -z "$binary" ]; then
    make -C "$here" build
    binary="$here/.build/release/pinhole"
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

install -D -m 0755 "$binary" "$root/usr/bin/pinhole"
install -D -m 0644 "$here/systemd/pinhole.service" "$root/lib/systemd/system/pinhole.service"
# The configuration is the owner's: installed once, never overwritten.
if [ ! -e "$root/etc/pinhole/pinhole.toml" ]; then
    install -D -m 0644 "$here/etc/pinhole/pinhole.toml" "$root/etc/pinhole/pinhole.toml"
fi
systemctl_here daemon-reload
systemctl_here enable pinhole.service
systemctl_here restart pinhole.service
echo "pinhole installed in ${root:-/}"
