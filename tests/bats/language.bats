#!/usr/bin/env bats
# The rest of the policy language (issue 17): lists and call "list:NAME",
# the range, comparison and substring operators, selector macros, and
# policies as Kubernetes prints them. Kernel effects are checked end to end
# through the syscall tracepoint twins (this kernel has no kprobes); every
# test triggers a match and a near miss from a process whose pid it knows.

load helpers

PROGS="$REPO/out/tests/progs"

setup() {
	T="$BATS_TEST_TMPDIR"
	TARGET="$T/target"
	echo data >"$TARGET"
}

teardown() {
	teardown_loader
}

# calls OP...: runs lang_calls on $TARGET, its pid in $CALLER
calls() {
	"$PROGS/lang_calls" "$TARGET" "$@" &
	CALLER=$!
	wait "$CALLER"
}

# by_caller JQ_SELECT: events of $CALLER's for which the expression is true
by_caller() {
	count_events ".process_kprobe.process.pid == $CALLER and ($1)"
}

@test "lists: call list:NAME is one hook per member, each event naming its own function; another syscall none" {
	require_root
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "chmod-family"
	spec:
	  lists:
	  - name: chmods
	    type: syscalls
	    values: ["sys_fchmod", "x64/sys_fchmodat", "__x64_sys_chmod"]
	  kprobes:
	  - call: "list:chmods"
	    message: "mode change"
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	grep -q "attached 3 hooks" "$LOADER_ERR"
	calls chmod fchmod fchmodat fchown
	stop_loader
	events "select(.process_kprobe.process.pid == $CALLER) | .process_kprobe.function_name"
	[ "$(by_caller '.process_kprobe.function_name == "__x64_sys_chmod"')" -eq 1 ]
	[ "$(by_caller '.process_kprobe.function_name == "__x64_sys_fchmod"')" -eq 1 ]
	[ "$(by_caller '.process_kprobe.function_name == "__x64_sys_fchmodat"')" -eq 1 ]
	[ "$(by_caller 'true')" -eq 3 ]
	[ "$(by_caller '.process_kprobe.message == "mode change" and .process_kprobe.policy_name == "chmod-family"')" -eq 3 ]
}

