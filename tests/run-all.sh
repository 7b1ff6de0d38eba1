#!/usr/bin/env bash
# Runs every test: C unit tests, then the bats suites (end to end against the
# real kernel). Each speaks TAP; this script shows it and closes with one
# line of its own: "N passed, N failed, N skipped". Exit 1 if any failed.
#
#   tests/run-all.sh [bats-file-or-filter...]   (default: all suites)
set -uo pipefail
cd "$(dirname "$0")/.."

./tests/install-deps.sh || exit 1
make -s all || exit 1
make -s -C tests/unit OUT="$PWD/out" >/dev/null || exit 1

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

for t in out/tests/unit/*; do
	[ -x "$t" ] || continue
	"$t" | tee -a "$tap"
done

suites=("$@")
((${#suites[@]})) || suites=(tests/bats/*.bats)
bats --tap "${suites[@]}" | tee -a "$tap"

passed=$(grep -Ec '^ok [0-9]+' "$tap" | tr -d ' ')
skipped=$(grep -Ec '^ok [0-9]+.*# [Ss][Kk][Ii][Pp]' "$tap" | tr -d ' ')
failed=$(grep -Ec '^not ok [0-9]+' "$tap" | tr -d ' ')
passed=$((passed - skipped))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ $((passed + skipped)) -gt 0 ]
