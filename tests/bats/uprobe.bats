#!/usr/bin/env bats
# Uprobes and USDTs end to end (issue 16) on this kernel: a small target
# built by the tests (tests/progs/uprobe_target.c) probed by symbol, offset
# and address, its return value, matchBinaries between two names of it,
# Sigkill before its next line, libc's getenv, USDT probes with and
# without a semaphore (tests/progs/usdt_target.c), a string in a page the
# process never touched, binaryDigests, and the errors of each stage.

load helpers

PROGS="$REPO/out/tests/progs"

setup() {
	require_root
	[ -e /sys/bus/event_source/devices/uprobe ] || skip "this kernel has no uprobes (CONFIG_UPROBE_EVENTS off)"
	T="$BATS_TEST_TMPDIR"
	# each test probes its own copy: its own inode, its own events
	cp "$PROGS/uprobe_target" "$T/uprobe_target"
	TARGET="$T/uprobe_target"
}

teardown() {
	teardown_loader
}

# String args are copied by sleepable uprobes with the kfunc
# bpf_copy_from_user_str (Linux 6.12).
require_copy_from_user_str() {
	bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "FUNC 'bpf_copy_from_user_str'" ||
		skip "this kernel has no bpf_copy_from_user_str (Linux 6.12): uprobes cannot pre-load strings"
}

# file_offset BINARY VADDR: the file offset of a virtual address, through
# the binary's LOAD segments
file_offset() {
	local a=$(($2)) type off va pa fsz rest
	while read -r type off va pa fsz rest; do
		[ "$type" = LOAD ] || continue
		if ((a >= va && a < va + fsz)); then
			echo $((a - va + off))
			return 0
		fi
	done < <(readelf -lW "$1")
	return 1
}

# tsv JQ_FILTER: the events' values the filter selects, raw
tsv() {
	jq -r "select(.process_uprobe or .process_usdt) | $1" "$EVENTS"
}

# symbol_addr BINARY NAME: the symbol's value, in decimal
symbol_addr() {
	echo $((0x$(nm "$1" | awk -v n="$2" '$3 == n { print $1 }')))
}

# uprobe_policy NAME WHERE [SELECTORS]: writes $T/p.yaml, a uprobe on
# $TARGET; WHERE is its symbols:/offsets:/addrs: line (and more keys,
# each on its own line), its args $UPROBE_ARGS (default: an int n and a
# string s)
uprobe_policy() {
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "$1"
	spec:
	  uprobes:
	  - path: "$TARGET"
	    $2
	${UPROBE_ARGS:-$ARGS_INT_STRING}
	${3:-}
	EOF
	# lines continued inside the arguments keep this file's tab indent
	sed -i 's/^\t*//' "$T/p.yaml"
}

ARGS_INT_STRING='    args:
    - index: 0
      type: "int"
      label: "n"
    - index: 1
      type: "string"
      label: "s"'

EQUAL_2_4='    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["2", "4"]'

