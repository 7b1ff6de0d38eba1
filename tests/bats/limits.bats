#!/usr/bin/env bats
# What tpc accepts is what clang, the verifier and tp-load accept (issue
# 20): hostile YAML (alias bombs, deep nesting, huge files) is refused at
# its line before it costs memory or time, and a policy past what an
# object can hold is refused at the line that runs past it, never handed
# to clang or the kernel to fail there.

load helpers

LINT="$FIXTURES/lint"

# ---- YAML that costs more to read than it says ----

@test "an alias bomb (10^8 values in 2 KB) is refused at the alias that runs past the limit, in little memory" {
	run /usr/bin/time -f 'maxrss=%M' "$TPC" lint "$LINT/yaml-aliases-bomb.yaml"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$LINT/yaml-aliases-bomb.yaml:11:373: error: aliases expand this document past 1000000 nodes here (*s stands for 10703 of them) [yaml-aliases]" ]
	local rss
	rss=$(grep -o 'maxrss=[0-9]*' <<<"$output" | cut -d= -f2)
	echo "max RSS ${rss} KB"
	[ "$rss" -lt 100000 ]
	# compiling stops at the same place
	run "$TPC" "$LINT/yaml-aliases-bomb.yaml" -o "$BATS_TEST_TMPDIR/bomb.bpf.o"
	[ "$status" -eq 1 ]
	[[ "$output" == *"[yaml-aliases]"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/bomb.bpf.o" ]
}

@test "aliases within the limit still expand to what they name" {
	cat >"$BATS_TEST_TMPDIR/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "aliases"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    args: &args
	    - index: 1
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Prefix"
	        values: &v ["/etc/", "/root/"]
	  - call: "sys_openat"
	    syscall: true
	    args: *args
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Postfix"
	        values: *v
	EOF
	run "$TPC" lint --no-btf "$BATS_TEST_TMPDIR/p.yaml"
	[ "$status" -eq 0 ]
	run "$TPC" --no-btf "$BATS_TEST_TMPDIR/p.yaml" -o "$BATS_TEST_TMPDIR/p.bpf.o" --emit-c "$BATS_TEST_TMPDIR/p.c"
	[ "$status" -eq 0 ]
	# the second hook compares the values the first one named
	grep -q '/\* "/root/" \*/' "$BATS_TEST_TMPDIR/p.c"
	grep -q 'ends with "/etc/"' "$BATS_TEST_TMPDIR/p.c"
	grep -q 'ends with "/root/"' "$BATS_TEST_TMPDIR/p.c"
	[ "$(grep -c '^		/\* matchArgs index 1' "$BATS_TEST_TMPDIR/p.c")" -eq 2 ]
}

@test "400 KB of '[' is refused at the 65th level at once" {
	head -c 409600 /dev/zero | tr '\0' '[' >"$BATS_TEST_TMPDIR/brackets.yaml"
	# before: 63 s in libyaml's scanner; the timeout only keeps a
	# regression from hanging the suite
	run timeout 60 "$TPC" lint "$BATS_TEST_TMPDIR/brackets.yaml"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "$BATS_TEST_TMPDIR/brackets.yaml:1:65: error: lists and mappings nested deeper than 64 levels [yaml-depth]" ]]
}

