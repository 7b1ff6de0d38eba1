#!/usr/bin/env bats
# tpc lint: every bad-policy fixture under tests/fixtures/lint/ gets exactly
# its expected diagnostics (rule, line, column, message), and the output
# formats, exit codes and options behave as README's "Lint rules" says.

load helpers

LINT="$FIXTURES/lint"

# fixtures read tracefs (tracepoint formats, syscall prototypes) and the
# kernel BTF, as on a build machine of the kind we target
require_kernel_info() {
	[ -r /sys/kernel/tracing/events/syscalls/sys_enter_openat/format ] ||
		skip "needs a readable tracefs at /sys/kernel/tracing (root)"
	[ -r /sys/kernel/btf/vmlinux ] || skip "needs the kernel BTF at /sys/kernel/btf/vmlinux"
}

@test "every lint fixture gives exactly its expected diagnostics" {
	require_kernel_info
	local n=0 bad=0 f
	for f in "$LINT"/*.yaml; do
		local want="${f%.yaml}.expected"
		[ -s "$want" ] || { echo "fixture $f has no (or an empty) .expected"; bad=$((bad + 1)); continue; }
		if ! diff -u "$want" <("$LINT/show.sh" "$f") >"$BATS_TEST_TMPDIR/diff"; then
			echo "--- $(basename "$f"):"
			cat "$BATS_TEST_TMPDIR/diff"
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done
	echo "$n fixtures, $bad differ"
	[ "$bad" -eq 0 ]
	[ "$n" -ge 40 ]
}

@test "exit status: 1 when a fixture has errors, 0 when it has only warnings" {
	require_kernel_info
	local f errs
	for f in "$LINT"/*.yaml; do
		args=$(sed -n '1s/^# tpc-args: //p' "$f" | sed -e "s|@FIXTURES@|$FIXTURES|g" -e "s|@DIR@|$LINT|g")
		run "$TPC" lint $args "$f"
		errs=$(grep -c ': error: ' "${f%.yaml}.expected" || true)
		case "$(basename "$f")" in unsupported-*) ;; *)
			# unsupported errors are not in the records of other fixtures
			errs=$((errs + $("$TPC" lint --format=json $args "$f" | jq '[.diagnostics[] | select(.rule == "unsupported")] | length')))
		esac
		if [ "$errs" -gt 0 ]; then
			[ "$status" -eq 1 ] || { echo "$f: expected exit 1, got $status"; return 1; }
		else
			[ "$status" -eq 0 ] || { echo "$f: expected exit 0, got $status"; return 1; }
		fi
	done
}

@test "text output: file:line:col: severity: message [rule], the source line and a caret under the column" {
	run "$TPC" lint --color never "$LINT/bad-enum-operator.yaml"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$LINT/bad-enum-operator.yaml:15:19: error: unknown operator 'Equals'; did you mean 'Equal'? [bad-enum]" ]
	[ "${lines[1]}" = '          operator: "Equals"' ]
	# the caret sits under column 19: two spaces of indent + 18 spaces
	[ "${lines[2]}" = "  $(printf '%18s' '')^" ]
}

@test "colour only when asked or on a terminal" {
	run "$TPC" lint "$LINT/kill-all-sigkill.yaml"
	[[ "$output" != *$'\033['* ]]
	run "$TPC" lint --color always "$LINT/kill-all-sigkill.yaml"
	[[ "$output" == *$'\033[1;35mwarning'* ]]
}

@test "-Werror turns warnings into a failing exit status" {
	run "$TPC" lint "$LINT/kill-all-sigkill.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"[kill-all]"* ]]
	run "$TPC" lint -Werror "$LINT/kill-all-sigkill.yaml"
	[ "$status" -eq 1 ]
}

@test "usage errors exit 2" {
	run "$TPC" lint --format=xml "$LINT/empty.yaml"
	[ "$status" -eq 2 ]
	run "$TPC" lint -Wall "$LINT/empty.yaml"
	[ "$status" -eq 2 ]
	run "$TPC" lint
	[ "$status" -eq 2 ]
	run "$TPC" lint --btf /nonexistent/vmlinux "$LINT/empty.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--btf /nonexistent/vmlinux"* ]]
}

@test "--format=json: one document with every diagnostic and the counts" {
	require_kernel_info
	run "$TPC" lint --format=json "$LINT/many-problems-sorted.yaml"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.errors == 5 and .warnings == 1 and (.diagnostics | length) == 6'
	echo "$output" | jq -e '.diagnostics[4] | .line == 28 and .column == 17 and .severity == "warning" and .rule == "kill-all"'
	echo "$output" | jq -e --arg f "$LINT/many-problems-sorted.yaml" 'all(.diagnostics[]; .file == $f)'
}

@test "--format=sarif: SARIF 2.1.0 with the rules, levels and regions of the diagnostics" {
	require_kernel_info
	run "$TPC" lint --format=sarif "$LINT/many-problems-sorted.yaml" "$LINT/kill-all-sigkill.yaml"
	[ "$status" -eq 1 ]
	local s="$output"
	echo "$s" | jq -e '.version == "2.1.0" and (.runs | length) == 1 and .runs[0].tool.driver.name == "tpc"'
	echo "$s" | jq -e '(.runs[0].results | length) == 7'
	# every result names a rule the driver lists, at the index given
	echo "$s" | jq -e '.runs[0] as $r | all($r.results[]; $r.tool.driver.rules[.ruleIndex].id == .ruleId)'
	# files in name order: kill-all-sigkill.yaml's one warning comes first
	echo "$s" | jq -e '.runs[0].results[0] | .ruleId == "kill-all" and .level == "warning"
		and (.locations[0].physicalLocation.artifactLocation.uri | endswith("kill-all-sigkill.yaml"))
		and .locations[0].physicalLocation.region == {"startLine": 11, "startColumn": 17}'
	echo "$s" | jq -e '.runs[0].results[1] | .ruleId == "op-type" and .level == "error"
		and .message.text == "operator Prefix is meaningless for integer arg 2 (type int); use Equal, NotEqual, GT, LT or Mask"
		and .locations[0].physicalLocation.region == {"startLine": 17, "startColumn": 19}'
}

@test "JSON and SARIF escape what a policy may hold: quotes, backslashes, control bytes, UTF-8, odd file names" {
	local dir="$BATS_TEST_TMPDIR/a dir" key
	mkdir -p "$dir"
	key=$'we"ird\\k\tey\u00e9'
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "x"\nspec:\n  "%s": 1\n' \
		'we\"ird\\k\tey\u00e9' >"$dir/p%1.yaml"
	run "$TPC" lint --format=json "$dir/p%1.yaml"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e --arg m "unknown key '$key' in spec" '.diagnostics[0] | .message == $m and .line == 6 and .column == 3'
	run "$TPC" lint --format=sarif "$dir/p%1.yaml"
	echo "$output" | jq -e --arg m "unknown key '$key' in spec" '.runs[0].results[0].message.text == $m'
	echo "$output" | jq -e '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri | endswith("/a%20dir/p%251.yaml")'
}

@test "diagnostics of several files come in one run, grouped by file and sorted by position" {
	run "$TPC" lint --format=json "$LINT/missing-key-type.yaml" "$LINT/bad-enum-kind.yaml" "$LINT/no-values.yaml"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '[.diagnostics[] | [.file, .line, .column]] as $d | $d == ($d | sort)'
	echo "$output" | jq -e '[.diagnostics[].file] | unique | length == 3'
}

@test "a policy on standard input is checked like a file" {
	run "$TPC" lint --format=json - <"$LINT/bad-enum-action.yaml"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.diagnostics[0] | .file == "-" and .line == 18 and .rule == "bad-enum"'
}

@test "tpc lint does not run clang" {
	TPC_CLANG=/bin/false run "$TPC" lint "$REPO/policies/default.yaml"
	[ "$status" -eq 0 ]
}

@test "compiling runs every check first: a bad policy writes no object" {
	require_kernel_info
	run "$TPC" "$LINT/btf-arg-type-string-on-struct.yaml" -o "$BATS_TEST_TMPDIR/x.bpf.o"
	[ "$status" -eq 1 ]
	[[ "$output" == *"11:13: error: arg 0 is declared string but vfs_read's 'file' is struct file *"*"[btf-arg-type]"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x.bpf.o" ]
	run "$TPC" -Werror "$LINT/kill-all-sigkill.yaml" -o "$BATS_TEST_TMPDIR/y.bpf.o"
	[ "$status" -eq 1 ]
	[ ! -e "$BATS_TEST_TMPDIR/y.bpf.o" ]
}

@test "BTF: the source project's negative specs are refused for the right reason, lseek specs are not" {
	require_kernel_info
	local c="${TPC_CORPUS:-$REPO/../shared/corpus/tetragon}"
	[ -d "$c" ] || skip "corpus not found at $c"
	rule() { "$TPC" lint --format=json "$c/testdata__specs__$1.yaml" | jq -r '[.diagnostics[] | select(.rule != "unsupported") | "\(.line):\(.column):\(.rule)"] | join(" ")'; }
	[ "$(rule nosuchcall)" = "7:11:syscall-default 7:11:btf-no-call" ]
	[ "$(rule notasyscall)" = "7:11:not-a-syscall" ]
	[ "$(rule wrongargindex)" = "10:14:btf-arg-index" ]
	[ "$(rule syswrongargindex)" = "10:14:btf-arg-index" ]
	[ "$(rule wrongargtype)" = "11:13:btf-arg-type" ]
	[ "$(rule syswrongargtype)" = "11:13:btf-arg-type" ]
	[ "$(rule lseek)" = "" ]
	[ "$(rule syslseek)" = "" ]
}

@test "--no-btf skips the kernel checks; --btf FILE reads that file; an unreadable BTF is a warning" {
	require_kernel_info
	local f="$LINT/btf-arg-type-string-on-struct.yaml"
	run "$TPC" lint --no-btf "$f"
	[ "$status" -eq 0 ]
	[[ "$output" != *"btf-"* ]]
	cp /sys/kernel/btf/vmlinux "$BATS_TEST_TMPDIR/vmlinux"
	run "$TPC" lint --format=json --btf "$BATS_TEST_TMPDIR/vmlinux" "$f"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.diagnostics[0].rule == "btf-arg-type"'
	echo "not BTF" >"$BATS_TEST_TMPDIR/garbage"
	run "$TPC" lint --format=json --btf "$BATS_TEST_TMPDIR/garbage" "$f"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.diagnostics[0] | .rule == "btf-unavailable" and .severity == "warning"'
}

@test "every rule id the compiler reports is in lint_rules.c and in README's Lint rules" {
	local rules
	rules=$(cat "$REPO"/compiler/*.c | tr '\n\t' '  ' | grep -oE 'SEV_(ERROR|WARNING), *"[a-z-]+"' |
		sed -E 's/.*"(.*)"/\1/' | sort -u)
	[ "$(wc -l <<<"$rules")" -ge 30 ]
	local r missing=0
	for r in $rules; do
		grep -q "{\"$r\"," "$REPO/compiler/lint_rules.c" || { echo "not in lint_rules.c: $r"; missing=1; }
		grep -q "^| \`$r\` |" "$REPO/README.md" || { echo "not in README: $r"; missing=1; }
	done
	[ "$missing" -eq 0 ]
}

@test "--btf DIR: a fleet's kernels; what a policy uses that some lack is an error naming them, and the object still builds for the first" {
	require_kernel_info
	local dir="$BATS_TEST_TMPDIR/fleet"
	mkdir -p "$dir"
	cp /sys/kernel/btf/vmlinux "$dir/a-this-kernel"
	cp "$LINT/fleet/btf/k2-old" "$dir/b-old"
	cat >"$BATS_TEST_TMPDIR/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "fleet"
	spec:
	  tracepoints:
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    raw: true
	    args:
	    - index: 0
	      type: "int"
	      resolve: "real_parent.tgid"
	    - index: 0
	      type: "uint64"
	      resolve: "signal.nr_threads"
	EOF
	run "$TPC" lint --btf "$dir" "$BATS_TEST_TMPDIR/p.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$BATS_TEST_TMPDIR/p.yaml:16:17: error: resolve 'signal.nr_threads' is missing on 1 of the 2 kernels: b-old (attribute 'signal' not found in struct task_struct) [btf-fleet]" ]
	[ "$(grep -c 'error:' <<<"$output")" -eq 1 ]
	# without what the old kernel lacks: clean, and it compiles
	head -n 13 "$BATS_TEST_TMPDIR/p.yaml" >"$BATS_TEST_TMPDIR/q.yaml"
	run "$TPC" lint --btf "$dir" "$BATS_TEST_TMPDIR/q.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	run "$TPC" --btf "$dir" "$BATS_TEST_TMPDIR/q.yaml" -o "$BATS_TEST_TMPDIR/q.bpf.o"
	[ "$status" -eq 0 ]
	# an empty directory is a usage error
	mkdir "$BATS_TEST_TMPDIR/empty"
	run "$TPC" lint --btf "$BATS_TEST_TMPDIR/empty" "$BATS_TEST_TMPDIR/q.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no BTF files in the directory"* ]]
}
