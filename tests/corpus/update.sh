#!/usr/bin/env bash
# update.sh: regenerate tests/corpus/records/ from the current tpc and
# tp-load, one record per file of ../shared/corpus/tetragon/ (see
# outcome.sh for the form). Run after a feature lands, review the diff
# (git diff tests/corpus/records), commit what is right. Needs root and a
# built tree (make).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
corpus="${TPC_CORPUS:-$here/../../../shared/corpus/tetragon}"
[ -d "$corpus" ] || { echo "update.sh: no corpus at $corpus (set TPC_CORPUS)" >&2; exit 1; }
mkdir -p "$here/records"
rm -f "$here/records"/*.expected
n=0
for f in "$corpus"/*.yaml "$corpus"/*.yml; do
	[ -e "$f" ] || continue
	"$here/outcome.sh" "$f" >"$here/records/$(basename "$f").expected"
	n=$((n + 1))
done
echo "update.sh: $n records written to $here/records" >&2
grep -h '^outcome:' "$here/records"/*.expected | sort | uniq -c >&2