@test "uprobe with an int and a string arg, matchArgs on the int: exactly the matching calls, their args, symbol and path" {
	require_copy_from_user_str
	uprobe_policy "pick-2-4" 'symbols: ["tpc_probe_me"]' "$EQUAL_2_4"
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	run "$TARGET" 1 2 3 4 5
	[ "$status" -eq 0 ]
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_uprobe')" -eq 2 ]
	run tsv '.process_uprobe | [.args[0].int_arg, .args[1].string_arg] | @tsv'
	[ "${lines[0]}" = $'2\tvalue-2' ]
	[ "${lines[1]}" = $'4\tvalue-4' ]
	# Tetragon's process_uprobe: the path and symbol probed, no labels
	# on uprobe args, no offset for a plain symbol
	[ "$(count_events ".process_uprobe.path == \"$TARGET\" and .process_uprobe.symbol == \"tpc_probe_me\"
		and .process_uprobe.process.binary == \"$TARGET\" and (.process_uprobe | has(\"offset\") | not)
		and ([.process_uprobe.args[] | has(\"label\")] | any | not)
		and .process_uprobe.policy_name == \"pick-2-4\" and .process_uprobe.action == \"KPROBE_ACTION_POST\"")" -eq 2 ]
}

@test "a return probe reports the return value, as the last arg; matchReturnArgs filters on it" {
	require_copy_from_user_str
	uprobe_policy "returns" 'symbols: ["tpc_probe_me"]
	    return: true
	    returnArg:
	      index: 0
	      type: "int"' '    selectors:
    - matchReturnArgs:
      - index: 0
        operator: "GT"
        values: ["8"]'
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	run "$TARGET" 1 3 5
	stop_loader
	cat "$EVENTS"
	# tpc_probe_me returns 3n: 3, 9, 15; GT 8 keeps 9 and 15
	run tsv '.process_uprobe.args | map(.int_arg // .string_arg) | @tsv'
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = $'3\tvalue-3\t9' ]
	[ "${lines[1]}" = $'5\tvalue-5\t15' ]
	[ "$(count_events '.process_uprobe | has("return")')" -eq 0 ]
}

@test "matchReturnActions at a uretprobe: Sigkill when the return value matches, after the call" {
	require_copy_from_user_str
	uprobe_policy "return-kill" 'symbols: ["tpc_probe_me"]
	    return: true
	    returnArg:
	      index: 0
	      type: "int"' '    selectors:
    - matchReturnArgs:
      - index: 0
        operator: "Equal"
        values: ["9"]
      matchReturnActions:
      - action: Sigkill'
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	run "$TARGET" 1 3 5
	stop_loader
	cat "$EVENTS"
	# tpc_probe_me returns 3n: killed at the return of the call on 3,
	# so the call on 5 never happens
	[ "$status" -eq 137 ]
	run tsv '.process_uprobe.args | map(.int_arg // .string_arg) | @tsv'
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = $'3\tvalue-3\t9' ]
	[ "$(count_events '.process_uprobe.action == "KPROBE_ACTION_SIGKILL"')" -eq 1 ]
}

@test "attaching by offset and by address gives the same events as by symbol" {
	require_copy_from_user_str
	local addr off by_symbol
	addr=$(symbol_addr "$TARGET" tpc_probe_me)
	off=$(file_offset "$TARGET" "$addr")
	[ -n "$off" ]
	for where in 'symbols: ["tpc_probe_me"]' "offsets: [$off]" "addrs: [$addr]"; do
		uprobe_policy "where" "$where" "$EQUAL_2_4"
		compile "$T/p.yaml" "$T/p.bpf.o"
		start_loader "$T/p.bpf.o"
		"$TARGET" 1 2 3 4 >/dev/null
		stop_loader
		run tsv '.process_uprobe.args | map(.int_arg // .string_arg) | @tsv'
		[ "${#lines[@]}" -eq 2 ]
		[ "${lines[0]}" = $'2\tvalue-2' ]
		[ "${lines[1]}" = $'4\tvalue-4' ]
		case $where in
		symbols*) [ "$(count_events '.process_uprobe.symbol == "tpc_probe_me"')" -eq 2 ] ;;
		*) # no symbol; the file offset attached
			[ "$(count_events ".process_uprobe.offset == \"$off\" and (.process_uprobe | has(\"symbol\") | not)")" -eq 2 ] ;;
		esac
	done
}

