#!/usr/bin/env bats
# Reliability of tp-load (issue 7): signals and kill -9 leave nothing of
# ours in the kernel, failed loads leave nothing loaded, an event storm
# larger than the ring buffer is counted exactly, and hostile objects are
# refused with a clear message.

load helpers

STORM="$REPO/out/tests/progs/storm"

setup_file() {
	make -s -C "$REPO" test-progs >&2
}

setup() {
	require_root
	TARGET="$BATS_TEST_TMPDIR/target"
	OBJ="$BATS_TEST_TMPDIR/p.bpf.o"
	# programs loaded before this test are not its concern
	PROG_ID_BASE=$(bpftool prog show -j 2>/dev/null | jq '[.[].id] | max // 0')
}

teardown() {
	teardown_loader
	# --keep-on-exit tests: their pins, whatever became of the test
	[ -z "${KEEP:-}" ] || rm -rf "$KEEP"
}

# open_policy: an object with one hook, openat of $TARGET (so that no
# other test's or process's openat is counted)
open_policy() {
	write_policy "$BATS_TEST_TMPDIR/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "storm"
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
	        - "$TARGET"
	EOF
	compile "$BATS_TEST_TMPDIR/p.yaml" "$OBJ"
}

# stops tp-load with signal $1 and checks that every program, link and map
# it held is gone, and that it printed its final counters
signal_detaches() {
	open_policy
	start_loader --no-process-events "$OBJ"
	local progs links maps
	progs=$(bpf_ids_of "$LOADER_PID" prog)
	links=$(bpf_ids_of "$LOADER_PID" link)
	# but tpc_loaders, pinned for every tp-load of the node
	maps=$(for id in $(bpf_ids_of "$LOADER_PID" map); do
		[ "$(bpftool map show id "$id" -j | jq -r .name)" = tpc_loaders ] || echo "$id"
	done)
	# process tracking and the hook's twin: every program tp-load holds
	# is attached (tpc_whoami ran once, in the loading child, and is gone)
	[ "$(wc -w <<<"$progs")" -ge 2 ]
	[ "$(wc -w <<<"$links")" -eq "$(wc -w <<<"$progs")" ]
	"$STORM" open "$TARGET" 3
	sleep 0.3
	kill -"$1" "$LOADER_PID"
	reap_loader && status=0 || status=$?
	LOADER_PID=
	cat "$LOADER_ERR"
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$LOADER_ERR")" = "tp-load: 3 events, 0 lost" ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$TARGET"'"')" -eq 3 ]
	wait_bpf_gone link $links
	wait_bpf_gone prog $progs
	wait_bpf_gone map $maps
	no_orphan_tpc_progs
}

@test "SIGINT detaches every program and prints the final counters" {
	signal_detaches INT
}

@test "SIGTERM detaches every program and prints the final counters" {
	signal_detaches TERM
}

@test "events still in the ring buffer at SIGINT are printed, not dropped" {
	open_policy
	start_loader --no-process-events --debug-hold "$OBJ"
	"$STORM" open "$TARGET" 100
	stop_loader
	cat "$LOADER_ERR"
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events 'true')" -eq 100 ]
	[ "$(tail -n 1 "$LOADER_ERR")" = "tp-load: 100 events, 0 lost" ]
}

@test "after kill -9 nothing of ours stays attached, and a second tp-load of the same object works" {
	open_policy
	start_loader --no-process-events "$OBJ"
	local progs links
	progs=$(bpf_ids_of "$LOADER_PID" prog)
	links=$(bpf_ids_of "$LOADER_PID" link)
	[ -n "$progs" ]
	[ -n "$links" ]
	kill -9 "$LOADER_PID"
	wait "$LOADER_PID" || true
	LOADER_PID=
	wait_bpf_gone link $links
	wait_bpf_gone prog $progs
	no_orphan_tpc_progs

	start_loader --no-process-events "$OBJ"
	"$STORM" open "$TARGET" 1
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$TARGET"'"')" -eq 1 ]
}

# kill_policy: Sigkill at openat of $TARGET; KEEP: its pin directory
kill_policy() {
	write_policy "$BATS_TEST_TMPDIR/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "keep"
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
	        - "$TARGET"
	      matchActions:
	      - action: Sigkill
	EOF
	compile "$BATS_TEST_TMPDIR/p.yaml" "$OBJ"
	KEEP=/sys/fs/bpf/tpc/keep/$(sha256sum "$OBJ" | cut -d' ' -f1)
	: >"$TARGET"
}

