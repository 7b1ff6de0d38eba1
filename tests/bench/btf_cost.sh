#!/usr/bin/env bash
# btf_cost.sh: what the kernel (BTF) checks add to tpc, per policy: median
# wall time of N runs of `tpc lint` and of a full compile, with --no-btf
# and with the default /sys/kernel/btf/vmlinux. Prints a markdown table.
#
#   tests/bench/btf_cost.sh [N] [POLICY...]   (default 21 runs; policies
#                                              with kprobes from the corpus)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
TPC="${TPC:-$REPO/out/bin/tpc}"
N=${1:-21}
shift || true
C="$REPO/../shared/corpus/tetragon"
policies=("$@")
((${#policies[@]})) || policies=("$C/testdata__specs__syslseek.yaml" "$C/examples__tracingpolicy__sys_setuid.yaml"
	"$C/examples__tracingpolicy__write.yaml" "$REPO/policies/default.yaml")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median_ms CMD...: median wall time of N runs, in milliseconds (3 decimals)
median_ms() {
	local i s e
	for ((i = 0; i < N; i++)); do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		echo $((e - s))
	done | sort -n | awk -v n="$N" '{v[NR]=$1} END {printf "%.1f", v[int((n+1)/2)]/1e6}'
}

echo "| policy | lint --no-btf | lint (BTF) | compile --no-btf | compile (BTF) | BTF adds |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for p in "${policies[@]}"; do
	a=$(median_ms "$TPC" lint --no-btf "$p")
	b=$(median_ms "$TPC" lint "$p")
	c=$(median_ms "$TPC" --no-btf "$p" -o "$tmp/p.bpf.o")
	d=$(median_ms "$TPC" "$p" -o "$tmp/p.bpf.o")
	printf '| %s | %s ms | %s ms | %s ms | %s ms | %s ms |\n' "$(basename "$p")" "$a" "$b" "$c" "$d" \
		"$(awk -v x="$d" -v y="$c" 'BEGIN {printf "%.1f", x - y}')"
done
echo
echo "$N runs each, medians; $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
