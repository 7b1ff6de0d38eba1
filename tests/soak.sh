#!/usr/bin/env bash
# Soak test of tp-load (make soak; not part of make test): SOAK_SECONDS
# (default 600) at full rate -- one process opening a path the policy
# matches as fast as it can, another forking short-lived children so that
# process tracking adds and removes tpc_procs entries all the time --
# while tp-load prints every event (JSON, to /dev/null).
#
# Every SOAK_INTERVAL seconds it records tp-load's RSS, the number of
# tpc_procs entries and the kernel's lost count, prints them as a table,
# and fails if RSS grew after warm-up (more than SOAK_RSS_SLACK_KB, default
# 1024) or tpc_procs ended larger than at start (more than 200 entries:
# processes of the machine come and go).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TOTAL=${SOAK_SECONDS:-600}
INTERVAL=${SOAK_INTERVAL:-30}
RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-1024}
TPC=out/bin/tpc
TPLOAD=out/bin/tp-load
STORM=out/tests/progs/storm

[ "$(id -u)" = 0 ] || { echo "soak: needs root" >&2; exit 1; }
for b in "$TPC" "$TPLOAD" "$STORM"; do
	[ -x "$b" ] || { echo "soak: $b missing (make all test-progs)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

target="$work/target"
cat >"$work/soak.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "soak"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "$target"
YAML
"$TPC" "$work/soak.yaml" -o "$work/soak.bpf.o"

# events + lost must equal the calls made: the forker's process events
# (on by default) are not calls; the process table is still kept
"$TPLOAD" --no-process-events "$work/soak.bpf.o" >/dev/null 2>"$work/loader.err" &
loader=$!
pids+=("$loader")
for ((i = 0; i < 200; i++)); do
	grep -q attached "$work/loader.err" && break
	kill -0 "$loader" 2>/dev/null || { cat "$work/loader.err" >&2; exit 1; }
	sleep 0.05
done
grep -q attached "$work/loader.err" || { echo "soak: tp-load did not attach" >&2; exit 1; }

map_id() {
	local id
	for id in $(awk '$1 == "map_id:" { print $2 }' /proc/"$loader"/fdinfo/*); do
		[ "$(bpftool map show id "$id" -j | jq -r .name)" = "$1" ] && { echo "$id"; return; }
	done
}
procs_id=$(map_id tpc_procs)
lost_id=$(map_id tpc_lost)
procs_max=$(bpftool map show id "$procs_id" -j | jq .max_entries)
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/"$loader"/status; }
procs_n() { bpftool map dump id "$procs_id" -j | jq length; }
lost_n() { bpftool map lookup id "$lost_id" key 0 0 0 0 -j | jq '[.formatted.values[].value] | add'; }

procs_start=$(procs_n)
"$STORM" open-for "$target" "$SECONDS_TOTAL" >"$work/made" &
storm=$!
pids+=("$storm")
( end=$((SECONDS + SECONDS_TOTAL)); n=0
  while ((SECONDS < end)); do "$STORM" fork 1000 >/dev/null; n=$((n + 1000)); done
  echo "$n" >"$work/forks" ) &
forker=$!
pids+=("$forker")

printf '%8s %10s %14s %12s\n' seconds rss_kb tpc_procs lost
start=$SECONDS
rss_warm=
rss_max=0
procs_peak=0
while kill -0 "$storm" 2>/dev/null; do
	sleep "$INTERVAL"
	kill -0 "$loader" 2>/dev/null || { echo "soak: tp-load died" >&2; cat "$work/loader.err" >&2; exit 1; }
	r=$(rss_kb) p=$(procs_n) l=$(lost_n)
	printf '%8d %10d %14d %12d\n' $((SECONDS - start)) "$r" "$p" "$l"
	# warm-up: the first sample after 60 s (buffers, stdio, libbpf state)
	[ -z "$rss_warm" ] && ((SECONDS - start >= 60)) && rss_warm=$r
	((r > rss_max)) && rss_max=$r
	((p > procs_peak)) && procs_peak=$p
done
wait "$storm"
wait "$forker"
procs_end=$(procs_n)
rss_end=$(rss_kb)
kill -INT "$loader"
wait "$loader" || { echo "soak: tp-load exited $?" >&2; cat "$work/loader.err" >&2; exit 1; }

made=$(cat "$work/made")
summary=$(tail -n 1 "$work/loader.err")
events=$(sed -n 's/^tp-load: \([0-9]*\) events, \([0-9]*\) lost.*/\1/p' <<<"$summary")
lost=$(sed -n 's/^tp-load: \([0-9]*\) events, \([0-9]*\) lost.*/\2/p' <<<"$summary")
echo
echo "calls made:      $made ($((made / SECONDS_TOTAL))/s), forks: $(cat "$work/forks")"
echo "tp-load:         $summary"
echo "events/s:        $((events / SECONDS_TOTAL))"
echo "RSS:             warm ${rss_warm:-?} kB, max $rss_max kB, end $rss_end kB"
echo "tpc_procs:       start $procs_start, peak $procs_peak, end $procs_end (max_entries $procs_max)"

fail=0
if [ $((events + lost)) -ne "$made" ]; then
	echo "soak: FAIL: events + lost = $((events + lost)), calls made = $made" >&2
	fail=1
fi
if [ -n "$rss_warm" ] && ((rss_max > rss_warm + RSS_SLACK_KB)); then
	echo "soak: FAIL: RSS grew from $rss_warm kB to $rss_max kB after warm-up" >&2
	fail=1
fi
if ((procs_end > procs_start + 200)); then
	echo "soak: FAIL: tpc_procs grew from $procs_start to $procs_end entries" >&2
	fail=1
fi
((fail == 0)) && echo "soak: ok"
exit "$fail"