@test "a policy longer than 16 MiB is refused where the limit falls, without reading a huge file to its end" {
	local f="$BATS_TEST_TMPDIR/long.yaml"
	# 1,048,577 lines of 16 bytes: byte 16 MiB starts line 1048577
	yes '# a comment ...' | head -n 1048577 >"$f"
	run "$TPC" lint "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:1048577:1: error: the policy is longer than 16777216 bytes (16 MiB), the most tpc reads [yaml-size]" ]
	# a 16 GB sparse file: refused as too long (not as binary), having read 16 MiB
	truncate -s 16G "$BATS_TEST_TMPDIR/sparse.yaml"
	run timeout 60 "$TPC" lint "$BATS_TEST_TMPDIR/sparse.yaml"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"the policy is longer than 16777216 bytes (16 MiB), the most tpc reads [yaml-size]" ]]
	# standard input too
	run bash -c "yes '# a comment ...' | head -n 1048577 | '$TPC' lint -"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-:1048577:1: error: the policy is longer than 16777216 bytes (16 MiB), the most tpc reads [yaml-size]" ]
	# exactly 16 MiB is read (and found to hold no policy)
	head -n 1048576 "$f" >"$BATS_TEST_TMPDIR/limit.yaml"
	run "$TPC" lint "$BATS_TEST_TMPDIR/limit.yaml"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"no TracingPolicy document in this file [empty]" ]]
}

# ---- what one object can hold ----

# tracepoint_hooks N FILE: a policy of N hooks on one tracepoint
tracepoint_hooks() {
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "hooks"\nspec:\n  tracepoints:\n'
		for ((i = 0; i < $1; i++)); do
			printf '  - subsystem: "sched"\n    event: "sched_process_exec"\n    args:\n    - index: 4\n      type: "string"\n'
		done
	} >"$2"
}

@test "4,097 hooks are refused at the 4,097th; tp-load's manifest reader takes 4,096 and no more (one limit, tpc_abi.h)" {
	require_root # tracefs
	local p="$BATS_TEST_TMPDIR/hooks.yaml"
	tracepoint_hooks 4097 "$p"
	# hook 4097 starts at line 7 + 4096 * 5
	run "$TPC" lint "$p"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$p:20487:5: error: more than 4096 hooks in one object (tp-load takes no more); this is hook 4097 of 4097 [too-many-hooks]" ]
	run "$TPC" "$p" -o "$BATS_TEST_TMPDIR/hooks.bpf.o"
	[ "$status" -eq 1 ]
	[ ! -e "$BATS_TEST_TMPDIR/hooks.bpf.o" ]
	tracepoint_hooks 4096 "$p"
	run "$TPC" lint "$p"
	[ "$status" -eq 0 ]
	# tp-load: a one-hook object whose manifest names 4096 or 4097 hooks
	# (compiling 4,096 real hooks takes clang minutes and a GB)
	tracepoint_hooks 1 "$p"
	compile "$p" "$BATS_TEST_TMPDIR/one.bpf.o"
	get_manifest "$BATS_TEST_TMPDIR/one.bpf.o" >"$BATS_TEST_TMPDIR/m1"
	local n
	for n in 4096 4097; do
		awk -v n="$n" '
			/^(hook|prog|arg) / { rec[++k] = $0; next }
			/^end$/ {
				for (i = 0; i < n; i++)
					for (j = 1; j <= k; j++) {
						l = rec[j]
						gsub(/hook id=0/, "hook id=" i, l); gsub(/hook=0/, "hook=" i, l)
						gsub(/tpc_h0_/, "tpc_h" i "_", l)
						print l
					}
				print; next
			}
			{ print }' "$BATS_TEST_TMPDIR/m1" >"$BATS_TEST_TMPDIR/m$n"
		printf '\0' >>"$BATS_TEST_TMPDIR/m$n"
		set_manifest "$BATS_TEST_TMPDIR/one.bpf.o" "$BATS_TEST_TMPDIR/m$n" "$BATS_TEST_TMPDIR/h$n.bpf.o"
	done
	# 4096 hooks parse: what stops it is hook 1's program, not in the object
	run "$TPLOAD" --verify "$BATS_TEST_TMPDIR/h4096.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $BATS_TEST_TMPDIR/h4096.bpf.o: hook 1: manifest names program tpc_h1_tp, which is not in the object" ]
	run "$TPLOAD" --verify "$BATS_TEST_TMPDIR/h4097.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $BATS_TEST_TMPDIR/h4097.bpf.o: manifest line 12292: more than 4096 hooks" ]
}

