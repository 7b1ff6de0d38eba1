#!/usr/bin/env bats
# The files tpc writes (issue 20): tpc runs in CI, often as root, into
# directories others may share. It never replaces what is not a regular
# file, never follows a planted name, replaces an object and its digest
# together, leaves nothing behind when killed, and reports an output it
# cannot write as an I/O error naming the path.

load helpers

setup() {
	POLICY="$REPO/policies/default.yaml"
	OUTDIR="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUTDIR"
}

teardown() {
	[ -z "${SHARED_TMP:-}" ] || rm -rf "$SHARED_TMP"
	[ -z "${RO_MNT:-}" ] || umount "$RO_MNT" 2>/dev/null || true
	[ -z "${CLANG_PIDFILE:-}" ] || [ ! -s "$CLANG_PIDFILE" ] || kill "$(cat "$CLANG_PIDFILE")" 2>/dev/null || true
}

# openat_policy FILE: a small policy that needs neither tracefs nor BTF
openat_policy() {
	cat >"$1" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "outputs"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    args:
	    - index: 1
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Prefix"
	        values:
	        - "/etc/"
	EOF
}

# fake_clang FILE BODY: a stand-in for clang (TPC_CLANG) running BODY in
# tpc's scratch directory; clang's arguments end with -o policy.bpf.o.
# What it writes is no ELF object, so tpc runs with --keep-debug, which
# writes clang's object as it is.
fake_clang() {
	printf '#!/bin/sh\n%s\n' "$2" >"$1"
	chmod +x "$1"
}

@test "-o onto a device node is refused, naming it, and the node stays a device (/dev/null too)" {
	require_root
	local dev="$BATS_TEST_TMPDIR/null"
	mknod "$dev" c 1 3
	run "$TPC" "$POLICY" -o "$dev"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $dev: it is a character device; tpc replaces only regular files" ]
	[ -c "$dev" ]
	[ ! -e "$dev.sha256" ]
	# only now that a node of our own survived: the real one
	run "$TPC" "$POLICY" -o /dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write /dev/null: it is a character device; tpc replaces only regular files" ]
	[ -c /dev/null ]
	[ "$(stat -c %t:%T /dev/null)" = "1:3" ]
	[ ! -e /dev/null.sha256 ]
	# a FIFO, a symbolic link, and a digest destination that is not a file
	mkfifo "$OUTDIR/fifo.bpf.o"
	run "$TPC" "$POLICY" -o "$OUTDIR/fifo.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $OUTDIR/fifo.bpf.o: it is a FIFO; tpc replaces only regular files" ]
	[ -p "$OUTDIR/fifo.bpf.o" ]
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$OUTDIR/link.bpf.o"
	run "$TPC" "$POLICY" -o "$OUTDIR/link.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $OUTDIR/link.bpf.o: it is a symbolic link; tpc replaces only regular files" ]
	[ ! -e "$BATS_TEST_TMPDIR/elsewhere" ]
	mkdir "$OUTDIR/x.bpf.o.sha256"
	run "$TPC" "$POLICY" -o "$OUTDIR/x.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $OUTDIR/x.bpf.o.sha256: it is a directory; tpc replaces only regular files" ]
	[ ! -e "$OUTDIR/x.bpf.o" ]
	# nothing was left beside them
	[ -z "$(find "$OUTDIR" -name '.*')" ]
}

@test "-o DIR, a missing directory and a read-only one are I/O errors naming the path (exit 1), not internal errors" {
	run "$TPC" "$POLICY" -o "$OUTDIR"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $OUTDIR: it is a directory; tpc replaces only regular files" ]
	run "$TPC" "$POLICY" -o "$OUTDIR/none/x.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $OUTDIR/none/x.bpf.o: No such file or directory" ]
	require_root
	RO_MNT="$BATS_TEST_TMPDIR/ro"
	mkdir "$RO_MNT"
	mount -t tmpfs -o ro,size=1m tpc-ro "$RO_MNT"
	run "$TPC" "$POLICY" -o "$RO_MNT/x.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $RO_MNT/x.bpf.o: Read-only file system" ]
	# a directory this user cannot write (in a place it can reach)
	SHARED_TMP=$(mktemp -d /tmp/tpc-outputs.XXXXXX)
	chmod 755 "$SHARED_TMP"
	openat_policy "$SHARED_TMP/p.yaml"
	chmod 644 "$SHARED_TMP/p.yaml"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$TPC" --no-btf "$SHARED_TMP/p.yaml" -o "$SHARED_TMP/x.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $SHARED_TMP/x.bpf.o: Permission denied" ]
	[ "$(ls -A "$SHARED_TMP")" = p.yaml ]
}

@test "a symlink planted at the temporary names tpc used to write is not followed" {
	local victim="$BATS_TEST_TMPDIR/victim" out="$OUTDIR/p.bpf.o"
	echo "precious" >"$victim"
	# the old temporaries were OUT.tmp.<pid> and OUT.sha256.tmp.<pid>: the
	# subshell plants both at its own pid, which tpc keeps (exec)
	(
		ln -s "$victim" "$out.tmp.$BASHPID"
		ln -s "$victim" "$out.sha256.tmp.$BASHPID"
		exec "$TPC" "$POLICY" -o "$out"
	)
	[ "$(cat "$victim")" = "precious" ]
	(cd "$OUTDIR" && sha256sum -c p.bpf.o.sha256)
	[ -f "$out" ]
	[ ! -L "$out" ]
	# and the object is what tpc compiled: the same bytes as elsewhere
	compile "$POLICY" "$BATS_TEST_TMPDIR/ref.bpf.o"
	cmp "$out" "$BATS_TEST_TMPDIR/ref.bpf.o"
}

