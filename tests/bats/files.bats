#!/usr/bin/env bats
# Files and buffers end to end (issue 5): fd, file and path args resolved
# to paths in the kernel, returnCopy, char_iovec, and the FollowFD,
# UnfollowFD and CopyFD actions, through the syscall tracepoint twins.

load helpers

PROGS="$REPO/out/tests/progs"

setup() {
	require_root
	T="$BATS_TEST_TMPDIR"
}

teardown() {
	teardown_loader
	for p in ${BG:-}; do kill "$p" 2>/dev/null || true; done
	if [ -n "${MNT:-}" ]; then umount "$MNT" 2>/dev/null || true; fi
}

# write_policy_fd NAME OPERATOR VALUE [ACTION]: sys_write with an fd arg
# matched by path
fd_write_policy() {
	cat >"$T/p.yaml" <<-EOF
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
		printf '      matchActions:\n      - action: %s\n' "$4" >>"$T/p.yaml"
	fi
	compile "$T/p.yaml" "$T/p.bpf.o"
}

# paths_written_by PID: the file_arg paths of that process's writes
paths_written_by() {
	jq -r "select(.process_kprobe.process.pid == $1) | .process_kprobe.args[0].file_arg.path" "$EVENTS"
}

@test "Sigkill on an fd matched by path: the writer dies (137), the file is unchanged; another file is written" {
	echo original >"$T/protected"
	fd_write_policy "deny-write" Prefix "$T/protected" Sigkill
	start_loader "$T/p.bpf.o"
	run dd if=/dev/zero of="$T/protected" bs=4 count=1 conv=notrunc status=none
	local killed=$status
	run dd if=/dev/zero of="$T/other" bs=4 count=1 status=none
	local other=$status
	stop_loader
	cat "$EVENTS"
	[ "$killed" -eq 137 ]
	[ "$(cat "$T/protected")" = original ]
	[ "$other" -eq 0 ]
	[ "$(stat -c %s "$T/other")" -eq 4 ]
	[ "$(count_events '.process_kprobe.action == "KPROBE_ACTION_SIGKILL"')" -eq 1 ]
	run events '.process_kprobe.args[0].file_arg.path'
	[ "$output" = "\"$T/protected\"" ]
}

@test "fd paths cross a tmpfs mount and resolve deep directories" {
	MNT="$T/mnt"
	mkdir -p "$MNT"
	mount -t tmpfs tpc-test "$MNT" || skip "cannot mount tmpfs here"
	mkdir -p "$MNT/a/b"
	local deep="$T/deep"
	for i in $(seq 1 40); do deep="$deep/d$i"; done
	mkdir -p "$deep"
	fd_write_policy "paths" Prefix "$T/"
	start_loader "$T/p.bpf.o"
	bash -c 'echo x >"$0"; echo y >"$1"' "$MNT/a/b/c.txt" "$deep/leaf.txt" &
	local w=$!
	wait $w
	stop_loader
	run paths_written_by $w
	echo "$output"
	[ "${lines[0]}" = "$MNT/a/b/c.txt" ]
	[ "${lines[1]}" = "$deep/leaf.txt" ]
	[ "$(count_events ".process_kprobe.process.pid == $w and .process_kprobe.args[0].file_arg.flags")" -eq 0 ]
}

@test "a path longer than the bound is flagged unresolvedPathComponents, never cut silently" {
	# 22 directories of 200-odd bytes: over PATH_MAX, so the writer
	# walks down by relative steps
	local long="$T" name dirs=()
	name=$(printf 'x%.0s' $(seq 1 200))
	for i in $(seq 1 22); do dirs+=("$name$i"); long="$long/$name$i"; done
	(cd "$T" && for d in "${dirs[@]}"; do mkdir "$d" && cd "$d"; done)
	fd_write_policy "long-path" Postfix "/tpc-long-leaf"
	start_loader "$T/p.bpf.o"
	bash -c 'cd "$0" || exit 1; for d in "$@"; do cd "$d" || exit 1; done; echo x >tpc-long-leaf' "$T" "${dirs[@]}" &
	local w=$!
	wait $w
	stop_loader
	[ "$(count_events ".process_kprobe.process.pid == $w")" -eq 1 ]
	run events "select(.process_kprobe.process.pid == $w) | .process_kprobe.args[0]"
	# flagged where Tetragon flags a path it could not walk whole
	[ "$(jq -r .file_arg.flags <<<"$output")" = unresolvedPathComponents ]
	local got
	got=$(jq -r .file_arg.path <<<"$output")
	[ "${#got}" -le 4095 ]
	[ "${#got}" -ge 3900 ]
	# the end of the path is kept: it is what a suffix check needs
	[[ "$long/tpc-long-leaf" == *"$got" ]]
}

