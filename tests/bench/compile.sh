# compile.sh: measurement 4, tpc's compile time per policy and clang's
# share of it. Sourced by run.sh.
#
# The policies: every policies/*.yaml, and the corpus files that compile
# (tests/corpus/records/NAME.expected says "outcome: compiles"). Each is
# compiled COMPILE_ROUNDS times; a policy's time is the median of its
# rounds, wall clock and CPU (user + system, tpc and clang together:
# tpc-bench-time), around the whole tpc process. Then once more with
# tpc-bench-clang-timer standing in as $TPC_CLANG, for clang's part.
# Records "compile FILE WALL_MS CLANG_MS CPU_MS" per policy, then the
# summary.

COMPILE_ROUNDS=${COMPILE_ROUNDS:-3}

# The corpus lives beside the main checkout (../shared/corpus); from a
# git worktree elsewhere, beside the repository the worktree belongs to.
corpus_dir() {
	local d="$REPO/../shared/corpus/tetragon" common
	if [ ! -d "$d" ] && common=$(git -C "$REPO" rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
		d="$(dirname "$common")/../shared/corpus/tetragon"
	fi
	echo "$d"
}
CORPUS_DIR=${CORPUS_DIR:-$(corpus_dir)}

sum() {
	printf '%s\n' "$@" | awk '{s += $1} END {printf "%.1f", s}'
}

# compile_policies: the policies to time, one per line
compile_policies() {
	local f rec
	for f in "$REPO"/policies/*.yaml; do
		[ -f "$f" ] && echo "$f"
	done
	for rec in "$REPO"/tests/corpus/records/*.expected; do
		head -n 1 "$rec" | grep -q '^outcome: compiles' || continue
		f="$CORPUS_DIR/$(basename "$rec" .expected)"
		[ -f "$f" ] && echo "$f"
	done
}

measure_compile() {
	say "4: compile time, policies/ and the corpus files that compile ($CORPUS_DIR)"
	local f r ok=0 failed=0 walls=() cpus=() clangs=() log="$WORK/clang.ms" w c line
	while read -r f; do
		w=() c=()
		for ((r = 0; r < COMPILE_ROUNDS; r++)); do
			if ! line=$("$BIN/tpc-bench-time" "$TPC" "$f" -o "$WORK/compile.bpf.o" 2>&1 >/dev/null |
				grep '^tpc-bench-time ') || [ "$(echo "$line" | awk '{print $4}')" != 0 ]; then
				w=()
				break
			fi
			w+=("$(echo "$line" | awk '{print $2}')")
			c+=("$(echo "$line" | awk '{print $3}')")
		done
		if ((${#w[@]} == 0)); then
			failed=$((failed + 1))
			continue
		fi
		: >"$log"
		TPC_CLANG="$BIN/tpc-bench-clang-timer" TPC_BENCH_CLANG_LOG="$log" \
			"$TPC" "$f" -o "$WORK/compile.bpf.o" >/dev/null 2>&1 || true
		walls+=("$(median "${w[@]}")")
		cpus+=("$(median "${c[@]}")")
		clangs+=("$(awk '{s += $1} END {printf "%.1f", s}' "$log")")
		record "compile ${f#"$REPO"/} ${walls[-1]} ${clangs[-1]} ${cpus[-1]}"
		ok=$((ok + 1))
	done < <(compile_policies)
	((ok)) || { record "compile_na no policy compiled"; return 0; }
	local max_line
	max_line=$(grep '^compile ' "$RAW" | sort -k3,3g | tail -n 1)
	record "compile_summary $ok $failed $(median "${walls[@]}") $(echo "$max_line" | awk '{print $3, $2}') $(median "${cpus[@]}")"
	# clang's share: of the summed compile times
	record "compile_clang $(median "${clangs[@]}") $(sum "${walls[@]}") $(sum "${clangs[@]}")"
}
