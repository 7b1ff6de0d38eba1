# lib.sh: what the benchmark steps share; sourced by run.sh after it has
# set REPO, HERE, BIN (the bench programs), WORK (scratch), RAW (results),
# TPC and TPLOAD.
#
# Results are "KEY VALUE..." lines appended to $RAW; report.sh turns them
# into the table. Background loaders are tracked by name so that the exit
# trap can stop whatever a failing step left running.

# the path every miss storm opens: same length as the Equal values and the
# same first 15 bytes, so a filter has to compare words to reject it
MISS_PATH=/tmp/tpc-bench/other-00
# the path the matched-path storms open (B1's value)
MATCH_PATH=/tmp/tpc-bench/value-00

declare -A BG_PID=()

record() {
	echo "$*" >>"$RAW"
}

say() {
	echo "bench: $*" >&2
}

# median of the numbers given as arguments
median() {
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) { print "nan"; exit }
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# start_bg NAME MARKER STDOUT CMD...: runs CMD in the background with its
# stderr in $WORK/NAME.err and its stdout in STDOUT, and returns once
# MARKER appears in either (the program has attached), or fails after 30 s
# or when the program exits first. STDOUT is searched only when it is a
# regular file (reading a pipe would steal the output).
start_bg() {
	local name=$1 marker=$2 stdout=$3
	shift 3
	: >"$WORK/$name.err"
	"$@" >"$stdout" 2>>"$WORK/$name.err" &
	BG_PID[$name]=$!
	local i
	for ((i = 0; i < 3000; i++)); do
		if grep -qs -- "$marker" "$WORK/$name.err" ||
			{ [ -f "$stdout" ] && grep -qs -- "$marker" "$stdout"; }; then
			return 0
		fi
		if ! kill -0 "${BG_PID[$name]}" 2>/dev/null; then
			say "$name exited before attaching: $(tail -n 3 "$WORK/$name.err")"
			unset "BG_PID[$name]"
			return 1
		fi
		sleep 0.01
	done
	say "$name did not attach within 30 s"
	stop_bg "$name"
	return 1
}

# stop_bg NAME: SIGINT, then wait for it to drain and exit. bpftrace 0.17
# sometimes misses a SIGINT (seen here: it stayed in epoll_wait and a
# second one ended it), so it is repeated every second, and after 10 s
# the job is killed.
stop_bg() {
	local pid=${BG_PID[$1]:-} i
	[ -n "$pid" ] || return 0
	for ((i = 0; i < 1000; i++)); do
		if ((i % 100 == 0)); then
			kill -INT "$pid" 2>/dev/null || break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$1 ignored SIGINT for 10 s: killed"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	unset "BG_PID[$1]"
}

stop_all_bg() {
	local name
	for name in "${!BG_PID[@]}"; do
		stop_bg "$name"
	done
}

# Loaded programs, one per line: ID TYPE NAME RUN_TIME_NS RUN_CNT XLATED JITED VERIFIED
progs() {
	"$BIN/tpc-bench-proginfo"
}

# pid_tp_prog NAME NAME_REGEX: the id of the tracepoint program (type 5)
# whose name matches, among the programs the background job NAME holds
# open (from /proc/PID/fdinfo: other developers' loaders may run programs
# of the same name at the same time)
pid_tp_prog() {
	local pid=${BG_PID[$1]:-}
	[ -n "$pid" ] || return 0
	grep -hs '^prog_id:' /proc/"$pid"/fdinfo/* | awk '{print $2}' >"$WORK/$1.progids"
	progs | awk -v re="$2" 'FILENAME != "-" { mine[$1] = 1; next }
		($1 in mine) && $2 == 5 && $3 ~ re { print $1; exit }' "$WORK/$1.progids" -
}

# pid_prog NAME TYPE NAME_REGEX: as pid_tp_prog, for programs of another
# BPF type (2: kprobe, which uprobes are)
pid_prog() {
	local pid=${BG_PID[$1]:-}
	[ -n "$pid" ] || return 0
	grep -hs '^prog_id:' /proc/"$pid"/fdinfo/* | awk '{print $2}' >"$WORK/$1.progids"
	progs | awk -v re="$3" -v type="$2" 'FILENAME != "-" { mine[$1] = 1; next }
		($1 in mine) && $2 == type && $3 ~ re { print $1; exit }' "$WORK/$1.progids" -
}

# prog_line ID: the progs line of one program
prog_line() {
	progs | awk -v id="$1" '$1 == id'
}

# storm ARGS...: runs the storm; prints "CALLS SECONDS CALLS_PER_SECOND"
storm() {
	"$BIN/tpc-bench-storm" "$@"
}

# compile_policy YAML OBJ: tpc with the storm's path put in for @STORM@
# (the uprobe caller's for @UCALL@); on failure prints tpc's first
# diagnostic and fails
compile_policy() {
	local src="$WORK/$(basename "$1")"
	sed "s#@STORM@#$BIN/tpc-bench-storm#g; s#@UCALL@#$BIN/tpc-bench-ucall#g" "$1" >"$src"
	if ! "$TPC" "$src" -o "$2" 2>"$WORK/tpc.err"; then
		sed -n '1s/^[^ ]* //p' "$WORK/tpc.err"
		return 1
	fi
}
