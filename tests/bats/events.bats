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

# schema_check FILE: every line parses as Tetragon's GetEventsResponse,
# no unknown field, every type and enum name as its protos say
# (tests/schema/tetragon-events.json); prints what the run covered
schema_check() {
	run python3 "$REPO/tests/tools/tetragon_schema_check.py" --kinds "$REPO/tests/schema/tetragon-events.json" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
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
	# a zero status is left out, as protojson leaves zeros out
	[ "$(jq -r 'has("status")' <<<"$output")" = false ]
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
	# every line is one JSON object, and parses as Tetragon's event
	[ "$(jq -c . "$EVENTS" | wc -l)" -eq "$(wc -l <"$EVENTS")" ]
	schema_check "$EVENTS"
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
	[ "$(jq -r .pod.uid <<<"$output")" = 0b1c-22aa ]
	[ "$(jq -r .pod.container.name <<<"$output")" = nginx ]
	[ "$(jq -r .pod.container.id <<<"$output")" = "docker://$id" ]
	# no pod_labels: no node-local source has them exactly (README)
	[ "$(jq -r '.pod | has("pod_labels")' <<<"$output")" = false ]
	schema_check "$EVENTS"
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

# (not tagged slow: the sanitizer run renders its every kind of argument)
@test "strict protojson: a mixed run (exec/exit, kprobes, tracepoints, uprobe, network, files, returns, stacks, truncation, a fault) has only Tetragon's fields and types" {
	[ -e /sys/bus/event_source/devices/uprobe ] || skip "this kernel has no uprobes"
	bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "FUNC 'bpf_copy_from_user_str'" ||
		skip "this kernel has no bpf_copy_from_user_str (Linux 6.12)"
	command -v perl >/dev/null || skip "no perl to make a faulting syscall"
	cp /usr/bin/perl "$T/faulter"
	cp "$PROGS/uprobe_target" "$T/uprobe_target"
	cp /usr/bin/true "$T/tpc-mixed-exec"
	cat >"$T/k.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "mixed-kprobes"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    return: true
	    returnArg:
	      index: 0
	      type: "size_t"
	    args:
	    - index: 1
	      type: "string"
	      label: "path"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Prefix"
	        values: ["$TARGET"]
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
	        operator: "Postfix"
	        values: ["/tpc-mixed-w"]
	  - call: "sys_connect"
	    syscall: true
	    args:
	    - index: 0
	      type: "int"
	    - index: 1
	      type: "sockaddr"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "SPort"
	        values: ["47131"]
	      matchActions:
	      - action: Post
	        kernelStackTrace: true
	        userStackTrace: true
	  - call: "sys_chdir"
	    syscall: true
	    args:
	    - index: 0
	      type: "string"
	      label: "dir"
	    selectors:
	    - matchBinaries:
	      - operator: "In"
	        values: ["$T/faulter"]
	EOF
	cat >"$T/t.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "mixed-tracepoints"
	spec:
	  tracepoints:
	  - subsystem: "sock"
	    event: "inet_sock_set_state"
	    raw: true
	    args:
	    - index: 0
	      type: "sock"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "DPort"
	        values: ["47131"]
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    args:
	    - index: 4
	      type: "data_loc"
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: "Postfix"
	        values: ["/tpc-mixed-exec"]
	  - subsystem: "raw_syscalls"
	    event: "sys_enter"
	    args:
	    - index: 4
	      type: "syscall64"
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: "Equal"
	        values: ["231"]
	      matchBinaries:
	      - operator: "In"
	        values: ["$T/tpc-mixed-exec"]
	EOF
	cat >"$T/u.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "mixed-uprobe"
	spec:
	  uprobes:
	  - path: "$T/uprobe_target"
	    symbols: ["tpc_probe_me"]
	    return: true
	    returnArg:
	      index: 0
	      type: "int"
	    args:
	    - index: 0
	      type: "int"
	    - index: 1
	      type: "string"
	EOF
	compile "$T/k.yaml" "$T/k.bpf.o"
	compile "$T/t.yaml" "$T/t.bpf.o"
	compile "$T/u.yaml" "$T/u.bpf.o"
	# a path over the bound (22 directories of 200-odd bytes), reached by
	# relative steps
	local name dirs=() i
	name=$(printf 'x%.0s' $(seq 1 200))
	for i in $(seq 1 22); do dirs+=("$name$i"); done
	(cd "$T" && for d in "${dirs[@]}"; do mkdir "$d" && cd "$d"; done)
	start_loader "$T/k.bpf.o" "$T/t.bpf.o" "$T/u.bpf.o"
	cat "$TARGET" >/dev/null
	cat "$TARGET-missing" 2>/dev/null || true
	# a short write, a write over the char_buf bound, a write on a long path
	bash -c 'echo short >"$0/tpc-mixed-w"; dd if=/dev/zero bs=5000 count=1 status=none >"$0/tpc-mixed-w"' "$T"
	bash -c 'cd "$0" || exit 1; for d in "$@"; do cd "$d" || exit 1; done; echo x >tpc-mixed-w' "$T" "${dirs[@]}"
	python3 -c '
import socket
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 47131)); l.listen()
c = socket.socket(); c.connect(("127.0.0.1", 47131)); a, _ = l.accept(); c.close(); a.close()'
	"$T/uprobe_target" 2 >/dev/null
	"$T/tpc-mixed-exec"
	# chdir on address 1: the kernel cannot read the string
	"$T/faulter" -e 'syscall(80, 1)'
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	schema_check "$EVENTS"
	local k
	for k in "event process_exec" "event process_exit" "event process_kprobe" "event process_tracepoint" \
		"event process_uprobe" "arg string_arg" "arg int_arg" "arg size_arg" "arg file_arg" "arg bytes_arg" \
		"arg truncated_bytes_arg" "arg sockaddr_arg" "arg sock_arg" "arg syscall_id" "arg error_arg"; do
		grep -Fxq "$k" <<<"$output" || { echo "not covered: $k"; return 1; }
	done
	# the truncated path: flagged where Tetragon flags it, its end kept
	run events 'select(.process_kprobe.args[0].file_arg.flags) | .process_kprobe.args[0].file_arg'
	[ "$(jq -r .flags <<<"$output")" = unresolvedPathComponents ]
	[[ "$(jq -r .path <<<"$output")" == *"/${dirs[21]}/tpc-mixed-w" ]]
	# the char_buf over 4096 bytes: its first bytes and its size
	[ "$(count_events '.process_kprobe.args[1].truncated_bytes_arg.orig_size == "5000" and .process_kprobe.args[2].size_arg == "5000"')" -eq 1 ]
	# the fault: Tetragon's error_arg, the label kept
	[ "$(events 'select(.process_kprobe.function_name // "" | endswith("sys_chdir")) | .process_kprobe.args[0]')" = \
		'{"error_arg":{"Message":"Bad address for basic type"},"label":"dir"}' ]
	# a stack and the returns of the mix (python's user stack may not symbolise)
	[ "$(count_events '.process_kprobe.kernel_stack_trace')" -ge 1 ]
	[ "$(count_events '.process_kprobe.return.size_arg == "18446744073709551614"')" -eq 1 ]
	[ "$(count_events '.process_uprobe.args[2].int_arg == 6')" -eq 1 ]
}

