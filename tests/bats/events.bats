#!/usr/bin/env bats
# Process events and process identity end to end (issue 18, "Events"):
# process_exec and process_exit in Tetragon's shapes, exec_id linking
# parent, child and policy events, the effective uid, strict JSON details.

load helpers

PROGS="$REPO/out/tests/progs"

setup() {
	require_root
	T="$(realpath "$BATS_TEST_TMPDIR")"
	TARGET="$T/target"
	echo data >"$TARGET"
	chmod 644 "$TARGET"
}

teardown() {
	teardown_loader
	[ -z "${CG:-}" ] || rmdir "$CG" 2>/dev/null || true
}

# policy [RETURN_TYPE]: reports openat of paths below $TARGET (Prefix);
# with RETURN_TYPE, at return, with returnArg of that type.
policy() {
	local ret=""
	if [ -n "${1:-}" ]; then
		ret="    return: true
    returnArg:
      index: 0
      type: \"$1\""
	fi
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "events-open"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	$ret
	    args:
	    - index: 1
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Prefix"
	        values: ["$TARGET"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
}

# b64d STRING: base64-decoded
b64d() {
	printf '%s' "$1" | base64 -d
}

@test "process_exec of ./prog from its cwd: absolute binary, arguments, cwd; exec_id links parent, child, kprobe and exit" {
	policy
	mkdir "$T/wd"
	cp /usr/bin/cat "$T/wd/prog"
	NODE_NAME=tpc-events-node start_loader "$T/p.bpf.o"
	# the shell records its pid, runs ./prog from its cwd (not as its last
	# command: bash would exec it in place of itself), then exits 7
	bash -c 'echo $$ >"$1/shell.pid"; cd "$1/wd" && ./prog "$2" "no such"; exit 7' _ "$T" "$TARGET" >/dev/null 2>&1 || true
	stop_loader
	# 0: also no sanitizer report (SANITIZE=1 builds exit 99 on a leak)
	[ "$LOADER_STATUS" -eq 0 ]
	local shell
	shell=$(cat "$T/shell.pid")

	# the program's exec: as it ran, whatever name it was started by
	run events "select(.process_exec.process.binary == \"$T/wd/prog\") | .process_exec"
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	local exec="$output" pid exec_id
	pid=$(jq -r .process.pid <<<"$exec")
	exec_id=$(jq -r .process.exec_id <<<"$exec")
	[ "$(jq -r .process.arguments <<<"$exec")" = "$TARGET \"no such\"" ]
	[ "$(jq -r .process.cwd <<<"$exec")" = "$T/wd" ]
	[ "$(jq -r .process.uid <<<"$exec")" = "$(id -u)" ]
	[ "$(jq -r .process.tid <<<"$exec")" = "$pid" ]
	jq -e '.process.flags | split(" ") | index("execve") != null' <<<"$exec"
	jq -e '.process.auid | type == "number"' <<<"$exec"
	jq -e '.process.start_time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{9}Z$")' <<<"$exec"
	# exec_id is base64 of NODE:KTIME:PID
	local raw
	raw=$(b64d "$exec_id")
	[[ "$raw" =~ ^tpc-events-node:[0-9]+:$pid$ ]]
	[ "$(jq -r 'select(.process_exec) | .node_name' "$EVENTS" | sort -u)" = tpc-events-node ]

	# its parent is the shell: the shell's exec_id, the shell's process
	[ "$(jq -r .parent.pid <<<"$exec")" = "$shell" ]
	[ "$(jq -r .parent.binary <<<"$exec")" = "$(readlink -f /usr/bin/bash)" ]
	local shell_id
	shell_id=$(events "select(.process_exec.process.pid == $shell) | .process_exec.process.exec_id" | tr -d '"')
	[ -n "$shell_id" ]
	[ "$(jq -r .parent.exec_id <<<"$exec")" = "$shell_id" ]
	[ "$(jq -r .process.parent_exec_id <<<"$exec")" = "$shell_id" ]
	# the shell's cwd when it was exec'd, before its cd
	[ "$(jq -r .parent.cwd <<<"$exec")" = "$(pwd -P)" ]

	# the kprobe event of the program names the same process image
	run events ".process_kprobe | select(.args[0].string_arg == \"$TARGET\")"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(jq -r .process.exec_id <<<"$output")" = "$exec_id" ]
	[ "$(jq -r .process.parent_exec_id <<<"$output")" = "$shell_id" ]
	[ "$(jq -r .parent.exec_id <<<"$output")" = "$shell_id" ]
	[ "$(jq -r .process.binary <<<"$output")" = "$T/wd/prog" ]
	[ "$(jq -r .process.arguments <<<"$output")" = "$TARGET \"no such\"" ]

	# exits: cat failed on "no such" (1), the shell exited 7; each after
	# the events of its process
	run events "select(.process_exit.process.exec_id == \"$exec_id\") | .process_exit"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(jq -r .status <<<"$output")" = 1 ]
	[ "$(jq -r .parent.exec_id <<<"$output")" = "$shell_id" ]
	run events "select(.process_exit.process.exec_id == \"$shell_id\") | .process_exit.status"
	[ "$output" = 7 ]
	local n_exec n_kprobe n_exit
	n_exec=$(grep -n "\"exec_id\":\"$exec_id\"" "$EVENTS" | grep process_exec | head -1 | cut -d: -f1)
	n_kprobe=$(grep -n '"process_kprobe"' "$EVENTS" | grep "$TARGET\"" | head -1 | cut -d: -f1)
	n_exit=$(grep -n '"process_exit"' "$EVENTS" | grep "\"process\":{\"exec_id\":\"$exec_id\"" | cut -d: -f1)
	[ "$n_exec" -lt "$n_kprobe" ]
	[ "$n_kprobe" -lt "$n_exit" ]
}

@test "process_exit of a process killed by a signal names the signal" {
	policy
	start_loader "$T/p.bpf.o"
	sleep 60 &
	local pid=$! i
	# killed once it runs sleep, not before its exec
	for ((i = 0; i < 200; i++)); do
		[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f /usr/bin/sleep)" ] && break
		sleep 0.02
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	run events "select(.process_exit.process.pid == $pid) | .process_exit"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(jq -r .signal <<<"$output")" = SIGKILL ]
	[ "$(jq -r .process.binary <<<"$output")" = "$(readlink -f /usr/bin/sleep)" ]
	[ "$(jq -r .process.arguments <<<"$output")" = 60 ]
}

@test "events carry the effective uid: after setresuid, and the exec's uid before it" {
	policy
	start_loader "$T/p.bpf.o"
	"$PROGS/setresuid_open" 0 1000 0 "$TARGET" >/dev/null 2>&1 &
	local a=$!
	wait $a || true
	"$PROGS/setresuid_open" 1000 0 0 "$TARGET" >/dev/null 2>&1 &
	local b=$!
	wait $b || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(events "select(.process_kprobe.process.pid == $a) | .process_kprobe.process.uid")" = 1000 ]
	[ "$(events "select(.process_kprobe.process.pid == $b) | .process_kprobe.process.uid")" = 0 ]
	# both exec'd as root
	[ "$(events "select(.process_exec.process.pid == $a) | .process_exec.process.uid")" = 0 ]
	[ "$(events "select(.process_exec.process.pid == $b) | .process_exec.process.uid")" = 0 ]
	# the kprobe event and the exec name the same image
	[ "$(events "select(.process_kprobe.process.pid == $a) | .process_kprobe.process.exec_id")" = \
		"$(events "select(.process_exec.process.pid == $a) | .process_exec.process.exec_id")" ]
}

@test "a process older than tp-load is named from /proc: flags procFS, its exec_id links its children" {
	policy
	bash -c 'while [ ! -e "$1/go" ]; do sleep 0.02; done; cat "$2" >/dev/null; true' _ "$T" "$TARGET" &
	local old=$!
	start_loader "$T/p.bpf.o"
	touch "$T/go"
	wait $old
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	run events ".process_kprobe | select(.args[0].string_arg == \"$TARGET\")"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(jq -r .parent.pid <<<"$output")" = "$old" ]
	jq -e '.parent.flags | split(" ") | index("procFS") != null' <<<"$output"
	[ "$(jq -r .parent.binary <<<"$output")" = "$(readlink -f /usr/bin/bash)" ]
	[ "$(jq -r .process.parent_exec_id <<<"$output")" = "$(jq -r .parent.exec_id <<<"$output")" ]
	[[ "$(b64d "$(jq -r .parent.exec_id <<<"$output")")" =~ :$old$ ]]
	# the old shell's exit names the same exec_id
	[ "$(events "select(.process_exit.process.pid == $old) | .process_exit.process.exec_id")" = \
		"\"$(jq -r .parent.exec_id <<<"$output")\"" ]
}

@test "--no-process-events: no process_exec or process_exit; policy events still name their process" {
	policy
	start_loader --no-process-events "$T/p.bpf.o"
	cat "$TARGET" >/dev/null &
	local pid=$!
	wait $pid
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events '.process_exec or .process_exit')" -eq 0 ]
	run events "select(.process_kprobe.process.pid == $pid) | .process_kprobe.process"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[[ "$(b64d "$(jq -r .exec_id <<<"$output")")" =~ :$pid$ ]]
	[ "$(jq -r .arguments <<<"$output")" = "$TARGET" ]
	[ "$(jq -r .binary <<<"$output")" = "$(readlink -f /usr/bin/cat)" ]
}

