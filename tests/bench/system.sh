# system.sh: measurement 3, whole-system cost. Sourced by run.sh.
#
# openat+close iterations per second of the storm on MISS_PATH (a real
# file, matched by no filter) with nothing loaded, with the floor, with
# the tpc object and with bpftrace, for B1 and B2 (one value and 16).
# bpf_stats stays enabled as in measurement 1, so every configuration
# pays the same accounting. The median of SYSTEM_ROUNDS storms.

SYSTEM_ROUNDS=${SYSTEM_ROUNDS:-3}
SYSTEM_SECONDS=${SYSTEM_SECONDS:-2}

# system_storms LABEL: the storms, with whatever is loaded now
system_storms() {
	local r rates=()
	for ((r = 0; r < SYSTEM_ROUNDS; r++)); do
		rates+=("$(storm -c -d "$SYSTEM_SECONDS" "$MISS_PATH" | awk '{print $3}')")
	done
	record "system $1 $(median "${rates[@]}") rounds:$(IFS=,; echo "${rates[*]}")"
}

measure_system() {
	say "3: whole system, nothing loaded"
	system_storms none
	say "3: whole system, floor"
	if start_bg floor "attached" "$WORK/floor.ids" "$BIN/tpc-bench-floor" "$BIN/floor.bpf.o"; then
		system_storms floor
		stop_bg floor
	fi
	local row
	for row in b1 b2; do
		say "3: whole system, $row"
		if [ -s "$WORK/$row.bpf.o" ] || compile_policy "$HERE/policies/$row.yaml" "$WORK/$row.bpf.o" >/dev/null; then
			if start_bg tpload "attached" /dev/null "$TPLOAD" "$WORK/$row.bpf.o"; then
				system_storms "$row-tpc"
				stop_bg tpload
			fi
		fi
		if start_bg bpftrace "tpc-bench: attached" "$WORK/bpftrace.out" bpftrace "$HERE/bpftrace/$row.bt"; then
			system_storms "$row-bpftrace"
			stop_bg bpftrace
		fi
	done
}
