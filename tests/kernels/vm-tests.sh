#!/bin/bash
# vm-tests.sh: the tests of the kernel matrix, run inside each VM that
# tests/kernels/run.sh boots. Each test is a policy (policy_NAME prints its
# YAML; tpc compiles it on the host, since the VM has no clang) and a body
# (test_NAME) that starts tp-load, triggers real programs and asserts on
# the JSON events and on effects, like the bats suites.
#
#   vm-tests.sh compile OBJDIR        on the host: OBJDIR/NAME.yaml -> NAME.bpf.o
#   vm-tests.sh run OBJDIR            in the VM: every test, TAP on stdout
#   vm-tests.sh one NAME MODE OBJDIR  in the VM: one test (run starts each so)
#   vm-tests.sh host OBJDIR           on the host: the tests that need no VM
#                                     (verifier, feature probes); TPLOAD,
#                                     FEATURES_CHECK, RESULTS and KT name
#                                     the host's paths
#
# Kinds of test:
#   syscall  a syscall kprobe: run through the real kprobe (--attach=kprobe),
#            then through its tracepoint twin (--attach=tracepoint), then the
#            two runs' events are compared (equal but for time and pids)
#   kprobe   a kprobe or kretprobe on a kernel function: kprobes only
#   plain    no hook of its own (verifier, feature probes)
# Only what the README documents is used: tpc, tp-load's flags, the fields
# of its events and its closing lines. Each test works in /kt/NAME (the
# paths its policy names) and keeps its events and logs in /results/NAME.*;
# a test that runs longer than PER_TEST_TIMEOUT seconds fails.

TPLOAD=${TPLOAD:-/tpc/bin/tp-load}
FEATURES_CHECK=${FEATURES_CHECK:-/tpc/bin/features_check}
PROGS=/tpc/progs
RESULTS=${RESULTS:-/results}
KT=${KT:-/kt}
# the tests that run on the host too: they attach nothing
HOST_TESTS=" verify_all features_probe "
PER_TEST_TIMEOUT=${PER_TEST_TIMEOUT:-120}

TESTS=()
syscall_test() { TESTS+=("$1|syscall|$2"); }
kprobe_test() { TESTS+=("$1|kprobe|$2"); }
plain_test() { TESTS+=("$1|plain|$2"); }

# ---- helpers for test bodies ------------------------------------------

# skip REASON: ends the test as skipped
skip() {
	echo "$*" >"$R/skip"
	exit 77
}

# eq ACTUAL EXPECTED WHAT: fails the test, saying what differed
eq() {
	[ "$1" = "$2" ] && return 0
	echo "$3: expected '$2', got '$1'"
	return 1
}

# start_loader [tp-load options] OBJ...: tp-load in the background (through
# the test's MODE), events to $EVENTS; returns once it reports its hooks
# attached
start_loader() {
	local i
	[ -z "$MODE" ] || set -- --attach="$MODE" "$@"
	: >"$EVENTS"
	# policy events only: these tests count them and compare the kprobe's
	# stream with the twin's; process_exec/exit are tested on the host
	# (events.bats)
	"$TPLOAD" --no-process-events --timeout 90 "$@" >"$EVENTS" 2>"$LOADER_ERR" &
	LOADER_PID=$!
	# the verifier is slow under emulation: up to 60 s
	for ((i = 0; i < 1200; i++)); do
		grep -q "attached" "$LOADER_ERR" && return 0
		if ! kill -0 "$LOADER_PID" 2>/dev/null; then
			echo "tp-load exited before attaching:"
			cat "$LOADER_ERR"
			return 1
		fi
		sleep 0.05
	done
	echo "tp-load did not attach within 60 s:"
	cat "$LOADER_ERR"
	return 1
}

# stop_loader: SIGINT; tp-load drains its ring buffers and exits 0, with
# no sanitizer report (make test SANITIZE=1 puts ASan builds in the VMs)
stop_loader() {
	[ -n "${LOADER_PID:-}" ] || return 0
	sleep 0.1
	kill -INT "$LOADER_PID" 2>/dev/null || true
	LOADER_STATUS=0
	wait "$LOADER_PID" 2>/dev/null || LOADER_STATUS=$?
	LOADER_PID=
	no_sanitizer_report "$LOADER_ERR"
	eq "$LOADER_STATUS" 0 "tp-load's exit status"
}

# no_sanitizer_report FILE: fails when FILE holds an ASan/LSan/UBSan report
no_sanitizer_report() {
	if grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$1"; then
		echo "sanitizer report in $1:"
		grep -E -A12 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$1" | head -30
		return 1
	fi
}

# events JQ_FILTER / count_events JQ_CONDITION: over this test's events
events() { jq -c "$1" "$EVENTS"; }
count_events() { jq -c "select($1)" "$EVENTS" | wc -l | tr -d ' '; }

# opened_by PID / opens_total: events of opens of $TARGET (by PID / by all)
opened_by() { count_events ".process_kprobe.process.pid == $1 and .process_kprobe.args[0].string_arg == \"$TARGET\""; }
opens_total() { count_events ".process_kprobe.args[0].string_arg == \"$TARGET\""; }

# spawn_at PID CMD...: CMD in the background as process PID (the kernel
# gives the next process ns_last_pid + 1), for policies that name a pid
spawn_at() {
	local want=$1
	shift
	echo $((want - 1)) >/proc/sys/kernel/ns_last_pid
	"$@" 3>&- &
	BGPID=$!
	BG+=("$BGPID")
	[ "$BGPID" = "$want" ] || skip "could not start a process as pid $want (got $BGPID)"
}

# wait_for FILE: until FILE exists (10 s at most)
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "$1 did not appear within 10 s"
	return 1
}

teardown() {
	local p
	if [ -n "${LOADER_PID:-}" ]; then
		kill -INT "$LOADER_PID" 2>/dev/null
		wait "$LOADER_PID" 2>/dev/null
	fi
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${MOUNTS[@]}"; do umount "$p" 2>/dev/null; done
}

# ---- spine.bats: the syscall kprobe tests ------------------------------

syscall_test openat_equal "openat Equal /etc/passwd: one event for cat /etc/passwd, none for cat /etc/hostname"
policy_openat_equal() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "openat-passwd"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "/etc/passwd"
EOF
}
test_openat_equal() {
	start_loader "$OBJ"
	cat /etc/passwd >/dev/null &
	local hit=$!
	wait $hit
	cat /etc/hostname >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	eq "$(count_events ".process_kprobe.process.pid == $hit")" 1 "events of cat /etc/passwd"
	eq "$(count_events ".process_kprobe.process.pid == $miss")" 0 "events of cat /etc/hostname"
	local ev
	ev=$(events "select(.process_kprobe.process.pid == $hit) | .process_kprobe")
	eq "$(jq -r .process.binary <<<"$ev")" /usr/bin/cat "binary"
	eq "$(jq -r .function_name <<<"$ev")" __x64_sys_openat "function_name"
	eq "$(jq -r '.args[0].string_arg' <<<"$ev")" /etc/passwd "args[0]"
	eq "$(jq -r .policy_name <<<"$ev")" openat-passwd "policy_name"
	eq "$(jq -r .action <<<"$ev")" KPROBE_ACTION_POST "action"
}

syscall_test write_capture "sys_write char_buf with sizeArgIndex captures the bytes written"
policy_write_capture() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "write-capture"
spec:
  kprobes:
  - call: "sys_write"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "char_buf"
      sizeArgIndex: 3
    - index: 2
      type: "size_t"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "TPC-SPINE-"
EOF
}
test_write_capture() {
	start_loader "$OBJ"
	# one write(2) of 16 bytes, two of them not printable
	bash -c 'printf "TPC-SPINE-\x01\xff-%s" abc >"$1"' _ "$W/out" &
	local w=$!
	wait $w
	bash -c 'printf "OTHER" >"$1"' _ "$W/out2"
	stop_loader
	eq "$(count_events ".process_kprobe.process.pid == $w")" 1 "events of the matching write"
	local args
	args=$(events "select(.process_kprobe.process.pid == $w) | .process_kprobe.args")
	eq "$(jq -r '.[1].bytes_arg' <<<"$args" | base64 -d | od -An -tx1 | tr -d ' \n')" \
		"$(printf 'TPC-SPINE-\x01\xff-abc' | od -An -tx1 | tr -d ' \n')" "bytes"
	eq "$(jq -r '.[2].size_arg' <<<"$args")" 16 "size"
	eq "$(jq -r '.[0].int_arg' <<<"$args")" 1 "fd"
	eq "$(count_events '.process_kprobe.args[1].bytes_arg == "T1RIRVI="')" 0 "events of the other write"
}

syscall_test sigkill_openat "Sigkill kills the process at the matching openat (137) and spares one that does not match"
policy_sigkill_openat() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "kill-opener"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "$W/kill-me"
      matchActions:
      - action: Sigkill
EOF
}
test_sigkill_openat() {
	echo secret >"$W/kill-me"
	start_loader "$OBJ"
	local killed=0 spared=0 out
	out=$(cat "$W/kill-me") || killed=$?
	cat /etc/hostname >/dev/null || spared=$?
	stop_loader
	eq "$killed" 137 "status of the cat that opened kill-me"
	eq "$out" "" "what it printed"
	eq "$spared" 0 "status of the other cat"
	eq "$(count_events '.process_kprobe.action == "KPROBE_ACTION_SIGKILL"')" 1 "SIGKILL events"
}

