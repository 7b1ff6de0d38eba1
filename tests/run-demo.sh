#!/usr/bin/env bash
# `make run`: the main job on the shipped default policy. Installs what is
# missing, builds, compiles policies/default.yaml, loads it with tp-load,
# triggers a few matching actions itself, prints the events, and stops.
#   DEMO_OUTPUT=compact make run     for the human-readable form
set -euo pipefail
cd "$(dirname "$0")/.."

./tests/install-deps.sh
make -s all
mkdir -p out/policies
echo "== tpc policies/default.yaml -o out/policies/default.bpf.o"
out/bin/tpc policies/default.yaml -o out/policies/default.bpf.o

if [ "$(id -u)" != 0 ]; then
	echo "run: loading BPF programs needs root; run 'sudo make run'" >&2
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"; rm -rf "$tmp"' EXIT
tmp=$(mktemp -d)
echo "== tp-load out/policies/default.bpf.o (events follow)"
out/bin/tp-load -o "${DEMO_OUTPUT:-json}" --timeout 30 out/policies/default.bpf.o 2>"$log" &
loader=$!
for _ in $(seq 200); do
	grep -q attached "$log" && break
	kill -0 "$loader" 2>/dev/null || { cat "$log" >&2; exit 1; }
	sleep 0.05
done
cat "$log" >&2
shown=$(wc -l <"$log")

# matching actions: credential files opened, a "curl" started
cat /etc/passwd >/dev/null
head -c 0 /etc/shadow
ls /root/.ssh/ >/dev/null 2>&1 || true
cp /bin/true "$tmp/curl" && "$tmp/curl"
# and one that does not match
cat /etc/hostname >/dev/null

sleep 0.5
kill -INT "$loader"
wait "$loader" || true
tail -n +$((shown + 1)) "$log" >&2
