#!/usr/bin/env bash
# tests/kernels/initramfs.sh OBJDIR OUT: builds the initramfs the kernel
# matrix boots (an uncompressed newc cpio archive at OUT):
#   /bin/busybox     busybox-static, its applets linked at boot
#   host programs    bash, jq, coreutils' cat, util-linux's setpriv,
#                    libcap's setcap: the test script's tools
#   /tpc/bin         tp-load as `make` built it, and features_check
#   /tpc/progs       the programs the tests drive (make test-progs, fd_follow)
#   /tpc/obj         OBJDIR: objects tpc compiled on the host
#   /tpc/vm-tests.sh the tests; /init starts them
# with every shared library these programs load (ldd), at the paths the
# host has them, so the dynamic linker finds them unchanged.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
objdir=$1
out=$2
stage="$out.d"

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,kt,results,tpc/bin,tpc/progs,tpc/obj}

# add FILE [DEST]: FILE at DEST (default: its own path) and, for a dynamic
# program, every library ldd lists, each at its own path
add() {
	local src=$1 dest=${2:-$1} lib
	mkdir -p "$stage$(dirname "$dest")"
	cp -L "$src" "$stage$dest"
	# "libx.so => /path (addr)", and the dynamic linker as "/path (addr)"
	for lib in $(ldd "$src" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

add /bin/busybox /bin/busybox
if ldd /bin/busybox >/dev/null 2>&1; then
	echo "initramfs: /bin/busybox is not static (install busybox-static)" >&2
	exit 1
fi
add /bin/bash /bin/bash
add "$(command -v jq)" /usr/bin/jq
add /usr/bin/cat /usr/bin/cat
add "$(command -v setpriv)" /usr/bin/setpriv
setcap=$(command -v setcap || true)
[ -z "$setcap" ] || add "$setcap" /usr/sbin/setcap

add "$repo/out/bin/tp-load" /tpc/bin/tp-load
add "$repo/out/tests/kernels/features_check" /tpc/bin/features_check
add "$repo/out/tests/kernels/fd_follow" /tpc/progs/fd_follow
for p in "$repo"/out/tests/progs/*; do
	[ -x "$p" ] && add "$p" "/tpc/progs/$(basename "$p")"
done
cp -a "$objdir"/. "$stage/tpc/obj/"
cp "$here/vm-tests.sh" "$stage/tpc/vm-tests.sh"
cp "$here/init" "$stage/init"
chmod 755 "$stage/init" "$stage/tpc/vm-tests.sh"

# what the tests open and the tools expect
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
echo tpc-vm >"$stage/etc/hostname"
# the kernel opens the console before /init can mount devtmpfs
mknod -m 600 "$stage/dev/console" c 5 1

(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