# ---- files.bats --------------------------------------------------------

# fd_write_policy NAME OPERATOR VALUE [ACTION]: sys_write, its fd matched
fd_write_policy() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "$1"
spec:
  kprobes:
  - call: "sys_write"
    syscall: true
    args:
    - index: 0
      type: "fd"
    - index: 1
      type: "char_buf"
      sizeArgIndex: 3
    - index: 2
      type: "size_t"
    selectors:
    - matchArgs:
      - index: 0
        operator: "$2"
        values: ["$3"]
EOF
	if [ -n "${4:-}" ]; then
		printf '      matchActions:\n      - action: %s\n' "$4"
	fi
}

# paths_written_by PID: the file_arg paths of that process's writes
paths_written_by() {
	jq -r "select(.process_kprobe.process.pid == $1) | .process_kprobe.args[0].file_arg.path" "$EVENTS"
}

syscall_test sigkill_fd_write "Sigkill on an fd matched by path: the writer dies (137), the file is unchanged; another file is written"
policy_sigkill_fd_write() { fd_write_policy deny-write Prefix "$W/protected" Sigkill; }
test_sigkill_fd_write() {
	echo original >"$W/protected"
	start_loader "$OBJ"
	local killed=0 other=0
	dd if=/dev/zero of="$W/protected" bs=4 count=1 conv=notrunc 2>/dev/null || killed=$?
	dd if=/dev/zero of="$W/other" bs=4 count=1 2>/dev/null || other=$?
	stop_loader
	eq "$killed" 137 "status of the writer"
	eq "$(cat "$W/protected")" original "the protected file"
	eq "$other" 0 "status of the other writer"
	eq "$(stat -c %s "$W/other")" 4 "size of the other file"
	eq "$(count_events '.process_kprobe.action == "KPROBE_ACTION_SIGKILL"')" 1 "SIGKILL events"
	eq "$(events '.process_kprobe.args[0].file_arg.path')" "\"$W/protected\"" "path"
}

syscall_test fd_paths_mount "fd paths cross a tmpfs mount and resolve deep directories"
policy_fd_paths_mount() { fd_write_policy paths Prefix "$W/"; }
test_fd_paths_mount() {
	local mnt="$W/mnt" deep="$W/deep" i
	mkdir -p "$mnt"
	mount -t tmpfs tpc-test "$mnt" || skip "cannot mount tmpfs here"
	MOUNTS+=("$mnt")
	mkdir -p "$mnt/a/b"
	for i in $(seq 1 40); do deep="$deep/d$i"; done
	mkdir -p "$deep"
	start_loader "$OBJ"
	bash -c 'echo x >"$0"; echo y >"$1"' "$mnt/a/b/c.txt" "$deep/leaf.txt" &
	local w=$!
	wait $w
	stop_loader
	local paths
	paths=$(paths_written_by $w)
	eq "$(sed -n 1p <<<"$paths")" "$mnt/a/b/c.txt" "first path"
	eq "$(sed -n 2p <<<"$paths")" "$deep/leaf.txt" "second path"
	eq "$(count_events ".process_kprobe.process.pid == $w and .process_kprobe.args[0].file_arg.flags == \"unresolvedPathComponents\"")" 0 "truncated paths"
}

syscall_test long_path "a path longer than the bound is flagged unresolvedPathComponents, never cut silently"
policy_long_path() { fd_write_policy long-path Postfix "/tpc-long-leaf"; }
test_long_path() {
	local long="$W" name dirs=() i
	name=$(printf 'x%.0s' $(seq 1 200))
	for i in $(seq 1 22); do dirs+=("$name$i"); long="$long/$name$i"; done
	(cd "$W" && for d in "${dirs[@]}"; do mkdir "$d" && cd "$d"; done)
	start_loader "$OBJ"
	bash -c 'cd "$0" || exit 1; for d in "$@"; do cd "$d" || exit 1; done; echo x >tpc-long-leaf' "$W" "${dirs[@]}" &
	local w=$!
	wait $w
	stop_loader
	eq "$(count_events ".process_kprobe.process.pid == $w")" 1 "events"
	local arg got
	arg=$(events "select(.process_kprobe.process.pid == $w) | .process_kprobe.args[0]")
	# cut at the bound: Tetragon's flag for a path it could not walk whole
	eq "$(jq -r .file_arg.flags <<<"$arg")" unresolvedPathComponents "truncated"
	got=$(jq -r .file_arg.path <<<"$arg")
	[ "${#got}" -le 4095 ] && [ "${#got}" -ge 3900 ] || { echo "path of ${#got} bytes"; return 1; }
	# the end of the path is kept: it is what a suffix check needs
	[[ "$long/tpc-long-leaf" == *"$got" ]] || { echo "not the end of the path: $got"; return 1; }
}

syscall_test deleted_file "a deleted file still resolves to its path"
policy_deleted_file() { fd_write_policy deleted Prefix "$W/gone"; }
test_deleted_file() {
	start_loader "$OBJ"
	bash -c 'exec 7>"$0"; rm "$0"; echo x >&7' "$W/gone.txt" &
	local w=$!
	wait $w
	stop_loader
	eq "$(paths_written_by $w)" "$W/gone.txt" "path"
}

syscall_test returncopy_read "returnCopy on sys_read reports the bytes the call read (kretprobe, returnArg)"
policy_returncopy_read() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "read-copy"
spec:
  kprobes:
  - call: "sys_read"
    syscall: true
    return: true
    args:
    - index: 0
      type: "fd"
    - index: 1
      type: "char_buf"
      returnCopy: true
      sizeArgIndex: 3
    - index: 2
      type: "size_t"
    returnArg:
      index: 0
      type: "int"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["$W/data"]
EOF
}
test_returncopy_read() {
	printf 'tpc returnCopy data\n' >"$W/data"
	start_loader "$OBJ"
	cat "$W/data" >/dev/null &
	local r=$!
	wait $r
	stop_loader
	eq "$(events "select(.process_kprobe.process.pid == $r and .process_kprobe.return.int_arg == 20) | .process_kprobe.args[1].bytes_arg" |
		jq -r . | base64 -d | od -An -tx1 | tr -d ' \n')" "$(od -An -tx1 "$W/data" | tr -d ' \n')" "bytes of the read of 20"
	# the read that hit the end returned 0 bytes
	eq "$(count_events ".process_kprobe.process.pid == $r and .process_kprobe.return.int_arg == 0 and .process_kprobe.args[1].bytes_arg == \"\"")" 1 "reads of 0"
}

syscall_test iovec_writev "char_iovec on sys_writev concatenates the buffers"
policy_iovec_writev() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "writev"
spec:
  kprobes:
  - call: "sys_writev"
    syscall: true
    args:
    - index: 0
      type: "fd"
    - index: 1
      type: "char_iovec"
      sizeArgIndex: 3
    - index: 2
      type: "int"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values: ["$W/"]
EOF
}
test_iovec_writev() {
	start_loader "$OBJ"
	"$PROGS/writev_parts" "$W/out" "tpc-" "iovec-" "parts" &
	local w=$!
	wait $w
	stop_loader
	eq "$(cat "$W/out")" "tpc-iovec-parts" "the file"
	local args
	args=$(events "select(.process_kprobe.process.pid == $w) | .process_kprobe.args")
	eq "$(jq -r '.[1].bytes_arg' <<<"$args" | base64 -d)" "tpc-iovec-parts" "bytes"
	eq "$(jq -r '.[2].int_arg' <<<"$args")" 3 "vectors"
	eq "$(jq -r '.[0].file_arg.path' <<<"$args")" "$W/out" "path"
}

syscall_test followfd_openat "FollowFD at openat's return, CopyFD at dup2: writes through both fds name the followed file"
policy_followfd_openat() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "follow-fds"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    return: true
    args:
    - index: 1
      type: "string"
    returnArg:
      index: 4
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["followed.txt"]
      matchReturnArgs:
      - operator: "GT"
        values: [-1]
      matchActions:
      - action: FollowFD
        argFd: 4
        argName: 1
  - call: "sys_close"
    syscall: true
    args:
    - index: 0
      type: "int"
    selectors:
    - matchActions:
      - action: UnfollowFD
        argFd: 0
      - action: NoPost
  - call: "sys_dup2"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "int"
    selectors:
    - matchActions:
      - action: CopyFD
        argFd: 0
        argName: 1
      - action: NoPost
  - call: "sys_write"
    syscall: true
    args:
    - index: 0
      type: "fd"
    - index: 2
      type: "size_t"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["followed.txt"]
EOF
}
test_followfd_openat() {
	start_loader "$OBJ"
	"$PROGS/fd_ops" "$W" followed.txt "$W/ready" "$W/go" 3>&- &
	local P=$!
	BG+=($P)
	wait_for "$W/ready"
	touch "$W/go"
	wait $P
	stop_loader
	# the writes through fd 3 and fd 100 name the followed (relative)
	# name: the FollowFD map is consulted before the fd table
	eq "$(count_events ".process_kprobe.process.pid == $P and .process_kprobe.function_name == \"__x64_sys_write\" and .process_kprobe.args[0].file_arg.path == \"followed.txt\"")" 2 "writes naming followed.txt"
	eq "$(count_events ".process_kprobe.process.pid == $P and .process_kprobe.return.int_arg == 3")" 1 "openat returning 3"
}

