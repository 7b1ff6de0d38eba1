#!/usr/bin/env bats
# Shipping compiled objects to fleets (issue 8): reproducible bytes,
# objects for another architecture, digests (tpc writes them, tp-load
# --require-digest checks them), policy directories reloaded on SIGHUP,
# and what `make install` puts on a machine (man pages, systemd unit).

load helpers

setup() {
	require_root
	POLICY="$BATS_TEST_TMPDIR/p.yaml"
}

teardown() {
	teardown_loader
	[ -z "${TRIGGER_PID:-}" ] || kill "$TRIGGER_PID" 2>/dev/null || true
	[ -z "${SHARED_TMP:-}" ] || rm -rf "$SHARED_TMP"
}

# openat_policy FILE NAME PREFIX [MESSAGE]: a policy posting every openat
# of a path that starts with PREFIX, with the given message
openat_policy() {
	cat >"$1" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "$2"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    message: "${4:-v1}"
	    args:
	    - index: 1
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Prefix"
	        values:
	        - "$3"
	EOF
}

# manifest OBJ: the object's embedded manifest text
manifest() {
	llvm-objcopy -O binary --only-section=.tpc.manifest "$1" "$BATS_TEST_TMPDIR/manifest.txt"
	cat "$BATS_TEST_TMPDIR/manifest.txt"
}

# wait_log N PATTERN: waits (10 s at most) until tp-load's stderr has N
# lines matching PATTERN
wait_log() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c -- "$2" "$LOADER_ERR")" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1 line(s) matching '$2':" >&2
	cat "$LOADER_ERR" >&2
	return 1
}

# reload N: SIGHUP to tp-load, then wait for its Nth "reloaded" report
reload() {
	kill -HUP "$LOADER_PID"
	wait_log "$1" "reloaded "
}

# ---- reproducible objects ----