# pinned_link_ids: the ids of the links pinned in $KEEP
pinned_link_ids() {
	local f
	for f in "$KEEP"/hook-* "$KEEP"/proc-*; do
		bpftool link show pinned "$f" -j | jq .id
	done | sort -n
}

@test "--keep-on-exit: Sigkill goes on while no tp-load runs; the next tp-load replaces the pins; without the flag they go" {
	kill_policy
	start_loader --no-process-events --keep-on-exit "$OBJ"
	[ -d "$KEEP" ]
	[ -e "$KEEP/events" ]
	[ -e "$KEEP/lost" ]
	[ -e "$KEEP/hook-0" ]
	[ "$(stat -c %U:%a "$KEEP")" = root:700 ]
	local old new id
	old=$(pinned_link_ids)
	[ -n "$old" ]
	kill -TERM "$LOADER_PID"
	reap_loader
	LOADER_PID=
	# no tp-load: the pinned links still kill, and the event waits
	run cat "$TARGET"
	[ "$status" -eq 137 ]
	[ "$(pinned_link_ids)" = "$old" ]

	# same object again: attached first, then the old copy's pins replaced
	start_loader --no-process-events --keep-on-exit "$OBJ"
	grep -q "replaced the copy a previous tp-load left attached ($KEEP): 1 events it kept, 0 lost" "$LOADER_ERR"
	new=$(pinned_link_ids)
	[ -n "$new" ]
	for id in $old; do
		(! grep -qx "$id" <<<"$new")
		(! bpftool link show id "$id" >/dev/null 2>&1)
	done
	run cat "$TARGET"
	[ "$status" -eq 137 ]
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	# the kept event and the new one, both reported
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$TARGET"'"')" -eq 2 ]

	# without the flag: the pins go once this copy is attached, and at exit
	# nothing stays
	start_loader --no-process-events "$OBJ"
	[ ! -e "$KEEP" ]
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	for id in $new; do
		(! bpftool link show id "$id" >/dev/null 2>&1)
	done
	run cat "$TARGET"
	[ "$status" -eq 0 ]
}

@test "--keep-on-exit: a pin directory that is not ours is left alone and refused" {
	kill_policy
	mkdir -p /sys/fs/bpf/tpc/keep
	mkdir -m 0777 "$KEEP"
	run "$TPLOAD" --timeout 5 --no-process-events --keep-on-exit "$OBJ"
	[ "$status" -eq 1 ]
	grep -q "$KEEP: not a directory of tp-load's (bpffs, owned by root, writable by no one else): left alone" <<<"$output"
	[ -d "$KEEP" ]
	rmdir "$KEEP"
	ln -s /sys/fs/bpf/tpc "$KEEP"
	run "$TPLOAD" --timeout 5 --no-process-events --keep-on-exit "$OBJ"
	[ "$status" -eq 1 ]
	grep -q "$KEEP: Not a directory (not a directory of tp-load's: left alone)" <<<"$output"
	[ -L "$KEEP" ]
}

@test "an object the verifier rejects leaves nothing loaded" {
	open_policy
	# the policy's own C, with one more program that reads far past the
	# end of its context (in a section of its own, so that libbpf loads
	# it after the process tracking programs) and a manifest naming it
	# as the hook's twin
	"$TPC" "$BATS_TEST_TMPDIR/p.yaml" -o "$OBJ" --emit-c "$BATS_TEST_TMPDIR/p.c"
	{
		sed 's/ name=tpc_h0_twin / name=tpc_zz_rejected /' "$BATS_TEST_TMPDIR/p.c"
		# the runtime programs tpc links in (as tpc --keep-debug does)
		printf '\n#include "tpc_procs.bpf.h"\n'
		printf '\nSEC("tracepoint/syscalls/sys_exit_openat")\n'
		printf 'int tpc_zz_rejected(void *ctx)\n{\n\treturn *(volatile int *)((char *)ctx + 65536);\n}\n'
	} >"$BATS_TEST_TMPDIR/rejected.bpf.c"
	grep -q 'prog hook=0 name=tpc_zz_rejected variant=tracepoint role=entry' "$BATS_TEST_TMPDIR/rejected.bpf.c"
	clang -target bpf -O2 -g -I "$REPO/runtime-bpf" -c "$BATS_TEST_TMPDIR/rejected.bpf.c" \
		-o "$BATS_TEST_TMPDIR/rejected.bpf.o"
	run "$TPLOAD" --timeout 5 "$BATS_TEST_TMPDIR/rejected.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -qx "tp-load: $BATS_TEST_TMPDIR/rejected.bpf.o: loading failed: Permission denied" <<<"$output"
	grep -q "prog 'tpc_zz_rejected': BPF program load failed" <<<"$output"
	grep -q "dereference of modified ctx ptr" <<<"$output"
	no_orphan_tpc_progs
}