@test "matchBinaries picks one of two names of the target (hard links: one inode, one uprobe)" {
	require_copy_from_user_str
	ln "$TARGET" "$T/copy-a"
	ln "$TARGET" "$T/copy-b"
	uprobe_policy "only-b" 'symbols: ["tpc_probe_me"]' "    selectors:
    - matchBinaries:
      - operator: \"In\"
        values: [\"$T/copy-b\"]"
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	"$T/copy-a" 1 >/dev/null
	"$T/copy-b" 2 >/dev/null
	"$T/copy-a" 3 >/dev/null
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_uprobe')" -eq 1 ]
	[ "$(count_events ".process_uprobe.process.binary == \"$T/copy-b\" and .process_uprobe.args[0].int_arg == 2")" -eq 1 ]
}

@test "Sigkill kills the target at the function's entry, before its next line runs" {
	require_copy_from_user_str
	uprobe_policy "kill-at-2" 'symbols: ["tpc_probe_me"]' '    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values: ["2"]
      matchActions:
      - action: Sigkill'
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	run "$TARGET" 1 2 3
	stop_loader
	echo "$output"
	[ "$status" -eq 137 ]
	# call 1 ran to its end; call 2 was entered and never returned
	[ "$output" = $'before 1\nafter 1 = 3\nbefore 2' ]
	[ "$(count_events '.process_uprobe.action == "KPROBE_ACTION_SIGKILL" and .process_uprobe.args[0].int_arg == 2')" -eq 1 ]
}

@test "NoPost, Signal, matchPIDs, message and tags on a uprobe" {
	require_copy_from_user_str
	uprobe_policy "signal" 'symbols: ["tpc_probe_me"]
	    message: "probed"
	    tags: ["t1", "t2"]' "    selectors:
    - matchArgs:
      - index: 0
        operator: \"Equal\"
        values: [\"3\"]
      matchActions:
      - action: NoPost
    - matchPIDs:
      - operator: \"NotIn\"
        values: [\"$$\"]
      matchArgs:
      - index: 0
        operator: \"Equal\"
        values: [\"3\", \"4\"]
      matchActions:
      - action: Signal
        argSig: 10"
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	run "$TARGET" 1 3 4 5
	stop_loader
	echo "$output"
	cat "$EVENTS"
	# SIGUSR1 ends the target at its call of 4; 3 matched the first
	# selector, which posts nothing
	[ "$status" -eq 138 ]
	[ "$output" = $'before 1\nafter 1 = 3\nbefore 3\nafter 3 = 9\nbefore 4' ]
	[ "$(count_events '.process_uprobe')" -eq 1 ]
	[ "$(count_events '.process_uprobe.args[0].int_arg == 4 and .process_uprobe.action == "KPROBE_ACTION_SIGNAL"
		and .process_uprobe.message == "probed" and .process_uprobe.tags == ["t1", "t2"]')" -eq 1 ]
}

@test "a uprobe on libc's getenv reports the known argument a small program passes" {
	require_copy_from_user_str
	local libc name="TPC_UPROBE_KNOWN_$$"
	libc=$(ldd "$PROGS/libc_caller" | awk '$1 ~ /^libc\.so/ { print $3 }')
	[ -n "$libc" ] && libc=$(readlink -f "$libc")
	[ -f "$libc" ] || skip "libc_caller links no libc.so we can find"
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "getenv"
	spec:
	  uprobes:
	  - path: "$libc"
	    symbols: ["getenv"]
	    args:
	    - index: 0
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "Prefix"
	        values: ["TPC_UPROBE_KNOWN_"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	run "$PROGS/libc_caller" "$name" 3
	[ "$status" -eq 0 ]
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_uprobe.args[0].string_arg == \"$name\" and .process_uprobe.symbol == \"getenv\"
		and .process_uprobe.path == \"$libc\" and .process_uprobe.process.binary == \"$PROGS/libc_caller\"")" -eq 3 ]
	[ "$(count_events '.process_uprobe')" -eq 3 ]
}

# usdt_policy BINARY: tpctest:pair (a number and a string) and
# tpctest:forms (a constant, a value in memory, a register) of BINARY
usdt_policy() {
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "usdts"
	spec:
	  usdts:
	  - path: "$1"
	    provider: "tpctest"
	    name: "pair"
	    args:
	    - index: 0
	      type: "int64"
	      label: "n"
	    - index: 1
	      type: "string"
	      label: "s"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "NotEqual"
	        values: ["13"]
	  - path: "$1"
	    provider: "tpctest"
	    name: "forms"
	    args:
	    - index: 0
	      type: "int32"
	    - index: 1
	      type: "int64"
	    - index: 2
	      type: "int"
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
}

# usdt_events BINARY: runs it with 12 13 14 while usdt_policy is attached
usdt_run() {
	start_loader "$T/p.bpf.o"
	run "$1" 12 13 14
	stop_loader
	cat "$EVENTS"
}

usdt_values_check() {
	[ "$(count_events '.process_usdt.name == "pair"')" -eq 2 ]
	run tsv 'select(.process_usdt.name == "pair") | .process_usdt | [.provider, .args[0].long_arg, .args[0].label, .args[1].string_arg, .args[1].label] | @tsv'
	[ "${lines[0]}" = $'tpctest\t12\tn\tpair-12\ts' ]
	[ "${lines[1]}" = $'tpctest\t14\tn\tpair-14\ts' ]
	run tsv 'select(.process_usdt.name == "forms") | .process_usdt.args | map(.int_arg // .long_arg) | @tsv'
	[ "${lines[0]}" = $'42\t1012\t-12' ]
	[ "${lines[1]}" = $'42\t1013\t-13' ]
	[ "${lines[2]}" = $'42\t1014\t-14' ]
}

@test "USDT probes without a semaphore: the events carry the values of every argument location" {
	require_copy_from_user_str
	cp "$PROGS/usdt_target" "$T/usdt_target"
	usdt_policy "$T/usdt_target"
	usdt_run "$T/usdt_target"
	[ "$output" = $'fired 12\nfired 13\nfired 14' ]
	usdt_values_check
	[ "$(count_events ".process_usdt.path == \"$T/usdt_target\" and .process_usdt.process.binary == \"$T/usdt_target\"")" -eq 5 ]
}

@test "USDT probes with a semaphore: the kernel counts it while attached, so the probe fires, and the events carry the values" {
	require_copy_from_user_str
	cp "$PROGS/usdt_sema_target" "$T/usdt_sema_target"
	# unattached, the semaphore is zero: the program skips its probe
	run "$T/usdt_sema_target" 1
	[ "$output" = "disabled 1" ]
	usdt_policy "$T/usdt_sema_target"
	grep -q "ref_ctr_offset=" <(get_manifest "$T/p.bpf.o")
	usdt_run "$T/usdt_sema_target"
	[ "$output" = $'fired 12\nfired 13\nfired 14' ]
	usdt_values_check
}

@test "a string in a page the process has not touched yet arrives whole, and the filter on it matches" {
	require_copy_from_user_str
	local s="/a/string/in/an/untouched/page"
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "unfaulted"
	spec:
	  uprobes:
	  - path: "$TARGET"
	    symbols: ["tpc_probe_me"]
	    args:
	    - index: 1
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Equal"
	        values: ["$s"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	# the control: a read that cannot fault a page in (bpftrace's str(),
	# bpf_probe_read_user_str) sees nothing there
	if command -v bpftrace >/dev/null; then
		bpftrace -e "uprobe:$TARGET:tpc_probe_me { printf(\"read:%s:\\n\", str(arg1)); }" -c "$TARGET --unfaulted $s $T/control" >"$T/control.out" 2>&1 || true
		cat "$T/control.out"
		grep -q '^read::$' "$T/control.out"
	else
		echo "control skipped: bpftrace is not installed"
	fi
	start_loader "$T/p.bpf.o"
	run "$TARGET" --unfaulted "$s" "$T/scratch"
	[ "$status" -eq 0 ]
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_uprobe.args[0].string_arg == \"$s\" and (.process_uprobe.args[0] | has(\"error\") | not)")" -eq 1 ]
}

@test "binaryDigests: a file matching one of them attaches, one matching none is refused naming it" {
	local sha1 sha256 id good
	sha1=$(sha1sum "$TARGET" | cut -d' ' -f1)
	sha256=$(sha256sum "$TARGET" | cut -d' ' -f1)
	id=$(readelf -n "$TARGET" | awk '/Build ID:/ { print $3 }')
	# an int arg only: no string to pre-load
	UPROBE_ARGS='    args:
    - index: 0
      type: "int"'
	for good in "SHA256:${sha256^^}" " sha1:$sha1 " ${id:+build-id:$id}; do
		uprobe_policy "digest" "symbols: [\"tpc_probe_me\"]
	    binaryDigests: [\"sha512:$(printf '0%.0s' {1..128})\", \"$good\"]"
		compile "$T/p.yaml" "$T/p.bpf.o"
		start_loader "$T/p.bpf.o"
		"$TARGET" 1 >/dev/null
		stop_loader
		[ "$(count_events '.process_uprobe.args[0].int_arg == 1')" -eq 1 ] || { echo "digest $good: no event"; return 1; }
	done
	uprobe_policy "digest" "symbols: [\"tpc_probe_me\"]
	    binaryDigests: [\"sha256:$(printf '0%.0s' {1..64})\"]"
	compile "$T/p.yaml" "$T/p.bpf.o"
	# tpc warns already: the binary here matches none
	echo "$output" | grep -qF "warning: $TARGET here matches none of binaryDigests"
	run "$TPLOAD" --timeout 1 "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$TARGET matches none of its binaryDigests (its sha256 is $sha256): refusing to attach"* ]]
}

@test "missing binary, missing symbol, bad arg index: refused at lint with file:line:col, or at load naming path and symbol" {
	# lint: the symbol is not in the binary here; index 5 is no register
	uprobe_policy "bad" 'symbols: ["tpc_probe_mee"]' ""
	sed -i 's/- index: 1/- index: 5/' "$T/p.yaml"
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -qF "$T/p.yaml:8:15: error: no symbol 'tpc_probe_mee' in $TARGET; did you mean 'tpc_probe_me'? [probe-symbol]"
	echo "$output" | grep -qF "$T/p.yaml:13:14: error: arg index 5 is beyond the 5 argument registers a uprobe reads"
	# the binary is not here when compiling: a warning, then tp-load
	# names the path it cannot open
	mv "$TARGET" "$T/away"
	uprobe_policy "later" 'symbols: ["tpc_probe_me"]' ""
	compile "$T/p.yaml" "$T/p.bpf.o"
	echo "$output" | grep -qF "warning: $TARGET is not on this machine: its symbols are not checked here"
	run "$TPLOAD" --timeout 1 "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"hook 0 (uprobe $TARGET:tpc_probe_me): $TARGET: No such file or directory"* ]]
	# a binary without the symbol at the path on the node
	cp "$PROGS/libc_caller" "$TARGET"
	run "$TPLOAD" --timeout 1 "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"hook 0 (uprobe $TARGET:tpc_probe_me): $TARGET: no symbol tpc_probe_me"* ]]
	# and the right binary back: it attaches
	cp "$T/away" "$TARGET"
	start_loader "$T/p.bpf.o"
	stop_loader
}

@test "a USDT is refused on a binary other than the build tpc decoded it from" {
	require_copy_from_user_str
	cp "$PROGS/usdt_target" "$T/usdt_target"
	usdt_policy "$T/usdt_target"
	cp "$PROGS/usdt_sema_target" "$T/usdt_target"
	run "$TPLOAD" --timeout 1 "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/usdt_target is not the build tpc read this USDT from (its sha256 is $(sha256sum "$T/usdt_target" | cut -d' ' -f1), tpc's was "* ]]
	# and a USDT the binary does not have is a lint error naming those it has
	sed -i 's/name: "forms"/name: "form"/' "$T/p.yaml"
	run "$TPC" lint "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -qF "error: no USDT probe tpctest:form in $T/usdt_target (it has tpctest:forms, tpctest:pair) [usdt-probe]"
}

@test "uprobe objects pass tp-load --verify, sleepable programs included" {
	require_copy_from_user_str
	uprobe_policy "verify" 'symbols: ["tpc_probe_me"]
	    return: true' "$EQUAL_2_4"
	compile "$T/p.yaml" "$T/p.bpf.o"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q "tpc_h0_uprobe uprobe.s ok"
	echo "$output" | grep -q "tpc_h0_uretprobe uretprobe.s ok"
}

@test "a uprobe or USDT hook record that is malformed is refused before anything loads" {
	require_copy_from_user_str
	cp "$PROGS/usdt_target" "$T/usdt_target"
	uprobe_policy "records" 'symbols: ["tpc_probe_me"]' ""
	cat >>"$T/p.yaml" <<-EOF
	  usdts:
	  - path: "$T/usdt_target"
	    provider: "tpctest"
	    name: "pair"
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	get_manifest "$T/p.bpf.o" >"$T/m.good"
	local n_up n_us
	n_up=$(grep -n '^hook id=0 kind=uprobe ' "$T/m.good" | cut -d: -f1)
	n_us=$(grep -n '^hook id=1 kind=usdt ' "$T/m.good" | cut -d: -f1)
	bad() { # SED_SCRIPT MESSAGE
		sed "$1" "$T/m.good" >"$T/m.bad"
		set_manifest "$T/p.bpf.o" "$T/m.bad" "$T/bad.bpf.o"
		run "$TPLOAD" --timeout 1 "$T/bad.bpf.o"
		echo "$output"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $T/bad.bpf.o: $2" ]
	}
	bad "${n_up}s/ path=[^ ]* / path=relative\/x /" "manifest line $n_up: path=: not an absolute path"
	bad "${n_up}s/ symbol=tpc_probe_me/ symbol=tpc_probe_me offset=4096/" \
		"manifest line $n_up: a uprobe needs exactly one of symbol=, offset= and addr="
	bad "${n_up}s/ symbol=tpc_probe_me/ symbol=a%2Fb/" "manifest line $n_up: symbol=: not <name> or <name>+<offset>"
	bad "${n_up}s/ symbol=tpc_probe_me/ symbol=tpc_probe_me digests=md5:00/" \
		"manifest line $n_up: digests=: not a list of <algo>:<lowercase hex>"
	bad "${n_us}s/ sha256=[0-9a-f]*/ sha256=ABC/" "manifest line $n_us: sha256=: not 64 lowercase hex digits"
	bad "${n_us}s/ offset=[0-9]*//" "manifest line $n_us: missing field offset="
	bad "${n_us}s/ name=pair/ name=a.b/" "manifest line $n_us: provider=, name=: not names"
}
