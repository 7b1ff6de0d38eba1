# helpers.bash: shared by every bats suite. Load with `load helpers`.
#
# An end-to-end test compiles a policy, starts tp-load in the background
# with a bounded --timeout, waits until tp-load reports its hooks attached
# (never a blind sleep), triggers real programs, stops tp-load and asserts
# on the JSON events (with jq) and on effects.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
TPC="$REPO/out/bin/tpc"
TPLOAD="$REPO/out/bin/tp-load"
FIXTURES="$REPO/tests/fixtures"

# compile POLICY OUT: tpc POLICY -o OUT, failing the test on error
compile() {
	run "$TPC" "$1" -o "$2"
	if [ "$status" -ne 0 ]; then
		echo "tpc $1 failed ($status): $output" >&2
		return 1
	fi
}

# start_loader [tp-load options] OBJ...: runs tp-load in the background,
# events to $EVENTS, status to $LOADER_ERR; returns once attached.
start_loader() {
	EVENTS="$BATS_TEST_TMPDIR/events.json"
	LOADER_ERR="$BATS_TEST_TMPDIR/loader.err"
	: >"$EVENTS"
	: >"$LOADER_ERR"
	"$TPLOAD" --timeout 60 "$@" >"$EVENTS" 2>"$LOADER_ERR" &
	LOADER_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		if grep -q "attached" "$LOADER_ERR"; then
			return 0
		fi
		if ! kill -0 "$LOADER_PID" 2>/dev/null; then
			echo "tp-load exited before attaching:" >&2
			cat "$LOADER_ERR" >&2
			return 1
		fi
		sleep 0.05
	done
	echo "tp-load did not attach within 10 s:" >&2
	cat "$LOADER_ERR" >&2
	return 1
}

# stop_loader: SIGINT, then wait for it to drain and exit.
stop_loader() {
	[ -n "${LOADER_PID:-}" ] || return 0
	# events reach the ring buffer synchronously; give the reader a moment
	# to print what is already there
	sleep 0.3
	kill -INT "$LOADER_PID" 2>/dev/null || true
	wait "$LOADER_PID" 2>/dev/null
	LOADER_STATUS=$?
	LOADER_PID=
	return 0
}

# events JQ_FILTER: prints the events that the jq filter selects, one per line
events() {
	jq -c "$1" "$EVENTS"
}

# count_events JQ_SELECT: number of events for which the expression is true
count_events() {
	jq -c "select($1)" "$EVENTS" | wc -l | tr -d ' '
}

teardown_loader() {
	if [ -n "${LOADER_PID:-}" ]; then
		kill -INT "$LOADER_PID" 2>/dev/null || true
		wait "$LOADER_PID" 2>/dev/null || true
		LOADER_PID=
	fi
}

# write_policy FILE <<EOF ... EOF
write_policy() {
	cat >"$1"
}

require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to load BPF programs"
}
