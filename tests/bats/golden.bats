#!/usr/bin/env bats
# The generated C of every golden case (tests/golden/NAME.yaml and every
# shipped policy) is exactly its expected file: each codegen change is
# reviewed as a diff of these files (tests/golden/update.sh rewrites them).

load helpers

setup() {
	source "$REPO/tests/golden/golden.sh"
}

@test "every golden case generates exactly its expected C" {
	local n=0 bad=0 f want
	for f in "$REPO"/tests/golden/*.yaml "$REPO"/policies/*.yaml; do
		want="$(golden_expected "$f")"
		[ -s "$want" ] || { echo "no expected C for $f (tests/golden/update.sh writes it)"; bad=$((bad + 1)); continue; }
		if ! diff -u "$want" <(golden_c "$f") >"$BATS_TEST_TMPDIR/diff"; then
			echo "--- $f:"
			head -60 "$BATS_TEST_TMPDIR/diff"
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done
	echo "$n golden cases, $bad differ"
	[ "$bad" -eq 0 ]
	[ "$n" -ge 10 ]
}

@test "golden C reads as the policy wrote it: values quoted, actions named, policy lines cited" {
	local c="$REPO/tests/golden/actions.c"
	grep -q 'act = TPC_ACT_POST | TPC_ACT_SIGKILL;' "$c"
	grep -q '/\* "/etc/passwd" \*/' "$c"
	grep -q 'selector 1 (line 15)' "$c"
	# no action bits as bare numbers, no unused locals silenced
	(! grep -Eq 'act = 0x[0-9a-f]+;' "$c")
	(! grep -Eq 'Wno-unused-(variable|but-set)' "$REPO/compiler/cc.c")
}