# values_policy OP KIND N FILE: openat with one matchArgs filter of N
# values: KIND int (on the int arg), path (/tmp/tpc-limits/<i>), word
# (lowercase words of 3 to 40 letters after a '/', from a fixed LCG, so
# that first words differ as in real paths), or chain (such words, 7 of
# each length from 3 letters up: compares, no hashed set)
values_policy() {
	local op=$1 kind=$2 n=$3 f=$4 i j x=20 len s index=1
	local letters=({a..z})
	[ "$kind" = int ] && index=2
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "limits"\nspec:\n'
		printf '  kprobes:\n  - call: "sys_openat"\n    syscall: true\n    args:\n'
		printf '    - index: 1\n      type: "string"\n    - index: 2\n      type: "int"\n'
		printf '    selectors:\n    - matchArgs:\n      - index: %d\n        operator: "%s"\n        values:\n' "$index" "$op"
		for ((i = 0; i < n; i++)); do
			case $kind in
			int) printf '        - "%d"\n' $((i * 7 + 1)) ;;
			path) printf '        - "/tmp/tpc-limits/%d"\n' "$i" ;;
			word | chain)
				x=$(((x * 1103515245 + 12345) % 2147483648))
				len=$((3 + (x >> 8) % 38))
				# chain: 7 values of each length, one length after the
				# other, so that no length has a hashed set (8)
				[ "$kind" = chain ] && len=$((3 + i / 7))
				s=/
				for ((j = 0; j < len; j++)); do
					x=$(((x * 1103515245 + 12345) % 2147483648))
					s+=${letters[(x >> 16) % 26]}
				done
				printf '        - "%s"\n' "$s"
				;;
			esac
		done
	} >"$f"
}

# compile_and_verify POLICY: tpc, then every program through the verifier
compile_and_verify() {
	run "$TPC" "$1" -o "${1%.yaml}.bpf.o" --emit-c "${1%.yaml}.c"
	[ "$status" -eq 0 ] || { echo "tpc: $output"; return 1; }
	run "$TPLOAD" --verify "${1%.yaml}.bpf.o"
	[ "$status" -eq 0 ] || { echo "tp-load --verify: $output" | grep -v ' ok '; return 1; }
}

# bats test_tags=slow
@test "6,000 integer values, 6,000 string values and 30,000 values compile and pass the verifier (hashed tables)" {
	require_root
	local p="$BATS_TEST_TMPDIR"
	values_policy Equal int 6000 "$p/ints.yaml"
	compile_and_verify "$p/ints.yaml"
	grep -q '^// 6000 integers, hashed into' "$p/ints.c"
	values_policy Equal path 6000 "$p/strings.yaml"
	compile_and_verify "$p/strings.yaml"
	# one table per length: /tmp/tpc-limits/0 to /tmp/tpc-limits/5999
	[ "$(grep -c '^// [0-9]* values of [0-9]* bytes, hashed into' "$p/strings.c")" -eq 4 ]
	values_policy NotEqual path 30000 "$p/many.yaml"
	compile_and_verify "$p/many.yaml"
	[ "$(grep -c '^// [0-9]* values of [0-9]* bytes, hashed into' "$p/many.c")" -eq 5 ]
}

