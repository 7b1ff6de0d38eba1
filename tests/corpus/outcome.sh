#!/usr/bin/env bash
# outcome.sh POLICY: what tpc and tp-load make of one corpus policy, in
# the form recorded in tests/corpus/records/NAME.expected:
#
#   outcome: rejected | compiles, passes tp-load --verify | <what failed>
#   line:col: severity: message [rule]     (every diagnostic, sorted)
#
# Policies without errors are compiled and loaded through the verifier
# (kprobes included, nothing attached), which needs root. A crash or hang
# of tpc shows up as its own outcome and fails the comparison.
set -uo pipefail
f=$1
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tpc="$repo/out/bin/tpc"
tpload="$repo/out/bin/tp-load"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

timeout 30 "$tpc" lint --format=json "$f" >"$tmp/lint.json" 2>"$tmp/lint.err"
rc=$?
diags() {
	jq -r '.diagnostics[] | "\(.line):\(.column): \(.severity): \(.message) [\(.rule)]"' "$tmp/lint.json"
}
case $rc in
1)
	echo "outcome: rejected"
	diags
	exit 0
	;;
0) ;;
124)
	echo "outcome: tpc lint hung (killed after 30 s)"
	exit 0
	;;
*)
	echo "outcome: tpc lint exit $rc"
	head -c 2000 "$tmp/lint.err"
	exit 0
	;;
esac
timeout 60 "$tpc" "$f" -o "$tmp/p.bpf.o" >"$tmp/cc.out" 2>&1
rc=$?
if [ $rc != 0 ]; then
	echo "outcome: tpc compile exit $rc"
	diags
	exit 0
fi
# (a generated_syscalls list is ~340 hooks, ~700 programs, each loaded
# alone: 40 s on a busy 2-CPU machine; the timeout only catches a hang)
if timeout 240 "$tpload" --verify "$tmp/p.bpf.o" >"$tmp/verify.out" 2>&1; then
	echo "outcome: compiles, passes tp-load --verify"
elif missing=$(grep -oE '(BPF LSM|BTF trampolines \(fentry/fexit\)|[a-z_]+) (is|are) not available on this kernel' \
	"$tmp/verify.out" | head -1) && [ -n "$missing" ]; then
	# a kernel feature this machine lacks (bpf_override_return, BPF LSM,
	# trampolines here): the policy is fine, the kernel cannot run it
	echo "outcome: compiles, tp-load --verify: $missing"
else
	echo "outcome: compiles, tp-load --verify fails"
fi
diags
