#!/usr/bin/env bats
# tp-load on a fleet's nodes (issue 20): a bad object is reported and
# skipped, never the end of the daemon; files are read only from where
# root put them, without blocking or reading what is not an object; the
# event output fails loudly and counts what it could not write; signals,
# fd limits and exec do not change what is reported.

load helpers

PROGS="$REPO/out/tests/progs"
CORRUPT="$REPO/tests/tools/btf_map_corrupt.py"

setup_file() {
	make -s -C "$REPO" test-progs >&2
}

setup() {
	require_root
	T="$BATS_TEST_TMPDIR"
	PROG_ID_BASE=$(bpftool prog show -j 2>/dev/null | jq '[.[].id] | max // 0')
}

teardown() {
	# the reader first: a tp-load blocked writing to it then gets EPIPE
	[ -z "${READER_PID:-}" ] || kill "$READER_PID" 2>/dev/null || true
	teardown_loader
	[ -z "${TMPFS:-}" ] || umount "$TMPFS" 2>/dev/null || true
	# --keep-on-exit: its pins, whatever became of the test
	local k
	for k in ${KEEPS:-}; do rm -rf "$k"; done
}

# openat_policy NAME PREFIX: posts every openat of a path under PREFIX
openat_policy() {
	cat <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "$1"
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
	        - "$2"
	EOF
}

# object NAME PREFIX OUT: compiles openat_policy NAME PREFIX into OUT
object() {
	openat_policy "$1" "$2" >"$T/$1.yaml"
	compile "$T/$1.yaml" "$3"
}

# wait_log N PATTERN [SECONDS]: until tp-load's stderr has N lines
# matching PATTERN (10 s at most, or SECONDS)
wait_log() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		[ "$(grep -c -- "$2" "$LOADER_ERR")" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1 line(s) matching '$2':" >&2
	cat "$LOADER_ERR" >&2
	return 1
}

# wait_attached PID: until the tp-load PID holds its links (with -q there
# is no "attached" line to wait for)
wait_attached() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -n "$(bpf_ids_of "$1" link)" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# summary: tp-load's last line, "W events, L lost ..." as "W L"
summary() {
	tail -1 "$LOADER_ERR" | sed -nE 's/^tp-load: ([0-9]+) events, ([0-9]+) lost.*/\1 \2/p'
}

# ---- a bad object is skipped, the daemon goes on ----

@test "an object that crashes libbpf is reported, not fatal: alone it is refused; under --dir the other policies stay" {
	object keep "$T/keep" "$T/good.bpf.o"
	python3 "$CORRUPT" "$T/good.bpf.o" "$T/crash.bpf.o"
	# the same bytes crash a process that opens them with libbpf (what
	# tp-load did before opening objects in a child)
	run "$TPLOAD" --timeout 1 "$T/crash.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	# (under make test SANITIZE=1, ASan catches the fault and the child
	# exits with ASAN_OPTIONS' exitcode, 99, instead of dying of the signal)
	local codes=1
	[ "${SANITIZE:-}" = 1 ] && codes="1|99"
	grep -Eq "^tp-load: $T/crash.bpf.o: loading the object (crashed its loading process \(signal 11, Segmentation fault\)|failed in its loading process \(exit status ($codes)\)): a malformed object; skipped$" <<<"$output"

	local dir="$T/policies"
	mkdir -p "$dir"
	cp "$T/good.bpf.o" "$T/good.bpf.o.sha256" "$dir/"
	start_loader --dir "$dir" --require-digest
	# a digest that matches: only loading shows the object is bad
	cp "$T/crash.bpf.o" "$dir/"
	(cd "$dir" && sha256sum crash.bpf.o >crash.bpf.o.sha256)
	kill -HUP "$LOADER_PID"
	wait_log 1 "reloaded "
	grep -qx "tp-load: reloaded $dir: 1 objects, 1 hooks (0 added, 0 replaced, 0 removed, 1 failed)" "$LOADER_ERR"
	grep -q "^tp-load: $dir/crash.bpf.o: loading the object .*: a malformed object; skipped$" "$LOADER_ERR"
	cat "$T/keep-after" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events ".process_kprobe.args[0].string_arg == \"$T/keep-after\"")" -eq 1 ]
	no_orphan_tpc_progs
}

@test "a loading process that never answers is killed after the bound and its object skipped: tp-load does not hang on it" {
	object stall "$T/stall" "$T/stall.bpf.o"
	# TPL_TEST_STALL_CHILD: the child waits forever, as one stuck on a
	# lock it inherited would; TPL_LOAD_ANSWER_MS: the bound (120 s)
	SECONDS=0
	TPL_TEST_STALL_CHILD=1 TPL_LOAD_ANSWER_MS=1500 run timeout 60 "$TPLOAD" --timeout 5 "$T/stall.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	((SECONDS < 30))
	grep -qx "tp-load: $T/stall.bpf.o: its loading process gave no answer in 1.5 s: killed; skipped" <<<"$output"
	no_orphan_tpc_progs
}

