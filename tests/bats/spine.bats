#!/usr/bin/env bats
# The spine, end to end on this kernel: tpc compiles a policy, tp-load
# attaches it (syscall kprobes through their tracepoint twins here) and
# the events and effects are those the policy asks for.

load helpers

setup() {
	require_root
}

teardown() {
	teardown_loader
}

@test "every shipped policy compiles and passes the verifier" {
	local n=0
	for p in "$REPO"/policies/*.yaml; do
		compile "$p" "$BATS_TEST_TMPDIR/p.bpf.o"
		run "$TPLOAD" --verify "$BATS_TEST_TMPDIR/p.bpf.o"
		echo "$output"
		[ "$status" -eq 0 ]
		# one line per program, each accepted
		[ "$(grep -c ' ok insns=' <<<"$output")" -ge 4 ]
		(! grep -q rejected <<<"$output")
		n=$((n + 1))
	done
	[ "$n" -ge 3 ]
}

@test "the object keeps .BTF and .BTF.ext but no DWARF (--keep-debug keeps it); its .sha256 names the bytes written" {
	local t="$BATS_TEST_TMPDIR"
	compile "$REPO/policies/default.yaml" "$t/d.bpf.o"
	run readelf -S -W "$t/d.bpf.o"
	grep -q ' \.BTF ' <<<"$output"
	grep -q ' \.BTF\.ext ' <<<"$output"
	(! grep -q '\.debug_\|\.rel\.BTF' <<<"$output")
	(! readelf -s -W "$t/d.bpf.o" | grep -q ' LBB')
	[ "$(stat -c %s "$t/d.bpf.o")" -lt 60000 ] # 171 KB with its debug info
	[ "$(cut -d' ' -f1 "$t/d.bpf.o.sha256")" = "$(sha256sum <"$t/d.bpf.o" | cut -d' ' -f1)" ]
	run "$TPLOAD" --verify "$t/d.bpf.o" # CO-RE relocations still applied
	[ "$status" -eq 0 ]
	(! grep -q rejected <<<"$output")
	run "$TPC" --keep-debug "$REPO/policies/default.yaml" -o "$t/k.bpf.o"
	[ "$status" -eq 0 ]
	readelf -S -W "$t/k.bpf.o" | grep -q ' \.debug_info '
	# the trimmed object is the debug one less what goes: same code,
	# same relocations, same BTF, same verdicts
	cmp <(llvm-objcopy -O binary --only-section=.BTF "$t/k.bpf.o" /dev/stdout) \
		<(llvm-objcopy -O binary --only-section=.BTF "$t/d.bpf.o" /dev/stdout)
	# (section, offset, type, symbol name: the symbols' indices differ,
	# and so do the maps' places in .maps. --keep-debug compiles the
	# runtime programs in the policy's unit, where tpc links them in
	# otherwise: the runtime's programs (sched_process_*) and the shared
	# subprograms of .text differ, so the policy's hooks are compared)
	local code_relocs='/^Relocation section/ { sec = $3; keep = $0 !~ /BTF|debug|sched_process|\.rel\.text\047/; next } keep && NF == 5 { print sec, $1, $3, $5 }'
	diff <(readelf -r -W "$t/k.bpf.o" | awk "$code_relocs" | sort) <(readelf -r -W "$t/d.bpf.o" | awk "$code_relocs" | sort)
	# the same verdicts; the same sizes for the policy's hooks (the fork
	# program calls the policy's follow function across the link)
	local verdicts='s/^[^:]*: //; /sched_process/s/ insns=.*//'
	diff <("$TPLOAD" --verify "$t/k.bpf.o" 2>&1 | sed "$verdicts") \
		<("$TPLOAD" --verify "$t/d.bpf.o" 2>&1 | sed "$verdicts")
	# what clang wrote is linked with the runtime and trimmed by tpc
	# itself: an object it cannot read is an internal error that says
	# what failed, and nothing is written (test_objstrip.c tests the
	# trimmer's own refusal)
	printf '#!/bin/sh\nprintf obj >policy.bpf.o\n' >"$t/clang"
	chmod +x "$t/clang"
	TPC_CLANG="$t/clang" run "$TPC" "$REPO/policies/default.yaml" -o "$t/n.bpf.o"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "tpc: internal error: linking the runtime programs failed" ]
	[[ "${lines[1]}" == "libbpf: failed to get ELF header for "*"/policy.bpf.o: invalid \`Elf' handle" ]]
	[ ! -e "$t/n.bpf.o" ]
}