@test "the same policy gives byte-identical objects whatever the directory, TMPDIR, working directory, time and user" {
	# a place the unprivileged user can reach (BATS_TEST_TMPDIR's parents may not be)
	SHARED_TMP=$(mktemp -d /tmp/tpc-repro.XXXXXX)
	chmod 755 "$SHARED_TMP"
	local one="$BATS_TEST_TMPDIR/one/deep/place" two="$BATS_TEST_TMPDIR/two" three="$SHARED_TMP/three"
	mkdir -p "$one/tmp" "$one/cwd" "$two/tmp" "$two/a/b/c" "$three/tmp"
	for d in "$one" "$two" "$three"; do cp "$REPO/policies/default.yaml" "$d/policy.yaml"; done

	(cd "$one/cwd" && TMPDIR="$one/tmp" "$TPC" ../policy.yaml -o "$one/policy.bpf.o")
	sleep 1.1 # a later second: nothing of the clock may reach the object
	(cd "$two/a/b/c" && TMPDIR="$two/tmp" "$TPC" "$two/policy.yaml" -o ../../policy.bpf.o)
	# tracefs is root's only: the unprivileged build reads a copy of the one
	# format file the policy's tracepoint needs (--tracefs)
	local fmt=events/sched/sched_process_exec/format
	mkdir -p "$three/tracefs/$(dirname $fmt)"
	cp "/sys/kernel/tracing/$fmt" "$three/tracefs/$fmt"
	chown -R nobody "$three"
	(cd "$three" && TMPDIR="$three/tmp" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$TPC" --tracefs "$three/tracefs" policy.yaml -o policy.bpf.o)
	[ "$(stat -c %U "$three/policy.bpf.o")" = nobody ]

	cmp "$one/policy.bpf.o" "$two/a/policy.bpf.o"
	cmp "$one/policy.bpf.o" "$three/policy.bpf.o"
	cmp "$one/policy.bpf.o.sha256" "$two/a/policy.bpf.o.sha256"
	cmp "$one/policy.bpf.o.sha256" "$three/policy.bpf.o.sha256"
	# clang's scratch directory was removed every time
	[ -z "$(find "$one/tmp" "$two/tmp" "$three/tmp" -mindepth 1)" ]
	# no path of the build machine is in the object
	(! grep -a -q -e "$BATS_TEST_TMPDIR" -e "$SHARED_TMP" "$one/policy.bpf.o" "$three/policy.bpf.o")
	grep -q "policy.bpf.o$" "$one/policy.bpf.o.sha256"
}

@test "the precompiled runtime headers change no byte: the same object with them, without (TPC_PCH=0) and when clang refuses them" {
	[ ! -e /usr/local/include/bpf ] || skip "libbpf headers in /usr/local/include: tpc does not use its PCH (compiler/pch.c)"
	# a clang that says which way it was run, and refuses the PCH on demand
	local log="$BATS_TEST_TMPDIR/clang.log" p mode
	cat >"$BATS_TEST_TMPDIR/clang" <<-EOF
	#!/bin/sh
	case " \$* " in
	*" -include-pch "*) echo pch >>"$log"; [ -z "\$REFUSE" ] || { echo "fatal error: refused" >&2; exit 1; } ;;
	*) echo plain >>"$log" ;;
	esac
	exec clang "\$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/clang"
	for p in default spec-fd-install; do
		for mode in with without refused; do
			: >"$log"
			case $mode in
			with) TPC_CLANG="$BATS_TEST_TMPDIR/clang" "$TPC" "$REPO/policies/$p.yaml" -o "$BATS_TEST_TMPDIR/$mode.o" ;;
			without) TPC_PCH=0 TPC_CLANG="$BATS_TEST_TMPDIR/clang" "$TPC" "$REPO/policies/$p.yaml" -o "$BATS_TEST_TMPDIR/$mode.o" ;;
			refused) REFUSE=1 TPC_CLANG="$BATS_TEST_TMPDIR/clang" "$TPC" "$REPO/policies/$p.yaml" -o "$BATS_TEST_TMPDIR/$mode.o" ;;
			esac
			echo "$p $mode: $(tr '\n' ' ' <"$log")" >&2
			case $mode in
			with) [ "$(cat "$log")" = pch ] ;;
			without) [ "$(cat "$log")" = plain ] ;;
			refused) [ "$(tr '\n' ' ' <"$log")" = "pch plain " ] ;;
			esac
		done
		cmp "$BATS_TEST_TMPDIR/with.o" "$BATS_TEST_TMPDIR/without.o"
		cmp "$BATS_TEST_TMPDIR/with.o" "$BATS_TEST_TMPDIR/refused.o"
	done
}

# ---- another architecture ----