# keep_dir OBJ: where --keep-on-exit pins OBJ
keep_dir() {
	echo "/sys/fs/bpf/tpc/keep/$(sha256sum "$1" | cut -d' ' -f1)"
}

@test "--dir --keep-on-exit: a replaced policy's pins go at the reload, the kept one's events come at the next start" {
	local dir="$T/policies" ka kb
	mkdir -p "$dir" "$T/a" "$T/b"
	object keep-a "$T/a/" "$dir/p.bpf.o"
	ka=$(keep_dir "$dir/p.bpf.o")
	KEEPS="$ka"
	start_loader --no-process-events --keep-on-exit --dir "$dir"
	[ -e "$ka/hook-0" ]
	object keep-b "$T/b/" "$T/b.bpf.o"
	kb=$(keep_dir "$T/b.bpf.o")
	KEEPS="$ka $kb"
	mv "$T/b.bpf.o" "$dir/p.bpf.o"
	kill -HUP "$LOADER_PID"
	wait_log 1 "reloaded "
	# the directory replaced the policy: the old version's pins are gone
	[ ! -e "$ka" ]
	[ -e "$kb/hook-0" ]
	kill -TERM "$LOADER_PID"
	reap_loader
	LOADER_PID=
	# no tp-load: the event waits in the pinned ring buffer
	: >"$T/b/x"
	start_loader --no-process-events --dir "$dir"
	grep -q "replaced the copy a previous tp-load left attached ($kb): 1 events it kept, 0 lost" "$LOADER_ERR"
	# without the flag the pins go once the new copy is attached
	[ ! -e "$kb" ]
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events ".process_kprobe.args[0].string_arg == \"$T/b/x\"")" -eq 1 ]
	no_orphan_tpc_progs
}

# ---- files: only where root put them, never blocking, never huge ----

@test "--dir refuses a directory others can write, at start and at a reload" {
	local dir="$T/policies"
	mkdir -p "$dir"
	object a "$T/a" "$dir/a.bpf.o"
	chmod 0777 "$dir"
	run "$TPLOAD" --dir "$dir" --timeout 1
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $dir: refusing a policy directory that group or others can write (mode 0777): they could plant objects that tp-load runs as root (chmod go-w $dir)" ]
	chown nobody "$dir"
	chmod 0755 "$dir"
	run "$TPLOAD" --dir "$dir" --timeout 1
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $dir: refusing a policy directory owned by uid $(id -u nobody): its owner could plant objects that tp-load runs as root (chown root $dir)" ]

	# opened up while tp-load runs: what runs stays, nothing new loads
	chown root "$dir"
	start_loader --dir "$dir"
	chmod 0775 "$dir"
	object b "$T/b" "$dir/b.bpf.o"
	kill -HUP "$LOADER_PID"
	wait_log 1 "reloaded "
	grep -qx "tp-load: $dir: refusing a policy directory that group or others can write (mode 0775): they could plant objects that tp-load runs as root (chmod go-w $dir); what runs stays, nothing is loaded" "$LOADER_ERR"
	grep -qx "tp-load: reloaded $dir: 1 objects, 1 hooks (0 added, 0 replaced, 0 removed, 1 failed)" "$LOADER_ERR"
	cat "$T/a1" "$T/b1" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(events '.process_kprobe.args[0].string_arg')" = "\"$T/a1\"" ]
}

@test "--dir skips objects another user owns or can write, and links out of the directory; a ConfigMap's links load" {
	local dir="$T/policies" outside="$T/outside"
	mkdir -p "$dir/..2026_11_30" "$outside"
	object owned "$T/owned" "$dir/owned.bpf.o"
	chown nobody "$dir/owned.bpf.o"
	object writable "$T/writable" "$dir/writable.bpf.o"
	chmod 0666 "$dir/writable.bpf.o"
	object escape "$T/escape" "$outside/escape.bpf.o"
	ln -s "$outside/escape.bpf.o" "$dir/escape.bpf.o"
	# a Kubernetes ConfigMap volume: name -> ..data/name, ..data -> ..<time>
	object cm "$T/cm" "$dir/..2026_11_30/cm.bpf.o"
	ln -s ..2026_11_30 "$dir/..data"
	ln -s ..data/cm.bpf.o "$dir/cm.bpf.o"
	start_loader --dir "$dir"
	grep -qx "tp-load: $dir/owned.bpf.o: refusing a file owned by uid $(id -u nobody): its owner could plant objects that tp-load runs as root (chown root $dir/owned.bpf.o)" "$LOADER_ERR"
	grep -qx "tp-load: $dir/writable.bpf.o: refusing a file that group or others can write (mode 0666): they could plant objects that tp-load runs as root (chmod go-w $dir/writable.bpf.o)" "$LOADER_ERR"
	grep -qx "tp-load: $dir/escape.bpf.o: refusing a symbolic link that leads out of the policy directory" "$LOADER_ERR"
	grep -qx "tp-load: attached 1 hooks from 1 objects in $dir" "$LOADER_ERR"
	cat "$T/owned1" "$T/writable1" "$T/escape1" "$T/cm1" 2>/dev/null || true
	stop_loader
	[ "$(events '.process_kprobe.args[0].string_arg')" = "\"$T/cm1\"" ]
}

