# compile.sh: measurement 4, tpc's compile time per policy and clang's
# share of it. Sourced by run.sh.
#
# Every policies/*.yaml and corpus file that compiles, once each; time is
# wall clock around the whole tpc process (bash's EPOCHREALTIME), clang's
# part is timed by tpc-bench-clang-timer standing in as $TPC_CLANG.
# Records "compile FILE TOTAL_MS CLANG_MS" per policy, then the summary.

CORPUS_DIR=${CORPUS_DIR:-$REPO/../shared/corpus/tetragon}

sum() {
	printf '%s\n' "$@" | awk '{s += $1} END {printf "%.1f", s}'
}

measure_compile() {
	say "4: compile time, policies/ and $CORPUS_DIR"
	local f t0 t1 clang_ms ok=0 failed=0 totals=() clangs=() log="$WORK/clang.ms"
	for f in "$REPO"/policies/*.yaml "$CORPUS_DIR"/*.yaml; do
		[ -f "$f" ] || continue
		: >"$log"
		t0=$EPOCHREALTIME
		if TPC_CLANG="$BIN/tpc-bench-clang-timer" TPC_BENCH_CLANG_LOG="$log" \
			"$TPC" "$f" -o "$WORK/compile.bpf.o" >/dev/null 2>&1; then
			t1=$EPOCHREALTIME
			clang_ms=$(awk '{s += $1} END {printf "%.1f", s}' "$log")
			totals+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) * 1000}')")
			clangs+=("$clang_ms")
			record "compile ${f#"$REPO"/} ${totals[-1]} $clang_ms"
			ok=$((ok + 1))
		else
			failed=$((failed + 1))
		fi
	done
	((ok)) || { record "compile_na no policy compiled"; return 0; }
	local max_line
	max_line=$(grep '^compile ' "$RAW" | sort -k3,3g | tail -n 1)
	record "compile_summary $ok $failed $(median "${totals[@]}") $(echo "$max_line" | awk '{print $3, $2}')"
	# clang's share: of the summed compile times
	record "compile_clang $(median "${clangs[@]}") $(sum "${totals[@]}") $(sum "${clangs[@]}")"
}