@test "--arch arm64 and x86_64 name their own syscall wrappers and record their architecture; tp-load refuses the other one's object by name" {
	local host foreign prefix
	case "$(uname -m)" in
	aarch64 | arm64) host=arm64 foreign=x86_64 prefix=arm64 ;;
	*) host=x86_64 foreign=arm64 prefix=x64 ;;
	esac
	openat_policy "$POLICY" arch-test "$BATS_TEST_TMPDIR/arch-"
	run "$TPC" --arch arm64 "$POLICY" -o "$BATS_TEST_TMPDIR/arm64.bpf.o"
	[ "$status" -eq 0 ]
	run "$TPC" --arch x86_64 "$POLICY" -o "$BATS_TEST_TMPDIR/x86_64.bpf.o"
	[ "$status" -eq 0 ]
	run readelf -S -W "$BATS_TEST_TMPDIR/arm64.bpf.o"
	grep -q ' kprobe/__arm64_sys_openat ' <<<"$output"
	(! grep -q '__x64_' <<<"$output")
	grep -q ' tracepoint/syscalls/sys_enter_openat ' <<<"$output"
	run readelf -S -W "$BATS_TEST_TMPDIR/x86_64.bpf.o"
	grep -q ' kprobe/__x64_sys_openat ' <<<"$output"
	(! grep -q '__arm64_' <<<"$output")
	# the two differ only where the architecture shows
	(! cmp -s "$BATS_TEST_TMPDIR/arm64.bpf.o" "$BATS_TEST_TMPDIR/x86_64.bpf.o")
	# each manifest names its architecture and its kprobe's symbol
	run manifest "$BATS_TEST_TMPDIR/arm64.bpf.o"
	grep -q '^tpc version=[^ ]* arch=arm64$' <<<"$output"
	grep -q '^hook id=0 kind=kprobe nargs=1 function=__arm64_sys_openat call=sys_openat ' <<<"$output"
	run manifest "$BATS_TEST_TMPDIR/x86_64.bpf.o"
	grep -q '^tpc version=[^ ]* arch=x86_64$' <<<"$output"
	grep -q '^hook id=0 kind=kprobe nargs=1 function=__x64_sys_openat call=sys_openat ' <<<"$output"

	run "$TPC" --arch sparc "$POLICY" -o "$BATS_TEST_TMPDIR/x.bpf.o"
	[ "$status" -eq 2 ]
	[ "$output" = "tpc: unknown --arch 'sparc' (x86_64 or arm64)" ]

	# the foreign object reads another architecture's registers: refused,
	# naming both, by loading and by --verify, whatever --attach says
	local f="$BATS_TEST_TMPDIR/$foreign.bpf.o" cmd
	for cmd in "--timeout 5" "--timeout 5 --attach tracepoint" "--verify"; do
		run "$TPLOAD" $cmd "$f"
		echo "tp-load $cmd: $output"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $f: built for $foreign, this machine is $host (compile it with tpc --arch $host)" ]
	done

	# this machine's object runs; its events name the function its
	# manifest records
	start_loader "$BATS_TEST_TMPDIR/$host.bpf.o"
	cat "$BATS_TEST_TMPDIR/arch-1" 2>/dev/null &
	local pid=$!
	wait $pid || true
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_kprobe.process.pid == $pid")" -eq 1 ]
	run events "select(.process_kprobe.process.pid == $pid) | .process_kprobe.function_name"
	[ "$output" = "\"__${prefix}_sys_openat\"" ]
}

# ---- digests ----

@test "tpc writes OUT.sha256 in sha256sum's format and records its version and the policy's digest in the manifest" {
	openat_policy "$POLICY" digest-test "/nonexistent/"
	mkdir -p "$BATS_TEST_TMPDIR/out"
	compile "$POLICY" "$BATS_TEST_TMPDIR/out/p.bpf.o"
	run cat "$BATS_TEST_TMPDIR/out/p.bpf.o.sha256"
	[ "$output" = "$(cd "$BATS_TEST_TMPDIR/out" && sha256sum p.bpf.o)" ]
	(cd "$BATS_TEST_TMPDIR/out" && sha256sum --quiet -c p.bpf.o.sha256)

	local want
	want=$(sha256sum <"$POLICY" | cut -d' ' -f1)
	run manifest "$BATS_TEST_TMPDIR/out/p.bpf.o"
	grep -qx "tpc version=$("$TPC" --version | cut -d' ' -f2) arch=$(uname -m | sed 's/^aarch64$/arm64/')" <<<"$output"
	grep -qxE "policy name=digest-test digest=sha256:$want( seed=[a-z,-]+)?" <<<"$output"

	# from standard input: the same bytes, the same digest and object
	"$TPC" - -o "$BATS_TEST_TMPDIR/stdin.bpf.o" <"$POLICY"
	cmp "$BATS_TEST_TMPDIR/out/p.bpf.o" "$BATS_TEST_TMPDIR/stdin.bpf.o"
	# one byte more in the policy (a comment): another digest
	echo "# reviewed" >>"$POLICY"
	compile "$POLICY" "$BATS_TEST_TMPDIR/changed.bpf.o"
	run manifest "$BATS_TEST_TMPDIR/changed.bpf.o"
	grep -qxE "policy name=digest-test digest=sha256:$(sha256sum <"$POLICY" | cut -d' ' -f1)( seed=[a-z,-]+)?" <<<"$output"
	(! grep -q "$want" <<<"$output")
}

