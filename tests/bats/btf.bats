#!/usr/bin/env bats
# BTF-typed hooks and args, end to end on this kernel: raw tracepoints
# (tp_btf programs, args by TP_PROTO position), type auto, resolve chains
# and data, the kernel-struct arg types; and what this kernel cannot run
# (lsmhooks, fentries) refused by name.

load helpers

setup() {
	require_root
	[ -r /sys/kernel/btf/vmlinux ] || skip "needs the kernel BTF at /sys/kernel/btf/vmlinux"
	T="$BATS_TEST_TMPDIR"
}

teardown() {
	teardown_loader
}

# probe_prog NAME: a copy of /bin/true at a path of this test's own
probe_prog() {
	cp /bin/true "$T/$1"
	echo "$T/$1"
}

@test "raw sched_process_exec: old_pid (TP_PROTO parameter 1) is the pid that executes" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "raw-exec-pid"
	spec:
	  tracepoints:
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    raw: true
	    args:
	    - index: 1
	      type: "int"
	    selectors:
	    - matchBinaries:
	      - operator: "In"
	        values: ["$T/rawprobe"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	local prog
	prog=$(probe_prog rawprobe)
	start_loader "$T/p.bpf.o"
	"$prog" &
	local pid=$!
	wait $pid
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint.process.pid == '"$pid")" -eq 1 ]
	events '.process_tracepoint | select(.process.pid == '"$pid"')' >"$T/ev"
	[ "$(jq -r .subsys "$T/ev")" = sched ]
	[ "$(jq -r .event "$T/ev")" = sched_process_exec ]
	[ "$(jq -r '.args[0].int_arg' "$T/ev")" = "$pid" ]
	[ "$(jq -r .process.binary "$T/ev")" = "$prog" ]
}

@test "raw raw_syscalls/sys_enter: a filter on the syscall number (parameter 1) sees openat" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "raw-openat"
	spec:
	  tracepoints:
	  - subsystem: "raw_syscalls"
	    event: "sys_enter"
	    raw: true
	    args:
	    - index: 1
	      type: "int64"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Equal"
	        values: ["257"]
	      matchBinaries:
	      - operator: "In"
	        values: ["$T/rawcat"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	cp /bin/cat "$T/rawcat"
	start_loader "$T/p.bpf.o"
	"$T/rawcat" /etc/hostname >/dev/null
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint.event == "sys_enter"')" -ge 1 ]
	[ "$(count_events '.process_tracepoint.args[0].long_arg != "257"')" -eq 0 ]
	[ "$(count_events '.process_tracepoint.process.binary != "'"$T/rawcat"'"')" -eq 0 ]
}

@test "type auto (and no type) on integer fields of tracepoints reports the real values" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "auto-ints"
	spec:
	  tracepoints:
	  - subsystem: "signal"
	    event: "signal_generate"
	    args:
	    - index: 4
	      type: "auto"
	    - index: 6
	    - index: 10
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: "Equal"
	        values: ["10"]
	      matchBinaries:
	      - operator: "In"
	        values: ["$T/autokill"]
	  - subsystem: "syscalls"
	    event: "sys_enter_write"
	    args:
	    - index: 5
	    - index: 7
	    selectors:
	    - matchBinaries:
	      - operator: "In"
	        values: ["$T/autoecho"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	cp /bin/kill "$T/autokill"
	cp /bin/echo "$T/autoecho"
	sleep 30 &
	local victim=$!
	start_loader "$T/p.bpf.o"
	"$T/autokill" -USR1 "$victim"
	"$T/autoecho" abcd >/dev/null
	stop_loader
	wait "$victim" || true
	cat "$EVENTS"
	# sig (int) 10, code (int) SI_USER 0, result (int) TRACE_SIGNAL_DELIVERED 0
	events '.process_tracepoint | select(.event == "signal_generate") | .args' >"$T/sig"
	[ "$(jq -c . "$T/sig")" = '[{"int_arg":10},{"int_arg":0},{"int_arg":0}]' ]
	# fd and count of write(1, "abcd\n", 5): 8-byte fields, read as uint64
	events '.process_tracepoint | select(.event == "sys_enter_write") | .args' >"$T/wr"
	[ "$(jq -c . "$T/wr")" = '[{"size_arg":"1"},{"size_arg":"5"}]' ]
}