@test "lists: members share args and selectors; the arg filter runs in each member's hook" {
	require_root
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "fd-calls"
	spec:
	  lists:
	  - name: fdcalls
	    type: syscalls
	    values: ["sys_fchmod", "sys_fchown"]
	  kprobes:
	  - call: "list:fdcalls"
	    args:
	    - index: 0
	      type: fd
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: Equal
	        values: ["$TARGET"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	calls fchmod fchown chmod
	stop_loader
	events "select(.process_kprobe.process.pid == $CALLER)"
	[ "$(by_caller '.process_kprobe.function_name == "__x64_sys_fchmod" and .process_kprobe.args[0].file_arg.path == "'"$TARGET"'"')" -eq 1 ]
	[ "$(by_caller '.process_kprobe.function_name == "__x64_sys_fchown"')" -eq 1 ]
	[ "$(by_caller 'true')" -eq 2 ]
}

@test "lists: generated_syscalls expands to this kernel's syscalls (BTF wrappers with a sys_enter event)" {
	[ -r /sys/kernel/btf/vmlinux ] || skip "needs the kernel BTF"
	[ -r /sys/kernel/tracing/events/syscalls/sys_enter_openat/format ] || skip "needs tracefs"
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "all-syscalls"
	spec:
	  lists:
	  - name: all
	    type: generated_syscalls
	  kprobes:
	  - call: "list:all"
	EOF
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$TPC" --emit-c "$T/p.c" "$T/p.yaml" -o "$T/p.bpf.o"
	[ "$status" -eq 0 ]
	grep -q 'SEC("tracepoint/syscalls/sys_enter_fchmodat")' "$T/p.c"
	grep -q 'SEC("kprobe/__x64_sys_openat")' "$T/p.c"
	local n
	n=$(grep -c 'SEC("tracepoint/syscalls/sys_enter_' "$T/p.c")
	echo "$n syscalls"
	[ "$n" -gt 250 ]
	(! grep -q 'sys_enter_chown16\|sys_enter_ni_syscall' "$T/p.c")
}

@test "metadata as kubectl get -o yaml prints it compiles" {
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  annotations:
	    kubectl.kubernetes.io/last-applied-configuration: |
	      {"apiVersion":"cilium.io/v1alpha1","kind":"TracingPolicy","metadata":{"annotations":{},"name":"fd-install"},"spec":{"kprobes":[{"call":"sys_fchmodat","syscall":true}]}}
	  creationTimestamp: "2026-11-30T09:12:44Z"
	  generation: 3
	  labels:
	    app.kubernetes.io/part-of: security
	  managedFields:
	  - apiVersion: cilium.io/v1alpha1
	    fieldsType: FieldsV1
	    fieldsV1:
	      f:spec:
	        .: {}
	        f:kprobes: {}
	    manager: kubectl-client-side-apply
	    operation: Update
	    time: "2026-11-30T09:12:44Z"
	  name: fd-install
	  resourceVersion: "1843992"
	  uid: 6f1d8a54-8f63-4c1e-9d56-0b2a7e1c4d20
	spec:
	  kprobes:
	  - call: sys_fchmodat
	    return: false
	    syscall: true
	status: {}
	EOF
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	compile "$T/p.yaml" "$T/p.bpf.o"
}

# one hook per operator on lseek's offset, each event carrying its name
@test "InRange, NotInRange, GreaterThan, LessThan on lseek's offset: both sides of every bound" {
	require_root
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "offsets"
	spec:
	  kprobes:
	  - call: sys_lseek
	    syscall: true
	    message: InRange
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchArgs: [{index: 1, operator: InRange, values: ["100:200", "0x3e8:1000", "-10:-1"]}]
	  - call: sys_lseek
	    syscall: true
	    message: NotInRange
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchArgs: [{index: 1, operator: NotInRange, values: ["100:200", "0b1111101000:1000"]}]
	  - call: sys_lseek
	    syscall: true
	    message: GreaterThan
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchArgs: [{index: 1, operator: GreaterThan, values: ["500"]}]
	  - call: sys_lseek
	    syscall: true
	    message: LessThan
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchArgs: [{index: 1, operator: LT, values: ["50"]}]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	calls lseek:49 lseek:50 lseek:99 lseek:100 lseek:200 lseek:201 lseek:500 lseek:501 lseek:999 lseek:1000 lseek:1001 lseek:-5
	stop_loader
	# offsets OP: the offsets OP reported for $CALLER, in call order
	offsets() {
		events "select(.process_kprobe.process.pid == $CALLER and .process_kprobe.message == \"$1\")
			| .process_kprobe.args[0].long_arg" | tr -d '"' | tr '\n' ' '
	}
	echo "InRange: $(offsets InRange)"
	echo "NotInRange: $(offsets NotInRange)"
	echo "GreaterThan: $(offsets GreaterThan)"
	echo "LessThan: $(offsets LessThan)"
	[ "$(offsets InRange)" = "100 200 1000 -5 " ]
	[ "$(offsets NotInRange)" = "49 50 99 201 500 501 999 1001 -5 " ]
	[ "$(offsets GreaterThan)" = "501 999 1000 1001 " ]
	[ "$(offsets LessThan)" = "49 -5 " ]
}

@test "SubString and SubStringIgnCase on a string path and on an fd's path" {
	require_root
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "substrings"
	spec:
	  kprobes:
	  - call: sys_openat
	    syscall: true
	    message: SubString
	    args: [{index: 1, type: string}]
	    selectors:
	    - matchArgs: [{index: 1, operator: SubString, values: ["nothere", "Middle"]}]
	  - call: sys_openat
	    syscall: true
	    message: SubStringIgnCase
	    args: [{index: 1, type: string}]
	    selectors:
	    - matchArgs: [{index: 1, operator: SubStringIgnCase, values: ["mIDDle"]}]
	  - call: sys_lseek
	    syscall: true
	    message: fd
	    args: [{index: 0, type: fd}]
	    selectors:
	    - matchArgs: [{index: 0, operator: SubString, values: ["ddleb"]}]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	touch "$T/aaMiddlebb" "$T/aamiddlebb" "$T/aamidlebb" "$T/Middle"
	calls open:"$T/aaMiddlebb" open:"$T/aamiddlebb" open:"$T/aamidlebb" open:"$T/Middle" open:"$T/Middl" lseek:1
	local first=$CALLER
	TARGET="$T/aamiddlebb" calls lseek:1
	local second=$CALLER
	TARGET="$T/aamidlebb" calls lseek:1
	local third=$CALLER
	stop_loader
	CALLER=$first
	events "select(.process_kprobe.process.pid == $first) | [.process_kprobe.message, .process_kprobe.args[0]]"
	[ "$(by_caller '.process_kprobe.message == "SubString" and .process_kprobe.args[0].string_arg == "'"$T/aaMiddlebb"'"')" -eq 1 ]
	[ "$(by_caller '.process_kprobe.message == "SubString" and .process_kprobe.args[0].string_arg == "'"$T/Middle"'"')" -eq 1 ]
	[ "$(by_caller '.process_kprobe.message == "SubString"')" -eq 2 ]
	[ "$(by_caller '.process_kprobe.message == "SubStringIgnCase" and .process_kprobe.args[0].string_arg == "'"$T/aamiddlebb"'"')" -eq 1 ]
	[ "$(by_caller '.process_kprobe.message == "SubStringIgnCase"')" -eq 3 ]
	[ "$(by_caller '.process_kprobe.message == "fd"')" -eq 0 ]
	CALLER=$second
	[ "$(by_caller '.process_kprobe.message == "fd" and .process_kprobe.args[0].file_arg.path == "'"$T/aamiddlebb"'"')" -eq 1 ]
	CALLER=$third
	[ "$(by_caller '.process_kprobe.message == "fd"')" -eq 0 ]
}

# macros_policy NAME BODY: an lseek policy whose two selectors use macros
# (BODY: "macros") or the same filters written inline (BODY: "inline")
macros_policy() {
	local sel
	if [ "$2" = macros ]; then
		sel="
	  selectorsMacros:
	    mid:
	      label: mid-offsets
	      matchArgs:
	      - {index: 1, operator: InRange, values: [\"100:200\"]}
	    ours:
	      matchBinaries:
	      - {operator: In, values: [\"$PROGS/lang_calls\"]}
	  kprobes:
	  - call: sys_lseek
	    syscall: true
	    args: [{index: 1, type: int64}]
	    selectors:
	    - macros: [mid, ours]
	    - label: seven
	      macros: [ours]
	      matchArgs:
	      - {index: 1, operator: Equal, values: [\"7\"]}"
	else
		sel="
	  kprobes:
	  - call: sys_lseek
	    syscall: true
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchArgs:
	      - {index: 1, operator: InRange, values: [\"100:200\"]}
	      matchBinaries:
	      - {operator: In, values: [\"$PROGS/lang_calls\"]}
	    - matchBinaries:
	      - {operator: In, values: [\"$PROGS/lang_calls\"]}
	      matchArgs:
	      - {index: 1, operator: Equal, values: [\"7\"]}"
	fi
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "%s"\nspec:%s\n' "$1" \
		"$(printf '%s' "$sel" | sed 's/^\t//')" >"$T/$1.yaml"
}

@test "many Prefix values of one length are one hashed lookup: Prefix and NotPrefix match what the compares matched" {
	require_root
	local d n i
	d=$(for i in 0 1 2 3 4 5 6 7 8 9; do printf '"%s", ' "$T/d$i/"; done)
	n=$(for i in 0 1 2 3 4 5 6 7 8 9; do printf '"%s", ' "$T/n$i/"; done)
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "many-prefixes"
	spec:
	  kprobes:
	  - call: sys_openat
	    syscall: true
	    message: Prefix
	    args: [{index: 1, type: string}]
	    selectors:
	    - matchArgs: [{index: 1, operator: Prefix, values: [${d}"$T/long-one/"]}]
	  - call: sys_openat
	    syscall: true
	    message: NotPrefix
	    args: [{index: 1, type: string}]
	    selectors:
	    - matchArgs:
	      - {index: 1, operator: Prefix, values: ["$T/n"]}
	      - {index: 1, operator: NotPrefix, values: [${n%, }]}
	EOF
	run "$TPC" "$T/p.yaml" -o "$T/p.bpf.o" --emit-c "$T/p.c"
	[ "$status" -eq 0 ]
	grep -q 'tpc_h0_vs0_has(w[0-9]*) /\* 10 prefixes of [0-9]* bytes \*/' "$T/p.c"
	grep -q 'tpc_h1_vs0_has(w[0-9]*) /\* 10 prefixes of [0-9]* bytes \*/' "$T/p.c"
	start_loader "$T/p.bpf.o"
	# shorter than the prefixes ($T/d3, $T/n3): its NUL is where a
	# prefix has a byte, so Prefix fails and NotPrefix holds
	calls open:"$T/d3/f" open:"$T/d9/" open:"$T/dx/f" open:"$T/d3" open:"$T/long-one/z" open:"$T/" \
		open:"$T/n3/f" open:"$T/nx/f" open:"$T/n3" open:"$T/n"
	stop_loader
	events "select(.process_kprobe.process.pid == $CALLER) | [.process_kprobe.message, .process_kprobe.args[0].string_arg]"
	local m
	for m in "Prefix $T/d3/f" "Prefix $T/d9/" "Prefix $T/long-one/z" "NotPrefix $T/nx/f" "NotPrefix $T/n3" "NotPrefix $T/n"; do
		[ "$(by_caller '.process_kprobe.message == "'"${m%% *}"'" and .process_kprobe.args[0].string_arg == "'"${m#* }"'"')" -eq 1 ]
	done
	[ "$(by_caller '.process_kprobe.message == "Prefix"')" -eq 3 ]
	[ "$(by_caller '.process_kprobe.message == "NotPrefix"')" -eq 3 ]
}

@test "selectorsMacros: two selectors using macros behave, and compile, as written inline" {
	require_root
	macros_policy with-macros macros
	macros_policy inline inline
	cat "$T/with-macros.yaml"
	run "$TPC" --emit-c "$T/m.c" "$T/with-macros.yaml" -o "$T/m.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	run "$TPC" --emit-c "$T/i.c" "$T/inline.yaml" -o "$T/i.bpf.o"
	[ "$status" -eq 0 ]
	# the same checks: only names and source lines in comments differ
	normal() { sed -e 's/line [0-9]*//g' "$1" | grep -v 'digest=\|with-macros\|"inline"'; }
	diff <(normal "$T/m.c") <(normal "$T/i.c")
	start_loader "$T/m.bpf.o"
	calls lseek:7 lseek:50 lseek:150 lseek:300
	stop_loader
	events "select(.process_kprobe.process.pid == $CALLER) | .process_kprobe.args[0]"
	[ "$(by_caller '.process_kprobe.args[0].long_arg == "7"')" -eq 1 ]
	[ "$(by_caller '.process_kprobe.args[0].long_arg == "150"')" -eq 1 ]
	[ "$(by_caller 'true')" -eq 2 ]
}

@test "matchArgs args: [slot] selects the slot, also the second of two args on one parameter" {
	require_root
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "slots"
	spec:
	  kprobes:
	  - call: sys_lseek
	    syscall: true
	    args:
	    - {index: 2, type: int}
	    - {index: 1, type: int64}
	    selectors:
	    - matchArgs:
	      - {args: [1], operator: InRange, values: ["40:45"]}
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	calls lseek:0 lseek:39 lseek:42 lseek:46
	stop_loader
	[ "$(by_caller '.process_kprobe.args[1].long_arg == "42"')" -eq 1 ]
	[ "$(by_caller 'true')" -eq 1 ]
}

@test "InMap and NotInMap on lseek's offset: numbers (a hashed set from 8 on) and lo:hi ranges, reversed bounds swapped" {
	require_root
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "maps"
	spec:
	  kprobes:
	  - call: sys_lseek
	    syscall: true
	    message: InMap
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchArgs: [{index: 1, operator: InMap, values: ["7", "300:200", "-3", "1", "2", "3", "4", "5", "6", "8", "9"]}]
	  - call: sys_lseek
	    syscall: true
	    message: NotInMap
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchArgs: [{index: 1, operator: NotInMap, values: ["7", "200:300"]}]
	EOF
	run "$TPC" --emit-c "$T/p.c" "$T/p.yaml" -o "$T/p.bpf.o"
	[ "$status" -eq 0 ]
	grep -q 'tpc_h0_vs0_has' "$T/p.c"
	start_loader "$T/p.bpf.o"
	calls lseek:0 lseek:7 lseek:10 lseek:199 lseek:200 lseek:250 lseek:300 lseek:301 lseek:-3
	stop_loader
	offsets() {
		events "select(.process_kprobe.process.pid == $CALLER and .process_kprobe.message == \"$1\")
			| .process_kprobe.args[0].long_arg" | tr -d '"' | tr '\n' ' '
	}
	echo "InMap: $(offsets InMap)"
	echo "NotInMap: $(offsets NotInMap)"
	[ "$(offsets InMap)" = "7 200 250 300 -3 " ]
	[ "$(offsets NotInMap)" = "0 10 199 301 -3 " ]
}

@test "options: the ones Tetragon has are accepted with their meaning for tpc; an unknown one is a warning" {
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "with-options"
	spec:
	  options:
	  - {name: disable-kprobe-multi, value: "1"}
	  - {name: disable-uprobe-multi, value: "False"}
	  - {name: override-method, value: override-return}
	  - {name: policy-mode, value: monitor}
	  - {name: sleepable-preload-size, value: "65536"}
	  kprobes:
	  - call: sys_fchmodat
	    syscall: true
	EOF
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	compile "$T/p.yaml" "$T/p.bpf.o"
	sed -i 's/policy-mode, value: monitor/no-such-option, value: x/' "$T/p.yaml"
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: unknown option 'no-such-option' is ignored (as Tetragon ignores it) [option]"* ]]
}

@test "FileType and NotFileType on an fd: the type of the file it names (regular, directory, fifo, char device)" {
	require_root
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "file-types"
	spec:
	  kprobes:
	  - call: sys_lseek
	    syscall: true
	    message: reg
	    args: [{index: 0, type: fd}]
	    selectors:
	    - matchArgs: [{index: 0, operator: FileType, values: ["regular"]}]
	  - call: sys_lseek
	    syscall: true
	    message: not-dir-fifo
	    args: [{index: 0, type: fd}]
	    selectors:
	    - matchArgs: [{index: 0, operator: NotFileType, values: ["dir", "pipe"]}]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	mkdir "$T/dir"
	mkfifo "$T/fifo"
	start_loader "$T/p.bpf.o"
	# type FILE: the messages of lseek events on FILE's fd
	local reg dir fifo null
	calls lseek:0
	reg=$CALLER
	TARGET="$T/dir" calls lseek:0
	dir=$CALLER
	TARGET="$T/fifo" calls lseek:0
	fifo=$CALLER
	TARGET=/dev/null calls lseek:0
	null=$CALLER
	stop_loader
	msgs() {
		events "select(.process_kprobe.process.pid == $1) | .process_kprobe.message" | tr -d '"' | sort | tr '\n' ' '
	}
	echo "reg: $(msgs $reg); dir: $(msgs $dir); fifo: $(msgs $fifo); null: $(msgs $null)"
	[ "$(msgs $reg)" = "not-dir-fifo reg " ]
	[ "$(msgs $dir)" = "" ]
	[ "$(msgs $fifo)" = "" ]
	[ "$(msgs $null)" = "not-dir-fifo " ]
}

@test "CelExpr compiled to C: lseek offset and whence, both sides of each bound" {
	require_root
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "cel"
	spec:
	  kprobes:
	  - call: sys_lseek
	    syscall: true
	    args: [{index: 1, type: int64}, {index: 2, type: uint32}]
	    selectors:
	    - matchArgs:
	      - operator: CelExpr
	        values: ["arg0 >= 100 && arg0 - 100 < 50 || and(arg0, 0xff00) == 0x4200 && arg1 == uint32(0u)"]
	EOF
	run "$TPC" --emit-c "$T/p.c" "$T/p.yaml" -o "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	# the expression is constant compares in the program, nothing interpreted
	grep -q '(__s64)16896LL' "$T/p.c"
	start_loader "$T/p.bpf.o"
	calls lseek:99 lseek:100 lseek:149 lseek:150 lseek:16895 lseek:16896 lseek:17151 lseek:17152
	stop_loader
	local got
	got=$(events "select(.process_kprobe.process.pid == $CALLER) | .process_kprobe.args[0].long_arg" | tr -d '"' | tr '\n' ' ')
	echo "matched: $got"
	[ "$got" = "100 149 16896 17151 " ]
}

@test "matchParentBinaries: In and NotIn on the parent's executable, with a copy of bash as the parent" {
	require_root
	cp /bin/bash "$T/mybash"
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "parents"
	spec:
	  kprobes:
	  - call: sys_lseek
	    syscall: true
	    message: under-mybash
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchParentBinaries: [{operator: In, values: ["$T/mybash"]}]
	      matchArgs: [{index: 1, operator: Equal, values: ["4242"]}]
	  - call: sys_lseek
	    syscall: true
	    message: not-under-mybash
	    args: [{index: 1, type: int64}]
	    selectors:
	    - matchParentBinaries: [{operator: NotIn, values: ["$T/mybash"]}]
	      matchArgs: [{index: 1, operator: Equal, values: ["4242"]}]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	# "; true" keeps each shell from exec'ing its one command in place
	"$T/mybash" -c "$PROGS/lang_calls $TARGET lseek:4242; true"
	/bin/bash -c "$PROGS/lang_calls $TARGET lseek:4242; true"
	stop_loader
	# (events name the parent by pid only): one event each, from lang_calls
	events "select(.process_kprobe.args[0].long_arg == \"4242\") | [.process_kprobe.message, .process_kprobe.process.binary, .process_kprobe.parent.pid]"
	[ "$(count_events '.process_kprobe.message == "under-mybash" and .process_kprobe.process.binary == "'"$PROGS/lang_calls"'"')" -eq 1 ]
	[ "$(count_events '.process_kprobe.message == "under-mybash"')" -eq 1 ]
	[ "$(count_events '.process_kprobe.message == "not-under-mybash" and .process_kprobe.process.binary == "'"$PROGS/lang_calls"'"')" -eq 1 ]
	[ "$(count_events '.process_kprobe.message == "not-under-mybash"')" -eq 1 ]
}

@test "the spec's section 3 example (CelExpr, CapabilitiesGained, NotInRange, NotFileType on kprobes) compiles and verifies" {
	require_root
	[ -r /sys/kernel/btf/vmlinux ] || skip "needs the kernel BTF"
	run "$TPC" --emit-c "$T/p.c" "$FIXTURES/language/beyond-section3.yaml" -o "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# new has a capability old lacks: one constant expression
	grep -q '((__u64)v0 ^ (__u64)v1) & (__u64)v1) != 0' "$T/p.c"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "InMap over a syscalls list on a syscall64 slot: the members' numbers, other syscalls none" {
	require_root
	command -v python3 >/dev/null || skip "needs python3"
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "dup-family"
	spec:
	  lists:
	  - name: dups
	    type: syscalls
	    values: ["sys_dup", "sys_dup2", "sys_dup3"]
	  tracepoints:
	  - subsystem: raw_syscalls
	    event: sys_enter
	    args:
	    - index: 4
	      type: syscall64
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: InMap
	        values: ["list:dups"]
	EOF
	run "$TPC" --emit-c "$T/p.c" "$T/p.yaml" -o "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '(__u64)v0 == (__u64)33ULL' "$T/p.c" # dup2 on x86_64
	start_loader "$T/p.bpf.o"
	python3 -c 'import os, time; os.dup2(0, 50); os.dup2(0, 51, inheritable=False); os.close(50); print(os.getpid())' >"$T/pid"
	stop_loader
	local pid
	pid=$(cat "$T/pid")
	events "select(.process_tracepoint.process.pid == $pid) | .process_tracepoint.args[0].syscall_id.id"
	[ "$(count_events ".process_tracepoint.process.pid == $pid and .process_tracepoint.args[0].syscall_id.id == 33")" -ge 1 ]
	[ "$(count_events ".process_tracepoint.process.pid == $pid and .process_tracepoint.args[0].syscall_id.id == 292")" -ge 1 ]
	[ "$(count_events ".process_tracepoint.process.pid == $pid and (.process_tracepoint.args[0].syscall_id.id as \$id | [32, 33, 292] | index(\$id)) == null")" -eq 0 ]
	# (the selector above is well formed: it counts this process's events)
	[ "$(count_events ".process_tracepoint.process.pid == $pid and (.process_tracepoint.args[0].syscall_id.id as \$id | [32, 33, 292] | index(\$id)) != null")" -ge 2 ]
}

@test "workload selectors: hostSelector null is exact (no filtering), nodeSelector a warning, the others refused naming what they need" {
	write_policy "$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "workloads"
	spec:
	  hostSelector: ~
	  nodeSelector:
	    matchLabels: {kubernetes.io/os: linux}
	  kprobes:
	  - call: sys_fchmodat
	    syscall: true
	EOF
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: nodeSelector is ignored"*"[node-selector]"* ]]
	compile "$T/p.yaml" "$T/p.bpf.o"
	sed -i 's/hostSelector: ~/podSelector: {matchLabels: {app: web}}/' "$T/p.yaml"
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unsupported: podSelector (it needs the pods' labels and their containers' cgroup ids"* ]]
	# pod and host selectors {} (the container selector then {} too) select every process: exact, accepted
	sed -i 's/podSelector: {matchLabels: {app: web}}/podSelector: {}\n  hostSelector: {}/' "$T/p.yaml"
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"error"* ]]
}
