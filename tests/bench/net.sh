# net.sh: the network row of measurement 1 (N1: an address and a port on
# connect's sockaddr), on the miss path and on the matched path. Sourced
# by run.sh (uses lib.sh and cost.sh's stat_pair).
#
# As cost.sh, with tpc-bench-netstorm as the storm: the empty program at
# sys_enter_connect (the floor) beside tp-load's object (its sys_connect
# twin), then beside bpftrace's equivalent. Row n1 is the miss (the storm
# connects to port NET_MISS_PORT: address equal, port not), row n1m the
# match (NET_MATCH_PORT: each call posts an event, which tp-load and
# bpftrace print to /dev/null).

NET_MATCH_PORT=47901
NET_MISS_PORT=47902

# net_phase ROW WHO ID PORT: the connect storm at PORT (cost.sh's
# storm_phase with the connect floor)
net_phase() {
	storm_phase "$1" "$2" "$3" "$(head -n 1 "$WORK/floor_connect.ids")" "$BIN/tpc-bench-netstorm" -d "$COST_SECONDS" "$4"
}

# net_who WHO: the miss then the match, with one loader of WHO attached
net_who() {
	local who=$1 id
	case "$who" in
	tpc)
		start_bg tpload "attached" /dev/null "$TPLOAD" --no-process-events "$WORK/n1.bpf.o" || {
			record "cost_na n1 tpc tp-load failed: $(tail -n 1 "$WORK/tpload.err")"
			return 1
		}
		id=$(pid_tp_prog tpload '^tpc_h[0-9]+_twin$')
		;;
	bpftrace)
		start_bg bpftrace "tpc-bench: attached" "$WORK/bpftrace.out" bpftrace "$HERE/bpftrace/n1.bt" || {
			record "cost_na n1 bpftrace $(grep -m1 ERROR "$WORK/bpftrace.err")"
			return 1
		}
		id=$(pid_tp_prog bpftrace '^sys_enter_conne')
		;;
	esac
	if [ -z "$id" ]; then
		record "cost_na n1 $who no program of $who at sys_enter_connect"
	else
		net_phase n1 "$who" "$id" "$NET_MISS_PORT"
		net_phase n1m "$who" "$id" "$NET_MATCH_PORT"
	fi
	stop_bg "${who/tpc/tpload}"
}

measure_net() {
	local why
	say "1: in-kernel cost per event, n1 (SAddr + SPort on connect's sockaddr), missed and matched"
	start_bg floor_connect "attached" "$WORK/floor_connect.ids" "$BIN/tpc-bench-floor" "$BIN/floor_connect.bpf.o" ||
		return 1
	record "insns n1 floor $(prog_line "$(head -n 1 "$WORK/floor_connect.ids")" | awk '{print $6, $8, $7}')"
	if why=$(compile_policy "$HERE/policies/n1.yaml" "$WORK/n1.bpf.o"); then
		record "objsize n1 $(stat -c %s "$WORK/n1.bpf.o")"
		net_who tpc || say "1: n1 tpc failed"
	else
		record "cost_na n1 tpc tpc: $why"
	fi
	net_who bpftrace || say "1: n1 bpftrace failed"
	stop_bg floor_connect
}