@test "a FIFO or a 16 GB sparse file in place of an object or its digest is refused at once, unread" {
	object a "$T/a" "$T/a.bpf.o"
	mkfifo "$T/fifo.bpf.o"
	run timeout 10 "$TPLOAD" --timeout 1 "$T/fifo.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $T/fifo.bpf.o: not a regular file" ]

	rm "$T/a.bpf.o.sha256"
	mkfifo "$T/a.bpf.o.sha256"
	run timeout 10 "$TPLOAD" --timeout 1 --require-digest "$T/a.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $T/a.bpf.o: refused: cannot read its digest: $T/a.bpf.o.sha256: not a regular file" ]

	truncate -s 16G "$T/big.bpf.o"
	local start=$SECONDS
	run timeout 10 "$TPLOAD" --timeout 1 "$T/big.bpf.o"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: $T/big.bpf.o: 17179869184 bytes, more than 67108864: not a tpc object" ]

	# the same under --dir: skipped, the daemon starts
	local dir="$T/policies"
	mkdir -p "$dir"
	mv "$T/big.bpf.o" "$T/fifo.bpf.o" "$dir/"
	cp "$T/a.bpf.o" "$dir/"
	start_loader --dir "$dir"
	grep -qx "tp-load: $dir/big.bpf.o: 17179869184 bytes, more than 67108864: not a tpc object" "$LOADER_ERR"
	grep -qx "tp-load: attached 1 hooks from 1 objects in $dir" "$LOADER_ERR"
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	# the FIFO is not a regular file: not even listed
	(! grep -q "fifo.bpf.o" "$LOADER_ERR")
}

# ---- the event output: failures are loud and counted ----

# storm_through_pipe [tp-load options]: tp-load writes into a FIFO whose
# reader ($READER, a command) starts reading once $T/go exists; 10,000
# openat calls are made while the reader waits. Sets STATUS to tp-load's.
storm_through_pipe() {
	object storm "$T/storm" "$T/p.bpf.o"
	mkfifo "$T/pipe"
	(while [ ! -e "$T/go" ]; do sleep 0.05; done; exec $READER) <"$T/pipe" >"$T/read" &
	READER_PID=$!
	LOADER_ERR="$T/loader.err"
	"$TPLOAD" --no-process-events --timeout 60 "$@" "$T/p.bpf.o" >"$T/pipe" 2>"$LOADER_ERR" &
	LOADER_PID=$!
	wait_attached "$LOADER_PID"
	[ "$("$PROGS/storm" open "$T/storm" 10000)" = 10000 ]
}

@test "events into a closed pipe (| head -1): exit 1, and every unwritten event counted lost, also with -q" {
	READER="head -1"
	storm_through_pipe -q
	touch "$T/go"
	local rc=0
	reap_loader || rc=$?
	LOADER_PID=
	cat "$LOADER_ERR"
	[ "$rc" -eq 1 ]
	grep -qx "tp-load: writing events: Broken pipe (the reader of the events went away)" "$LOADER_ERR"
	# with -q the summary is still there: events were lost
	grep -q "^tp-load: [0-9]* events, [0-9]* lost (.*[0-9]* not written)$" "$LOADER_ERR"
	read -r written lost <<<"$(summary)"
	# every call is an event written or one lost
	[ $((written + lost)) -eq 10000 ]
	[ "$lost" -gt 0 ]
	[ "$(wc -l <"$T/read")" -eq 1 ]
}

