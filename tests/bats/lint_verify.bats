#!/usr/bin/env bats
# Nothing that passes tpc lint fails on the node: every (field or
# parameter, arg type) pair the lint rules accept, for every arg type tpc
# reads (kernel structs included), on tracepoints with
# every kind of field (integers of each width, pointers, char and byte
# arrays, __data_loc strings, syscall slots), on raw tracepoints (their
# BTF-typed TP_PROTO parameters), on kprobes, and on uprobes and USDTs
# (argument registers; a note's register, memory and constant arguments),
# compiles and
# passes the kernel verifier. Every pair the rules refuse is refused with
# a reason (tp-field-type / btf-arg-type), never with a crash.

# slow: their time is clang's and the kernel verifier's; the sanitizer
# half of CI leaves them out (tests/run-all.sh)
# bats file_tags=slow

load helpers

TYPES="int uint32 int64 uint64 size_t int16 uint16 int8 uint8 string char_buf char_iovec fd file path dentry"
# the types that read kernel structs or named kernel numbers, and a few
# basic ones to pair them with on the hooks that carry them
KTYPES="nop syscall64 capability bpf_cmd kernel_cap_t cap_effective cred user_namespace bpf_attr bpf_prog bpf_map
	perf_event module load_info iov_iter linux_binprm kiocb filename data_loc int uint64 string file"
# the network types, with an int and a string to pair them with
NTYPES="sock socket skb sockaddr sockaddr_un net_device int uint64 string"

setup() {
	require_root
	T="$BATS_TEST_TMPDIR"
	[ -r /sys/kernel/btf/vmlinux ] || skip "needs the kernel BTF at /sys/kernel/btf/vmlinux"
}

# hook_yaml KIND WHERE INDEX TYPE: one hook with one arg (and a matchArgs
# on it suited to its type), indented for a kprobes:/tracepoints: list
hook_yaml() {
	local kind=$1 where=$2 index=$3 type=$4 op value
	case $type in
	string | char_buf | file | path | dentry | linux_binprm | kiocb | filename | data_loc) op=Prefix value='"/x"' ;;
	kernel_cap_t | cap_effective) op=Mask value='"CAP_SYS_ADMIN"' ;;
	sock | socket | skb) op=DPort value='"80", "8000:8080"' ;;
	sockaddr) op=NotSAddr value='"10.0.0.0/8", "fd00::/8"' ;;
	sockaddr_un | net_device) op=Prefix value='"/x"' ;;
	char_iovec | nop | capability | cred | user_namespace | bpf_attr | bpf_prog | bpf_map | perf_event | module | \
		load_info | iov_iter) op="" ;; # no operator applies
	*) op=Equal value='"7"' ;;
	esac
	if [ "$kind" = tracepoint ] || [ "$kind" = raw ]; then
		printf '  - subsystem: "%s"\n    event: "%s"\n' "${where%/*}" "${where#*/}"
		[ "$kind" = raw ] && printf '    raw: true\n'
	elif [ "$kind" = uprobe ]; then # PATH:SYMBOL
		printf '  - path: "%s"\n    symbols: ["%s"]\n' "${where%:*}" "${where##*:}"
	elif [ "$kind" = usdt ]; then # PATH:PROVIDER:NAME
		local pn=${where#*:}
		printf '  - path: "%s"\n    provider: "%s"\n    name: "%s"\n' "${where%%:*}" "${pn%:*}" "${pn#*:}"
	else
		printf '  - call: "%s"\n    syscall: %s\n' "${where%:*}" "${where#*:}"
	fi
	printf '    args:\n    - index: %d\n      type: "%s"\n' "$index" "$type"
	[ -n "$op" ] && printf '    selectors:\n    - matchArgs:\n      - index: %d\n        operator: "%s"\n        values: [%s]\n' \
		"$index" "$op" "$value"
	return 0
}

policy_head() {
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "%s"\nspec:\n  %s:\n' "$1" "$2"
}