@test "tp-load --require-digest loads an object that matches its digest file" {
	openat_policy "$POLICY" digest-ok "$BATS_TEST_TMPDIR/dg-"
	compile "$POLICY" "$BATS_TEST_TMPDIR/p.bpf.o"
	start_loader --require-digest "$BATS_TEST_TMPDIR/p.bpf.o"
	cat "$BATS_TEST_TMPDIR/dg-1" 2>/dev/null &
	local pid=$!
	wait $pid || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events ".process_kprobe.process.pid == $pid")" -eq 1 ]
}

@test "tp-load --require-digest refuses an object with no digest file, a changed object and a malformed digest file" {
	openat_policy "$POLICY" digest-bad "/nonexistent/"
	local obj="$BATS_TEST_TMPDIR/p.bpf.o"
	compile "$POLICY" "$obj"

	mv "$obj.sha256" "$BATS_TEST_TMPDIR/saved.sha256"
	run "$TPLOAD" --require-digest --timeout 5 "$obj"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $obj: refused: no digest file $obj.sha256 (--require-digest)" ]
	# without the option the same object loads
	run "$TPLOAD" --timeout 0.1 "$obj"
	[ "$status" -eq 0 ]

	mv "$BATS_TEST_TMPDIR/saved.sha256" "$obj.sha256"
	local want
	want=$(cut -d' ' -f1 "$obj.sha256")
	printf '\0' >>"$obj" # tampered after tpc wrote the digest
	run "$TPLOAD" --require-digest --timeout 5 "$obj"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $obj: refused: its SHA-256 is $(sha256sum <"$obj" | cut -d' ' -f1) but $obj.sha256 says $want" ]

	echo "not a digest  p.bpf.o" >"$obj.sha256"
	run "$TPLOAD" --require-digest --timeout 5 "$obj"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $obj: refused: $obj.sha256 does not start with a SHA-256 (64 hex digits)" ]
}

# ---- policy directories ----

@test "tp-load --dir: SIGHUP adds new objects, replaces changed ones and removes deleted ones, reporting each" {
	local dir="$BATS_TEST_TMPDIR/policies" t="$BATS_TEST_TMPDIR"
	mkdir -p "$dir"
	openat_policy "$t/a.yaml" dir-a "$t/trig-a" v1
	openat_policy "$t/b.yaml" dir-b "$t/trig-b" v1
	compile "$t/a.yaml" "$dir/a.bpf.o"
	start_loader --dir "$dir"
	grep -qx "tp-load: $dir: added a.bpf.o (1 hooks)" "$LOADER_ERR"
	grep -qx "tp-load: attached 1 hooks from 1 objects in $dir" "$LOADER_ERR"
	cat "$t/trig-a1" "$t/trig-b1" 2>/dev/null || true

	compile "$t/b.yaml" "$dir/b.bpf.o"
	reload 1
	grep -qx "tp-load: $dir: added b.bpf.o (1 hooks)" "$LOADER_ERR"
	grep -qx "tp-load: reloaded $dir: 2 objects, 2 hooks (1 added, 0 replaced, 0 removed, 0 failed)" "$LOADER_ERR"
	cat "$t/trig-a2" "$t/trig-b2" 2>/dev/null || true

	openat_policy "$t/a.yaml" dir-a "$t/trig-a" v2
	compile "$t/a.yaml" "$dir/a.bpf.o"
	rm "$dir/b.bpf.o" "$dir/b.bpf.o.sha256"
	reload 2
	grep -qx "tp-load: $dir: replaced a.bpf.o (1 hooks)" "$LOADER_ERR"
	grep -qx "tp-load: $dir: removed b.bpf.o" "$LOADER_ERR"
	grep -qx "tp-load: reloaded $dir: 1 objects, 1 hooks (0 added, 1 replaced, 1 removed, 0 failed)" "$LOADER_ERR"
	cat "$t/trig-a3" "$t/trig-b3" 2>/dev/null || true

	# nothing changed: nothing replaced
	reload 3
	grep -qx "tp-load: reloaded $dir: 1 objects, 1 hooks (0 added, 0 replaced, 0 removed, 0 failed)" "$LOADER_ERR"
	stop_loader
	cat "$EVENTS"
	[ "$LOADER_STATUS" -eq 0 ]
	# sorted: events of different objects come from different ring buffers
	run bash -c "jq -r '.process_kprobe // empty | [.args[0].string_arg, .message, .policy_name] | join(\" \")' '$EVENTS' | sort"
	[ "$output" = "$(printf '%s\n' \
		"$t/trig-a1 v1 dir-a" \
		"$t/trig-a2 v1 dir-a" \
		"$t/trig-a3 v2 dir-a" \
		"$t/trig-b2 v1 dir-b")" ]
}