@test "a signal while tp-load is blocked writing to a slow reader interrupts nothing" {
	READER="cat"
	storm_through_pipe
	# tp-load is blocked in write(2) on the full pipe (once it has
	# formatted what the storm made); SIGHUP has a handler without
	# SA_RESTART: the write returns EINTR and is retried
	local i
	for ((i = 0; i < 100; i++)); do
		[[ "$(cat /proc/"$LOADER_PID"/wchan)" == *pipe_write ]] && break
		sleep 0.05
	done
	[ "$(awk '{ print $3 }' /proc/"$LOADER_PID"/stat)" = S ]
	[[ "$(cat /proc/"$LOADER_PID"/wchan)" == *pipe_write ]]
	kill -HUP "$LOADER_PID"
	sleep 0.3
	touch "$T/go"
	wait_log 1 "SIGHUP: nothing to reload without --dir"
	stop_loader
	cat "$LOADER_ERR"
	[ "$LOADER_STATUS" -eq 0 ]
	(! grep -q "Interrupted system call" "$LOADER_ERR")
	read -r written lost <<<"$(summary)"
	[ $((written + lost)) -eq 10000 ]
	# what tp-load counts as written is what the reader got, whole lines
	[ "$(wc -l <"$T/read")" -eq "$written" ]
	[ "$(jq -c . "$T/read" | wc -l)" -eq "$written" ]
}

@test "a reader that stops reading: a first SIGINT waits for it, a second one ends tp-load and counts the rest lost" {
	READER="cat"
	storm_through_pipe
	kill -INT "$LOADER_PID"
	sleep 0.5
	kill -0 "$LOADER_PID" # still there, waiting for the reader
	kill -INT "$LOADER_PID"
	local rc=0
	reap_loader || rc=$?
	LOADER_PID=
	cat "$LOADER_ERR"
	[ "$rc" -eq 1 ]
	grep -qx "tp-load: writing events: given up at the second signal (the reader of the events stopped reading)" "$LOADER_ERR"
	read -r written lost <<<"$(summary)"
	[ "$lost" -gt 0 ]
}

@test "a full disk: exit 1, no partial line, and the events that did not fit counted lost" {
	object storm "$T/storm" "$T/p.bpf.o"
	TMPFS="$T/small"
	mkdir -p "$TMPFS"
	mount -t tmpfs -o size=64k tmpfs "$TMPFS"
	LOADER_ERR="$T/loader.err"
	"$TPLOAD" --no-process-events -q --timeout 60 "$T/p.bpf.o" >"$TMPFS/events.json" 2>"$LOADER_ERR" &
	LOADER_PID=$!
	wait_attached "$LOADER_PID"
	"$PROGS/storm" open "$T/storm" 2000
	local rc=0
	reap_loader || rc=$?
	LOADER_PID=
	cat "$LOADER_ERR"
	[ "$rc" -eq 1 ]
	grep -qx "tp-load: writing events: No space left on device" "$LOADER_ERR"
	read -r written lost <<<"$(summary)"
	[ "$lost" -gt 0 ]
	[ "$written" -gt 0 ]
	# the file holds exactly the events counted as written, each whole
	[ "$(wc -l <"$TMPFS/events.json")" -eq "$written" ]
	[ "$(jq -c . "$TMPFS/events.json" | wc -l)" -eq "$written" ]
	[ "$(tail -c 1 "$TMPFS/events.json" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "SIGHUP without --dir is reported and ignored: tp-load goes on and ends with its summary" {
	object a "$T/a" "$T/a.bpf.o"
	start_loader --no-process-events "$T/a.bpf.o"
	kill -HUP "$LOADER_PID"
	wait_log 1 "SIGHUP: nothing to reload without --dir"
	cat "$T/a1" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events ".process_kprobe.args[0].string_arg == \"$T/a1\"")" -eq 1 ]
	grep -qx "tp-load: 1 events, 0 lost" "$LOADER_ERR"
}

# ---- many objects under a service manager's limits ----

@test "60 objects under a soft fd limit of 256 all load, and share one set of process-tracking programs" {
	object sixty "$T/sixty" "$T/p.bpf.o"
	local objs=() i
	for i in $(seq 1 60); do
		cp "$T/p.bpf.o" "$T/o$i.bpf.o"
		objs+=("$T/o$i.bpf.o")
	done
	EVENTS="$T/events.json"
	LOADER_ERR="$T/loader.err"
	(ulimit -Sn 256 && exec "$TPLOAD" --timeout 120 "${objs[@]}") >"$EVENTS" 2>"$LOADER_ERR" &
	LOADER_PID=$!
	wait_log 1 "attached" 90
	grep -qx "tp-load: attached 60 hooks from 60 objects" "$LOADER_ERR"
	# one program of each process-tracking kind, whatever the objects
	local names
	names=$(for id in $(bpf_ids_of "$LOADER_PID" link); do
		bpftool prog show id "$(bpftool link show id "$id" -j | jq .prog_id)" -j | jq -r .name
	done | sort | uniq -c | awk '$2 ~ /^tpc_proc_/ { print $1, $2 }')
	echo "$names"
	[ "$names" = "$(printf '1 tpc_proc_exec\n1 tpc_proc_exit\n1 tpc_proc_fork')" ]
	cat "$T/sixty1" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	# one call, one event from each object
	[ "$(count_events ".process_kprobe.args[0].string_arg == \"$T/sixty1\"")" -eq 60 ]
}