# try KIND WHERE NFIELDS [TYPES [FIRST]]: lints every (index, type)
# pair alone (indexes FIRST..NFIELDS-1, default 0); the accepted ones go
# into one object, which must compile and verify.
try() {
	local kind=$1 where=$2 n=$3 types=${4:-$TYPES} first=${5:-0} list=${1}s i t ok=0 refused=0
	[ "$kind" = raw ] && list=tracepoints
	policy_head "all-$ok" "$list" >"$T/all.yaml"
	for ((i = first; i < n; i++)); do
		for t in $types; do
			{ policy_head one "$list"; hook_yaml "$kind" "$where" "$i" "$t"; } >"$T/one.yaml"
			run "$TPC" lint "$T/one.yaml"
			if [ "$status" -eq 0 ]; then
				hook_yaml "$kind" "$where" "$i" "$t" >>"$T/all.yaml"
				ok=$((ok + 1))
			elif [ "$status" -eq 1 ] && echo "$output" | grep -Eq '\[(tp-field-type|btf-arg-type|arg-index|btf-arg-index|tp-field-index|op-type|unsupported|size-arg|probe-arg-type|usdt-arg)\]'; then
				refused=$((refused + 1))
			else
				echo "lint of index $i type $t on $where: status $status: $output"
				return 1
			fi
		done
	done
	echo "$where: $ok pairs accepted, $refused refused"
	[ "$ok" -gt 0 ]
	compile "$T/all.yaml" "$T/all.bpf.o"
	run "$TPLOAD" --verify "$T/all.bpf.o"
	echo "$output" | grep -v ' ok ' | head -40
	[ "$status" -eq 0 ]
	# every hook's programs were verified
	[ "$(echo "$output" | grep -c ' ok insns=')" -ge "$ok" ]
}

@test "lint-clean args of sock/inet_sock_set_state (pointers, u16, byte arrays) all verify" {
	try tracepoint sock/inet_sock_set_state 15
}

@test "lint-clean args of sched/sched_switch and signal/signal_generate (char arrays, pid_t, long) all verify" {
	try tracepoint sched/sched_switch 11
	try tracepoint signal/signal_generate 11
}

@test "lint-clean args of sched/sched_process_exec (__data_loc) and syscalls/sys_enter_write (slots) all verify" {
	try tracepoint sched/sched_process_exec 7
	try tracepoint syscalls/sys_enter_write 8
}

@test "lint-clean args of kprobes (vfs_read, security_file_open, sys_openat) all verify" {
	try kprobe vfs_read:false 4
	try kprobe security_file_open:false 1
	try kprobe sys_openat:true 4
}

@test "lint-clean args of uprobes (argument registers) and USDTs (register, memory and constant args) all verify" {
	[ -e /sys/bus/event_source/devices/uprobe ] || skip "this kernel has no uprobes (CONFIG_UPROBE_EVENTS off)"
	# string args are pre-loaded by sleepable programs with this kfunc
	bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "FUNC 'bpf_copy_from_user_str'" ||
		skip "this kernel has no bpf_copy_from_user_str (Linux 6.12)"
	local progs="$REPO/out/tests/progs"
	try uprobe "$progs/uprobe_target:tpc_probe_me" 6
	try usdt "$progs/usdt_target:tpctest:forms" 4
	try usdt "$progs/usdt_target:tpctest:pair" 3
}

@test "lint-clean args of raw tracepoints (sched_process_exec, sys_enter, signal_generate) all verify" {
	try raw sched/sched_process_exec 3
	try raw raw_syscalls/sys_enter 2
	try raw signal/signal_generate 5
}

@test "lint-clean kernel-struct args of raw tracepoints and tracepoints (cap_capable, iomap_dio_rw_begin, sched_process_exec, sys_enter) all verify" {
	try raw capability/cap_capable 5 "$KTYPES"
	try tracepoint capability/cap_capable 9 "$KTYPES" 4
	try raw iomap/iomap_dio_rw_begin 2 "$KTYPES"
	try raw sched/sched_process_exec 3 "$KTYPES"
	try tracepoint sched/sched_process_exec 7 "$KTYPES" 4
	try tracepoint raw_syscalls/sys_enter 6 "$KTYPES" 4
}

@test "lint-clean kernel-struct args of kprobes (security_bpf, security_bprm_check, sys_bpf, cap_capget) all verify" {
	try kprobe security_bpf:false 2 "$KTYPES"
	try kprobe security_bprm_check:false 1 "$KTYPES"
	try kprobe sys_bpf:true 2 "$KTYPES"
	try kprobe cap_capget:false 2 "$KTYPES" 1
}

@test "lint-clean network args (sock, socket, skb, sockaddr, sockaddr_un, net_device) of raw tracepoints, tracepoints and kprobes all verify" {
	try raw sock/inet_sock_set_state 1 "$NTYPES"
	try tracepoint sock/inet_sock_set_state 5 "$NTYPES" 4
	try raw net/net_dev_xmit 4 "$NTYPES"
	try kprobe security_socket_connect:false 3 "$NTYPES"
	try kprobe sys_connect:true 3 "$NTYPES"
	try kprobe unix_stream_connect:false 3 "$NTYPES"
}
