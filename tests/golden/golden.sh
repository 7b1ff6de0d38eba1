# golden.sh: what update.sh and tests/bats/golden.bats share: how a golden
# case is compiled, always the same way whatever the machine: x86_64, no
# kernel BTF (or, for cases marked "# golden-btf", btf/kernel.c's),
# tracepoint formats from the snapshot in tracefs/, uprobe and USDT
# binaries from root/ (so the C depends on tpc and the policy only).
GOLDEN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GOLDEN_TPC="${GOLDEN_TPC:-$GOLDEN_DIR/../../out/bin/tpc}"

# golden_expected POLICY: the expected C file of a case
golden_expected() {
	case "$1" in
	*/policies/*) echo "$GOLDEN_DIR/policies/$(basename "${1%.yaml}").c" ;;
	*) echo "${1%.yaml}.c" ;;
	esac
}

# golden_c POLICY: the generated C on stdout (the object itself is built
# too, so a case that stops compiling fails)
golden_c() {
	local tmp rc=0
	tmp="$(mktemp -d)"
	# a case that walks kernel types ("# golden-btf" in it) reads them from
	# btf/kernel.c's BTF, the same on every machine; the others none
	local btf=(--no-btf)
	if grep -q '^# golden-btf' "$1"; then
		clang -g -O0 -target bpf -c "$GOLDEN_DIR/btf/kernel.c" -o "$tmp/kernel.o" || return 1
		btf=(--btf "$tmp/kernel.o")
	fi
	# the name the policy is read under is in no output; cd keeps it short
	(cd "$(dirname "$1")" && "$GOLDEN_TPC" --arch x86_64 "${btf[@]}" --tracefs "$GOLDEN_DIR/tracefs" --root "$GOLDEN_DIR/root" \
		"$(basename "$1")" -o "$tmp/o.bpf.o" --emit-c "$tmp/o.c" >/dev/null) || rc=$?
	[ "$rc" -eq 0 ] && cat "$tmp/o.c"
	rm -rf "$tmp"
	return "$rc"
}
