# startup.sh: measurement 5, loader start-up and memory, and program
# sizes. Sourced by run.sh.
#
# tpc-bench-startup times a loader from fork to its "attached" line and
# samples its memory (VmHWM at attach: the peak of loading; VmRSS every
# 20 ms while a storm of STARTUP_RATE matched calls/s streams events
# through it). tp-load runs B1's object and policies/default.yaml's (two
# hooks; its object's size is recorded too); bpftrace runs the
# matched-path script (B1's filter, printf).
# Medians of STARTUP_ROUNDS starts (memory: the largest seen).
# Verifier figures of every program come from `tp-load --verify`.

STARTUP_ROUNDS=${STARTUP_ROUNDS:-3}
STARTUP_RATE=${STARTUP_RATE:-100000}

# startup_rounds LABEL MARKER LOADER...: records
# "startup LABEL ATTACH_MS HWM_AT_ATTACH_KB RSS_STREAMING_KB HWM_END_KB MAP_KB"
startup_rounds() {
	local label=$1 marker=$2 r line ms=() hwm=0 rss=0 end=0 map=0
	shift 2
	for ((r = 0; r < STARTUP_ROUNDS; r++)); do
		if ! line=$("$BIN/tpc-bench-startup" "$marker" -- "$@" -- \
			"$BIN/tpc-bench-storm" -d 1 -r "$STARTUP_RATE" "$MATCH_PATH" 2>"$WORK/startup.err"); then
			record "startup_na $label $(tail -n 1 "$WORK/startup.err")"
			return 0
		fi
		local a b c d e
		read -r a b c d e <<<"$line"
		ms+=("$a")
		((b > hwm)) && hwm=$b
		((c > rss)) && rss=$c
		((d > end)) && end=$d
		((e > map)) && map=$e
	done
	record "startup $label $(median "${ms[@]}") $hwm $rss $end $map rounds:$(IFS=,; echo "${ms[*]}")"
}

measure_startup() {
	local obj="$WORK/b1.bpf.o" def="$WORK/default.bpf.o"
	say "5: start-up and memory"
	[ -s "$obj" ] || compile_policy "$HERE/policies/b1.yaml" "$obj" >/dev/null || obj=
	[ -n "$obj" ] && startup_rounds tpload-b1 "attached" "$TPLOAD" "$obj"
	compile_policy "$REPO/policies/default.yaml" "$def" >/dev/null || def=
	[ -n "$def" ] && record "objsize default $(stat -c %s "$def")"
	[ -n "$def" ] && startup_rounds tpload-default "attached" "$TPLOAD" "$def"
	startup_rounds bpftrace-b1 "tpc-bench: attached" bpftrace -B line "$HERE/bpftrace/matched.bt"
	startup_rounds floor "attached" "$BIN/tpc-bench-floor" "$BIN/floor.bpf.o"

	local row o
	for row in b1 b2 b3 b4; do
		o="$WORK/$row.bpf.o"
		[ -s "$o" ] || continue
		# "OBJ: PROG SECTION ok insns=N verified=N jited=N"
		"$TPLOAD" --verify "$o" 2>&1 | sed -n 's/^[^:]*: \([^ ]*\) [^ ]* ok insns=\([0-9]*\) verified=\([0-9]*\) jited=\([0-9]*\).*/\1 \2 \3 \4/p' |
			while read -r prog insns verified jited; do
				record "verify $row $prog $insns $verified $jited"
			done
	done
}
