#!/usr/bin/env bash
# report.sh RAW OUTDIR: writes OUTDIR/results.md from the measurements in
# RAW (report.awk), prints its main table, and draws the ns/event rows
# into OUTDIR/cost.png (cost.gp).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
raw=$1 out=$2

rm -f "$out/cost.dat"
awk -v dat="$out/cost.dat" -f "$HERE/report.awk" "$raw" >"$out/results.md"
# the header and the one table; the details stay in the file
sed -n '1,/^Added cost/p' "$out/results.md" | sed '$d'
echo "(details: $out/results.md)"

if [ -s "$out/cost.dat" ] && command -v gnuplot >/dev/null; then
	gnuplot -e "datafile='$out/cost.dat'; outfile='$out/cost.png'" "$HERE/cost.gp"
	echo "(chart: $out/cost.png)"
fi
