#!/usr/bin/env bash
# tests/kernels/run.sh [--tap] [KERNEL...]: the kernel matrix (make
# test-kernels). Boots each of Debian's stock kernels (default: 6.1 and
# 6.12, see fetch.sh) under QEMU with an initramfs holding what `make`
# built, runs tests/kernels/vm-tests.sh inside, and prints its TAP, each
# line naming its kernel. Without --tap it closes with
# "N passed, N failed, N skipped".
#
# A kernel that cannot be fetched (no network, no mirror) or a QEMU that
# cannot start is a skip with the reason; a VM that boots and fails a test,
# never reaches the tests, or hangs (killed after its timeout, never waited
# on) is a failure. Exit status 1 when anything failed.
#
# Environment: KERNEL_VM_TIMEOUT (seconds per VM), KERNEL_VM_MEM (MiB),
# KERNEL_VM_ACCEL (kvm|tcg; default: kvm where it can run a stock kernel),
# KERNEL_VM_JOBS (VMs at once, default 2), KERNEL_VM_TESTS (a comma-
# separated list of test names of vm-tests.sh: only those run, in the VMs
# and on the host; e.g. KERNEL_VM_TESTS=kernel_stack to check one feature).
set -uo pipefail
cd "$(dirname "$0")/../.."

tap_only=
if [ "${1:-}" = --tap ]; then
	tap_only=1
	shift
fi
kernels=("$@")
((${#kernels[@]})) || kernels=(6.1 6.12)

out=out/tests/kernels
cache=out/kernels
mkdir -p "$out"
results="$out/results.tap"
: >"$results"

n=0
# emit LINE: a TAP line (renumbered) or a comment, to stdout and $results
emit() {
	echo "$1" | tee -a "$results"
}
ok() { n=$((n + 1)); emit "ok $n $1"; }
not_ok() { n=$((n + 1)); emit "not ok $n $1"; }
skipped() { n=$((n + 1)); emit "ok $n $1 # skip $2"; }

finish() {
	if [ -z "$tap_only" ]; then
		local p f s
		s=$(grep -Ec '^ok [0-9]+ .*# skip' "$results")
		p=$(($(grep -Ec '^ok [0-9]+' "$results") - s))
		f=$(grep -Ec '^not ok [0-9]+' "$results")
		echo "$p passed, $f failed, $s skipped"
	fi
	! grep -q '^not ok' "$results"
	exit $?
}

# relay LABEL: TAP from stdin, renumbered and named after its kernel ("tpc-vm:
# booted K" lines rename it); other lines are dropped
relay() {
	local label=$1 line
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"tpc-vm: booted "*) label=${line#tpc-vm: booted } ;;
		"ok "*) ok "$label: $(sed 's/^ok [0-9]* //' <<<"$line")" ;;
		"not ok "*) not_ok "$label: $(sed 's/^not ok [0-9]* //' <<<"$line")" ;;
		"#"*) emit "$line" ;;
		esac
	done
}

# skip_all REASON: every kernel skipped for one reason
skip_all() {
	local k
	for k in "${kernels[@]}"; do skipped "$k: kernel matrix" "$1"; done
	finish
}

for tool in qemu-system-x86_64 cpio; do
	command -v "$tool" >/dev/null ||
		skip_all "$tool is not installed (tests/install-deps.sh installs it)"
done
[ -x /bin/busybox ] || skip_all "/bin/busybox is missing (busybox-static)"
for f in out/bin/tpc out/bin/tp-load "$out/features_check" "$out/obj/features/features.bpf.o"; do
	[ -e "$f" ] || { not_ok "the kernel matrix is built ($f is missing: make test-kernels builds it)"; finish; }
done

# the objects the VMs load, compiled here: the VMs have no clang
if ! ./tests/kernels/vm-tests.sh compile "$out/obj" >"$out/compile.log" 2>&1; then
	not_ok "tpc compiles the matrix's policies"
	sed 's/^/# /' "$out/compile.log" | tail -20
	finish
fi
if ! ./tests/kernels/initramfs.sh "$out/obj" "$out/initramfs.cpio" >"$out/initramfs.log" 2>&1; then
	not_ok "the initramfs builds"
	sed 's/^/# /' "$out/initramfs.log" | tail -20
	finish
fi

