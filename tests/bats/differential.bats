#!/usr/bin/env bats
# Differential check of selector semantics (issue 7, tests/diff/README.md):
# random policies compiled by the real tpc, their generated C compiled for
# the host against a shim runtime, and random events run through it and
# through a reference evaluator written from the spec. `make diff-test`
# runs 1,000,000 pairs; here 100,000 with a fixed seed (reproducible).

load helpers

DIFFCHECK="$REPO/out/tests/diff/diffcheck"

setup_file() {
	make -s -C "$REPO/tests/diff" OUT="$REPO/out" >&2
}

# diffcheck ARGS...: runs it from the repository with this suite's tpc
diffcheck() {
	run "$DIFFCHECK" --repo "$REPO" -q "$@"
	echo "$output" | grep -v '^match' >&2 || true
}

@test "100,000 random (policy, event) pairs: the generated checks agree with the reference" {
	diffcheck --pairs 100000 --batch 50 --events 1000 --seed 1
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^diffcheck: 100000 pairs, 100 policies, '
	echo "$output" | grep -q '^diffcheck: no disagreement$'
	# every (filter, operator) row was seen both matching and not
	(! echo "$output" | grep -q 'gap')
	# the rows are there: one per filter and operator
	[ "$(echo "$output" | grep -c '^match')" -ge 60 ]
}

@test "a deliberately wrong reference (NotEqual OR'd) is caught and shrunk to a minimal case" {
	# --ascii: a real bug with non-ASCII values must not be found first
	diffcheck --pairs 100000 --batch 20 --events 1000 --seed 1 --ascii --mutate notequal-or
	[ "$status" -eq 1 ]
	echo "$output" | grep -q '^diffcheck: DISAGREEMENT at pair '
	echo "$output" | grep -q '^==== minimal case'
	# shrunk to one filter: NotEqual with the two values it takes to tell
	# AND from OR, in one selector of one hook
	local policy
	policy=$(echo "$output" | sed -n '/^--- policy ---$/,/^--- event ---$/p')
	[ "$(echo "$policy" | grep -c 'operator:')" -eq 1 ]
	echo "$policy" | grep -q 'operator: "NotEqual"'
	[ "$(echo "$policy" | grep -cE '^ +- "')" -eq 2 ]
	[ "$(echo "$policy" | grep -cE '^  - (call|subsystem):')" -eq 1 ]
	echo "$output" | grep -q '^--- expected (reference, from the spec) ---$'
	echo "$output" | grep -q '^--- got (generated code) ---$'
}

@test "a compiler that refuses a generated policy fails the harness, not the comparison" {
	fake="$BATS_TEST_TMPDIR/tpc"
	printf '#!/bin/sh\necho "policy.yaml:1:1: error: refused [internal]" >&2\nexit 1\n' >"$fake"
	chmod +x "$fake"
	diffcheck --pairs 10 --batch 1 --events 10 --tpc "$fake"
	[ "$status" -eq 2 ]
	echo "$output" | grep -q 'tpc exited 1 on a generated policy'
	echo "$output" | grep -q 'error: refused \[internal\]'
}

@test "a return hook with 65 selectors is refused (the entry mask is one u64); 64 still agree with the reference" {
	# 64 selectors that need fd 12345 and a return value of 99, then one
	# that needs fd 7 (the differential check found the 65th was lost)
	policy="$BATS_TEST_TMPDIR/sel65.yaml"
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "sel65"\n'
		printf 'spec:\n  kprobes:\n  - call: "sys_read"\n    syscall: true\n    return: true\n'
		printf '    args:\n    - index: 0\n      type: "int"\n    selectors:\n'
		for i in $(seq 63); do
			printf '    - matchArgs:\n      - index: 0\n        operator: "Equal"\n        values: ["12345"]\n'
			printf '      matchReturnArgs:\n      - operator: "Equal"\n        values: ["99"]\n'
		done
		printf '    - matchArgs:\n      - index: 0\n        operator: "Equal"\n        values: ["7"]\n'
	} >"$policy"
	# 64 selectors: compiled, and the last one still matches
	diffcheck --policy "$policy" --pairs 2000 --events 2000 --seed 1
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^diffcheck: no disagreement$'
	echo "$output" | grep -qE '^diffcheck: 2000 pairs, 1 policies, 1 batches, seed 1: [1-9][0-9]* posted'
	# a 65th: refused where it starts (line 14 + 64 selectors of 7 lines)
	printf '    - matchArgs:\n      - index: 0\n        operator: "Equal"\n        values: ["8"]\n' >>"$policy"
	run "$REPO/out/bin/tpc" lint --no-btf "$policy"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$policy:459:7: error: a hook that reports at return can have at most 64 selectors (this one has 65) [too-many-selectors]" ]
}