@test "openat Equal /etc/passwd: cat /etc/passwd gives exactly one event, cat /etc/hostname none" {
	write_policy "$BATS_TEST_TMPDIR/p.yaml" <<-'EOF'
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
	compile "$BATS_TEST_TMPDIR/p.yaml" "$BATS_TEST_TMPDIR/p.bpf.o"
	start_loader "$BATS_TEST_TMPDIR/p.bpf.o"
	cat /etc/passwd >/dev/null &
	local hit=$!
	wait $hit
	cat /etc/hostname >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_kprobe.process.pid == $hit")" -eq 1 ]
	[ "$(count_events ".process_kprobe.process.pid == $miss")" -eq 0 ]
	run events "select(.process_kprobe.process.pid == $hit) | .process_kprobe"
	[ "$(jq -r .process.binary <<<"$output")" = "$(readlink -f /usr/bin/cat)" ]
	[ "$(jq -r .function_name <<<"$output")" = "__x64_sys_openat" ]
	[ "$(jq -r .args[0].string_arg <<<"$output")" = "/etc/passwd" ]
	[ "$(jq -r .policy_name <<<"$output")" = "openat-passwd" ]
	[ "$(jq -r .action <<<"$output")" = "KPROBE_ACTION_POST" ]
}

@test "sys_write char_buf with sizeArgIndex captures the bytes a program writes" {
	write_policy "$BATS_TEST_TMPDIR/p.yaml" <<-'EOF'
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
	compile "$BATS_TEST_TMPDIR/p.yaml" "$BATS_TEST_TMPDIR/p.bpf.o"
	start_loader "$BATS_TEST_TMPDIR/p.bpf.o"
	# one write(2) of 16 bytes, two of them not printable
	bash -c 'printf "TPC-SPINE-\x01\xff-%s" abc > "$1"' _ "$BATS_TEST_TMPDIR/out" &
	local w=$!
	wait $w
	# a write that does not match the prefix
	bash -c 'printf "OTHER" > "$1"' _ "$BATS_TEST_TMPDIR/out2"
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_kprobe.process.pid == $w")" -eq 1 ]
	run events "select(.process_kprobe.process.pid == $w) | .process_kprobe.args"
	[ "$(jq -r '.[1].bytes_arg' <<<"$output" | base64 -d | od -An -tx1 | tr -d ' \n')" = \
	  "$(printf 'TPC-SPINE-\x01\xff-abc' | od -An -tx1 | tr -d ' \n')" ]
	[ "$(jq -r '.[2].size_arg' <<<"$output")" = "16" ]
	[ "$(jq -r '.[0].int_arg' <<<"$output")" = "1" ]
	[ "$(count_events '.process_kprobe.args[1].bytes_arg == "T1RIRVI="')" -eq 0 ]
}

@test "Sigkill kills the process at the matching call (137) and spares one that does not match" {
	local target="$BATS_TEST_TMPDIR/kill-me"
	echo secret >"$target"
	write_policy "$BATS_TEST_TMPDIR/p.yaml" <<-EOF
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
	        - "$target"
	      matchActions:
	      - action: Sigkill
	EOF
	compile "$BATS_TEST_TMPDIR/p.yaml" "$BATS_TEST_TMPDIR/p.bpf.o"
	start_loader "$BATS_TEST_TMPDIR/p.bpf.o"
	run cat "$target"
	local killed=$status killed_out=$output
	run cat /etc/hostname
	local spared=$status
	stop_loader
	[ "$killed" -eq 137 ]
	[ "$killed_out" = "" ]
	[ "$spared" -eq 0 ]
	[ "$(count_events '.process_kprobe.action == "KPROBE_ACTION_SIGKILL"')" -eq 1 ]
}