@test "an object whose hook cannot attach detaches what it attached and exits 1" {
	open_policy
	# tp-load attaches each program where its own section says: the
	# policy's C with the twin's section naming a tracepoint no kernel has
	"$TPC" "$BATS_TEST_TMPDIR/p.yaml" -o "$OBJ" --emit-c "$BATS_TEST_TMPDIR/p.c"
	{
		sed 's,SEC("tracepoint/syscalls/sys_enter_openat"),SEC("tracepoint/syscalls/sys_enter_nosuch"),' \
			"$BATS_TEST_TMPDIR/p.c"
		# the runtime programs tpc links in (as tpc --keep-debug does)
		printf '\n#include "tpc_procs.bpf.h"\n'
	} >"$BATS_TEST_TMPDIR/bad.bpf.c"
	grep -q 'SEC("tracepoint/syscalls/sys_enter_nosuch")' "$BATS_TEST_TMPDIR/bad.bpf.c"
	clang -target bpf -O2 -g -I "$REPO/runtime-bpf" -c "$BATS_TEST_TMPDIR/bad.bpf.c" \
		-o "$BATS_TEST_TMPDIR/bad.bpf.o"
	run "$TPLOAD" --timeout 5 --attach tracepoint "$BATS_TEST_TMPDIR/bad.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "tp-load: $BATS_TEST_TMPDIR/bad.bpf.o: hook 0 (kprobe sys_openat, tracepoint twin): no tracepoint syscalls/sys_enter_nosuch on this kernel" ]
	no_orphan_tpc_progs
}

@test "a storm larger than the ring buffer never blocks the kernel side; lost at exit equals the kernel's tpc_lost" {
	open_policy
	# --debug-hold: tp-load reads nothing until exit, so the 4 MiB ring
	# buffer overflows (each event is over 100 bytes)
	start_loader --no-process-events --debug-hold "$OBJ"
	local lost_id made kernel_lost
	lost_id=$(loader_map_id tpc_lost)
	# the syscalls complete (under timeout) although nobody reads
	made=$(timeout 60 "$STORM" open "$TARGET" 100000)
	[ "$made" -eq 100000 ]
	kernel_lost=$(percpu_sum "$lost_id")
	echo "kernel counted $kernel_lost lost"
	[ "$kernel_lost" -gt 0 ]
	stop_loader
	cat "$LOADER_ERR"
	[ "$LOADER_STATUS" -eq 0 ]
	local printed
	printed=$(count_events '.process_kprobe.args[0].string_arg == "'"$TARGET"'"')
	[ "$(tail -n 1 "$LOADER_ERR")" = "tp-load: $printed events, $kernel_lost lost" ]
	# every call is accounted for: printed or counted lost
	[ $((printed + kernel_lost)) -eq "$made" ]
}

@test "at full rate, events printed + lost equals the calls made" {
	open_policy
	start_loader --no-process-events "$OBJ"
	local made
	made=$(timeout 60 "$STORM" open "$TARGET" 300000)
	stop_loader
	cat "$LOADER_ERR"
	[ "$LOADER_STATUS" -eq 0 ]
	local printed lost
	printed=$(count_events 'true')
	lost=$(tail -n 1 "$LOADER_ERR" | sed -n 's/^tp-load: \([0-9]*\) events, \([0-9]*\) lost$/\2/p')
	[ "$(tail -n 1 "$LOADER_ERR")" = "tp-load: $printed events, $lost lost" ]
	[ $((printed + lost)) -eq "$made" ]
}

# ---- hostile objects: refused with one clear line, exit 1 ----

