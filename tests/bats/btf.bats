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

@test "ignore.callNotFound: functions this kernel lacks are warnings, then skipped by tp-load (one kallsyms pass for both); the other hook's events arrive" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "call-not-found"
	spec:
	  kprobes:
	  - call: "sys_getppid"
	    syscall: true
	  - call: "tpc_no_such_function"
	    syscall: false
	    ignore:
	      callNotFound: true
	  - call: "tpc_no_such_function_either"
	    syscall: false
	    ignore:
	      callNotFound: true
	EOF
	run "$TPC" "$T/p.yaml" -o "$T/p.bpf.o"
	[ "$status" -eq 0 ]
	[[ "$output" == *"p.yaml:9:11: warning: function 'tpc_no_such_function' is not in the kernel BTF; ignore.callNotFound: the hook is skipped on nodes without it [call-not-found]"* ]]
	[ "$(get_manifest "$T/p.bpf.o" | grep -c '^hook .*optional=1')" -eq 2 ]
	start_loader "$T/p.bpf.o"
	grep -qx "tp-load: $T/p.bpf.o: hook 1 (kprobe tpc_no_such_function): not on this kernel: skipped (ignore.callNotFound)" "$LOADER_ERR"
	grep -qx "tp-load: $T/p.bpf.o: hook 2 (kprobe tpc_no_such_function_either): not on this kernel: skipped (ignore.callNotFound)" "$LOADER_ERR"
	perl -e 'getppid()'
	stop_loader
	[ "$(count_events '.process_kprobe.function_name == "__x64_sys_getppid"')" -ge 1 ]
	[ "$(count_events '.process_kprobe.function_name | startswith("tpc_no_such")')" -eq 0 ]
	[ "$(grep -c 'not on this kernel' "$LOADER_ERR")" -eq 2 ]
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

@test "raw sched_process_exec with a linux_binprm arg and a resolve chain into the task: a probe program's parent tgid and file" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "raw-binprm"
	spec:
	  tracepoints:
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    raw: true
	    args:
	    - index: 2
	      type: "linux_binprm"
	    - index: 0
	      type: "int"
	      resolve: "real_parent.tgid"
	    selectors:
	    - matchArgs:
	      - index: 2
	        operator: "Postfix"
	        values: ["/binprmprobe"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	local prog
	prog=$(probe_prog binprmprobe)
	chmod 0750 "$prog"
	start_loader "$T/p.bpf.o"
	"$prog" &
	local child=$!
	wait $child
	stop_loader
	cat "$EVENTS"
	[ "$(count_events 'true')" -eq 1 ]
	events '.process_tracepoint' >"$T/ev"
	[ "$(jq -c '.args[0]' "$T/ev")" = '{"linux_binprm_arg":{"path":"'"$prog"'","permission":"-rwxr-x---"}}' ]
	# the parent of the probe program is this test's shell
	[ "$(jq -r '.args[1].int_arg' "$T/ev")" = "$$" ]
	[ "$(jq -r '.process.pid' "$T/ev")" = "$child" ]
}

@test "raw capability/cap_capable: cred, user_namespace and capability of a chown as root" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "raw-cap"
	spec:
	  tracepoints:
	  - subsystem: "capability"
	    event: "cap_capable"
	    raw: true
	    args:
	    - index: 0
	      type: "cred"
	    - index: 1
	      type: "user_namespace"
	    - index: 3
	      type: "capability"
	    selectors:
	    - matchBinaries:
	      - operator: "In"
	        values: ["$T/capchown"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	cp /bin/chown "$T/capchown"
	touch "$T/owned"
	start_loader "$T/p.bpf.o"
	"$T/capchown" nobody "$T/owned"
	stop_loader
	cat "$EVENTS"
	events '.process_tracepoint | select(.args[2].capability_arg.name == "CAP_CHOWN")' >"$T/ev"
	[ "$(jq -s length "$T/ev")" -ge 1 ]
	jq -s '.[0]' "$T/ev" >"$T/one"
	[ "$(jq -c '.args[2]' "$T/one")" = '{"capability_arg":{"value":0,"name":"CAP_CHOWN"}}' ]
	[ "$(jq -c '.args[0].process_credentials_arg | [.uid, .euid, .fsuid, .user_ns.level, .user_ns.ns.is_host]' "$T/one")" = '[0,0,0,0,true]' ]
	jq -e '.args[0].process_credentials_arg.caps.effective | index("CAP_CHOWN")' "$T/one"
	[ "$(jq -c '.args[1].user_ns_arg | [.level, .uid, .ns.is_host]' "$T/one")" = '[0,0,true]' ]
	[ "$(jq -r '.args[1].user_ns_arg.ns.inum' "$T/one")" = "$(stat -L -c %i /proc/self/ns/user)" ]
}

