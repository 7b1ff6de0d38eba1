# matched.sh: measurement 2, the matched path. Sourced by run.sh.
#
# B1's filter with every call matching: the storm opens MATCH_PATH at a
# paced rate for MATCHED_SECONDS, and we count the events that reach the
# loader's output (one line each: JSON for tp-load, printf for bpftrace),
# through a pipe to awk, against the storm's calls. A rate passes when
# every call arrived and the loader reported nothing lost. Rates rise
# until two have lost events or the storm cannot reach the rate asked
# (0: as fast as it can, last).

MATCHED_RATES=${MATCHED_RATES:-"50000 100000 200000 300000 500000 750000 1000000 0"}
MATCHED_SECONDS=${MATCHED_SECONDS:-2}

# counts lines naming MATCH_PATH and bpftrace's "Lost N events" lines;
# passes bpftrace's attach marker on to stderr (start_bg looks there)
count_events_awk='index($0, "/tmp/tpc-bench/value-00") { n++ }
	/^tpc-bench: attached/ { print > "/dev/stderr"; fflush("/dev/stderr") }
	/^Lost [0-9]+ events/ { l += $2 }
	END { print n + 0, l + 0 }'

# mawk reads its input in large blocks: the marker would wait for the end
# of the run. -W interactive makes it read line by line.
LINE_AWK=(awk)
if awk -W interactive 'BEGIN {}' 2>/dev/null; then
	LINE_AWK=(awk -W interactive)
fi

# matched_run WHO RATE: one storm at RATE against a fresh loader; records
# "matched WHO RATE CALLS_PER_S DELIVERED_PER_S CALLS DELIVERED LOST NS"
# where NS is the hook program's in-kernel ns/event (bpf_stats) on the
# matched path: building and submitting the event
matched_run() {
	local who=$1 rate=$2 out count="$WORK/matched.count" lost=0
	local obj="$WORK/matched.bpf.o"
	rm -f "$count"
	case "$who" in
	tpc) start_bg matched "attached" >("${LINE_AWK[@]}" "$count_events_awk" >"$count" 2>>"$WORK/matched.err") "$TPLOAD" --no-process-events "$obj" ;; # bpftrace prints no process events either
	bpftrace) start_bg matched "tpc-bench: attached" >("${LINE_AWK[@]}" "$count_events_awk" >"$count" 2>>"$WORK/matched.err") \
		bpftrace -B line "$HERE/bpftrace/matched.bt" ;;
	esac || return 1
	local id s0 s1
	id=$(pid_tp_prog matched '^(tpc_h[0-9]+_twin|sys_enter_open)')
	s0=$(prog_line "$id" | awk '{print $4, $5}')
	out=$(storm -d "$MATCHED_SECONDS" -r "$rate" "$MATCH_PATH")
	s1=$(prog_line "$id" | awk '{print $4, $5}')
	stop_bg matched
	# the awk behind the pipe ends when the loader's stdout closes
	local i=0
	while [ ! -s "$count" ] && ((i++ < 500)); do sleep 0.01; done
	read -r delivered btlost <"$count"
	if [ "$who" = tpc ]; then
		lost=$(sed -n 's/^tp-load: [0-9]* events, \([0-9]*\) lost.*/\1/p' "$WORK/matched.err")
	else
		lost=$btlost
	fi
	record "matched $who $rate $(echo "$out $delivered ${lost:-0}" |
		awk '{printf "%.0f %.0f %d %d %d", $3, $4 / $2, $1, $4, $5}') $(echo "$s0 $s1" |
		awk 'NF == 4 && $4 > $2 {printf "%.0f", ($3 - $1) / ($4 - $2); exit} {print "nan"}')"
	# pass: nothing lost, nothing missing
	echo "$out $delivered ${lost:-0}" | awk '{exit !($5 == 0 && $4 >= $1)}'
}

measure_matched() {
	local who rate calls_ps fails
	if ! why=$(compile_policy "$HERE/policies/b1.yaml" "$WORK/matched.bpf.o"); then
		record "matched_na tpc $why"
	fi
	for who in tpc bpftrace; do
		[ "$who" = tpc ] && [ ! -s "$WORK/matched.bpf.o" ] && continue
		fails=0
		for rate in $MATCHED_RATES; do
			say "2: matched path, $who at ${rate/#0/max} calls/s"
			if matched_run "$who" "$rate"; then
				:
			else
				fails=$((fails + 1))
			fi
			((fails < 2)) || break
			# the storm fell short of the rate asked: higher rates say no more
			calls_ps=$(tail -n 1 "$RAW" | awk '{print $4}')
			[ "$rate" = 0 ] || awk -v a="$calls_ps" -v r="$rate" 'BEGIN {exit !(a < 0.95 * r)}' || continue
			break
		done
	done
}