@test "tp-load --dir: a policy replaced while it fires is never unattached (every call reported)" {
	local dir="$BATS_TEST_TMPDIR/policies" t="$BATS_TEST_TMPDIR"
	mkdir -p "$dir"
	openat_policy "$t/a.yaml" no-gap "$t/seq-" v1
	compile "$t/a.yaml" "$dir/a.bpf.o"
	start_loader --dir "$dir"
	# one open per iteration, numbered, until told to stop (then 20 more)
	(
		i=0 extra=0
		while [ ! -e "$t/stop" ] || [ $extra -lt 20 ]; do
			i=$((i + 1))
			[ -e "$t/stop" ] && extra=$((extra + 1))
			{ : <"$t/seq-$i"; } 2>/dev/null || true
			sleep 0.002
		done
		echo $i >"$t/last"
	) &
	TRIGGER_PID=$!
	sleep 0.3
	openat_policy "$t/a.yaml" no-gap "$t/seq-" v2
	compile "$t/a.yaml" "$dir/a.bpf.o"
	reload 1
	grep -qx "tp-load: $dir: replaced a.bpf.o (1 hooks)" "$LOADER_ERR"
	touch "$t/stop"
	wait "$TRIGGER_PID"
	TRIGGER_PID=
	stop_loader
	grep -qx "tp-load: .* events, 0 lost" "$LOADER_ERR"
	local last missing=()
	last=$(cat "$t/last")
	events '.process_kprobe.args[0].string_arg' | tr -d '"' | sort -u >"$t/seen"
	for ((i = 1; i <= last; i++)); do
		grep -qx "$t/seq-$i" "$t/seen" || missing+=("$i")
	done
	echo "calls: $last, missing: ${missing[*]}"
	[ "${#missing[@]}" -eq 0 ]
	# both versions reported, the old one first
	[ "$(count_events '.process_kprobe.message == "v1"')" -gt 0 ]
	[ "$(count_events '.process_kprobe.message == "v2"')" -gt 0 ]
	[ "$(events '.process_kprobe.message' | tail -1)" = '"v2"' ]
}

