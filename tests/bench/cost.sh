# cost.sh: measurement 1, in-kernel cost per event on the miss path.
# Sourced by run.sh (uses lib.sh).
#
# For each row, phases under the same storm (which opens MISS_PATH,
# matched by none of the filters): the empty floor program with the tpc
# object's tracepoint twin (loaded by tp-load); for B1 the floor with
# limit.bpf.c, the hand-written program that does only what B1 must do
# (the physical limit); then the floor with bpftrace's equivalent.
# bpf_stats times each program separately; ns/event is the increase of
# run_time_ns over the increase of run_cnt across one storm, the median
# of COST_ROUNDS storms.
#
# The filters run in separate phases, not side by side: the second
# program to read the filename finds it hot in the cache and looks
# 15-25 ns cheaper than it is. The floor reads nothing, so it can share
# a phase with either, and each row's added cost is over the floor of
# its own phase.

COST_ROUNDS=${COST_ROUNDS:-3}
# COST_ROWS="b1 b5" measures only those rows
COST_SECONDS=${COST_SECONDS:-2}

# stat_pair ID: "RUN_TIME_NS RUN_CNT" of one program
stat_pair() {
	prog_line "$1" | awk '{print $4, $5}'
}

# storm_phase ROW WHO ID FLOOR_ID STORM...: runs the storm command
# COST_ROUNDS times with the floor program FLOOR_ID and program ID attached;
# records the medians of both, the storm's share of the events each
# counted (other processes' calls count too; say how many there were), its
# rate and the program's size. The storm prints "CALLS SECONDS RATE".
storm_phase() {
	local row=$1 who=$2 id=$3 floor_id=$4
	shift 4
	local r out f0 f1 p0 p1 fl=() pr=() share=() rates=()
	for ((r = 0; r < COST_ROUNDS; r++)); do
		f0=$(stat_pair "$floor_id")
		p0=$(stat_pair "$id")
		out=$("$@")
		f1=$(stat_pair "$floor_id")
		p1=$(stat_pair "$id")
		fl+=("$(echo "$f0 $f1" | awk '{printf "%.1f", ($3 - $1) / ($4 - $2)}')")
		pr+=("$(echo "$p0 $p1" | awk '{printf "%.1f", ($3 - $1) / ($4 - $2)}')")
		share+=("$(echo "$out $f0 $f1" | awk '{printf "%.3f", $1 / ($7 - $5)}')")
		rates+=("$(echo "$out" | awk '{print $3}')")
	done
	record "cost $row $who $(median "${pr[@]}") rounds:$(IFS=,; echo "${pr[*]}")"
	record "cost $row floor_$who $(median "${fl[@]}") rounds:$(IFS=,; echo "${fl[*]}")"
	record "cost_share $row $who $(median "${share[@]}")"
	record "cost_storm $row $who $(median "${rates[@]}")"
	# program size: xlated and verified instructions, jited bytes
	record "insns $row $who $(prog_line "$id" | awk '{print $6, $8, $7}')"
}

# cost_phase ROW WHO ID: the openat storm on the miss path
cost_phase() {
	storm_phase "$1" "$2" "$3" "$(head -n 1 "$WORK/floor.ids")" storm -c -d "$COST_SECONDS" "$MISS_PATH"
}

cost_row() {
	local row=$1 obj="$WORK/$1.bpf.o" why id

	start_bg floor "attached" "$WORK/floor.ids" "$BIN/tpc-bench-floor" "$BIN/floor.bpf.o" || return 1
	record "insns $row floor $(prog_line "$(head -n 1 "$WORK/floor.ids")" | awk '{print $6, $8, $7}')"

	if why=$(compile_policy "$HERE/policies/$row.yaml" "$obj"); then
		record "objsize $row $(stat -c %s "$obj")"
		if start_bg tpload "attached" /dev/null "$TPLOAD" "$obj"; then
			id=$(pid_tp_prog tpload '^tpc_h[0-9]+_twin$')
			if [ -n "$id" ]; then
				cost_phase "$row" tpc "$id"
			else
				record "cost_na $row tpc no tpc_h*_twin program at the hook"
			fi
			stop_bg tpload
		else
			record "cost_na $row tpc tp-load failed: $(tail -n 1 "$WORK/tpload.err")"
		fi
	else
		record "cost_na $row tpc tpc: $why"
	fi

	if [ "$row" = b1 ]; then
		if start_bg limit "attached" "$WORK/limit.ids" "$BIN/tpc-bench-floor" "$BIN/limit.bpf.o"; then
			record "insns $row limit $(prog_line "$(head -n 1 "$WORK/limit.ids")" | awk '{print $6, $8, $7}')"
			cost_phase "$row" limit "$(head -n 1 "$WORK/limit.ids")"
			stop_bg limit
		else
			record "cost_na $row limit $(tail -n 1 "$WORK/limit.err")"
		fi
	fi

	if [ ! -e "$HERE/bpftrace/$row.bt" ]; then
		record "cost_na $row bpftrace no bpftrace equivalent (one str() per value: it does not load)"
	elif start_bg bpftrace "tpc-bench: attached" "$WORK/bpftrace.out" bpftrace "$HERE/bpftrace/$row.bt"; then
		id=$(pid_tp_prog bpftrace '^sys_enter_open')
		if [ -n "$id" ]; then
			cost_phase "$row" bpftrace "$id"
		else
			record "cost_na $row bpftrace no sys_enter_openat program of bpftrace"
		fi
		stop_bg bpftrace
	else
		record "cost_na $row bpftrace $(grep -m1 ERROR "$WORK/bpftrace.err")"
	fi
	stop_bg floor
}

measure_cost() {
	local row
	for row in ${COST_ROWS:-b1 b2 b3 b4 b5 b6}; do
		say "1: in-kernel cost per event, $row"
		cost_row "$row" || say "1: $row failed"
	done
}