@test "tracepoints: syscall64, data_loc, nop, a capability mask through resolve, and cred on a record's pointer field" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "tp-types"
	spec:
	  tracepoints:
	  - subsystem: "raw_syscalls"
	    event: "sys_enter"
	    args:
	    - index: 4
	      type: "syscall64"
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: "Equal"
	        values: ["59"]
	      matchBinaries:
	      - operator: "In"
	        values: ["$T/sc64"]
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    args:
	    - index: 4
	      type: "data_loc"
	    - index: 5
	      type: "nop"
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: "Postfix"
	        values: ["/dlprobe"]
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    raw: true
	    args:
	    - index: 0
	      type: "cap_effective"
	      resolve: "cred.cap_effective"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "Mask"
	        values: ["CAP_SYS_ADMIN"]
	      matchBinaries:
	      - operator: "In"
	        values: ["$T/dlprobe"]
	  - subsystem: "capability"
	    event: "cap_capable"
	    args:
	    - index: 4
	      type: "cred"
	    - index: 7
	      type: "int"
	    selectors:
	    - matchBinaries:
	      - operator: "In"
	        values: ["$T/capchown"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	cp /bin/bash "$T/sc64"
	cp /bin/chown "$T/capchown"
	touch "$T/owned"
	local prog
	prog=$(probe_prog dlprobe)
	start_loader "$T/p.bpf.o"
	"$T/sc64" -c "exec $prog"
	"$T/capchown" nobody "$T/owned"
	stop_loader
	cat "$EVENTS"
	[ "$(events '.process_tracepoint | select(.event == "sys_enter") | .args' | sort -u)" = '[{"syscall_id":{"id":59,"abi":"x64"}}]' ]
	# the filename as execve was given it, and nothing for the nop slot
	[ "$(events '.process_tracepoint | select(.event == "sched_process_exec" and (.args[0] | has("string_arg"))) | .args')" = '[{"string_arg":"'"$prog"'"}]' ]
	# the effective set, as 16 hex digits, CAP_SYS_ADMIN (bit 21) among them
	local caps
	caps=$(events '.process_tracepoint | select(.args[0] | has("cap_effective_arg")) | .args[0].cap_effective_arg' | tr -d '"')
	[[ "$caps" =~ ^[0-9a-f]{16}$ ]]
	[ $((0x$caps & (1 << 21))) -ne 0 ]
	[ "$(events '.process_tracepoint | select(.event == "cap_capable" and .args[1].int_arg == 0) | .args[0].process_credentials_arg.euid' | head -1)" = 0 ]
}

