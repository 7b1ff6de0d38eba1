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
	# programs older than this test are not its concern (no_orphan_tpc_progs)
	: "${PROG_ID_BASE:=$(bpftool prog show -j 2>/dev/null | jq '[.[].id] | max // 0')}"
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
	reap_loader
	LOADER_STATUS=$?
	LOADER_PID=
	return 0
}

# reap_loader [SECONDS]: waits for tp-load (already told to stop) to exit
# and returns its status. One that is still there after SECONDS (30) is a
# hang: where each of its threads is waiting goes to stderr (the test's
# output), it is killed, and the status is 124. Without the bound a hung
# tp-load would hold the whole suite until CI's own limit, with no trace.
reap_loader() {
	local i limit=$((${1:-30} * 20)) t
	for ((i = 0; i < limit; i++)); do
		kill -0 "$LOADER_PID" 2>/dev/null || break
		# a zombie has exited: wait reaps it
		[ "$(awk '{ print $3 }' /proc/"$LOADER_PID"/stat 2>/dev/null)" = Z ] && break
		sleep 0.05
	done
	if ((i == limit)); then
		echo "tp-load $LOADER_PID did not exit within ${1:-30} s; its threads:" >&2
		for t in /proc/"$LOADER_PID"/task/*; do
			echo "--- thread ${t##*/} $(cat "$t/comm" 2>/dev/null) state $(awk '{ print $3 }' "$t/stat" 2>/dev/null) wchan $(cat "$t/wchan" 2>/dev/null)" >&2
			cat "$t/stack" >&2 2>/dev/null || true
		done
		if command -v gdb >/dev/null; then
			timeout 60 gdb -q -batch -p "$LOADER_PID" -ex 'thread apply all bt' >&2 2>&1 || true
		fi
		echo "--- its stderr:" >&2
		tail -20 "${LOADER_ERR:-/dev/null}" >&2 || true
		# its loading children too: one left behind holds the test's
		# output pipe open, and bats waits for that pipe to close
		pkill -KILL -P "$LOADER_PID" 2>/dev/null || true
		kill -KILL "$LOADER_PID" 2>/dev/null || true
		wait "$LOADER_PID" 2>/dev/null
		return 124
	fi
	wait "$LOADER_PID" 2>/dev/null
}

# events JQ_FILTER: prints the events that the jq filter selects, one per
# line; events it gives nothing of (null: process_exec and process_exit
# lines for a filter like .process_kprobe) are not printed
events() {
	jq -c "$1 | select(. != null)" "$EVENTS"
}

# count_events JQ_SELECT: number of events for which the expression is
# true. process_exec and process_exit lines (on by default) count only
# when the expression names them: `.process_kprobe.x != 1` is true of a
# process_exec line too, and a test that asks about its policy's events
# must not count every exec on the node.
count_events() {
	case $1 in
	*process_exec* | *process_exit*) jq -c "select($1)" "$EVENTS" ;;
	*) jq -c 'select((has("process_exec") or has("process_exit")) | not)' "$EVENTS" | jq -c "select($1)" ;;
	esac | wc -l | tr -d ' '
}

teardown_loader() {
	if [ -n "${LOADER_PID:-}" ]; then
		kill -INT "$LOADER_PID" 2>/dev/null || true
		reap_loader || true
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

# ---- reliability helpers: BPF objects seen from outside tp-load ----
# bpftool here cannot name the process that holds a program, and other
# tp-loads may run at the same time: ids come from /proc/PID/fdinfo.

# bpf_ids_of PID prog|map|link: ids of the BPF objects PID holds open
bpf_ids_of() {
	awk -v k="$2_id:" '$1 == k { print $2 }' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un
}

# loader_map_id NAME: id of the map NAME held by the running tp-load
loader_map_id() {
	local id
	for id in $(bpf_ids_of "$LOADER_PID" map); do
		if [ "$(bpftool map show id "$id" -j | jq -r .name)" = "$1" ]; then
			echo "$id"
			return 0
		fi
	done
	echo "tp-load $LOADER_PID holds no map $1" >&2
	return 1
}

# percpu_sum MAP_ID: key 0 of a per-CPU array of u64, summed over CPUs
percpu_sum() {
	bpftool map lookup id "$1" key 0 0 0 0 -j | jq '[.formatted.values[].value] | add'
}

# wait_bpf_gone prog|map|link ID...: succeeds once none of these exists
# (the kernel frees them shortly after their last reference goes); after
# 5 s fails naming the survivors.
wait_bpf_gone() {
	local kind=$1 i id left
	shift
	for ((i = 0; i < 100; i++)); do
		left=()
		for id in "$@"; do
			bpftool "$kind" show id "$id" >/dev/null 2>&1 && left+=("$id")
		done
		((${#left[@]} == 0)) && return 0
		sleep 0.05
	done
	echo "$kind still present after 5 s: ${left[*]}" >&2
	bpftool "$kind" show id "${left[0]}" >&2
	return 1
}

# no_orphan_tpc_progs: fails if a program named tpc_* stays loaded that no
# process holds open (pinned, or leaked into the kernel: nothing would
# ever free it). Retries for 5 s: freeing is deferred after close.
no_orphan_tpc_progs() {
	local i ids held orphans
	for ((i = 0; i < 100; i++)); do
		# programs first, holders second: a program loaded in between
		# is then seen held, never as an orphan
		ids=$(bpftool prog show -j | jq -r --argjson base "${PROG_ID_BASE:-0}" \
			'.[] | select(.name | startswith("tpc_")) | select(.id > $base) | .id')
		held=$(awk '$1 == "prog_id:" { print $2 }' /proc/[0-9]*/fdinfo/* 2>/dev/null | sort -u)
		orphans=$(comm -23 <(sort -u <<<"$ids" | sed '/^$/d') <(sed '/^$/d' <<<"$held"))
		[ -z "$orphans" ] && return 0
		sleep 0.05
	done
	echo "tpc_* programs loaded but held by no process:" $orphans >&2
	return 1
}

# set_manifest OBJ MANIFEST_FILE OUT: OBJ with its manifest replaced. A
# shorter manifest is padded with NULs to the section's size (tp-load
# allows a trailing run of them): llvm-objcopy shrinking the section
# leaves libbpf without the func_info of the object's subprograms.
set_manifest() {
	local size pad="$BATS_TEST_TMPDIR/manifest.pad.$$"
	llvm-objcopy --dump-section .tpc.manifest="$pad" "$1" /dev/null
	size=$(wc -c <"$pad")
	cp "$2" "$pad"
	[ "$(wc -c <"$pad")" -lt "$size" ] && truncate -s "$size" "$pad"
	llvm-objcopy --update-section .tpc.manifest="$pad" "$1" "$3"
	rm -f "$pad"
}

# get_manifest OBJ: prints the manifest text of OBJ (without its NUL)
get_manifest() {
	local f="$BATS_TEST_TMPDIR/manifest.$$"
	llvm-objcopy --dump-section .tpc.manifest="$f" "$1" /dev/null &&
		tr -d '\0' <"$f"
}
