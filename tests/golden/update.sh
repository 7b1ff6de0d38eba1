#!/usr/bin/env bash
# update.sh: rewrite the expected C of every golden case from the current
# tpc (tests/golden/NAME.yaml -> NAME.c, policies/NAME.yaml ->
# policies/NAME.c). Review the diff (git diff tests/golden) like any code
# change, then commit it with the change that caused it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/golden.sh"
for f in "$here"/*.yaml "$here"/../../policies/*.yaml; do
	out="$(golden_expected "$f")"
	mkdir -p "$(dirname "$out")"
	golden_c "$f" >"$out"
done
echo "update.sh: $(ls "$here"/*.c "$here"/policies/*.c | wc -l) golden files written" >&2