# ---- process.bats: process-aware selectors on sys_openat ---------------

# openat_policy NAME FILTERS: opens of $W/target when FILTERS (YAML, at
# the indentation of a selector's keys) also match
openat_policy() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "$1"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["$W/target"]
$2
EOF
}

syscall_test pids_follow "matchPIDs In followForks: children of the pid match, born before or after loading; others do not"
policy_pids_follow() {
	openat_policy pids-follow "      matchPIDs:
      - operator: In
        followForks: true
        values: [30001]"
}
test_pids_follow() {
	# P waits for go, then opens the target through a child cat; S, a
	# child P forked before tp-load started, does the same on go.pre
	spawn_at 30001 bash -c 'sub() { while [ ! -e "$1" ]; do sleep 0.02; done; cat "$2" >/dev/null; }
		sub "$0.pre" "$1" &
		while [ ! -e "$0" ]; do sleep 0.02; done
		cat "$1" >/dev/null; wait' "$W/go" "$TARGET"
	local P=$BGPID
	start_loader "$OBJ"
	touch "$W/go.pre" "$W/go"
	wait $P
	cat "$TARGET" >/dev/null &
	local other=$!
	wait $other
	stop_loader
	eq "$(opens_total)" 2 "opens reported"
	eq "$(opened_by $other)" 0 "opens by an unrelated cat"
	eq "$(count_events '.process_kprobe.process.binary == "/usr/bin/cat"')" 2 "opens by cats"
}

syscall_test pids_in "matchPIDs In without followForks: the pid itself matches, its child does not"
policy_pids_in() {
	openat_policy pids-in "      matchPIDs:
      - operator: In
        values: [30002]"
}
test_pids_in() {
	spawn_at 30002 bash -c 'while [ ! -e "$0" ]; do sleep 0.02; done; : <"$1"; cat "$1" >/dev/null' "$W/go" "$TARGET"
	local P=$BGPID
	start_loader "$OBJ"
	touch "$W/go"
	wait $P
	stop_loader
	eq "$(opened_by $P)" 1 "opens by the pid"
	eq "$(opens_total)" 1 "opens reported"
}

syscall_test pids_notin "matchPIDs NotIn excludes the listed pid only"
policy_pids_notin() {
	openat_policy pids-notin "      matchPIDs:
      - operator: NotIn
        values: [30003]"
}
test_pids_notin() {
	spawn_at 30003 bash -c 'while [ ! -e "$0" ]; do sleep 0.02; done; : <"$1"' "$W/go" "$TARGET"
	local P=$BGPID
	start_loader "$OBJ"
	touch "$W/go"
	wait $P
	cat "$TARGET" >/dev/null &
	local other=$!
	wait $other
	stop_loader
	eq "$(opened_by $P)" 0 "opens by the excluded pid"
	eq "$(opened_by $other)" 1 "opens by another process"
}

syscall_test binaries_in "matchBinaries In: a copy of cat under another path matches, /usr/bin/cat does not"
policy_binaries_in() {
	openat_policy binaries-in "      matchBinaries:
      - operator: In
        values: [\"$W/mycat\"]"
}
test_binaries_in() {
	cp /usr/bin/cat "$W/mycat"
	start_loader "$OBJ"
	"$W/mycat" "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	eq "$(opened_by $hit)" 1 "opens by mycat"
	eq "$(opened_by $miss)" 0 "opens by cat"
	eq "$(count_events ".process_kprobe.process.pid == $hit and .process_kprobe.process.binary == \"$W/mycat\"")" 1 "binary"
}