# refuses FILE MESSAGE: tp-load and tp-load --verify both exit 1 with
# exactly "tp-load: FILE: MESSAGE", and nothing of ours stays loaded
refuses() {
	local cmd
	for cmd in "--timeout 5" "--verify"; do
		run "$TPLOAD" $cmd "$1"
		echo "tp-load $cmd: $output"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $1: $2" ]
	done
	no_orphan_tpc_progs
}

# patched SED_SCRIPT: $OBJ with its manifest passed through sed, as $BAD
patched() {
	BAD="$BATS_TEST_TMPDIR/bad.bpf.o"
	get_manifest "$OBJ" | sed "$1" >"$BATS_TEST_TMPDIR/m"
	set_manifest "$OBJ" "$BATS_TEST_TMPDIR/m" "$BAD"
}

@test "truncated objects are refused as truncated, wherever they are cut" {
	open_policy
	local size n
	size=$(stat -c %s "$OBJ")
	for n in 64 1000 $((size / 2)) $((size - 1)); do
		head -c "$n" "$OBJ" >"$BATS_TEST_TMPDIR/cut.o"
		refuses "$BATS_TEST_TMPDIR/cut.o" \
			"truncated or corrupt ELF file: its section headers are not inside its $n bytes"
	done
	head -c 10 "$OBJ" >"$BATS_TEST_TMPDIR/cut.o"
	refuses "$BATS_TEST_TMPDIR/cut.o" "not an ELF file"
}

@test "garbage, an empty file and a host ELF are refused" {
	printf 'this is not a BPF object\n' >"$BATS_TEST_TMPDIR/garbage.o"
	refuses "$BATS_TEST_TMPDIR/garbage.o" "not an ELF file"
	: >"$BATS_TEST_TMPDIR/empty.o"
	refuses "$BATS_TEST_TMPDIR/empty.o" "not an ELF file"
	cp "$TPLOAD" "$BATS_TEST_TMPDIR/host.o"
	local machine
	machine=$(od -An -tu2 -j18 -N2 "$TPLOAD" | tr -d ' ')
	refuses "$BATS_TEST_TMPDIR/host.o" "not a BPF object (ELF machine $machine, expected 247)"
}

@test "a BPF object without a manifest is not a tpc object" {
	open_policy
	llvm-objcopy --rename-section .tpc.manifest=.tpc.other "$OBJ" "$BATS_TEST_TMPDIR/plain.o"
	refuses "$BATS_TEST_TMPDIR/plain.o" "not a tpc object (no .tpc.manifest section)"
}

@test "a manifest of another version is refused" {
	open_policy
	local known
	known=$(get_manifest "$OBJ" | sed -n '1s/^tpc-manifest //p')
	patched '1s/.*/tpc-manifest 999/'
	refuses "$BAD" "manifest version 999 not supported by this tp-load (knows $known)"
	patched '1s/.*/tpc-manifesto 1/'
	refuses "$BAD" "manifest line 1: expected \"tpc-manifest $known\""
}

@test "a truncated or oversized manifest is refused" {
	open_policy
	patched '/^end$/d'
	refuses "$BAD" 'manifest: no "end" line (truncated?)'
	# 17 MiB of manifest: over tp-load's 16 MiB bound
	{
		get_manifest "$OBJ" | sed '/^end$/d'
		head -c $((17 << 20)) /dev/zero | tr '\0' 'x'
		printf '\nend\n'
	} >"$BATS_TEST_TMPDIR/m"
	set_manifest "$OBJ" "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/big.o"
	local size
	size=$(stat -c %s "$BATS_TEST_TMPDIR/m")
	refuses "$BATS_TEST_TMPDIR/big.o" ".tpc.manifest section is too large ($size bytes, at most 16777216)"
}

