#!/usr/bin/env bats
# A short libFuzzer run over tpc's parse + check (tests/fuzz/fuzz_policy.c,
# ASan + UBSan), seeded with the corpus and the lint fixtures: any crash,
# leak, hang or undefined behaviour fails it and leaves the input in
# out/fuzz/policy-*. `make fuzz` runs longer (FUZZ_SECONDS, default 60).

load helpers

@test "20 s of libFuzzer over parse + check finds nothing" {
	[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] ||
		ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 ||
		skip "clang's libFuzzer is not installed (libclang-rt-14-dev)"
	cd "$REPO"
	run make -s fuzz-policy FUZZ_SECONDS=20
	echo "$output" | grep -E '^(stat::|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit)' || true
	[ "$status" -eq 0 ]
	# it really ran: the final stats report executions
	local n
	n=$(echo "$output" | sed -n 's/^stat::number_of_executed_units: *//p')
	[ -n "$n" ]
	[ "$n" -gt 100 ]
}