syscall_test binaries_postfix "matchBinaries NotIn and Postfix"
policy_binaries_postfix() {
	openat_policy binaries-postfix "      matchBinaries:
      - operator: Postfix
        values: [\"/mycat\"]
      - operator: NotIn
        values: [\"/usr/bin/cat\"]"
}
test_binaries_postfix() {
	cp /usr/bin/cat "$W/mycat"
	start_loader "$OBJ"
	"$W/mycat" "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	eq "$(opened_by $hit)" 1 "opens by mycat"
	eq "$(opened_by $miss)" 0 "opens by cat"
}

syscall_test binaries_children "matchBinaries followChildren: children of a matching binary match, of another do not"
policy_binaries_children() {
	openat_policy binaries-children "      matchBinaries:
      - operator: In
        followChildren: true
        values: [\"$W/mybash\"]"
}
test_binaries_children() {
	cp /bin/bash "$W/mybash"
	start_loader "$OBJ"
	"$W/mybash" -c 'cat "$0" >/dev/null; echo $! >/dev/null' "$TARGET"
	bash -c 'cat "$0" >/dev/null' "$TARGET"
	stop_loader
	eq "$(opens_total)" 1 "opens reported"
	eq "$(events ".process_kprobe | select(.args[0].string_arg == \"$TARGET\") | .process.binary")" '"/usr/bin/cat"' "binary"
}

syscall_test ns_host "matchNamespaces Mnt In host_ns: a process in a new mount namespace does not match"
policy_ns_host() {
	openat_policy ns-host "      matchNamespaces:
      - namespace: Mnt
        operator: In
        values: [\"host_ns\"]"
}
test_ns_host() {
	start_loader "$OBJ"
	cat "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	unshare -m cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	eq "$(opened_by $hit)" 1 "opens in the host's namespace"
	eq "$(opened_by $miss)" 0 "opens in a new mount namespace"
}

syscall_test ns_host_pid "host_ns means the namespaces of --host-ns-pid"
policy_ns_host_pid() {
	openat_policy ns-host-pid "      matchNamespaces:
      - namespace: Mnt
        operator: In
        values: [\"host_ns\"]"
}
test_ns_host_pid() {
	unshare -m sleep 60 3>&- &
	local U=$! i
	BG+=($U)
	for ((i = 0; i < 100; i++)); do
		[ "$(stat -L -c %i /proc/$U/ns/mnt)" != "$(stat -L -c %i /proc/self/ns/mnt)" ] && break
		sleep 0.05
	done
	start_loader --host-ns-pid $U "$OBJ"
	cat "$TARGET" >/dev/null &
	local ours=$!
	wait $ours
	nsenter -t $U -m cat "$TARGET" >/dev/null &
	local theirs=$!
	wait $theirs
	stop_loader
	eq "$(opened_by $ours)" 0 "opens outside --host-ns-pid's namespace"
	eq "$(opened_by $theirs)" 1 "opens inside it"
}

# the initial UTS namespace's inode number is a constant of the kernel
INIT_UTS_INO=4026531838
syscall_test ns_uts_numeric "matchNamespaces NotIn with a numeric inode (Uts): only the new namespace matches"
policy_ns_uts_numeric() {
	openat_policy ns-numeric "      matchNamespaces:
      - namespace: Uts
        operator: NotIn
        values: [\"$INIT_UTS_INO\"]"
}
test_ns_uts_numeric() {
	[ "$(stat -L -c %i /proc/self/ns/uts)" = "$INIT_UTS_INO" ] ||
		skip "the initial UTS namespace is not inode $INIT_UTS_INO here"
	start_loader "$OBJ"
	cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	unshare -u cat "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	stop_loader
	eq "$(opened_by $hit)" 1 "opens in a new UTS namespace"
	eq "$(opened_by $miss)" 0 "opens in the initial one"
}

syscall_test caps_in "matchCapabilities Effective In CAP_SYS_ADMIN: a process without it (setpriv) does not match"
policy_caps_in() {
	openat_policy caps-in "      matchCapabilities:
      - type: Effective
        operator: In
        values: [\"CAP_SYS_ADMIN\"]"
}
test_caps_in() {
	start_loader "$OBJ"
	cat "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	/usr/bin/setpriv --bounding-set=-sys_admin cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	eq "$(opened_by $hit)" 1 "opens with CAP_SYS_ADMIN"
	eq "$(opened_by $miss)" 0 "opens without"
}

syscall_test caps_ns "matchCapabilities NotIn, and isNamespaceCapability matches only outside the host user namespace"
policy_caps_ns() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "caps-ns"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["$W/target"]
      matchCapabilities:
      - type: Effective
        operator: In
        isNamespaceCapability: true
        values: ["CAP_SYS_ADMIN"]
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["$W/target"]
      matchCapabilities:
      - type: Permitted
        operator: NotIn
        values: ["CAP_SYS_ADMIN"]
EOF
}
test_caps_ns() {
	start_loader "$OBJ"
	cat "$TARGET" >/dev/null &
	local host=$!
	wait $host
	unshare -U -r cat "$TARGET" >/dev/null &
	local userns=$!
	wait $userns
	/usr/bin/setpriv --bounding-set=-sys_admin cat "$TARGET" >/dev/null &
	local dropped=$!
	wait $dropped
	stop_loader
	eq "$(opened_by $host)" 0 "opens by root in the host user namespace"
	eq "$(opened_by $userns)" 1 "opens by root of a new user namespace"
	eq "$(opened_by $dropped)" 1 "opens without CAP_SYS_ADMIN"
}

syscall_test ns_changes "matchNamespaceChanges In Mnt: a process that unshares its mount namespace after exec matches"
policy_ns_changes() {
	openat_policy ns-changes "      matchNamespaceChanges:
      - operator: In
        values: [\"Mnt\"]"
}
test_ns_changes() {
	start_loader "$OBJ"
	"$PROGS/ns_change_open" mnt "$TARGET" &
	local hit=$!
	wait $hit
	"$PROGS/ns_change_open" uts "$TARGET" &
	local other=$!
	wait $other
	"$PROGS/ns_change_open" none "$TARGET" &
	local miss=$!
	wait $miss
	stop_loader
	eq "$(opened_by $hit)" 1 "opens after unsharing the mount namespace"
	eq "$(opened_by $other)" 0 "opens after unsharing UTS"
	eq "$(opened_by $miss)" 0 "opens with no change"
}

syscall_test cap_changes "matchCapabilityChanges: dropping CAP_SYS_ADMIN after exec matches, keeping it does not"
policy_cap_changes() {
	openat_policy cap-changes "      matchCapabilityChanges:
      - type: Effective
        operator: In
        values: [\"CAP_SYS_ADMIN\"]"
}
test_cap_changes() {
	start_loader "$OBJ"
	"$PROGS/cap_change_open" drop 21 "$TARGET" &
	local hit=$!
	wait $hit
	"$PROGS/cap_change_open" none 21 "$TARGET" &
	local miss=$!
	wait $miss
	"$PROGS/cap_change_open" drop 13 "$TARGET" &
	local other=$!
	wait $other
	stop_loader
	eq "$(opened_by $hit)" 1 "opens after dropping CAP_SYS_ADMIN"
	eq "$(opened_by $miss)" 0 "opens keeping it"
	eq "$(opened_by $other)" 0 "opens after dropping another capability"
}

syscall_test cap_gain "matchCapabilityChanges: a process that gains CAP_NET_RAW after exec matches"
policy_cap_gain() {
	openat_policy cap-gain "      matchCapabilityChanges:
      - type: Effective
        operator: In
        values: [\"CAP_NET_RAW\"]"
}
test_cap_gain() {
	[ -x /usr/sbin/setcap ] || skip "setcap (libcap2-bin) was not installed on the host"
	cp "$PROGS/cap_change_open" "$W/capraise"
	chmod 755 "$W" "$W/capraise"
	/usr/sbin/setcap cap_net_raw+p "$W/capraise" 2>/dev/null ||
		skip "the initramfs does not keep file capabilities"
	start_loader "$OBJ"
	/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups "$W/capraise" raise 13 "$TARGET" &
	local hit=$!
	wait $hit
	/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups "$W/capraise" none 13 "$TARGET" &
	local miss=$!
	wait $miss
	stop_loader
	eq "$(opened_by $hit)" 1 "opens after raising CAP_NET_RAW"
	eq "$(opened_by $miss)" 0 "opens without raising it"
	eq "$(count_events ".process_kprobe.process.pid == $hit and .process_kprobe.process.uid == 65534")" 1 "uid"
}

syscall_test return_lt0 "matchReturnArgs LT 0: a failing openat of a missing file is reported with its return value"
policy_return_lt0() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "open-failures"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    return: true
    args:
    - index: 1
      type: "string"
    returnArg:
      index: 0
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values: ["$W/"]
      matchReturnArgs:
      - operator: "LT"
        values: [0]
EOF
}
test_return_lt0() {
	start_loader "$OBJ"
	cat "$W/missing" 2>/dev/null &
	local hit=$!
	wait $hit || true
	cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	eq "$(count_events ".process_kprobe.process.pid == $hit")" 1 "events of the failing open"
	eq "$(count_events ".process_kprobe.process.pid == $miss")" 0 "events of the open that worked"
	local ev
	ev=$(events ".process_kprobe | select(.process.pid == $hit)")
	eq "$(jq -r '.return.int_arg' <<<"$ev")" -2 "return value"
	eq "$(jq -r '.args[0].string_arg' <<<"$ev")" "$W/missing" "path"
}

# ---- actions.bats ------------------------------------------------------

# with_usr1_handler PATH: a bash that traps SIGUSR1 (writing PATH.got),
# opens PATH itself and then writes PATH.after
with_usr1_handler() {
	bash -c 'trap "echo got >\"\$0.got\"" USR1; : <"$0"; echo after >"$0.after"' "$1"
}

syscall_test signal_usr1 "Signal argSig 10: SIGUSR1 reaches the caller's handler, and the caller goes on"
policy_signal_usr1() {
	openat_policy signal-usr1 "      matchActions:
      - action: Signal
        argSig: 10"
}
test_signal_usr1() {
	start_loader "$OBJ"
	with_usr1_handler "$TARGET"
	: <"$W/other" 2>/dev/null || true
	stop_loader
	eq "$(cat "$TARGET.got")" got "the handler ran"
	eq "$(cat "$TARGET.after")" after "the caller went on"
	eq "$(count_events '.process_kprobe.action == "KPROBE_ACTION_SIGNAL"')" 1 "SIGNAL events"
	eq "$(count_events ".process_kprobe.process.binary == \"$(readlink -f /bin/bash)\"")" 1 "events of bash"
	eq "$(wc -l <"$EVENTS" | tr -d ' ')" 1 "events in all"
}

syscall_test nopost "NoPost: the selector's Signal acts, and no event is printed for it"
policy_nopost() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "nopost"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["$W/quiet"]
      matchActions:
      - action: NoPost
      - action: Signal
        argSig: 10
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["$W/loud"]
EOF
}
test_nopost() {
	: >"$W/quiet"
	: >"$W/loud"
	start_loader "$OBJ"
	with_usr1_handler "$W/quiet"
	cat "$W/loud"
	stop_loader
	eq "$(cat "$W/quiet.got")" got "the NoPost selector's signal"
	eq "$(count_events ".process_kprobe.args[0].string_arg == \"$W/loud\"")" 1 "events of the other selector"
	eq "$(grep -c "$W/quiet" "$EVENTS")" 0 "events of the NoPost selector"
	grep -qx "tp-load: 1 events, 0 lost" "$LOADER_ERR" || { echo "closing line:"; tail -1 "$LOADER_ERR"; return 1; }
}

syscall_test ratelimit "rateLimit: identical calls of one thread post one event; other arguments post their own"
policy_ratelimit() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "ratelimit-thread"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values: ["$W/rl-"]
      matchActions:
      - action: Post
        rateLimit: 1m
EOF
}
test_ratelimit() {
	: >"$W/rl-a"
	: >"$W/rl-b"
	start_loader "$OBJ"
	bash -c 'for i in 1 2 3 4 5; do : <"$0a"; done
		 for i in 1 2 3; do : <"$0b"; done' "$W/rl-"
	stop_loader
	eq "$(count_events ".process_kprobe.args[0].string_arg == \"$W/rl-a\"")" 1 "events of rl-a"
	eq "$(count_events ".process_kprobe.args[0].string_arg == \"$W/rl-b\"")" 1 "events of rl-b"
	grep -qx "tp-load: 2 events, 0 lost" "$LOADER_ERR" || { echo "closing line:"; tail -1 "$LOADER_ERR"; return 1; }
}

syscall_test ratelimit_scopes "rateLimitScope: process posts once per process, global once in all"
policy_ratelimit_scopes() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "ratelimit-scopes"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["$W/proc"]
      matchActions:
      - action: Post
        rateLimit: 1m
        rateLimitScope: process
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["$W/glob"]
      matchActions:
      - action: Post
        rateLimit: 1m
        rateLimitScope: global
EOF
}
test_ratelimit_scopes() {
	: >"$W/proc"
	: >"$W/glob"
	start_loader "$OBJ"
	for _ in 1 2; do
		bash -c 'echo $$ >>"$0/pids"
			 for i in 1 2 3; do : <"$0/proc"; : <"$0/glob"; done' "$W"
	done
	stop_loader
	eq "$(count_events ".process_kprobe.args[0].string_arg == \"$W/proc\"")" 2 "events of proc"
	eq "$(events "select(.process_kprobe.args[0].string_arg == \"$W/proc\") | .process_kprobe.process.pid" |
		sort -n | tr '\n' ' ')" "$(sort -n "$W/pids" | tr '\n' ' ')" "their processes"
	eq "$(count_events ".process_kprobe.args[0].string_arg == \"$W/glob\"")" 1 "events of glob"
}

# ---- kprobes on kernel functions, kretprobes ---------------------------

kprobe_test fd_install "the spec's fd_install example reports opens of /etc/passwd with the file's path (file arg)"
policy_fd_install() { cat "$REPO/policies/spec-fd-install.yaml"; }
test_fd_install() {
	start_loader "$OBJ"
	cat /etc/passwd >/dev/null &
	local c=$!
	wait $c
	cat /etc/hostname >/dev/null &
	local o=$!
	wait $o
	stop_loader
	eq "$(count_events ".process_kprobe.process.pid == $c and .process_kprobe.args[1].file_arg.path == \"/etc/passwd\"")" 1 "events naming /etc/passwd"
	eq "$(count_events ".process_kprobe.process.pid == $o")" 0 "events of cat /etc/hostname"
	eq "$(events ".process_kprobe | select(.process.pid == $c) | .function_name")" '"fd_install"' "function_name"
	# fd_install's first argument is the descriptor cat then reads
	eq "$(events ".process_kprobe | select(.process.pid == $c) | .args[0].int_arg")" 3 "fd"
}

