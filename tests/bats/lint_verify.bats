#!/usr/bin/env bats
# Nothing that passes tpc lint fails on the node: every (field or
# parameter, arg type) pair the lint rules accept, on tracepoints with
# every kind of field (integers of each width, pointers, char and byte
# arrays, __data_loc strings, syscall slots), on raw tracepoints (their
# BTF-typed TP_PROTO parameters) and on kprobes, compiles and
# passes the kernel verifier. Every pair the rules refuse is refused with
# a reason (tp-field-type / btf-arg-type), never with a crash.

load helpers

TYPES="int uint32 int64 uint64 size_t int16 uint16 int8 uint8 string char_buf char_iovec fd file path dentry"

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
	string | char_buf | file | path | dentry) op=Prefix value='"/x"' ;;
	char_iovec) op="" ;;
	*) op=Equal value='"7"' ;;
	esac
	if [ "$kind" = tracepoint ] || [ "$kind" = raw ]; then
		printf '  - subsystem: "%s"\n    event: "%s"\n' "${where%/*}" "${where#*/}"
		[ "$kind" = raw ] && printf '    raw: true\n'
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

# try KIND WHERE NFIELDS: lints every (index, type) pair alone; the
# accepted ones go into one object, which must compile and verify.
try() {
	local kind=$1 where=$2 n=$3 list=kprobes i t ok=0 refused=0
	[ "$kind" = tracepoint ] || [ "$kind" = raw ] && list=tracepoints
	policy_head "all-$ok" "$list" >"$T/all.yaml"
	for ((i = 0; i < n; i++)); do
		for t in $TYPES; do
			{ policy_head one "$list"; hook_yaml "$kind" "$where" "$i" "$t"; } >"$T/one.yaml"
			run "$TPC" lint "$T/one.yaml"
			if [ "$status" -eq 0 ]; then
				hook_yaml "$kind" "$where" "$i" "$t" >>"$T/all.yaml"
				ok=$((ok + 1))
			elif [ "$status" -eq 1 ] && echo "$output" | grep -Eq '\[(tp-field-type|btf-arg-type|arg-index|btf-arg-index|tp-field-index|op-type|unsupported|size-arg)\]'; then
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

@test "lint-clean args of raw tracepoints (sched_process_exec, sys_enter, signal_generate) all verify" {
	try raw sched/sched_process_exec 3
	try raw raw_syscalls/sys_enter 2
	try raw signal/signal_generate 5
}