@test "a syscall's bpf_attr and bpf_cmd, read from the caller's memory through the tracepoint twin" {
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "bpf-load"
	spec:
	  kprobes:
	  - call: "sys_bpf"
	    syscall: true
	    args:
	    - index: 0
	      type: "bpf_cmd"
	    - index: 1
	      type: "bpf_attr"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "Equal"
	        values: ["5"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	"$REPO/out/tests/progs/bpf_prog_load" tpcprobe
	stop_loader
	cat "$EVENTS"
	events '.process_kprobe | select(.args[1].bpf_attr_arg.ProgName == "tpcprobe") | .args' >"$T/ev"
	[ "$(cat "$T/ev")" = '[{"bpf_cmd_arg":"BPF_PROG_LOAD"},{"bpf_attr_arg":{"ProgType":"BPF_PROG_TYPE_SOCKET_FILTER","InsnCnt":2,"ProgName":"tpcprobe"}}]' ]
}

@test "raw iomap/iomap_dio_rw_begin: a direct write's kiocb (its file) and iov_iter (its bytes)" {
	[ "$(stat -f -c %T "$T")" = ext2/ext3 ] || skip "needs an ext4 test directory for iomap direct I/O (got $(stat -f -c %T "$T"))"
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "dio"
	spec:
	  tracepoints:
	  - subsystem: "iomap"
	    event: "iomap_dio_rw_begin"
	    raw: true
	    args:
	    - index: 0
	      type: "kiocb"
	    - index: 1
	      type: "iov_iter"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "Equal"
	        values: ["$T/dio"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	head -c 4096 /dev/zero | tr '\0' 'x' >"$T/block"
	start_loader "$T/p.bpf.o"
	dd if="$T/block" of="$T/dio" bs=4096 count=1 oflag=direct 2>/dev/null || skip "direct I/O refused here"
	stop_loader
	cat "$EVENTS"
	[ "$(count_events 'true')" -eq 1 ]
	events '.process_tracepoint' >"$T/ev"
	[ "$(jq -r '.args[0].file_arg.path' "$T/ev")" = "$T/dio" ]
	[ "$(jq -r '.args[1].bytes_arg' "$T/ev" | base64 -d | tr -d x | wc -c)" -eq 0 ]
	[ "$(jq -r '.args[1].bytes_arg' "$T/ev" | base64 -d | wc -c)" -eq 4096 ]
}

@test "every kernel-struct arg type compiles and verifies on a hook that carries it" {
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "kstructs"
	spec:
	  kprobes:
	  - call: "alternatives_smp_module_add"
	    syscall: false
	    args: [{index: 0, type: "module"}]
	  - call: "bpf_lsm_perf_event_alloc"
	    syscall: false
	    args: [{index: 0, type: "perf_event"}]
	  - call: "security_bpf_map"
	    syscall: false
	    args: [{index: 0, type: "bpf_map"}]
	  - call: "security_bpf_prog"
	    syscall: false
	    args: [{index: 0, type: "bpf_prog"}]
	  - call: "security_bpf"
	    syscall: false
	    args: [{index: 0, type: "bpf_cmd"}, {index: 1, type: "bpf_attr"}]
	  - call: "do_filp_open"
	    syscall: false
	    args: [{index: 1, type: "filename"}]
	    selectors:
	    - matchArgs: [{index: 1, operator: "Prefix", values: ["/etc/"]}]
	  - call: "cap_capget"
	    syscall: false
	    args: [{index: 1, type: "cap_effective"}, {index: 2, type: "cap_inheritable"}, {index: 3, type: "cap_permitted"}]
	    selectors:
	    - matchArgs: [{index: 1, operator: "NotEqual", values: ["CAP_SYS_ADMIN,cap_net_raw"]}]
	  - call: "cap_capable"
	    syscall: false
	    args: [{index: 0, type: "cred"}, {index: 1, type: "user_namespace"}, {index: 2, type: "capability"}]
	  - call: "__generic_file_write_iter"
	    syscall: false
	    args: [{index: 0, type: "kiocb"}, {index: 1, type: "iov_iter"}]
	  - call: "security_bprm_check"
	    syscall: false
	    args: [{index: 0, type: "linux_binprm"}, {index: 0, type: "kernel_cap_t", resolve: "cred.cap_permitted"}]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	# ten hooks, the three process-table programs, the three process event
	# programs (process_exec/exit) and tpc_whoami
	[ "$(grep -c ' ok insns=' <<<"$output")" -eq 17 ]
}

@test "load_info: compiles against a kernel that has it; this one has no struct load_info (CONFIG_MODULES off)" {
	clang -g -O0 -target bpf -c "$REPO/tests/golden/btf/kernel.c" -o "$T/kernel.o"
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "load-info"
	spec:
	  kprobes:
	  - call: "module_sig_check"
	    syscall: false
	    args: [{index: 0, type: "load_info"}]
	EOF
	run "$TPC" --btf "$T/kernel.o" "$T/p.yaml" -o "$T/p.bpf.o"
	[ "$status" -eq 0 ]
	get_manifest "$T/p.bpf.o" | grep -q 'type=load_info'
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	grep -q "\[btf-no-call\]" <<<"$output"
	skip "this kernel's BTF has no struct load_info (CONFIG_MODULES is off): nothing here can carry it to the verifier"
}

# refused_or_verified OBJ FACILITY: where this kernel loads the object's
# programs, --verify passes; else tp-load and tp-load --verify both exit 1
# naming FACILITY, and leave nothing of theirs loaded.
refused_or_verified() {
	run "$TPLOAD" --verify "$1"
	echo "$output"
	if [ "$status" -eq 0 ]; then
		echo "# this kernel loads them: verified" >&3
		return 0
	fi
	grep -q "$2 .* not available on this kernel" <<<"$output"
	grep -q " refused$" <<<"$output"
	(! grep -q "rejected" <<<"$output")
	run "$TPLOAD" --timeout 5 "$1"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "$2 .* not available on this kernel" <<<"$output"
	(! grep -q "attached" <<<"$output")
	no_orphan_tpc_progs
}

@test "lsmhooks compile to BPF LSM programs; without BPF LSM, tp-load and --verify refuse them naming it" {
	PROG_ID_BASE=$(bpftool prog show -j 2>/dev/null | jq '[.[].id] | max // 0')
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "lsm"
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
	        values: ["/etc/shadow"]
	      matchActions:
	      - action: "Override"
	        argError: -1
	  - hook: "bprm_check_security"
	    args:
	    - index: 0
	      type: "linux_binprm"
	    - index: 0
	      type: "int"
	      resolve: "file.f_inode.i_ino"
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	get_manifest "$T/p.bpf.o" | grep -q '^hook id=0 kind=lsm nargs=1 function=file_open override=1'
	get_manifest "$T/p.bpf.o" | grep -q '^prog hook=0 name=tpc_h0_lsm variant=lsm role=entry override=1$'
	refused_or_verified "$T/p.bpf.o" "BPF LSM"
}

@test "fentries compile to fentry and fexit programs; without BTF trampolines, tp-load and --verify refuse them naming them" {
	PROG_ID_BASE=$(bpftool prog show -j 2>/dev/null | jq '[.[].id] | max // 0')
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "fentry"
	spec:
	  fentries:
	  - call: "vfs_read"
	    syscall: false
	    args:
	    - index: 0
	      type: "file"
	    return: true
	    returnArg:
	      index: 0
	      type: "int64"
	  - call: "sys_openat"
	    syscall: true
	    args:
	    - index: 1
	      type: "string"
	    data:
	    - index: 0
	      type: "int"
	      source: "pt_regs"
	      resolve: "edi"
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	get_manifest "$T/p.bpf.o" | grep -q '^prog hook=0 name=tpc_h0_fexit variant=fentry role=return$'
	get_manifest "$T/p.bpf.o" | grep -q '^hook id=1 kind=fentry nargs=2 function=__x64_sys_openat call=sys_openat syscall=1'
	# no tracepoint twin: nothing weaker is there to attach instead
	(! get_manifest "$T/p.bpf.o" | grep -q 'variant=tracepoint')
	refused_or_verified "$T/p.bpf.o" "BTF trampolines"
}

# the tags (a digest of the instructions, map references left out) of
# the programs tp-load's links hold: the same relocations, the same tags
loader_prog_tags() {
	sed -n 's/^prog_tag:[[:space:]]*//p' /proc/"$LOADER_PID"/fdinfo/* | sort
}

@test "CO-RE against a cached minimal kernel BTF: the programs are the same as against the whole; a corrupt, foreign or unsafe entry is said, not used, and made anew" {
	compile "$BATS_TEST_DIRNAME/../../policies/default.yaml" "$T/d.bpf.o"
	compile "$BATS_TEST_DIRNAME/../golden/resolve.yaml" "$T/r.bpf.o"
	local c="$T/cache" entry whole tags
	mkdir -m 755 "$c"
	export TPL_TIMING=1 TPL_CORE_BTF_CACHE=off
	start_loader "$T/d.bpf.o"
	whole=$(loader_prog_tags)
	stop_loader
	grep -q 'object loaded' "$LOADER_ERR"
	[ "$(grep -c 'kernel BTF' "$LOADER_ERR")" -eq 0 ]
	[ -n "$whole" ]
	export TPL_CORE_BTF_CACHE="$c"
	start_loader "$T/d.bpf.o"
	[ "$(loader_prog_tags)" = "$whole" ]
	stop_loader
	grep -q 'minimal kernel BTF made' "$LOADER_ERR"
	entry=$(echo "$c"/*-"$(sha256sum "$T/d.bpf.o" | cut -d' ' -f1)".core.btf)
	[ -f "$entry" ]
	[ "$(stat -c %s "$entry")" -lt 16384 ]
	start_loader "$T/d.bpf.o"
	[ "$(loader_prog_tags)" = "$whole" ]
	stop_loader
	grep -q 'minimal kernel BTF, from the cache' "$LOADER_ERR"
	[ "$(grep -c 'made' "$LOADER_ERR")" -eq 0 ]

	# a flipped byte in the types
	printf '\377' | dd of="$entry" bs=1 seek=$(($(stat -c %s "$entry") - 20)) conv=notrunc status=none
	start_loader "$T/d.bpf.o"
	[ "$(loader_prog_tags)" = "$whole" ]
	stop_loader
	grep -qF "tp-load: $T/d.bpf.o: the cached kernel types $entry are not used (its header is not this kernel's, this object's and its bytes'): made anew" "$LOADER_ERR"
	grep -q 'minimal kernel BTF made' "$LOADER_ERR"

	# another object's entry under this one's name
	start_loader "$T/r.bpf.o"
	stop_loader
	cp "$c"/*-"$(sha256sum "$T/r.bpf.o" | cut -d' ' -f1)".core.btf "$entry"
	start_loader "$T/d.bpf.o"
	[ "$(loader_prog_tags)" = "$whole" ]
	stop_loader
	grep -q "are not used (its header is not this kernel's" "$LOADER_ERR"
	grep -q 'minimal kernel BTF made' "$LOADER_ERR"

	# an entry others may write, and a link, are not read
	chmod 666 "$entry"
	start_loader "$T/d.bpf.o"
	stop_loader
	grep -q "are not used (.*writ" "$LOADER_ERR"
	mv "$entry" "$T/elsewhere"
	ln -s "$T/elsewhere" "$entry"
	start_loader "$T/d.bpf.o"
	stop_loader
	grep -q "are not used (" "$LOADER_ERR"
	grep -q 'minimal kernel BTF made' "$LOADER_ERR"
	[ -f "$entry" ]
	[ ! -L "$entry" ]

	# a cache directory others may write is neither read nor written
	chmod 777 "$c"
	start_loader "$T/d.bpf.o"
	[ "$(loader_prog_tags)" = "$whole" ]
	stop_loader
	grep -q 'minimal kernel BTF made' "$LOADER_ERR"
	rm "$entry"
	start_loader "$T/d.bpf.o"
	stop_loader
	grep -q 'minimal kernel BTF made' "$LOADER_ERR"
	[ ! -e "$entry" ]
}

@test "the minimal kernel BTF cache stays bounded: other kernels' entries and this kernel's oldest past the limit go; nothing else is touched" {
	compile "$BATS_TEST_DIRNAME/../../policies/default.yaml" "$T/d.bpf.o"
	local c="$T/cache" entry bid other old older
	mkdir -m 755 "$c"
	export TPL_TIMING=1 TPL_CORE_BTF_CACHE="$c"
	start_loader "$T/d.bpf.o"
	stop_loader
	entry=$(echo "$c"/*-"$(sha256sum "$T/d.bpf.o" | cut -d' ' -f1)".core.btf)
	[ -f "$entry" ]
	bid=$(basename "$entry" | cut -d- -f1)
	other="$c/00ff-$(printf 'a%.0s' $(seq 64)).core.btf"
	older="$c/$bid-$(printf 'b%.0s' $(seq 64)).core.btf"
	old="$c/$bid-$(printf 'c%.0s' $(seq 64)).core.btf"
	echo x >"$other"
	echo x >"$older" && touch -d '2 days ago' "$older"
	echo x >"$old" && touch -d '1 day ago' "$old"
	echo keep >"$c/notes.txt"
	echo victim >"$T/victim"
	ln -s "$T/victim" "$c/00fe-$(printf 'd%.0s' $(seq 64)).core.btf"
	# a hit writes nothing and trims nothing
	TPL_CORE_BTF_CACHE_MAX=2 start_loader "$T/d.bpf.o"
	stop_loader
	[ -f "$other" ]
	[ -f "$older" ]
	# a miss writes its entry, then trims: two of this kernel's are kept
	rm "$entry"
	TPL_CORE_BTF_CACHE_MAX=2 start_loader "$T/d.bpf.o"
	stop_loader
	grep -q 'minimal kernel BTF made' "$LOADER_ERR"
	[ -f "$entry" ]
	[ -f "$old" ]
	[ ! -e "$older" ]
	[ ! -e "$other" ]
	[ "$(cat "$c/notes.txt")" = keep ]
	[ -L "$c/00fe-$(printf 'd%.0s' $(seq 64)).core.btf" ]
	[ "$(cat "$T/victim")" = victim ]
}