kprobe_test kprobe_path "a path arg (security_inode_getattr's struct path) resolves to the file stat(1) looks at"
policy_kprobe_path() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "getattr-path"
spec:
  kprobes:
  - call: "security_inode_getattr"
    syscall: false
    args:
    - index: 0
      type: "path"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values: ["$W/stat-"]
EOF
}
test_kprobe_path() {
	: >"$W/stat-me"
	: >"$W/other"
	start_loader "$OBJ"
	stat "$W/stat-me" >/dev/null &
	local s=$!
	wait $s
	stat "$W/other" >/dev/null &
	local o=$!
	wait $o
	stop_loader
	local n
	n=$(count_events ".process_kprobe.process.pid == $s")
	[ "$n" -ge 1 ] || { echo "no event for stat of stat-me"; return 1; }
	eq "$(count_events ".process_kprobe.process.pid == $s and .process_kprobe.args[0].path_arg.path == \"$W/stat-me\"")" "$n" "events naming stat-me"
	eq "$(count_events ".process_kprobe.process.pid == $o")" 0 "events of the other stat"
}

kprobe_test kprobe_dentry "a dentry arg (security_inode_unlink) resolves to the file rm removes"
policy_kprobe_dentry() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "unlink-dentry"
spec:
  kprobes:
  - call: "security_inode_unlink"
    syscall: false
    args:
    - index: 1
      type: "dentry"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values: ["$W/rm-"]
EOF
}
test_kprobe_dentry() {
	: >"$W/rm-me"
	: >"$W/keep-me"
	start_loader "$OBJ"
	rm "$W/rm-me" &
	local r=$!
	wait $r
	rm "$W/keep-me" &
	local o=$!
	wait $o
	stop_loader
	eq "$(count_events ".process_kprobe.process.pid == $r")" 1 "events of rm rm-me"
	eq "$(events ".process_kprobe | select(.process.pid == $r) | .args[0] | (.file_arg // .path_arg).path")" "\"$W/rm-me\"" "path"
	eq "$(count_events ".process_kprobe.process.pid == $o")" 0 "events of the other rm"
}

kprobe_test kprobe_fd "an fd arg of a kernel function (ksys_write) resolves to the file written"
policy_kprobe_fd() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "ksys-write-fd"
spec:
  kprobes:
  - call: "ksys_write"
    syscall: false
    args:
    - index: 0
      type: "fd"
    - index: 2
      type: "size_t"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["$W/written"]
EOF
}
test_kprobe_fd() {
	start_loader "$OBJ"
	bash -c 'echo x >"$0"; echo yy >"$1"' "$W/written" "$W/other" &
	local b=$!
	wait $b
	stop_loader
	eq "$(count_events ".process_kprobe.process.pid == $b")" 1 "events of the writes"
	local ev
	ev=$(events ".process_kprobe | select(.process.pid == $b)")
	eq "$(jq -r '.args[0].file_arg.path' <<<"$ev")" "$W/written" "path"
	eq "$(jq -r '.args[1].size_arg' <<<"$ev")" 2 "size"
	eq "$(jq -r .function_name <<<"$ev")" ksys_write "function_name"
}

kprobe_test kretprobe_unlink "a kretprobe (do_unlinkat) with returnArg and matchReturnArgs reports -2 for a missing file only"
policy_kretprobe_unlink() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "unlink-failures"
spec:
  kprobes:
  - call: "do_unlinkat"
    syscall: false
    return: true
    args:
    - index: 0
      type: "int"
    returnArg:
      index: 0
      type: "int"
    selectors:
    - matchReturnArgs:
      - operator: "LT"
        values: [0]
EOF
}
test_kretprobe_unlink() {
	: >"$W/exists"
	start_loader "$OBJ"
	# unlink(1) calls unlink(2) as it is (rm would lstat first)
	unlink "$W/missing" 2>/dev/null &
	local miss=$!
	wait $miss || true
	unlink "$W/exists" &
	local ok=$!
	wait $ok
	stop_loader
	[ ! -e "$W/exists" ] || { echo "rm did not remove the file"; return 1; }
	eq "$(count_events ".process_kprobe.process.pid == $miss")" 1 "events of the failing unlink"
	eq "$(count_events ".process_kprobe.process.pid == $ok")" 0 "events of the unlink that worked"
	local ev
	ev=$(events ".process_kprobe | select(.process.pid == $miss)")
	eq "$(jq -r .return.int_arg <<<"$ev")" -2 "return value"
	eq "$(jq -r '.args[0].int_arg' <<<"$ev")" -100 "dfd (AT_FDCWD)"
	eq "$(jq -r .function_name <<<"$ev")" do_unlinkat "function_name"
}

kprobe_test kretprobe_copy "returnCopy on a kernel function (kernel_read) reports what exec read of a script"
policy_kretprobe_copy() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "exec-header"
spec:
  kprobes:
  - call: "kernel_read"
    syscall: false
    return: true
    args:
    - index: 0
      type: "file"
    - index: 1
      type: "char_buf"
      returnCopy: true
      sizeArgIndex: 3
    - index: 2
      type: "size_t"
    returnArg:
      index: 0
      type: "long"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["$W/script"]
      matchReturnArgs:
      - operator: "GT"
        values: [0]
EOF
}
test_kretprobe_copy() {
	printf '#!/bin/sh\n# tpc kretprobe returnCopy\nexit 7\n' >"$W/script"
	chmod +x "$W/script"
	start_loader "$OBJ"
	local st=0
	"$W/script" || st=$?
	stop_loader
	eq "$st" 7 "the script ran"
	local n size
	size=$(stat -c %s "$W/script")
	n=$(count_events ".process_kprobe.args[0].file_arg.path == \"$W/script\"")
	[ "$n" -ge 1 ] || { echo "no event for the script"; return 1; }
	# exec reads the header with one kernel_read: all of this short file
	eq "$(count_events ".process_kprobe.args[0].file_arg.path == \"$W/script\" and (.process_kprobe.return | (.int_arg // (.long_arg | tonumber))) == $size")" "$n" "reads returning the whole file"
	eq "$(events "select(.process_kprobe.args[0].file_arg.path == \"$W/script\") | .process_kprobe.args[1].bytes_arg" | head -1 |
		jq -r . | base64 -d | od -An -tx1 | tr -d ' \n')" "$(od -An -tx1 "$W/script" | tr -d ' \n')" "bytes"
}

# ---- network.bats: a returned sock (kretprobes do not attach on the host) --

kprobe_test kretprobe_sock "returnArg sock (inet_csk_accept): the accepted sock's exact sock_arg for loopback TCP over IPv4 and IPv6; matchReturnArgs DPort takes the client ports it names only"
policy_kretprobe_sock() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "accepted"
spec:
  kprobes:
  - call: "inet_csk_accept"
    syscall: false
    return: true
    returnArg:
      index: 0
      type: "sock"
    selectors:
    - matchReturnArgs:
      - index: 0
        operator: "DPort"
        values: ["40101", "40103"]
EOF
}
test_kretprobe_sock() {
	start_loader "$OBJ"
	# the accepted sock's peer is the client: its port is the client's
	local p
	for p in "127.0.0.1 40001 40101" "127.0.0.1 40002 40102" "::1 40003 40103"; do
		# shellcheck disable=SC2086
		$PROGS/tcp_accept $p >/dev/null || { echo "tcp_accept $p failed"; return 1; }
	done
	stop_loader
	eq "$(count_events '.process_kprobe.function_name == "inet_csk_accept"')" 2 "accepts reported (ports 40101, 40103)"
	eq "$(count_events '.process_kprobe.return.sock_arg.dport == 40102')" 0 "events of the accept from port 40102"
	local v4 v6
	v4=$(events 'select(.process_kprobe.return.sock_arg.dport == 40101) | .process_kprobe')
	v6=$(events 'select(.process_kprobe.return.sock_arg.dport == 40103) | .process_kprobe')
	eq "$(jq -c '.return.sock_arg | del(.cookie)' <<<"$v4")" \
		'{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"127.0.0.1","daddr":"127.0.0.1","sport":40001,"dport":40101,"state":"TCP_ESTABLISHED"}' \
		"IPv4 sock_arg"
	eq "$(jq -c '.return.sock_arg | del(.cookie)' <<<"$v6")" \
		'{"family":"AF_INET6","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"::1","daddr":"::1","sport":40003,"dport":40103,"state":"TCP_ESTABLISHED"}' \
		"IPv6 sock_arg"
	# the cookie is the struct sock's kernel address: a different sock each
	[[ "$(jq -r .return.sock_arg.cookie <<<"$v4")" =~ ^[1-9][0-9]+$ ]] || { echo "no cookie: $v4"; return 1; }
	[ "$(jq -r .return.sock_arg.cookie <<<"$v4")" != "$(jq -r .return.sock_arg.cookie <<<"$v6")" ] ||
		{ echo "the two socks have one cookie"; return 1; }
	eq "$(jq -r .process.binary <<<"$v4")" "$PROGS/tcp_accept" "the accepting binary"
	# none declared: no "args" at all, as protojson leaves an empty list out
	eq "$(jq -c .args <<<"$v4")" null "args (none declared)"
}

