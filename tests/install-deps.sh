#!/usr/bin/env bash
# Installs what building, running and testing tpc needs on a fresh Debian
# machine, and mounts tracefs and bpffs when they are missing. Idempotent:
# does nothing that is already done. Needs root.
set -euo pipefail

PACKAGES=(make gcc clang llvm libbpf-dev libyaml-dev libelf-dev zlib1g-dev libssl-dev openssl libpcre2-dev bpftool bats jq
	  curl python3
	  libcurl4-openssl-dev procps util-linux libcap2-bin iproute2
	  libclang-rt-14-dev systemtap-sdt-dev
	  python3-kubernetes yamllint man-db
	  qemu-system-x86 busybox-static cpio debian-archive-keyring)

# Installed without their recommendations: QEMU's would bring a desktop's
# worth of display and audio libraries the kernel matrix never uses.
NO_RECOMMENDS=(qemu-system-x86)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	lean=() rest=()
	for p in "${missing[@]}"; do
		if [[ " ${NO_RECOMMENDS[*]} " == *" $p "* ]]; then lean+=("$p"); else rest+=("$p"); fi
	done
	((${#rest[@]} == 0)) || apt-get install -y -qq "${rest[@]}" >/dev/null
	((${#lean[@]} == 0)) || apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
fi

if [ "$(id -u)" = 0 ]; then
	if [ ! -e /sys/kernel/tracing/events ]; then
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
			echo "install-deps: cannot mount tracefs on /sys/kernel/tracing" >&2
	fi
	if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
		mount -t bpf bpf /sys/fs/bpf 2>/dev/null || echo "install-deps: cannot mount bpffs on /sys/fs/bpf" >&2
	fi
fi
exit 0