@test "a deleted file still resolves to its path" {
	fd_write_policy "deleted" Prefix "$T/gone"
	start_loader "$T/p.bpf.o"
	bash -c 'exec 7>"$0"; rm "$0"; echo x >&7' "$T/gone.txt" &
	local w=$!
	wait $w
	stop_loader
	run paths_written_by $w
	[ "$output" = "$T/gone.txt" ]
}

@test "returnCopy on sys_read reports the bytes the call read" {
	printf 'tpc returnCopy data\n' >"$T/data"
	cat >"$T/p.yaml" <<-EOF
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
	        values: ["$T/data"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	cat "$T/data" >/dev/null &
	local r=$!
	wait $r
	stop_loader
	cat "$EVENTS"
	run events "select(.process_kprobe.process.pid == $r and .process_kprobe.return.int_arg == 20) | .process_kprobe.args[1].bytes_arg"
	[ "$(jq -r . <<<"$output" | base64 -d)" = "tpc returnCopy data" ]
	# the read that hit the end returned 0 bytes
	[ "$(count_events ".process_kprobe.process.pid == $r and .process_kprobe.return.int_arg == 0 and .process_kprobe.args[1].bytes_arg == \"\"")" -eq 1 ]
}

@test "char_iovec on sys_writev concatenates the buffers" {
	cat >"$T/p.yaml" <<-EOF
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
	        values: ["$T/"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	"$PROGS/writev_parts" "$T/out" "tpc-" "iovec-" "parts" &
	local w=$!
	wait $w
	stop_loader
	[ "$(cat "$T/out")" = "tpc-iovec-parts" ]
	run events "select(.process_kprobe.process.pid == $w) | .process_kprobe.args"
	[ "$(jq -r '.[1].bytes_arg' <<<"$output" | base64 -d)" = "tpc-iovec-parts" ]
	[ "$(jq -r '.[2].int_arg' <<<"$output")" = 3 ]
	[ "$(jq -r '.[0].file_arg.path' <<<"$output")" = "$T/out" ]
}

# our_fd_map: the id of the tpc_fds map held by this test's tp-load (other
# tp-loads may run at the same time)
our_fd_map() {
	local ids mine
	ids=$(bpftool map show -j | jq -r '.[] | select(.name == "tpc_fds") | .id')
	mine=$(grep -h '^map_id:' /proc/"$LOADER_PID"/fdinfo/* 2>/dev/null | awk '{print $2}')
	grep -Fx -f <(printf '%s\n' $ids) <<<"$mine" | head -1
}

# followed_fds PID: "fd path" lines of the tpc_fds map entries of PID
followed_fds() {
	bpftool map dump id "$(our_fd_map)" -j 2>/dev/null | jq -r --argjson pid "$1" '
		def num(a): reduce (a | reverse | .[]) as $b (0; . * 256 + ($b | ltrimstr("0x") | explode |
			map(if . >= 97 then . - 87 else . - 48 end) | .[0] * 16 + .[1]));
		.[] | select(num(.key[0:4]) == $pid) |
		"\(num(.key[4:8])) \(.value[16:] | map(ltrimstr("0x") | explode |
			map(if . >= 97 then . - 87 else . - 48 end) | .[0] * 16 + .[1]) | until(.[-1] != 0; .[:-1]) | implode)"' | sort -n
}

follow_policy() {
	cat >"$T/p.yaml" <<-EOF
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
	compile "$T/p.yaml" "$T/p.bpf.o"
}

@test "FollowFD at openat's return, CopyFD at dup2 and UnfollowFD at close keep the fd map right" {
	follow_policy
	start_loader "$T/p.bpf.o"
	"$PROGS/fd_ops" "$T" followed.txt "$T/ready" "$T/go" 3>&- &
	local P=$!
	BG=$P
	while [ ! -e "$T/ready" ]; do sleep 0.02; done
	run followed_fds $P
	local during=$output
	touch "$T/go"
	wait $P
	local after
	after=$(followed_fds $P)
	stop_loader
	cat "$EVENTS"
	echo "during: $during"
	[ "$during" = "$(printf '3 followed.txt\n100 followed.txt')" ]
	[ -z "$after" ]
	# the writes through fd 3 and fd 100 name the followed (relative)
	# name: the map is consulted before the fd table
	[ "$(count_events ".process_kprobe.process.pid == $P and .process_kprobe.function_name == \"__x64_sys_write\" and .process_kprobe.args[0].file_arg.path == \"followed.txt\"")" -eq 2 ]
	[ "$(count_events ".process_kprobe.process.pid == $P and .process_kprobe.return.int_arg == 3")" -eq 1 ]
}

@test "FollowFD entries of a process that exits without closing are removed" {
	follow_policy
	start_loader "$T/p.bpf.o"
	"$PROGS/fd_ops" "$T" followed.txt "$T/ready" "$T/go" noclose 3>&- &
	local P=$!
	BG=$P
	while [ ! -e "$T/ready" ]; do sleep 0.02; done
	run followed_fds $P
	[ "${#lines[@]}" -eq 2 ]
	touch "$T/go"
	wait $P
	# tp-load sweeps exited processes' entries once a second
	local left
	for _ in $(seq 50); do
		left=$(followed_fds $P)
		[ -z "$left" ] && break
		sleep 0.1
	done
	stop_loader
	[ -z "$left" ]
}

@test "FollowFD names do not survive exec: the new program's fd 3 and fd 100 are its own files" {
	follow_policy
	start_loader "$T/p.bpf.o"
	"$PROGS/fd_ops" "$T" followed.txt "$T/ready" "$T/go" exec 3>&- &
	local P=$!
	BG=$P
	while [ ! -e "$T/ready" ]; do sleep 0.02; done
	run followed_fds $P
	[ "$output" = "$(printf '3 followed.txt\n100 followed.txt')" ]
	touch "$T/go"
	wait $P
	stop_loader
	# the exec'd fd_ops opened other.txt as fd 3 (followed.txt's was
	# O_CLOEXEC) and wrote through fd 3 and fd 100: both are other.txt
	[ "$(cat "$T/other.txt")" = AB ]
	# the two writes before the exec name followed.txt; the two after it
	# match nothing (kept across the exec, the name would match both)
	[ "$(count_events ".process_kprobe.process.pid == $P and .process_kprobe.function_name == \"__x64_sys_write\"")" -eq 2 ]
	[ "$(count_events ".process_kprobe.process.pid == $P and .process_kprobe.args[0].file_arg.path == \"followed.txt\"")" -eq 2 ]
}

@test "the spec's fd_install example compiles and passes the verifier" {
	compile "$REPO/policies/spec-fd-install.yaml" "$T/fd.bpf.o"
	run "$TPLOAD" --verify "$T/fd.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'tpc_h0_kprobe kprobe/fd_install ok' <<<"$output"
}

@test "the spec's fd_install example reports opens of /etc/passwd (needs kprobes)" {
	if [ ! -e /sys/bus/event_source/devices/kprobe ]; then
		skip "this kernel has no kprobes (CONFIG_KPROBES off): fd_install cannot attach"
	fi
	compile "$REPO/policies/spec-fd-install.yaml" "$T/fd.bpf.o"
	start_loader "$T/fd.bpf.o"
	cat /etc/passwd >/dev/null &
	local c=$!
	wait $c
	stop_loader
	[ "$(count_events ".process_kprobe.process.pid == $c and .process_kprobe.args[1].file_arg.path == \"/etc/passwd\"")" -eq 1 ]
}