@test "tp-load --dir: an object that fails to load is skipped, a broken new version keeps the old one attached" {
	local dir="$BATS_TEST_TMPDIR/policies" t="$BATS_TEST_TMPDIR"
	mkdir -p "$dir"
	openat_policy "$t/a.yaml" keep-a "$t/keep-a" v1
	openat_policy "$t/b.yaml" keep-b "$t/keep-b" v1
	compile "$t/a.yaml" "$dir/a.bpf.o"
	compile "$t/b.yaml" "$dir/b.bpf.o"
	rm "$dir/b.bpf.o.sha256" # refused under --require-digest
	echo "not an object" >"$dir/junk.bpf.o"
	: >"$dir/notes.txt"
	start_loader --dir "$dir" --require-digest
	grep -qx "tp-load: $dir/b.bpf.o: refused: no digest file $dir/b.bpf.o.sha256 (--require-digest)" "$LOADER_ERR"
	grep -qx "tp-load: $dir/b.bpf.o: not loaded" "$LOADER_ERR"
	grep -qx "tp-load: $dir/junk.bpf.o: refused: no digest file $dir/junk.bpf.o.sha256 (--require-digest)" "$LOADER_ERR"
	grep -qx "tp-load: attached 1 hooks from 1 objects in $dir" "$LOADER_ERR"

	# a new a.bpf.o that does not match its digest: the old a stays
	printf '\0' >>"$dir/a.bpf.o"
	reload 1
	grep -qx "tp-load: $dir/a.bpf.o: not loaded; its previous version stays attached" "$LOADER_ERR"
	grep -qx "tp-load: reloaded $dir: 1 objects, 1 hooks (0 added, 0 replaced, 0 removed, 3 failed)" "$LOADER_ERR"
	cat "$t/keep-a1" "$t/keep-b1" 2>/dev/null || true
	stop_loader
	cat "$EVENTS"
	[ "$LOADER_STATUS" -eq 0 ]
	run events '.process_kprobe.args[0].string_arg'
	[ "$output" = "\"$t/keep-a1\"" ]
}

@test "tp-load --dir: usage errors and a missing directory" {
	run "$TPLOAD" --dir "$BATS_TEST_TMPDIR/none" --timeout 1
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $BATS_TEST_TMPDIR/none: cannot read the policy directory: No such file or directory" ]
	run "$TPLOAD" --dir "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/x.bpf.o"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "tp-load: --dir takes no object arguments and no --verify" ]
}

# ---- what gets installed ----

@test "make install puts programs, man pages and the systemd unit under DESTDIR/PREFIX" {
	local root="$BATS_TEST_TMPDIR/root"
	run make -s -C "$REPO" install DESTDIR="$root" PREFIX=/opt/tpc
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x "$root/opt/tpc/bin/tpc" ]
	[ -x "$root/opt/tpc/bin/tp-load" ]
	[ -f "$root/opt/tpc/share/man/man1/tpc.1" ]
	[ -f "$root/opt/tpc/share/man/man1/tp-load.1" ]
	[ -f "$root/opt/tpc/lib/systemd/system/tp-load.service" ]
	[ -d "$root/etc/tpc/policies" ]
	# the unit names the installed program
	grep -qx "ExecStart=/opt/tpc/bin/tp-load --dir /etc/tpc/policies --require-digest" \
		"$root/opt/tpc/lib/systemd/system/tp-load.service"
	run "$root/opt/tpc/bin/tpc" --version
	[ "$output" = "$("$TPC" --version)" ]
	# the installed compiler works on its own (runtime headers are built in)
	"$root/opt/tpc/bin/tpc" "$REPO/policies/default.yaml" -o "$BATS_TEST_TMPDIR/i.bpf.o"
	"$TPC" "$REPO/policies/default.yaml" -o "$BATS_TEST_TMPDIR/j.bpf.o"
	cmp "$BATS_TEST_TMPDIR/i.bpf.o" "$BATS_TEST_TMPDIR/j.bpf.o"
}