# KVM runs a stock kernel only with hardware virtualisation (kvm_intel,
# kvm_amd); a /dev/kvm of another kind (nested, paravirtual) may not.
accel=${KERNEL_VM_ACCEL:-}
why_accel=
if [ -z "$accel" ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
		accel=kvm
	else
		accel=tcg
		if [ -e /dev/kvm ]; then
			why_accel=" (/dev/kvm is not backed by kvm_intel or kvm_amd here)"
		else
			why_accel=" (no /dev/kvm)"
		fi
	fi
fi
if [ "$accel" = kvm ]; then
	qemu_accel=(-accel kvm -cpu host)
	timeout_s=${KERNEL_VM_TIMEOUT:-300}
else
	qemu_accel=(-accel tcg)
	timeout_s=${KERNEL_VM_TIMEOUT:-1200}
fi
emit "# kernel matrix: QEMU with $accel$why_accel, at most $timeout_s s per VM"

# The host: the tests that attach nothing (the verifier, the feature
# probes); what attaches here is the bats suites' business.
# (relay reads a process substitution: in a pipe it would count in a subshell)
relay "host $(uname -r)" < <(TPLOAD="$PWD/out/bin/tp-load" FEATURES_CHECK="$PWD/$out/features_check" \
	RESULTS="$PWD/$out/host/results" KT="$PWD/$out/host/kt" \
	./tests/kernels/vm-tests.sh host "$PWD/$out/obj" 2>&1)

# fetch every kernel first: "NAME DIR" or "NAME - reason"
declare -A kdir kwhy
while read -r name dir rest; do
	if [ "$dir" = - ]; then
		kwhy[$name]=$rest
	else
		kdir[$name]=$dir
	fi
done < <(./tests/kernels/fetch.sh "$cache" "${kernels[@]}")

# boot K: starts kernel K's VM in the background (its QEMU, under timeout,
# is qpid[K]); its TAP goes to out/tests/kernels/K.serial.tap
declare -A qpid started
boot() {
	local k=$1 res="$out/$1.serial.tap"
	rm -f "$out/$k.console.log"
	: >"$res"
	started[$k]=$(date +%s)
	# -no-reboot: a panic (panic=-1 reboots at once) ends QEMU too.
	# One vCPU: under TCG with two, a guest that patches its own code
	# (text_poke_bp, as attaching a syscall tracepoint does) can run a
	# stale int3 on the other vCPU and oops in syscall_trace_enter (seen
	# once on 6.12); real hardware syncs the cores, the emulator may not.
	timeout -k 10 "$timeout_s" qemu-system-x86_64 "${qemu_accel[@]}" \
		-m "${KERNEL_VM_MEM:-1024}" -smp "${KERNEL_VM_CPUS:-1}" -nodefaults -display none -no-reboot \
		-serial "file:$out/$k.console.log" -serial "file:$res" \
		-kernel "${kdir[$k]}/vmlinuz" -initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 panic=-1${KERNEL_VM_TESTS:+ tpc.tests=$KERNEL_VM_TESTS}" \
		>"$out/$k.qemu.log" 2>&1 &
	qpid[$k]=$!
}

# collect K: relays K's TAP as it comes, then says how the VM ended
collect() {
	local k=$1 res="$out/$1.serial.tap" con="$out/$1.console.log" st secs label
	relay "$k" < <(tail -F --pid="${qpid[$k]}" -n +1 "$res" 2>/dev/null)
	wait "${qpid[$k]}"
	st=$?
	secs=$(($(date +%s) - started[$k]))
	touch "$con"
	label=$(sed -n 's/^tpc-vm: booted \([^\r]*\).*/\1/p' "$res" | head -1)
	label=${label:-$k}
	if ! grep -q '^tpc-vm: booted' "$res"; then
		if [ "$st" -ne 124 ] && [ "$st" -ne 137 ] && ! grep -q 'Linux version' "$con"; then
			# QEMU itself did not start the kernel
			skipped "$k: kernel matrix" "QEMU could not boot it: $(grep -v '^$' "$out/$k.qemu.log" | tail -1)"
			return
		fi
		not_ok "$label: the VM boots to the tests (QEMU status $st after $secs s)"
		tail -15 "$con" | tr -d '\r' | sed 's/^/# /' | tee -a "$results"
		return
	fi
	if grep -q '^tpc-vm: done' "$res"; then
		ok "$label: the VM ran every test and powered off ($accel, $secs s)"
		return
	fi
	if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
		not_ok "$label: the VM finished within $timeout_s s (killed: it hung or ran too long)"
	else
		not_ok "$label: the VM ran every test (it stopped after $secs s, QEMU status $st)"
	fi
	tail -15 "$con" | tr -d '\r' | sed 's/^/# /' | tee -a "$results"
}

# KERNEL_VM_JOBS VMs at a time (default 2, the matrix's two kernels: under
# TCG one VM keeps about one core busy, two take half the time of one
# after the other); each VM's TAP is printed whole, in order
jobs=${KERNEL_VM_JOBS:-2}
fetched=()
for k in "${kernels[@]}"; do
	if [ -n "${kdir[$k]:-}" ]; then
		fetched+=("$k")
	else
		skipped "$k: kernel matrix" "cannot fetch Debian's $k kernel: ${kwhy[$k]:-unknown reason}"
	fi
done
for ((i = 0; i < ${#fetched[@]}; i++)); do
	((i >= jobs)) || boot "${fetched[$i]}"
done
for ((i = 0; i < ${#fetched[@]}; i++)); do
	((i < jobs)) || boot "${fetched[$i]}"
	collect "${fetched[$i]}"
done
finish