@test "3,000 IPv4 and 3,000 IPv6 CIDRs of mixed prefix lengths compile and pass the verifier (range tables)" {
	require_root
	[ -r /sys/kernel/btf/vmlinux ] || skip "needs the kernel BTF at /sys/kernel/btf/vmlinux"
	local p="$BATS_TEST_TMPDIR"
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "cidrs"\nspec:\n'
		printf '  tracepoints:\n  - subsystem: "sock"\n    event: "inet_sock_set_state"\n    raw: true\n'
		printf '    args:\n    - index: 0\n      type: "sock"\n    selectors:\n    - matchArgs:\n'
		printf '      - index: 0\n        operator: "NotDAddr"\n        values:\n'
		awk 'BEGIN { split("8 12 16 20 24 28 32", l4); split("16 32 48 64 96 112 128", l6)
			for (i = 0; i < 3000; i++) {
				printf "        - \"%d.%d.%d.%d/%d\"\n", 1 + i % 223, int(i / 223) * 17 % 256, i * 7 % 256, i % 256, l4[1 + i % 7]
				printf "        - \"2001:%x:%x::%x/%d\"\n", i, i * 7 % 65536, i, l6[1 + i % 7]
			} }'
	} >"$p/cidrs.yaml"
	compile_and_verify "$p/cidrs.yaml"
	grep -q '^// 3000 IPv4 CIDRs as [0-9]* sorted ranges' "$p/cidrs.c"
	grep -q '^// 3000 IPv6 CIDRs as [0-9]* sorted ranges' "$p/cidrs.c"
	local steps
	steps=$(grep ' tpc_h0_raw_tp ' <<<"$output" | grep -o 'verified=[0-9]*' | cut -d= -f2)
	echo "verifier steps: $steps"
	[ "$steps" -lt 3000 ]
}

# bats test_tags=slow
@test "Prefix values of different first words pass the verifier: 1,200 in sets (a lookup per length), 266 compares loading their words afresh" {
	require_root
	local p="$BATS_TEST_TMPDIR" steps
	# 38 lengths, about 32 values each: one hashed lookup per length
	values_policy Prefix word 1200 "$p/prefix.yaml"
	compile_and_verify "$p/prefix.yaml"
	[ "$(grep -c '^// [0-9]* values of [0-9]* bytes, hashed into' "$p/prefix.c")" -eq 38 ]
	steps=$(grep ' tpc_h0_twin ' <<<"$output" | grep -o 'verified=[0-9]*' | cut -d= -f2)
	echo "verifier steps, sets: $steps"
	[ "$steps" -lt 100000 ]
	# before: 250 compares took 355,000 verifier steps and 500 ran past
	# its 1,000,000, the verifier carrying each value's words into the next
	values_policy Prefix chain 266 "$p/chain.yaml"
	compile_and_verify "$p/chain.yaml"
	(! grep -q 'hashed into' "$p/chain.c")
	steps=$(grep ' tpc_h0_twin ' <<<"$output" | grep -o 'verified=[0-9]*' | cut -d= -f2)
	echo "verifier steps, compares: $steps"
	[ "$steps" -lt 100000 ]
}

# bats test_tags=slow
@test "Prefix and Postfix values past what a BPF jump reaches are refused at the value that goes past (too-many-compares)" {
	local p="$BATS_TEST_TMPDIR"
	# before: 2,000 compiled, and the verifier refused the object (now
	# 2,000 of 38 lengths are sets and compile: 7 of each length are not)
	values_policy Prefix chain 700 "$p/prefix.yaml"
	run "$TPC" lint "$p/prefix.yaml"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$p/prefix.yaml:674:11: error: the checks of this hook come to about 24038 BPF instructions here, past 24000: a failed check jumps over the checks after it, and a BPF jump reaches 32767 instructions (Postfix values, and Equal and Prefix values that fewer than 8 values of their length share, are compared one by one: spread them over several hooks) [too-many-compares]" ]
	[ "${#lines[@]}" -eq 3 ] # one diagnostic, its line and caret
	run "$TPC" "$p/prefix.yaml" -o "$p/prefix.bpf.o"
	[ "$status" -eq 1 ]
	[ ! -e "$p/prefix.bpf.o" ]
	# before: 250 compiled, and their jumps ran out of range at load
	values_policy Postfix word 250 "$p/postfix.yaml"
	run "$TPC" lint "$p/postfix.yaml"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "$p/postfix.yaml:"*": error: the checks of this hook come to about "*" [too-many-compares]" ]]
}
