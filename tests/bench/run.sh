#!/usr/bin/env bash
# run.sh: `make bench`. Measures tpc against the floor (an empty BPF
# program at the same hook) and against bpftrace, all in one run, and
# writes out/bench/results.md (one table, the machine, kernel and date,
# and the issue's targets marked met / not met) and out/bench/cost.png.
#
#   tests/bench/run.sh            everything (about 2.5 minutes here)
#   tests/bench/run.sh cost ...   only the named steps:
#                                 cost uprobe net matched system compile startup
#
# TPC and TPLOAD name other builds of tpc and tp-load to measure.
# Needs root. Installs bpftrace, gnuplot and time from Debian itself: the
# test suite and CI do not need them.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$REPO/out/bench"
BIN="$OUT/bin"
WORK="$OUT/work"
RAW="$OUT/raw.txt"
TPC="${TPC:-$REPO/out/bin/tpc}"
TPLOAD="${TPLOAD:-$REPO/out/bin/tp-load}"

# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
. "$HERE/cost.sh"
. "$HERE/uprobe.sh"
. "$HERE/net.sh"
. "$HERE/matched.sh"
. "$HERE/system.sh"
. "$HERE/compile.sh"
. "$HERE/startup.sh"

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (loads BPF programs, sets kernel.bpf_stats_enabled)" >&2
	exit 1
fi

BENCH_PACKAGES=(bpftrace gnuplot-nox time)
missing=()
for p in "${BENCH_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi
"$REPO/tests/install-deps.sh" # tracefs and bpffs mounted
make -s -C "$HERE" OUT="$REPO/out"

steps=("$@")
((${#steps[@]})) || steps=(cost uprobe net matched system compile startup)

rm -rf "$WORK"
mkdir -p "$WORK" /tmp/tpc-bench
: >"$RAW"
echo "keep out" >"$MISS_PATH" # the storms' open+close need a real file
rm -f "$MATCH_PATH"

stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	stop_all_bg
	sysctl -q -w kernel.bpf_stats_enabled="$stats_was" || true
	rm -rf /tmp/tpc-bench
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sysctl -q -w kernel.bpf_stats_enabled=1

record "machine $(uname -m), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
record "kernel $(uname -r)"
record "date $(date -u '+%Y-%m-%d %H:%M UTC')"
record "commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD -- compiler loader runtime-bpf templates 2>/dev/null || echo ' + uncommitted changes')"
record "versions $(bpftrace --version), $(clang --version | head -n 1)"

for step in "${steps[@]}"; do
	case "$step" in
	cost) measure_cost ;;
	uprobe) measure_uprobe ;;
	net) measure_net ;;
	matched) measure_matched ;;
	system) measure_system ;;
	compile) measure_compile ;;
	startup) measure_startup ;;
	*) say "unknown step $step" ; exit 2 ;;
	esac
done

"$HERE/report.sh" "$RAW" "$OUT"