@test "resolve on a raw tracepoint: the parent's tgid and comm through the task, and a NULL hop reported at its depth" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "raw-resolve"
	spec:
	  tracepoints:
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    raw: true
	    args:
	    - index: 0
	      type: "int"
	      resolve: "real_parent.tgid"
	    - index: 0
	      resolve: "real_parent.comm"
	    - index: 2
	      type: "uint64"
	      resolve: "mm.owner.pid"
	    selectors:
	    - matchArgs:
	      - args: [1]
	        operator: "Equal"
	        values: ["resolveparent"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	cp /bin/bash "$T/resolveparent"
	start_loader "$T/p.bpf.o"
	"$T/resolveparent" -c '/bin/true; echo $$ >"'"$T"'/ppid"'
	stop_loader
	cat "$EVENTS"
	# at sched_process_exec, bprm->mm is NULL (the new mm is installed):
	# following it fails at depth 1, as Tetragon words it
	events '.process_tracepoint | select(.event == "sched_process_exec")' >"$T/ev"
	[ "$(jq -s length "$T/ev")" -eq 1 ]
	[ "$(jq -r '.args[0].int_arg' "$T/ev")" = "$(cat "$T/ppid")" ]
	[ "$(jq -r '.args[1].string_arg' "$T/ev")" = resolveparent ]
	[ "$(jq -r '.args[2].error_arg.Message' "$T/ev")" = "Bad address encountered during resolve dereference at depth 1" ]
}

@test "data from current_task and pt_regs with matchData, on a syscall kprobe through its tracepoint twin" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "data-twin"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    args:
	    - index: 1
	      type: "string"
	    data:
	    - index: 0
	      type: "int"
	      source: "current_task"
	      resolve: "real_parent.tgid"
	      label: "ppid"
	    - index: 0
	      type: "int"
	      source: "pt_regs"
	      resolve: "edi"
	      label: "dfd"
	    - index: 0
	      source: "current_task"
	      resolve: "comm"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Equal"
	        values: ["$T/data-target"]
	      matchData:
	      - index: 2
	        operator: "Equal"
	        values: ["datacat"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	cp /bin/cat "$T/datacat"
	echo x >"$T/data-target"
	start_loader "$T/p.bpf.o"
	bash -c '"$1" "$2" >/dev/null; echo $$ >"$3"' _ "$T/datacat" "$T/data-target" "$T/ppid"
	cat "$T/data-target" >/dev/null # the same file from another comm: filtered out by matchData
	stop_loader
	cat "$EVENTS"
	[ "$(count_events 'true')" -eq 1 ]
	events '.process_kprobe' >"$T/ev"
	[ "$(jq -c '.args[1]' "$T/ev")" = '{"int_arg":'"$(cat "$T/ppid")"',"label":"ppid"}' ]
	[ "$(jq -c '.args[2]' "$T/ev")" = '{"int_arg":-100,"label":"dfd"}' ] # AT_FDCWD in the first register
	[ "$(jq -r '.args[3].string_arg' "$T/ev")" = datacat ]
}

@test "a kprobe with a resolve chain through struct file compiles and verifies; a misspelt field is refused at its line and column" {
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "kprobe-resolve"
	spec:
	  kprobes:
	  - call: "vfs_read"
	    syscall: false
	    args:
	    - index: 0
	      type: "string"
	      resolve: "f_path.dentry.d_name.name"
	    - index: 0
	      resolve: "f_inode.i_ino"
	    - index: 0
	      resolve: "f_path"
	    selectors:
	    - matchArgs:
	      - args: [1]
	        operator: "GT"
	        values: ["1"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'tpc_h0_kprobe kprobe/vfs_read ok' <<<"$output"
	# the path's end names the type: f_path is a struct path, reported as a path
	grep -q 'type=path' <(get_manifest "$T/p.bpf.o")
	sed -i 's/f_inode.i_ino/f_inode.i_inno/' "$T/p.yaml"
	run "$TPC" lint "$T/p.yaml"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "$T/p.yaml:14:25: error: resolve 'f_inode.i_inno' from parameter 0 'file' (struct file *) of kprobe vfs_read: attribute 'i_inno' not found in struct inode; did you mean 'i_ino'? [resolve]" ]]
}