@test "temporaries are new files of mkstemp in the object's directory, hidden, and gone after the run" {
	local out="$OUTDIR/p.bpf.o" seen="$BATS_TEST_TMPDIR/seen"
	# the stand-in for clang lists the object's directory while tpc waits
	fake_clang "$BATS_TEST_TMPDIR/clang" "ls -A '$OUTDIR' >'$seen'; printf obj >policy.bpf.o"
	umask 022
	TPC_CLANG="$BATS_TEST_TMPDIR/clang" run "$TPC" --keep-debug "$POLICY" -o "$out"
	[ "$status" -eq 0 ]
	cat "$seen"
	[ "$(wc -l <"$seen")" -eq 2 ]
	grep -Eq '^\.p\.bpf\.o\.[A-Za-z0-9]{6}$' "$seen"
	grep -Eq '^\.p\.bpf\.o\.sha256\.[A-Za-z0-9]{6}$' "$seen"
	[ "$(ls -A "$OUTDIR")" = "$(printf 'p.bpf.o\np.bpf.o.sha256')" ]
	[ "$(cat "$out")" = obj ]
	# as readable as any file this user creates (mkstemp makes 0600)
	[ "$(stat -c %a "$out")" = 644 ]
}

@test "concurrent tpc runs onto one object always leave a matching object and digest" {
	# a stand-in for clang: each run makes an object of its own (2 MB, so
	# that writing and digesting it take a while), then all four wait for
	# each other, so that they replace the object at the same moment
	fake_clang "$BATS_TEST_TMPDIR/clang" '
head -c 2000000 /dev/urandom >policy.bpf.o
touch "$SYNC/ready.$$"
while [ ! -e "$SYNC/go" ]; do sleep 0.01; done'
	local out="$OUTDIR/p.bpf.o" sync="$BATS_TEST_TMPDIR/sync" round bad=0 i pids
	for ((round = 0; round < 30; round++)); do
		rm -rf "$sync"
		mkdir "$sync"
		pids=()
		for i in 1 2 3 4; do
			SYNC="$sync" TPC_CLANG="$BATS_TEST_TMPDIR/clang" "$TPC" --keep-debug --no-btf "$POLICY" -o "$out" &
			pids+=($!)
		done
		for ((i = 0; i < 400; i++)); do
			[ "$(ls "$sync" | wc -l)" -ge 4 ] && break
			sleep 0.05
		done
		touch "$sync/go"
		# these four only: a bare wait also waits for the watchdog bats
		# starts with BATS_TEST_TIMEOUT (run-all.sh sets it), i.e. forever
		wait "${pids[@]}"
		(cd "$OUTDIR" && sha256sum --quiet -c p.bpf.o.sha256) || bad=$((bad + 1))
	done
	echo "$bad of 30 rounds left a mismatched pair"
	[ "$bad" -eq 0 ]
	[ "$(ls -A "$OUTDIR")" = "$(printf 'p.bpf.o\np.bpf.o.sha256')" ]
}

# kill_during_compile SIGNAL STATUS: tpc is sent SIGNAL while clang runs
kill_during_compile() {
	local sig=$1 want=$2 tmp="$BATS_TEST_TMPDIR/tmp-$1" out="$OUTDIR/$1.bpf.o"
	CLANG_PIDFILE="$BATS_TEST_TMPDIR/clang-$1.pid"
	mkdir -p "$tmp"
	: >"$CLANG_PIDFILE"
	fake_clang "$BATS_TEST_TMPDIR/clang" 'echo $$ >"$CLANG_PIDFILE"; exec sleep 60'
	CLANG_PIDFILE="$CLANG_PIDFILE" TMPDIR="$tmp" TPC_CLANG="$BATS_TEST_TMPDIR/clang" \
		env --default-signal "$TPC" --keep-debug --no-btf "$POLICY" -o "$out" &
	local pid=$! i
	for ((i = 0; i < 200; i++)); do
		[ -s "$CLANG_PIDFILE" ] && break
		sleep 0.05
	done
	[ -s "$CLANG_PIDFILE" ]
	# clang's scratch directory and the temporaries exist now
	[ -n "$(ls -A "$tmp")" ]
	[ -n "$(ls -A "$OUTDIR")" ]
	kill -"$sig" "$pid"
	local st=0
	wait "$pid" || st=$?
	echo "tpc ended with $st after SIG$sig"
	[ "$st" -eq "$want" ]
	[ -z "$(ls -A "$tmp")" ]
	[ -z "$(ls -A "$OUTDIR")" ]
	# clang was stopped too
	(! kill -0 "$(cat "$CLANG_PIDFILE")" 2>/dev/null)
}

@test "tpc killed by SIGTERM, SIGINT or SIGHUP during the compile leaves no temporary and stops clang" {
	kill_during_compile TERM 143
	kill_during_compile INT 130
	kill_during_compile HUP 129
}
