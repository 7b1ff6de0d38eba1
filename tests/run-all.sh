#!/usr/bin/env bash
# Runs every test: C unit tests, then the bats suites (end to end against the
# real kernel), then the kernel matrix (tests/kernels: other kernels in
# QEMU). Each speaks TAP; this script shows it and closes with one line of
# its own: "N passed, N failed, N skipped". Exit 1 if any failed.
#
#   tests/run-all.sh [bats-file-or-filter...]   (default: all suites)
#   SANITIZE=1 tests/run-all.sh   (or make test SANITIZE=1): ASan + UBSan builds
set -uo pipefail
cd "$(dirname "$0")/.."

# make reads SANITIZE from the environment (or from MAKEFLAGS when run by
# make): every build below, units included, follows it. A sanitizer report
# must fail the test that provoked it, so every report ends the process
# with a non-zero status (UBSan would otherwise print and go on).
if [ "${SANITIZE:-}" = 1 ]; then
	export SANITIZE
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=99}"
	echo "run-all: SANITIZE=1 (ASan + UBSan)"
fi

./tests/install-deps.sh || exit 1
make -s all test-progs || exit 1
make -s -C tests/unit OUT="$PWD/out" >/dev/null || exit 1

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

for t in out/tests/unit/*; do
	[ -x "$t" ] || continue
	"$t" | tee -a "$tap"
done

suites=("$@")
((${#suites[@]})) || suites=(tests/bats/*.bats)
# Tests tagged slow spend their time in clang and the kernel's verifier,
# which the sanitizers do not instrument; the code of ours they run, the
# other tests run too. The sanitizer run leaves them out, and the kernel
# matrix (the same tp-load in QEMU), to stay within CI's time.
filter=()
if [ "${SANITIZE:-}" = 1 ]; then
	filter=(--filter-tags '!slow')
	echo "run-all: SANITIZE=1 leaves out the tests tagged slow (clang- and verifier-bound) and the kernel matrix; make test runs them"
fi
# --timing: each line ends with its time (where CI's minutes go)
# A run that hangs is stopped after BATS_RUN_LIMIT seconds (the whole run
# takes about 15 minutes here) and counted as a failure, so CI ends with
# the tests that ran and where it stopped instead of at its own limit with
# nothing said. (Not bats' BATS_TEST_TIMEOUT: its watchdog is a child of
# the test, so a test's bare `wait` waits for the watchdog too.)
limit=${BATS_RUN_LIMIT:-2700}
timeout --kill-after=30 "$limit" bats --tap --timing "${filter[@]}" "${suites[@]}" | tee -a "$tap"
st=${PIPESTATUS[0]}
if [ "$st" = 124 ] || [ "$st" = 137 ]; then
	echo "not ok 0 the bats run was stopped after $limit s (BATS_RUN_LIMIT): the last test above did not finish" | tee -a "$tap"
fi

# The kernel matrix, when every suite runs: Debian's stock kernels in QEMU
# run the kprobe, kretprobe and feature-probe tests this kernel cannot
# (tests/kernels/run.sh). A kernel that cannot be fetched or booted is a
# skip with its reason; a test that fails in a VM fails here.
if (($# == 0)) && [ "${SANITIZE:-}" != 1 ]; then
	make -s kernel-matrix >/dev/null || exit 1
	./tests/kernels/run.sh --tap | tee -a "$tap"
fi

passed=$(grep -Ec '^ok [0-9]+' "$tap" | tr -d ' ')
skipped=$(grep -Ec '^ok [0-9]+.*# [Ss][Kk][Ii][Pp]' "$tap" | tr -d ' ')
failed=$(grep -Ec '^not ok [0-9]+' "$tap" | tr -d ' ')
passed=$((passed - skipped))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ $((passed + skipped)) -gt 0 ]
