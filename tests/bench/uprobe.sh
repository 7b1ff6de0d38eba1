# uprobe.sh: the uprobe rows of measurement 1 (U1: an integer filter,
# U2: a string filter, pre-loaded by a sleepable program). Sourced by
# run.sh (uses lib.sh and cost.sh's COST_* settings).
#
# The hook is bench_target of tpc-bench-ucall, which calls it in a loop
# with arguments every filter rejects. As for the B rows, two phases per
# row: the empty uprobe program (the floor) beside tpc's object, then
# beside bpftrace's equivalent; bpf_stats gives each program's ns per
# event. A uprobe's own cost is mostly the trap into the kernel, which
# bpf_stats does not see: the caller's calls per second with nothing
# attached, the floor alone, and each filter give the whole cost of a
# probed call, recorded as "ucall ROW WHO NS_PER_CALL".

UCALL_ARGS=(-n 1 -s /tmp/tpc-bench/other-00)

# ucall_rate: calls per second of one run of the caller
ucall_rate() {
	"$BIN/tpc-bench-ucall" -d "$COST_SECONDS" "${UCALL_ARGS[@]}" | awk '{print $3}'
}

# uprobe_phase ROW WHO ID: as cost_phase, with the caller as the storm
uprobe_phase() {
	local row=$1 who=$2 id=$3 floor_id r out f0 f1 p0 p1 fl=() pr=() rates=()
	floor_id=$(head -n 1 "$WORK/floor_uprobe.ids")
	for ((r = 0; r < COST_ROUNDS; r++)); do
		f0=$(stat_pair "$floor_id")
		p0=$(stat_pair "$id")
		out=$("$BIN/tpc-bench-ucall" -d "$COST_SECONDS" "${UCALL_ARGS[@]}")
		f1=$(stat_pair "$floor_id")
		p1=$(stat_pair "$id")
		fl+=("$(echo "$f0 $f1" | awk '{printf "%.1f", ($3 - $1) / ($4 - $2)}')")
		pr+=("$(echo "$p0 $p1" | awk '{printf "%.1f", ($3 - $1) / ($4 - $2)}')")
		rates+=("$(echo "$out" | awk '{print $3}')")
	done
	record "cost $row $who $(median "${pr[@]}") rounds:$(IFS=,; echo "${pr[*]}")"
	record "cost $row floor_$who $(median "${fl[@]}") rounds:$(IFS=,; echo "${fl[*]}")"
	record "insns $row $who $(prog_line "$id" | awk '{print $6, $8, $7}')"
	record "ucall $row $who $(median "${rates[@]}" | awk '{printf "%.1f", 1e9 / $1}')"
}

uprobe_row() {
	local row=$1 obj="$WORK/$1.bpf.o" why id r rates=()
	local target="$BIN/tpc-bench-ucall"

	# nothing attached: the call alone
	for ((r = 0; r < COST_ROUNDS; r++)); do
		rates+=("$(ucall_rate)")
	done
	record "ucall $row none $(median "${rates[@]}" | awk '{printf "%.1f", 1e9 / $1}')"

	start_bg floor_uprobe "attached" "$WORK/floor_uprobe.ids" "$BIN/tpc-bench-floor" "$BIN/floor_uprobe.bpf.o" \
		"$target" bench_target || return 1
	record "insns $row floor $(prog_line "$(head -n 1 "$WORK/floor_uprobe.ids")" | awk '{print $6, $8, $7}')"
	rates=()
	for ((r = 0; r < COST_ROUNDS; r++)); do
		rates+=("$(ucall_rate)")
	done
	record "ucall $row floor $(median "${rates[@]}" | awk '{printf "%.1f", 1e9 / $1}')"

	if why=$(compile_policy "$HERE/policies/$row.yaml" "$obj"); then
		record "objsize $row $(stat -c %s "$obj")"
		if start_bg tpload "attached" /dev/null "$TPLOAD" "$obj"; then
			id=$(pid_prog tpload 2 '^tpc_h[0-9]+_uprobe$')
			if [ -n "$id" ]; then
				uprobe_phase "$row" tpc "$id"
			else
				record "cost_na $row tpc no tpc_h*_uprobe program"
			fi
			stop_bg tpload
		else
			record "cost_na $row tpc tp-load failed: $(tail -n 1 "$WORK/tpload.err")"
		fi
	else
		record "cost_na $row tpc tpc: $why"
	fi

	sed "s#@UCALL@#$target#g" "$HERE/bpftrace/$row.bt" >"$WORK/$row.bt"
	if start_bg bpftrace "tpc-bench: attached" "$WORK/bpftrace.out" bpftrace "$WORK/$row.bt"; then
		id=$(pid_prog bpftrace 2 'bench_target')
		if [ -n "$id" ]; then
			uprobe_phase "$row" bpftrace "$id"
		else
			record "cost_na $row bpftrace no uprobe program of bpftrace"
		fi
		stop_bg bpftrace
	else
		record "cost_na $row bpftrace $(grep -m1 ERROR "$WORK/bpftrace.err")"
	fi
	stop_bg floor_uprobe
}

measure_uprobe() {
	local row
	if [ ! -e /sys/bus/event_source/devices/uprobe ]; then
		record "cost_na u1 tpc this kernel has no uprobes"
		return 0
	fi
	for row in ${UPROBE_ROWS:-u1 u2}; do
		say "1: uprobe cost per call, $row"
		uprobe_row "$row" || say "1: $row failed"
	done
}