@test "a tracepoint policy with format-field index args produces its event" {
	# sched_process_exec: field 4 is the executed path (__data_loc string),
	# field 5 the pid; run a copy of true under a unique path
	cp /bin/true "$BATS_TEST_TMPDIR/tpc-spine-true"
	write_policy "$BATS_TEST_TMPDIR/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "exec-watch"
	spec:
	  tracepoints:
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    args:
	    - index: 4
	      type: "string"
	    - index: 5
	      type: "int"
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: "Equal"
	        values:
	        - "$BATS_TEST_TMPDIR/tpc-spine-true"
	EOF
	compile "$BATS_TEST_TMPDIR/p.yaml" "$BATS_TEST_TMPDIR/p.bpf.o"
	start_loader "$BATS_TEST_TMPDIR/p.bpf.o"
	"$BATS_TEST_TMPDIR/tpc-spine-true" &
	local pid=$!
	wait $pid
	/bin/true
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint')" -eq 1 ]
	run events '.process_tracepoint'
	[ "$(jq -r .subsys <<<"$output")" = "sched" ]
	[ "$(jq -r .event <<<"$output")" = "sched_process_exec" ]
	[ "$(jq -r .args[0].string_arg <<<"$output")" = "$BATS_TEST_TMPDIR/tpc-spine-true" ]
	[ "$(jq -r .args[1].int_arg <<<"$output")" = "$pid" ]
	[ "$(jq -r .process.pid <<<"$output")" = "$pid" ]
}

@test "a syscalls tracepoint reads its user-pointer field (index 6 of sys_enter_openat)" {
	local f="$BATS_TEST_TMPDIR/tp-open-target"
	touch "$f"
	write_policy "$BATS_TEST_TMPDIR/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "tp-openat"
	spec:
	  tracepoints:
	  - subsystem: "syscalls"
	    event: "sys_enter_openat"
	    args:
	    - index: 6
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 6
	        operator: "Postfix"
	        values:
	        - "/tp-open-target"
	EOF
	compile "$BATS_TEST_TMPDIR/p.yaml" "$BATS_TEST_TMPDIR/p.bpf.o"
	start_loader "$BATS_TEST_TMPDIR/p.bpf.o"
	cat "$f" &
	local pid=$!
	wait $pid
	stop_loader
	[ "$(count_events ".process_tracepoint.process.pid == $pid")" -eq 1 ]
	run events ".process_tracepoint | select(.process.pid == $pid) | .args[0].string_arg"
	[ "$output" = "\"$f\"" ]
}

@test "malformed YAML is reported at its line and column" {
	run "$TPC" "$FIXTURES/bad/malformed.yaml" -o "$BATS_TEST_TMPDIR/x.bpf.o"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$FIXTURES/bad/malformed.yaml:12:12: error: invalid YAML: did not find expected key while parsing a block mapping (started at line 10, column 7) [yaml-syntax]" ]
	[ ! -e "$BATS_TEST_TMPDIR/x.bpf.o" ]
}

@test "tpc usage errors exit 2, --version and --help exit 0" {
	run "$TPC"
	[ "$status" -eq 2 ]
	run "$TPC" "$REPO/policies/default.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing -o"* ]]
	run "$TPC" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "tpc "* ]]
	run "$TPC" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: tpc"* ]]
}

@test "tpc reads the policy from stdin with -" {
	run bash -c "\"$TPC\" - -o \"$BATS_TEST_TMPDIR/s.bpf.o\" < \"$REPO/policies/default.yaml\""
	[ "$status" -eq 0 ]
	[ -s "$BATS_TEST_TMPDIR/s.bpf.o" ]
}

@test "--emit-c writes the generated C with constant checks and no loops" {
	run "$TPC" "$REPO/policies/default.yaml" -o "$BATS_TEST_TMPDIR/d.bpf.o" --emit-c "$BATS_TEST_TMPDIR/d.c"
	[ "$status" -eq 0 ]
	# "/etc/passwd" as little-endian words: "/etc/pas" and "swd"
	grep -q '0x7361702f6374652fULL' "$BATS_TEST_TMPDIR/d.c"
	grep -q '0x647773ULL' "$BATS_TEST_TMPDIR/d.c"
	(! grep -Eq '\b(for|while) *\(' <(grep -v 'while (0)' "$BATS_TEST_TMPDIR/d.c"))
	(! grep -q 'bpf_tail_call' "$BATS_TEST_TMPDIR/d.c")
}

@test "clang failure is an internal error that keeps the generated file" {
	run env TPC_CLANG=false "$TPC" "$REPO/policies/default.yaml" -o "$BATS_TEST_TMPDIR/x.bpf.o"
	[ "$status" -eq 3 ]
	[[ "$output" == *"internal error: clang failed"* ]]
	local kept
	kept=$(sed -n 's/.*generated source is kept at \([^ ]*\).*/\1/p' <<<"$output")
	[ -s "$kept" ]
	rm -rf "$(dirname "$kept")"
}