kprobe_test kprobe_sigkill "Sigkill from a kernel function's kprobe (vfs_write, file arg): the writer dies, the file is unchanged"
policy_kprobe_sigkill() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "vfs-write-kill"
spec:
  kprobes:
  - call: "vfs_write"
    syscall: false
    args:
    - index: 0
      type: "file"
    - index: 2
      type: "size_t"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["$W/protected"]
      matchActions:
      - action: Sigkill
EOF
}
test_kprobe_sigkill() {
	echo original >"$W/protected"
	start_loader "$OBJ"
	local killed=0 other=0
	dd if=/dev/zero of="$W/protected" bs=4 count=1 conv=notrunc 2>/dev/null || killed=$?
	dd if=/dev/zero of="$W/other" bs=4 count=1 2>/dev/null || other=$?
	stop_loader
	eq "$killed" 137 "status of the writer"
	eq "$(cat "$W/protected")" original "the protected file"
	eq "$other" 0 "status of the other writer"
	eq "$(stat -c %s "$W/other")" 4 "size of the other file"
	eq "$(count_events '.process_kprobe.action == "KPROBE_ACTION_SIGKILL" and .process_kprobe.function_name == "vfs_write"')" 1 "SIGKILL events"
}

kprobe_test kprobe_signal "Signal from a kernel function's kprobe (security_file_open): the handler runs and the caller goes on"
policy_kprobe_signal() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "file-open-signal"
spec:
  kprobes:
  - call: "security_file_open"
    syscall: false
    args:
    - index: 0
      type: "file"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["$W/target"]
      matchActions:
      - action: Signal
        argSig: 10
EOF
}
test_kprobe_signal() {
	start_loader "$OBJ"
	with_usr1_handler "$TARGET"
	stop_loader
	eq "$(cat "$TARGET.got")" got "the handler ran"
	eq "$(cat "$TARGET.after")" after "the caller went on"
	eq "$(count_events '.process_kprobe.action == "KPROBE_ACTION_SIGNAL" and .process_kprobe.function_name == "security_file_open"')" 1 "SIGNAL events"
}

kprobe_test followfd_install "FollowFD at fd_install, CopyFD at dup2: a write names the file the fd was installed for, even renamed; UnfollowFD at close"
policy_followfd_install() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "follow-at-install"
spec:
  kprobes:
  - call: "fd_install"
    syscall: false
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "file"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values: ["$W/followed"]
      matchActions:
      - action: FollowFD
        argFd: 0
        argName: 1
  - call: "sys_dup2"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "int"
    selectors:
    - matchActions:
      - action: CopyFD
        argFd: 0
        argName: 1
      - action: NoPost
  - call: "sys_close"
    syscall: true
    args:
    - index: 0
      type: "int"
    selectors:
    - matchActions:
      - action: UnfollowFD
        argFd: 0
      - action: NoPost
  - call: "sys_write"
    syscall: true
    args:
    - index: 0
      type: "fd"
    - index: 2
      type: "size_t"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values: ["$W/"]
EOF
}
test_followfd_install() {
	start_loader "$OBJ"
	"$PROGS/fd_follow" "$W" &
	local p=$!
	wait $p
	stop_loader
	eq "$(cat "$W/renamed.txt")" ab "the followed file"
	eq "$(count_events ".process_kprobe.process.pid == $p and .process_kprobe.function_name == \"fd_install\" and .process_kprobe.action == \"KPROBE_ACTION_FOLLOWFD\"")" 1 "FollowFD events at fd_install"
	# the writes through the fd and its copy name the file as installed,
	# not as renamed; once closed (unfollowed), the same fd number names
	# the file it is now
	eq "$(events ".process_kprobe | select(.process.pid == $p and .function_name == \"__x64_sys_write\") | .args[0].file_arg.path" | tr '\n' ' ')" \
		"\"$W/followed.txt\" \"$W/followed.txt\" \"$W/plain.txt\" " "paths of the three writes"
}

# ---- Override ----------------------------------------------------------

plain_test override "Override: done where the kernel has bpf_override_return, else refused by name (load and --verify)"
policy_override() { cat "$REPO/tests/fixtures/actions/symlink-override.yaml"; }
test_override() {
	local out st=0
	if grep -qw bpf_override_return /proc/kallsyms; then
		# the kernel can: symlinkat with /etc/passwd fails with -1 (EPERM)
		MODE=kprobe start_loader "$OBJ"
		st=0
		ln -s /etc/passwd "$W/link" 2>/dev/null || st=$?
		stop_loader
		[ "$st" -ne 0 ] || { echo "symlink to /etc/passwd was created"; return 1; }
		[ ! -L "$W/link" ] || { echo "the link exists"; return 1; }
		eq "$(count_events '.process_kprobe.action == "KPROBE_ACTION_OVERRIDE"')" 1 "OVERRIDE events"
		echo "note: Override: done (symlinkat failed)"
		return 0
	fi
	out=$("$TPLOAD" --timeout 5 --attach=kprobe "$OBJ" 2>&1) || st=$?
	echo "$out" | grep -v '^  ' | head -20
	no_sanitizer_report <(echo "$out")
	eq "$st" 1 "tp-load's status"
	grep -q '^tp-load: .*bpf_override_return is not available on this kernel' <<<"$out" ||
		{ echo "the missing helper is not named"; return 1; }
	! grep -q "attached" <<<"$out" || { echo "something was attached"; return 1; }
	st=0
	out=$("$TPLOAD" --verify "$OBJ" 2>&1) || st=$?
	no_sanitizer_report <(echo "$out")
	eq "$st" 1 "tp-load --verify's status"
	grep -q "tpc_h0_kprobe kprobe/__x64_sys_symlinkat rejected" <<<"$out" || { echo "the kprobe was not rejected"; return 1; }
	grep -q '^tp-load: .*bpf_override_return is not available on this kernel' <<<"$out" ||
		{ echo "--verify does not name the missing helper"; return 1; }
	# the twin does not call it, and loads
	grep -q "tpc_h0_twin tracepoint/syscalls/sys_enter_symlinkat ok " <<<"$out" || { echo "the twin did not load"; return 1; }
	echo "note: Override: refused, naming bpf_override_return"
}

# ---- spec.enforcers, NotifyEnforcer ------------------------------------

# A verdict left at sys_enter_mkdir(at) is applied by the enforcer, an
# fmod_ret trampoline on security_inode_mkdir, as the same mkdir reaches
# it: the error makes mkdir fail with EPERM, the signal kills mkdir with
# SIGUSR1; other mkdirs are untouched (tests/fixtures/actions/mkdir-enforcer.yaml).
# A verdict replaced before an enforcer call took it is counted missed: one
# mkdir process whose first mkdir(2) fails at the path lookup (no parent:
# the LSM hook is never reached) and whose second is enforced; tp-load says
# so in /metrics and at exit. With --keep-on-exit the enforcer goes on
# while no tp-load runs, and the next tp-load reports what it missed then.
plain_test enforcer "NotifyEnforcer: the thread's next enforcer call fails with the error, or gets the signal; a replaced verdict is reported missed, kept copies' too"
policy_enforcer() { cat "$REPO/tests/fixtures/actions/mkdir-enforcer.yaml"; }
# enforcer_missed URL: tpc_enforcer_missed_total of the fixture's policy
enforcer_missed() {
	wget -q -O - "$1/metrics" | awk '$1 == "tpc_enforcer_missed_total{policy=\"mkdir-enforcer\"}" { print $2 }'
}
test_enforcer() {
	local st url
	start_loader --metrics-server 127.0.0.1:0 "$OBJ" || return 1
	url=$(sed -nE 's|^tp-load: metrics on (http://[^/]+)/metrics.*|\1|p' "$LOADER_ERR" | head -1)
	st=0
	mkdir "$W/tpc-enforced" 2>"$R/mkdir.err" || st=$?
	[ "$st" -ne 0 ] || { echo "mkdir tpc-enforced succeeded"; stop_loader; return 1; }
	[ ! -e "$W/tpc-enforced" ] || { echo "tpc-enforced exists"; stop_loader; return 1; }
	grep -qi "not permitted" "$R/mkdir.err" || { echo "mkdir did not fail with EPERM:"; cat "$R/mkdir.err"; stop_loader; return 1; }
	st=0
	mkdir "$W/tpc-signalled" 2>/dev/null || st=$?
	eq "$st" 138 "mkdir tpc-signalled's status (128 + SIGUSR1)" || { stop_loader; return 1; }
	# the verdict was used: the next mkdir of the same thread's kind is untouched
	mkdir "$W/plain" || { echo "a plain mkdir failed"; stop_loader; return 1; }
	[ -d "$W/plain" ] || { echo "plain was not made"; stop_loader; return 1; }
	eq "$(enforcer_missed "$url")" 0 "tpc_enforcer_missed_total with every verdict applied" || { stop_loader; return 1; }
	# two verdicts in a row for one thread, then its enforcer call
	mkdir "$W/none/tpc-enforced" "$W/tpc-enforced" 2>"$R/mkdir.err" && { echo "the double mkdir succeeded"; stop_loader; return 1; }
	grep -qi "not permitted" "$R/mkdir.err" || { echo "the second mkdir did not fail with EPERM:"; cat "$R/mkdir.err"; stop_loader; return 1; }
	eq "$(enforcer_missed "$url")" 1 "tpc_enforcer_missed_total after a replaced verdict" || { stop_loader; return 1; }
	stop_loader || return 1
	grep -q '^tp-load: enforcer verdicts missed: 1 ' "$LOADER_ERR" || { echo "tp-load's summary does not say 1 missed:"; tail -3 "$LOADER_ERR"; return 1; }
	eq "$(count_events '.process_tracepoint.action == "KPROBE_ACTION_NOTIFYENFORCER"')" 4 "NotifyEnforcer events" || return 1
	# --keep-on-exit: the same while no tp-load runs, reported by the next
	start_loader --keep-on-exit "$OBJ" || return 1
	stop_loader || return 1
	mkdir "$W/none/tpc-enforced" "$W/tpc-enforced" 2>"$R/mkdir.err" && { echo "the double mkdir succeeded with the kept copy"; return 1; }
	grep -qi "not permitted" "$R/mkdir.err" || { echo "the kept enforcer did not apply the verdict:"; cat "$R/mkdir.err"; return 1; }
	start_loader "$OBJ" || return 1
	stop_loader || return 1
	grep -q 'replaced the copy a previous tp-load left attached .*: 2 events it kept, 0 lost, 1 enforcer verdicts missed$' "$LOADER_ERR" ||
		{ echo "the kept copy's missed verdict is not reported:"; cat "$LOADER_ERR"; return 1; }
	grep -q '^tp-load: enforcer verdicts missed: 1 ' "$LOADER_ERR" || { echo "the summary does not count the kept copy's missed verdict:"; tail -3 "$LOADER_ERR"; return 1; }
	echo "note: NotifyEnforcer: mkdir failed with EPERM, and was killed by SIGUSR1; a replaced verdict counted missed, by a kept copy too"
}