@test "the man pages render without warnings and document every option of --help" {
	for page in tpc tp-load; do
		local src="$REPO/man/$page.1"
		run bash -c "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=all -l '$src' 2>&1 >/dev/null"
		echo "$page: $output"
		[ -z "$output" ]
		local text
		text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$src" 2>/dev/null | col -b)
		local prog="$TPC"
		[ "$page" = tp-load ] && prog="$TPLOAD"
		for o in $("$prog" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
			grep -q -- "$o" <<<"$text" || { echo "$page.1 does not mention $o"; return 1; }
		done
	done
}

@test "the systemd unit passes systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	local root="$BATS_TEST_TMPDIR/root"
	make -s -C "$REPO" install DESTDIR="$root" PREFIX=/usr >/dev/null
	# verify checks that ExecStart's program exists: point it at the installed one
	sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$root/usr/lib/systemd/system/tp-load.service" \
		>"$BATS_TEST_TMPDIR/tp-load.service"
	# Documentation= names man pages: look them up where make install put them
	MANPATH="$root/usr/share/man" run systemd-analyze verify "$BATS_TEST_TMPDIR/tp-load.service"
	echo "$output"
	[ "$status" -eq 0 ]
	(! grep -i -e warn -e error -e unknown -e ignoring <<<"$output")
}

# ---- Kubernetes ----
# kubectl cannot validate offline (even --dry-run=client fetches the schema
# from an API server), so the manifests are checked against the API types
# of Debian's Kubernetes Python client (dist/kubernetes/check-manifests.py)
# and linted with yamllint.

@test "the DaemonSet and a ConfigMap of compiled objects pass the offline schema check and yamllint" {
	local k="$REPO/dist/kubernetes" d="$BATS_TEST_TMPDIR/objs"
	mkdir -p "$d"
	openat_policy "$POLICY" k8s-test "/nonexistent/"
	compile "$POLICY" "$d/k8s-test.bpf.o"
	compile "$REPO/policies/default.yaml" "$d/default.bpf.o"
	"$k/policies-configmap.sh" "$d" >"$BATS_TEST_TMPDIR/cm.yaml"
	run "$k/check-manifests.py" "$k/tp-load.yaml" "$BATS_TEST_TMPDIR/cm.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run yamllint -d relaxed "$k/tp-load.yaml" "$BATS_TEST_TMPDIR/cm.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	(! grep -q error <<<"$output")
	# the ConfigMap carries the exact bytes and digests, under the names
	# tp-load --dir --require-digest looks for
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/cm.yaml" "$d" <<-'PY'
	import base64, sys, yaml
	cm = yaml.safe_load(open(sys.argv[1]))
	assert sorted(cm["binaryData"]) == ["default.bpf.o", "k8s-test.bpf.o"], cm["binaryData"].keys()
	for name, b64 in cm["binaryData"].items():
	    assert base64.b64decode(b64) == open(f"{sys.argv[2]}/{name}", "rb").read(), name
	    assert cm["data"][name + ".sha256"] + "\n" == open(f"{sys.argv[2]}/{name}.sha256").read(), name
	PY
	# the DaemonSet mounts that ConfigMap where its tp-load reads
	run /usr/bin/python3 -c '
import sys, yaml
ds = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d["kind"] == "DaemonSet"][0]
pod = ds["spec"]["template"]["spec"]
c = pod["containers"][0]
vol = {v["name"]: v for v in pod["volumes"]}
mount = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
print(vol[mount[c["args"][1]]]["configMap"]["name"], c["args"][0], c["args"][2])
print(vol[mount["/sys/kernel/btf"]]["hostPath"]["path"], pod["hostPID"])' "$k/tp-load.yaml"
	[ "${lines[0]}" = "tpc-policies --dir --require-digest" ]
	[ "${lines[1]}" = "/sys/kernel/btf True" ]
}