@test "manifest counts that disagree with themselves or with the programs are refused" {
	open_policy
	# more args announced than described
	patched 's/ nargs=1/ nargs=2/'
	refuses "$BAD" "manifest: hook 0: no arg record for pos=1"
	# an arg of a hook that does not exist
	patched 's/^arg hook=0 /arg hook=3 /'
	local line
	line=$(get_manifest "$OBJ" | grep -n '^arg hook=0 ' | cut -d: -f1)
	refuses "$BAD" "manifest line $line: arg of hook 3, which does not exist"
	# a hook whose program is not in the object
	patched 's/ name=tpc_h0_twin / name=tpc_h9_twin /'
	refuses "$BAD" "hook 0: manifest names program tpc_h9_twin, which is not in the object"
	# more hooks than the object has programs for
	patched '/^end$/i hook id=1 kind=tracepoint nargs=0 tp=syscalls/sys_enter_getppid
/^end$/i prog hook=1 name=tpc_h1 variant=tracepoint role=entry'
	refuses "$BAD" "hook 1: manifest names program tpc_h1, which is not in the object"
	# a hook without programs
	patched '/^prog hook=0 /d'
	refuses "$BAD" "manifest: hook 0: no prog record"
	# a program of a hook that does not exist
	patched 's/^prog hook=0 name=tpc_h0_twin /prog hook=5 name=tpc_h0_twin /'
	line=$(get_manifest "$OBJ" | grep -n '^prog hook=0 name=tpc_h0_twin ' | cut -d: -f1)
	refuses "$BAD" "manifest line $line: prog of hook 5, which does not exist"
}

@test "prog records that are malformed or disagree with the object's programs are refused" {
	open_policy
	local line
	line=$(get_manifest "$OBJ" | grep -n '^prog hook=0 name=tpc_h0_twin ' | cut -d: -f1)
	[ -n "$line" ]
	patched 's/ name=tpc_h0_twin variant=tracepoint / name=tpc_h0_twin variant=bogus /'
	refuses "$BAD" "manifest line $line: prog variant=bogus unknown (kprobe, tracepoint, uprobe, tp_btf, lsm, fentry)"
	patched 's/ name=tpc_h0_twin variant=tracepoint role=entry/ name=tpc_h0_twin variant=tracepoint role=exit/'
	refuses "$BAD" "manifest line $line: prog role=exit unknown (entry, return)"
	patched 's/ name=tpc_h0_twin / name=tpc-h0-twin /'
	refuses "$BAD" "manifest line $line: name=: not a program name"
	patched 's/ name=tpc_h0_twin / name=tpc_h0_kprobe /'
	refuses "$BAD" "manifest line $line: program tpc_h0_kprobe named twice (line $((line - 1)))"
	patched 's/ name=tpc_h0_twin variant=tracepoint / name=tpc_h0_twin variant=kprobe /'
	refuses "$BAD" "manifest line $line: hook 0: second kprobe entry program"
	# the manifest cannot make a program attach as what it is not
	patched 's/ name=tpc_h0_twin / name=tpc_hX /; s/ name=tpc_h0_kprobe / name=tpc_h0_twin /; s/ name=tpc_hX / name=tpc_h0_kprobe /'
	refuses "$BAD" "program tpc_h0_twin is of section tracepoint/syscalls/sys_enter_openat, expected a kprobe program"
	# the kind's own fields
	patched 's/ function=__x64_sys_openat / function=a%2Fb /'
	refuses "$BAD" "manifest line 4: function=: not a kernel symbol name"
	patched 's/ function=__x64_sys_openat / /'
	refuses "$BAD" "manifest line 4: missing field function="
	patched 's/ arch=x86_64/ arch=sparc/'
	refuses "$BAD" "manifest line 2: arch=sparc unknown (x86_64, arm64)"
}

@test "records that disagree with the manifest are dropped, reported and counted" {
	open_policy
	# the program emits one arg record per event; this manifest says none
	patched 's/ nargs=1/ nargs=0/; /^arg hook=0 /d'
	start_loader --no-process-events "$BAD"
	"$STORM" open "$TARGET" 3
	stop_loader
	cat "$LOADER_ERR"
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events 'true')" -eq 0 ]
	[ "$(grep -c "^tp-load: $BAD: dropped a malformed record: record of hook 0 has 1 args, manifest says 0$" "$LOADER_ERR")" -eq 3 ]
	[ "$(tail -n 1 "$LOADER_ERR")" = "tp-load: 0 events, 3 lost (3 malformed)" ]
}

@test "fuzz_manifest: a short libFuzzer run over object, manifest and record reading finds nothing" {
	compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a" >/dev/null ||
		skip "clang's libFuzzer is not installed (libclang-rt-14-dev)"
	run make -s -C "$REPO" fuzz-loader FUZZ_SECONDS=15
	tail -n 15 <<<"$output"
	[ "$status" -eq 0 ]
	local runs
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' <<<"$output")
	[ "$runs" -gt 10000 ]
}