@test "strict JSON: every line parses; invalid UTF-8 becomes U+FFFD; size_t returns are size_arg" {
	policy size_t
	start_loader "$T/p.bpf.o"
	cat "$TARGET$(printf '\xff\xfe')x" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	# every line is one JSON object
	[ "$(jq -c . "$EVENTS" | wc -l)" -eq "$(wc -l <"$EVENTS")" ]
	run events ".process_kprobe | select(.args[0].string_arg // \"\" | startswith(\"$TARGET\"))"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(jq -r .args[0].string_arg <<<"$output")" = "$TARGET"$'\xef\xbf\xbd'x ]
	# openat failed with ENOENT: -2 as a size_t
	[ "$(jq -r .return.size_arg <<<"$output")" = 18446744073709551614 ]
	[ "$(jq -r '.return | keys[0]' <<<"$output")" = size_arg ]
}

@test "a process in a container's cgroup: docker is the id's first 31 characters, pod from the kubelet's log links" {
	policy
	local id pid i
	id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	[ "${#id}" -eq 64 ]
	CG=/sys/fs/cgroup/pids/docker-$id.scope
	[ -d /sys/fs/cgroup/pids ] || CG=/sys/fs/cgroup/docker-$id.scope
	mkdir "$CG" || skip "cannot make a cgroup here"
	# the kubelet's link: POD_NAMESPACE_CONTAINER-ID.log -> /var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log
	mkdir "$T/logs"
	ln -s "/var/log/pods/ns1_web-7f9_0b1c-22aa/nginx/0.log" "$T/logs/web-7f9_ns1_nginx-$id.log"
	mkfifo "$T/fifo"
	TPC_CONTAINER_LOGS="$T/logs" start_loader "$T/p.bpf.o"
	# the shell joins the cgroup, then execs cat (same pid), which blocks
	# on the fifo until its exec has been printed
	local cat
	cat=$(readlink -f /usr/bin/cat)
	bash -c 'echo $$ >"$1/cgroup.procs"; exec cat "$2" "$3"' _ "$CG" "$TARGET" "$T/fifo" >/dev/null &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		grep -Eq "\"process_exec\":\\{\"process\":\\{\"exec_id\":\"[^\"]*\",\"pid\":$pid,[^}]*\"binary\":\"$cat\"" "$EVENTS" && break
		sleep 0.05
	done
	timeout 10 bash -c 'echo >"$1"' _ "$T/fifo"
	wait $pid
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	run events "select(.process_exec.process.pid == $pid and .process_exec.process.binary == \"$cat\") | .process_exec.process"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(jq -r .binary <<<"$output")" = "$(readlink -f /usr/bin/cat)" ]
	[ "$(jq -r .docker <<<"$output")" = "${id:0:31}" ]
	[ "$(jq -r .pod.namespace <<<"$output")" = ns1 ]
	[ "$(jq -r .pod.name <<<"$output")" = web-7f9 ]
	[ "$(jq -r .pod.container.name <<<"$output")" = nginx ]
	[ "$(jq -r .pod.container.id <<<"$output")" = "docker://$id" ]
	# the policy event of the process names the same container
	[ "$(events "select(.process_kprobe.process.pid == $pid) | .process_kprobe.process.docker")" = "\"${id:0:31}\"" ]
}

@test "compact output: process, kprobe and exit lines as tetra getevents -o compact" {
	policy
	mkdir "$T/wd"
	cp /usr/bin/cat "$T/wd/prog"
	NODE_NAME=tpc-compact start_loader -o compact "$T/p.bpf.o"
	(cd "$T/wd" && ./prog "$TARGET" >/dev/null)
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	grep -Fx "🚀 process tpc-compact $T/wd/prog $TARGET" "$EVENTS"
	grep -F "🔧 kprobe  tpc-compact $T/wd/prog __x64_sys_openat(\"$TARGET\") POST [events-open]" "$EVENTS"
	grep -Fx "💥 exit    tpc-compact $T/wd/prog $TARGET 0" "$EVENTS"
	start_loader -o compact --no-emoji "$T/p.bpf.o"
	(cd "$T/wd" && ./prog "$TARGET" >/dev/null)
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	grep -Fx "exit    $(hostname) $T/wd/prog $TARGET 0" "$EVENTS"
}