@test "the manifest checker reports unknown fields, wrong types, missing fields, bad names and bad base64" {
	local k="$REPO/dist/kubernetes"
	# a misspelt field, a string for a bool, a container without a name, and a
	# selector label that no longer selects the pods
	sed -e 's/hostPID: true/hostPid: true/' -e 's/privileged: true/privileged: "yes"/' \
		-e 's/^        - name: tp-load$/        - image2: x/' \
		-e 's/^      app.kubernetes.io\/name: tp-load$/      app: other/' \
		"$k/tp-load.yaml" >"$BATS_TEST_TMPDIR/bad.yaml"
	run "$k/check-manifests.py" "$BATS_TEST_TMPDIR/bad.yaml"
	[ "$status" -eq 1 ]
	local f="$BATS_TEST_TMPDIR/bad.yaml: doc 2"
	[ "$output" = "$f: DaemonSet.spec.template.spec: unknown field 'hostPid' in V1PodSpec
$f: DaemonSet.spec.template.spec.containers[0]: unknown field 'image2' in V1Container
$f: DaemonSet.spec.template.spec.containers[0].securityContext.privileged: expected bool, got str 'yes'
$f: DaemonSet.spec.template.spec.containers[0]: missing required field 'name' of V1Container
$f: spec.selector.matchLabels.app: the pod template's labels do not match" ]

	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\nbinaryData:\n  a.bpf.o: "!!"\n' \
		>"$BATS_TEST_TMPDIR/badcm.yaml"
	run "$k/check-manifests.py" "$BATS_TEST_TMPDIR/badcm.yaml"
	[ "$status" -eq 1 ]
	[ "$output" = "$BATS_TEST_TMPDIR/badcm.yaml: doc 1: metadata.name: 'Bad_Name' is not a DNS-1123 name
$BATS_TEST_TMPDIR/badcm.yaml: doc 1: binaryData.a.bpf.o: not base64" ]

	# an object without its digest file cannot be shipped
	mkdir -p "$BATS_TEST_TMPDIR/nodigest"
	openat_policy "$POLICY" nd "/nonexistent/"
	compile "$POLICY" "$BATS_TEST_TMPDIR/nodigest/nd.bpf.o"
	rm "$BATS_TEST_TMPDIR/nodigest/nd.bpf.o.sha256"
	run "$k/policies-configmap.sh" "$BATS_TEST_TMPDIR/nodigest"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "policies-configmap.sh: $BATS_TEST_TMPDIR/nodigest/nd.bpf.o.sha256 is missing (tpc writes it; tp-load --require-digest needs it)" ]
}

@test "the Containerfile's packages exist in Debian and what it copies exists after make policies" {
	local cf="$REPO/dist/kubernetes/Containerfile"
	[ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ] ||
		skip "no apt package lists here (apt-get update first)"
	local pkgs
	pkgs=$(sed -n '/apt-get install/,/rm -rf/p' "$cf" | tr ' \\' '\n\n' |
		grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -v -x -e apt-get -e install -e rm -e '-y' -e '&&')
	[ "$(wc -w <<<"$pkgs")" -ge 8 ]
	for p in $pkgs; do
		run apt-cache policy "$p"
		grep -q 'Candidate: [0-9]' <<<"$output" || { echo "no Debian package $p"; return 1; }
	done
	make -s -C "$REPO" policies >/dev/null
	ls "$REPO"/out/policies/*.bpf.o.sha256 >/dev/null
	# the COPY sources outside the build stage exist in the context
	for src in $(grep -E '^COPY [^-]' "$cf" | awk '{print $2}'); do
		[ -e "$REPO/$src" ] || [ "$src" = . ] || { echo "missing $src"; return 1; }
	done
	# and its default command is one tp-load accepts
	run "$TPLOAD" --dir "$REPO/out/policies" --require-digest --timeout 0.2
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq "^tp-load: attached [0-9]+ hooks from [0-9]+ objects in $REPO/out/policies$" <<<"$output"
	# only an object that needs kprobes may be left out, on a kernel without them
	local left
	left=$(grep 'not loaded$' <<<"$output" || true)
	if [ -e /sys/bus/event_source/devices/kprobe ]; then
		[ -z "$left" ]
	else
		[ -z "$(grep -v 'spec-fd-install' <<<"$left")" ]
	fi
}