# ---- what each kernel offers -------------------------------------------

# The other tests' objects pass the verifier when their tests load them
# (each syscall test loads both its kprobe and its twin).
plain_test verify_all "every shipped policy, and the Override fixture, passes the verifier or each rejection names the feature missing"
test_verify_all() {
	local o n=0 bad=0 rejected named out st
	for o in "$OBJDIR"/shipped/*.bpf.o "$OBJDIR/override.bpf.o"; do
		[ -e "$o" ] || continue
		n=$((n + 1))
		st=0
		out=$("$TPLOAD" --verify "$o" 2>&1) || st=$?
		no_sanitizer_report <(echo "$out")
		[ "$st" -ne 0 ] || continue
		# each program's rejection line is followed by tp-load's
		# sentences about it: one of them must name a feature
		rejected=$(grep -c ' rejected$' <<<"$out" || true)
		named=$(grep -cE '^tp-load: .*(is not available on this kernel|cannot be used by .* programs on this kernel|does not load .* programs|BPF LSM is not active|are not available on this kernel)' <<<"$out" || true)
		echo "$o: $rejected programs rejected, $named features named"
		if [ "$rejected" -eq 0 ] || [ "$named" -lt "$rejected" ]; then
			bad=$((bad + 1))
			grep -v '^  ' <<<"$out" | head -8
		fi
	done
	[ "$n" -ge 4 ] || { echo "only $n objects"; return 1; }
	eq "$bad" 0 "objects rejected without a named feature"
}

plain_test features_probe "tp-load's feature probes name what this kernel lacks: program types, kfuncs, helpers"
test_features_probe() {
	local check=$FEATURES_CHECK st out
	# bpf_loop (5.17): every kernel of the matrix has it
	"$check" "$OBJDIR/features/features.bpf.o" uses_loop || { echo "bpf_loop did not load"; return 1; }
	echo "note: bpf_loop: loaded"
	# kfuncs: expected from the kernel's BTF, read independently
	st=0
	out=$("$check" "$OBJDIR/features/features_kfunc.bpf.o" uses_kfunc 2>&1) || st=$?
	echo "$out" | head -5
	echo "note: kfunc bpf_task_from_pid: $(sed -n 1p <<<"$out" | cut -d' ' -f2)"
	if grep -q bpf_task_from_pid /sys/kernel/btf/vmlinux; then
		eq "$st" 0 "the kfunc program on a kernel that has bpf_task_from_pid"
	else
		eq "$st" 1 "the kfunc program on a kernel without bpf_task_from_pid"
		grep -q '^tp-load: .*kfunc bpf_task_from_pid is not available on this kernel' <<<"$out" ||
			{ echo "the missing kfunc is not named"; return 1; }
	fi
	# fentry: loads, or is refused by the name of its program type
	st=0
	out=$("$check" "$OBJDIR/features/features.bpf.o" on_unlinkat 2>&1) || st=$?
	echo "$out" | head -5
	echo "note: fentry: $(sed -n 1p <<<"$out" | cut -d' ' -f2)"
	no_sanitizer_report <(echo "$out")
	[ "$st" -eq 0 ] || grep -q '^tp-load: .*does not load trace_fentry programs' <<<"$out" ||
		{ echo "fentry refused without its name"; return 1; }
	# code every verifier refuses: nothing is blamed, and it is said so
	st=0
	out=$("$check" "$OBJDIR/features/features.bpf.o" bad_access 2>&1) || st=$?
	echo "$out" | head -3
	eq "$st" 1 "the program that reads past its context"
	grep -q "^tp-load: .*: Linux $(uname -r) has every .* its verifier rejected the code itself" <<<"$out" ||
		{ echo "not said to be the code's fault"; return 1; }
	! grep -qE 'not available|does not load' <<<"$out" || { echo "a feature was blamed"; return 1; }
	# bpf_override_return: present exactly when kallsyms has it
	st=0
	out=$("$check" "$OBJDIR/features/features.bpf.o" uses_override 2>&1) || st=$?
	echo "$out" | head -5
	echo "note: bpf_override_return: $(sed -n 1p <<<"$out" | cut -d' ' -f2)"
	if grep -qw bpf_override_return /proc/kallsyms; then
		eq "$st" 0 "bpf_override_return on a kernel that has it"
	else
		eq "$st" 1 "bpf_override_return on a kernel without it"
		grep -q '^tp-load: .*bpf_override_return is not available on this kernel' <<<"$out" ||
			{ echo "the missing helper is not named"; return 1; }
	fi
}

# ---- hook kinds the compiler does not have yet --------------------------
# Their policies are compiled like the others; while tpc refuses them
# ("unsupported"), the tests are skipped with tpc's words.

kprobe_test lsm_deny "lsmhooks: Override as file_open's verdict denies one open with EPERM while another file opens"
policy_lsm_deny() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "lsm-deny-open"
spec:
  lsmhooks:
  - hook: "file_open"
    args:
    - index: 0
      type: "file"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["$W/denied"]
      matchActions:
      - action: Override
        argError: -1
EOF
}
test_lsm_deny() {
	echo secret >"$W/denied"
	echo fine >"$W/allowed"
	MODE= start_loader "$OBJ"
	local st=0 err
	err=$(cat "$W/denied" 2>&1 >/dev/null) || st=$?
	local ok
	ok=$(cat "$W/allowed")
	stop_loader
	[ "$st" -ne 0 ] || { echo "the denied file opened"; return 1; }
	[[ "$err" == *"Operation not permitted"* ]] || { echo "not EPERM: $err"; return 1; }
	eq "$ok" fine "the allowed file"
	eq "$(count_events ".process_lsm.args[0].file_arg.path == \"$W/denied\"")" 1 "events"
}

kprobe_test fexit_unlink "fentries: fexit on do_unlinkat reports -2 for a missing file"
policy_fexit_unlink() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "fexit-unlink"
spec:
  fentries:
  - call: "do_unlinkat"
    syscall: false
    return: true
    args:
    - index: 0
      type: "int"
    returnArg:
      index: 0
      type: "int"
    selectors:
    - matchReturnArgs:
      - operator: "LT"
        values: [0]
EOF
}
test_fexit_unlink() {
	MODE= start_loader "$OBJ"
	unlink "$W/missing" 2>/dev/null &
	local miss=$!
	wait $miss || true
	stop_loader
	eq "$(count_events ".process_kprobe.process.pid == $miss and .process_kprobe.return.int_arg == -2")" 1 "events"
}

kprobe_test kernel_stack "kernelStackTrace from a kprobe names the callers of security_inode_unlink"
policy_kernel_stack() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "unlink-stack"
spec:
  kprobes:
  - call: "security_inode_unlink"
    syscall: false
    args:
    - index: 1
      type: "dentry"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["$W/stack-me"]
      matchActions:
      - action: Post
        kernelStackTrace: true
EOF
}
test_kernel_stack() {
	: >"$W/stack-me"
	start_loader "$OBJ"
	rm "$W/stack-me"
	stop_loader
	eq "$(count_events '[.process_kprobe.kernel_stack_trace[]?.symbol] | index("do_unlinkat") != null')" 1 "events whose stack holds do_unlinkat"
}

# ---- ignore.callNotFound: one policy for kernels with either function ---

kprobe_test call_not_found "ignore.callNotFound: of security_bpf_map_alloc (< 6.9) and security_bpf_map_create (6.9+) the one this kernel has reports a map's creation, the other and a function no kernel has are skipped"
# the corpus's bpf policy's pair, and a function that exists nowhere
policy_call_not_found() {
	cat <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "call-not-found"
	spec:
	  kprobes:
	  - call: "security_bpf_map_alloc"
	    syscall: false
	    args: [{index: 0, type: "bpf_map"}]
	    ignore: {callNotFound: true}
	  - call: "security_bpf_map_create"
	    syscall: false
	    args: [{index: 0, type: "bpf_map"}]
	    ignore: {callNotFound: true}
	  - call: "tpc_no_such_function"
	    syscall: false
	    ignore: {callNotFound: true}
	EOF
}
test_call_not_found() {
	local names=(security_bpf_map_alloc security_bpf_map_create) have=0 lacks=1 fn i
	# 6.9 renamed the hook (and gave it more parameters)
	if grep -qw security_bpf_map_create /proc/kallsyms; then
		have=1 lacks=0
	fi
	start_loader "$OBJ"
	"$PROGS/bpf_map_create" tpcignore
	stop_loader
	for fn in "${names[$lacks]}" tpc_no_such_function; do
		i=$lacks
		[ "$fn" != tpc_no_such_function ] || i=2
		eq "$(grep -c "hook $i (kprobe $fn): not on this kernel: skipped (ignore.callNotFound)" "$LOADER_ERR")" 1 \
			"tp-load's skip lines for $fn"
	done
	eq "$(grep -c 'not on this kernel' "$LOADER_ERR")" 2 "skip lines in all"
	eq "$(count_events ".process_kprobe.function_name == \"${names[$have]}\" and .process_kprobe.args[0].bpf_map_arg.MapName == \"tpcignore\"")" 1 \
		"events of ${names[$have]} for the map created"
	eq "$(count_events ".process_kprobe.function_name != \"${names[$have]}\"")" 0 "events of other hooks"
	echo "note: ${names[$have]} attached, ${names[$lacks]} skipped"
}

# ---- the harness -------------------------------------------------------

# compile OBJDIR (host): every test's policy, and the shipped policies
compile_all() {
	local objdir=$1 entry name
	REPO=$(cd "$(dirname "$0")/../.." && pwd)
	local tpc="$REPO/out/bin/tpc"
	mkdir -p "$objdir/shipped"
	for entry in "${TESTS[@]}"; do
		name=${entry%%|*}
		declare -F "policy_$name" >/dev/null || continue
		W=/kt/$name
		"policy_$name" >"$objdir/$name.yaml"
		rm -f "$objdir/$name.bpf.o" "$objdir/$name.tpc-error"
		if ! "$tpc" "$objdir/$name.yaml" -o "$objdir/$name.bpf.o" >"$objdir/$name.tpc-out" 2>&1; then
			grep -m1 ': error: ' "$objdir/$name.tpc-out" >"$objdir/$name.tpc-error" ||
				tail -1 "$objdir/$name.tpc-out" >"$objdir/$name.tpc-error"
		fi
	done
	for p in "$REPO"/policies/*.yaml; do
		"$tpc" "$p" -o "$objdir/shipped/$(basename "$p" .yaml).bpf.o" || return 1
	done
}

# one NAME MODE OBJDIR (VM): one test, in this process
one() {
	NAME=$1 MODE=$2 OBJDIR=$3
	[ "$MODE" = plain ] && MODE=
	W=$KT/$NAME
	R=$RESULTS/$NAME.${MODE:-run}
	OBJ=$OBJDIR/$NAME.bpf.o
	TARGET=$W/target
	EVENTS=$R/events.json
	LOADER_ERR=$R/loader.err
	LOADER_PID=
	BG=()
	MOUNTS=()
	rm -rf "$W" "$R"
	mkdir -p "$W" "$R"
	: >"$EVENTS"
	echo data >"$TARGET"
	cd "$W" || exit 1
	if [ -s "$OBJDIR/$NAME.tpc-error" ]; then
		if grep -q 'unsupported' "$OBJDIR/$NAME.tpc-error"; then
			skip "tpc does not compile it yet: $(sed 's/^[^ ]* error: //' "$OBJDIR/$NAME.tpc-error")"
		fi
		echo "tpc failed on the host: $(cat "$OBJDIR/$NAME.tpc-error")"
		exit 1
	fi
	trap teardown EXIT
	trap 'exit 143' TERM INT
	set -e
	"test_$NAME"
	set +e
	exit 0
}

TAP_N=0
# tap STATUS TITLE [LOG]: one TAP line; a failure's log follows as comments
tap() {
	TAP_N=$((TAP_N + 1))
	case $1 in
	ok) echo "ok $TAP_N $2" ;;
	skip) echo "ok $TAP_N $2 # skip $3" ;;
	*)
		echo "not ok $TAP_N $2"
		[ -z "${3:-}" ] || sed -n '1,40s/^/# /p' "$3"
		;;
	esac
}

# run_one NAME MODE TITLE: runs one test in its own process, with a timeout
run_one() {
	local name=$1 mode=$2 title=$3 r st t0=$EPOCHREALTIME
	r=$RESULTS/$name.${mode/plain/run}
	mkdir -p "$RESULTS"
	timeout -s TERM "$PER_TEST_TIMEOUT" bash "$SELF" one "$name" "$mode" "$OBJDIR" >"$RESULTS/$name.$mode.log" 2>&1
	st=$?
	echo "$t0 $EPOCHREALTIME $name $mode" | awk '{ printf "%6.1f s  %s %s\n", $2 - $1, $3, $4 }' >>"$RESULTS/times"
	case $st in
	0) tap ok "$title" ;;
	77) tap skip "$title" "$(cat "$r/skip" 2>/dev/null)" ;;
	143)
		echo "timed out after $PER_TEST_TIMEOUT s" >>"$RESULTS/$name.$mode.log"
		tap fail "$title" "$RESULTS/$name.$mode.log"
		;;
	*)
		{
			[ ! -s "$r/loader.err" ] || { echo "tp-load's stderr:"; grep -v '^  ' "$r/loader.err" | tail -8; }
			[ ! -s "$r/events.json" ] || { echo "events:"; cut -c1-300 "$r/events.json" | tail -8; }
		} >>"$RESULTS/$name.$mode.log"
		tap fail "$title" "$RESULTS/$name.$mode.log"
		;;
	esac
	# what the test found out about the kernel ("note: ..."), for the record
	sed -n 's/^note: /# /p' "$RESULTS/$name.$mode.log"
	return $st
}

# normalize EVENTS: the events without what differs between two runs of the
# same triggers (time, pids), one per line, sorted
normalize() {
	# (and of the process objects: exec ids and start times are per run,
	# and the parent is this script, started with the run's mode)
	jq -cS 'del(.time) | walk(if type == "object" then del(.pid, .tid, .exec_id, .parent_exec_id, .start_time) else . end)
		| walk(if type == "object" and has("parent") and (.parent | type) == "object" then del(.parent.arguments) else . end)' "$1" | sort
}

# run_all OBJDIR [host]: every test, or (host) those of HOST_TESTS
run_all() {
	OBJDIR=$1
	SELF=$(readlink -f "$0")
	local entry name kind title a b
	mkdir -p "$RESULTS"
	: >"$RESULTS/times"
	echo "# kernel $(uname -r), $(nproc) CPUs, lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)"
	for entry in "${TESTS[@]}"; do
		IFS='|' read -r name kind title <<<"$entry"
		[ "${2:-}" != host ] || [[ "$HOST_TESTS" == *" $name "* ]] || continue
		[ -z "${KERNEL_VM_TESTS:-}" ] || [[ ",$KERNEL_VM_TESTS," == *",$name,"* ]] || continue
		case $kind in
		syscall)
			run_one "$name" kprobe "$title [kprobe]"
			a=$?
			run_one "$name" tracepoint "$title [tracepoint twin]"
			b=$?
			if [ $a -ne 0 ] || [ $b -ne 0 ]; then
				tap skip "$title [kprobe = twin]" "needs both runs to pass"
			elif diff <(normalize "$RESULTS/$name.kprobe/events.json") \
				<(normalize "$RESULTS/$name.tracepoint/events.json") >"$RESULTS/$name.parity" 2>&1; then
				tap ok "$title [kprobe = twin]"
			else
				tap fail "$title [kprobe = twin]" "$RESULTS/$name.parity"
			fi
			;;
		kprobe) run_one "$name" kprobe "$title" ;;
		plain) run_one "$name" plain "$title" ;;
		esac
	done
	echo "# slowest: $(sort -rn "$RESULTS/times" | head -5 | tr -s ' ' | paste -sd ',' | sed 's/,/, /g')"
}

case ${1:-} in
compile) compile_all "$2" ;;
run) run_all "$2" ;;
host) run_all "$2" host ;;
one) one "$2" "$3" "$4" ;;
*)
	echo "usage: vm-tests.sh compile|run|host OBJDIR | one NAME MODE OBJDIR" >&2
	exit 2
	;;
esac