@test "TPC_JSON_EXTENSIONS=1 marks a string cut at 4095 bytes truncated (and read_at_exit: bypass.bats); the checker rejects both as unknown fields" {
	policy
	local long
	long="$TARGET/$(printf 'y%.0s' $(seq 1 5000))"
	TPC_JSON_EXTENSIONS=1 start_loader "$T/p.bpf.o"
	cat "$long" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	run events '.process_kprobe.args[0] | select(.truncated)'
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(jq -r '.string_arg | length' <<<"$output")" -eq 4095 ]
	run python3 "$REPO/tests/tools/tetragon_schema_check.py" "$REPO/tests/schema/tetragon-events.json" "$EVENTS"
	[ "$status" -eq 1 ]
	[[ "$output" == *".process_kprobe.args[0].truncated: unknown field of KprobeArgument"* ]]
	# without it, the same string is cut as Tetragon cuts it: no marker
	start_loader "$T/p.bpf.o"
	cat "$long" 2>/dev/null || true
	stop_loader
	[ "$(count_events '.process_kprobe.args[0].string_arg | length == 4095')" -eq 1 ]
	schema_check "$EVENTS"
}

@test "the schema checker rejects unknown fields, wrong JSON types, bad enum names, two args in one, bad timestamps, zeros protojson omits" {
	local ok='"node_name":"n","time":"2026-11-30T21:00:00.123456789Z"'
	local p='"process":{"exec_id":"eA==","pid":1,"tid":1}'
	cat >"$T/bad.json" <<-EOF
	{"process_kprobe":{$p,"args":[{"string_arg":"x","label":"l"}],"action":"KPROBE_ACTION_POST"},$ok}
	{"process_kprobe":{$p,"args":[{"int_arg":1,"error":"fault"}]},$ok}
	{"process_kprobe":{$p,"args":[{"long_arg":5}]},$ok}
	{"process_kprobe":{$p,"args":[{"size_arg":"1","int_arg":2}]},$ok}
	{"process_kprobe":{$p,"action":"KPROBE_ACTION_KILL"},$ok}
	{"process_exec":{"process":{"pid":"1"}},$ok}
	{"process_exit":{$p,"time":"2026-11-30 21:00:00"},$ok}
	{"process_exec":{$p},"process_exit":{$p},$ok}
	{"process_kprobe":{$p,"read_at_exit":true},$ok}
	{"process_kprobe":{$p,"args":[{"bytes_arg":"not base64!"}]},$ok}
	{"process_exit":{$p,"status":0,"signal":"SIGKILL"},$ok}
	{"process_kprobe":{$p,"args":[{"int_arg":0},{"size_arg":"0"}],"return":{"int_arg":0}},$ok}
	EOF
	run python3 "$REPO/tests/tools/tetragon_schema_check.py" "$REPO/tests/schema/tetragon-events.json" "$T/bad.json"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 10 ]
	[[ "${lines[0]}" == "$T/bad.json:2: .process_kprobe.args[0].error: unknown field of KprobeArgument" ]]
	[[ "${lines[1]}" == "$T/bad.json:3: .process_kprobe.args[0].long_arg: int64 must be a string of decimal digits: 5" ]]
	[[ "${lines[2]}" == "$T/bad.json:4: .process_kprobe.args[0]: KprobeArgument: more than one of a oneof: int_arg, size_arg" ]]
	[[ "${lines[3]}" == "$T/bad.json:5: .process_kprobe.action: not a KprobeAction name: 'KPROBE_ACTION_KILL'" ]]
	[[ "${lines[4]}" == "$T/bad.json:6: .process_exec.process.pid: UInt32Value must be a JSON integer: '1'" ]]
	[[ "${lines[5]}" == "$T/bad.json:7: .process_exit.time: not an RFC 3339 UTC timestamp: '2026-11-30 21:00:00'" ]]
	[[ "${lines[6]}" == "$T/bad.json:8: .: GetEventsResponse: more than one of a oneof: process_exec, process_exit" ]]
	[[ "${lines[7]}" == "$T/bad.json:9: .process_kprobe.read_at_exit: unknown field of ProcessKprobe" ]]
	[[ "${lines[8]}" == "$T/bad.json:10: .process_kprobe.args[0].bytes_arg: bad base64: 'not base64!'" ]]
	# protojson leaves zeros out, except in a oneof (line 12 is right)
	[[ "${lines[9]}" == "$T/bad.json:11: .process_exit.status: a zero value protojson leaves out: 0" ]]
}

@test "arguments over the bound: the exec's flags say truncArgs, where Tetragon says it; the arguments kept are their start" {
	policy
	cp /usr/bin/true "$T/longargs"
	local long
	long=$(printf 'a%.0s' $(seq 1 6000))
	start_loader "$T/p.bpf.o"
	"$T/longargs" "$long" second
	"$T/longargs" short
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	run jq -r "select(.process_exec.process.binary == \"$T/longargs\") | .process_exec.process | [.flags, (.arguments | length), .arguments[0:10]] | @tsv" "$EVENTS"
	echo "$output"
	[ "${#lines[@]}" -eq 2 ]
	# Tetragon's order of the flags: clone last
	[[ "${lines[0]}" =~ ^execve\ truncArgs\ clone$'\t'[0-9]+$'\t'aaaaaaaaaa$ ]]
	local n
	n=$(cut -f2 <<<"${lines[0]}")
	[ "$n" -ge 4000 ]
	[ "$n" -lt 6000 ]
	[ "${lines[1]}" = $'execve clone\t5\tshort' ]
	schema_check "$EVENTS"
}
