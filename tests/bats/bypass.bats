#!/usr/bin/env bats
# No way around a policy (issue 13): each test tries a way an unprivileged
# process, or a careless deployment, could step around a filter, and
# asserts on the effect (a killed process) and on the events.

load helpers

PROGS="$REPO/out/tests/progs"

setup() {
	require_root
	T="$BATS_TEST_TMPDIR"
	# a world-readable place: the attacking programs run as nobody
	W=$(mktemp -d /tmp/tpc-bypass-XXXXXX)
	chmod 755 "$W"
	TARGET="$W/target"
	echo data >"$TARGET"
	chmod 644 "$TARGET"
}

teardown() {
	teardown_loader
	for p in ${BG:-}; do kill "$p" 2>/dev/null || true; done
	rm -rf "$W"
}

# as_nobody CMD...: runs CMD as nobody (uid 65534), printing its exit status
as_nobody() {
	local rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@" >/dev/null 2>&1 || rc=$?
	echo "$rc"
}

# kill_policy SELECTOR_YAML: openat of $TARGET with Sigkill when the
# selector's filters match
kill_policy() {
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "bypass"
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
	        operator: "Equal"
	        values: ["$TARGET"]
	$(printf '%s\n' "$1" | sed 's/^\t*/    /')
	      matchActions:
	      - action: Sigkill
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
}

@test "matchBinaries is the executable: /bin/cat, a symlink, ./cat, bin//cat and bin/../bin/cat are all /usr/bin/cat" {
	kill_policy "  matchBinaries:
	      - operator: In
	        values: [\"/usr/bin/cat\"]"
	ln -s /usr/bin/cat "$W/kitty"
	start_loader "$T/p.bpf.o"
	[ "$(as_nobody /usr/bin/cat "$TARGET")" -eq 137 ]
	[ "$(as_nobody /bin/cat "$TARGET")" -eq 137 ]
	[ "$(as_nobody "$W/kitty" "$TARGET")" -eq 137 ]
	[ "$(cd /usr/bin && as_nobody ./cat "$TARGET")" -eq 137 ]
	[ "$(cd /usr && as_nobody bin//cat "$TARGET")" -eq 137 ]
	[ "$(cd /usr && as_nobody bin/../bin/cat "$TARGET")" -eq 137 ]
	# another binary reading the file is not stopped
	[ "$(as_nobody /usr/bin/head -c1 "$TARGET")" -eq 0 ]
	stop_loader
	cat "$EVENTS"
	# every event names the executable, however it was called
	[ "$(count_events '.process_kprobe.process.binary == "/usr/bin/cat"')" -eq 6 ]
	[ "$(count_events '.process_kprobe and .process_kprobe.process.binary != "/usr/bin/cat"')" -eq 0 ]
}

@test "a process whose main thread called pthread_exit is still its binary to matchBinaries" {
	cp "$PROGS/leader_exit" "$W/leader_exit"
	kill_policy "  matchBinaries:
	      - operator: In
	        values: [\"$W/leader_exit\"]"
	start_loader "$T/p.bpf.o"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$W/leader_exit" "$W/go" "$TARGET" &
	local pid=$!
	# the leader is gone (a zombie) while the worker waits
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(awk '/^State:/ {print $2}' /proc/$pid/status 2>/dev/null)" = Z ] && break
		sleep 0.02
	done
	[ "$(awk '/^State:/ {print $2}' /proc/$pid/status)" = Z ]
	touch "$W/go"
	local rc=0
	wait $pid || rc=$?
	stop_loader
	cat "$EVENTS"
	[ "$rc" -eq 137 ]
	[ "$(count_events ".process_kprobe.process.pid == $pid and .process_kprobe.process.binary == \"$W/leader_exit\"")" -eq 1 ]
}

@test "an argument in a page the caller never touched is checked at the syscall's exit: killed, and reported flagged" {
	kill_policy ""
	# read_at_exit is beyond Tetragon's fields: asked for
	TPC_JSON_EXTENSIONS=1 start_loader "$T/p.bpf.o"
	local rc
	mkdir -m 1777 "$W/tmp"
	rc=$(as_nobody "$PROGS/unfaulted_open" "$TARGET" "$W/tmp/scratch")
	# the open itself happened (the kernel faulted the page in); the
	# process is killed at the call's exit, before it can use the fd
	stop_loader
	cat "$EVENTS"
	[ "$rc" -eq 137 ]
	[ "$(count_events ".process_kprobe.args[0].string_arg == \"$TARGET\" and .process_kprobe.read_at_exit == true")" -eq 1 ]
	[ "$(count_events ".process_kprobe.action == \"KPROBE_ACTION_SIGKILL\"")" -eq 1 ]
}

@test "a name that is not a kernel identifier is refused whatever BTF says: no code injected through call" {
	cat >"$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "inject"
	spec:
	  kprobes:
	  - call: "foo\") int x; asm(\".incbin \\\"/etc/hostname\\\"\"); (\""
	    syscall: false
	  tracepoints:
	  - subsystem: "sched/../../x"
	    event: "a\0b"
	EOF
	run "$TPC" lint --no-btf "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/p.yaml:7:11: error: call 'foo\") int x; asm(\".incbin \\\"/etc/hostname\\\"\"); (\"' holds characters no kernel name has (letters, digits, '_' and '.') [bad-name]" ]
	echo "$output" | grep -qF "$T/p.yaml:10:16: error: subsystem 'sched/../../x' holds characters no kernel name has (letters, digits, '_') [bad-name]"
	echo "$output" | grep -qF "$T/p.yaml:11:12: error: event 'a\\x00b' holds a NUL byte (letters, digits, '_') [bad-name]"
	run "$TPC" --no-btf "$T/p.yaml" -o "$T/p.bpf.o"
	[ "$status" -eq 1 ]
	[ ! -e "$T/p.bpf.o" ]
}

@test "rateLimit tells events apart by every argument: same long path, different flags, both posted" {
	local long="$W/$(printf 'd%.0s' {1..80})"
	echo x >"$long"
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "ratelimit-args"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    args:
	    - index: 1
	      type: "string"
	    - index: 2
	      type: "int"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Equal"
	        values: ["$long"]
	      matchActions:
	      - action: Post
	        rateLimit: "1m"
	        rateLimitScope: "global"
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	python3 -c 'import os, sys
p = sys.argv[1]
for flags in (os.O_RDONLY, os.O_RDONLY | os.O_NONBLOCK, os.O_RDONLY, os.O_RDONLY | os.O_NONBLOCK):
    os.close(os.open(p, flags))' "$long"
	stop_loader
	cat "$EVENTS"
	# two distinct events (flags differ), each once: the repeats are limited
	[ "$(count_events ".process_kprobe.args[0].string_arg == \"$long\"")" -eq 2 ]
	[ "$(events '.process_kprobe.args[1].int_arg' | sort -u | wc -l)" -eq 2 ]
}

@test "returnCopy without return: true adds the return probe (the seed's sys_read example runs as written)" {
	printf 'hello from the file\n' >"$W/in"
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "returncopy-only"
	spec:
	  kprobes:
	  - call: "sys_read"
	    syscall: true
	    args:
	    - index: 0
	      type: "int"
	    - index: 1
	      type: "char_buf"
	      returnCopy: true
	      sizeArgIndex: 3
	    - index: 2
	      type: "size_t"
	    selectors:
	    - matchBinaries:
	      - operator: In
	        values: ["$W/mycat"]
	EOF
	cp /usr/bin/cat "$W/mycat"
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	"$W/mycat" "$W/in" >/dev/null
	stop_loader
	cat "$EVENTS"
	local want
	want=$(printf 'hello from the file\n' | base64)
	[ "$(count_events ".process_kprobe.args[1].bytes_arg == \"$want\"")" -eq 1 ]
}

@test "matchNamespaceChanges NotIn matches only a change of a namespace not listed" {
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "nschanges-notin"
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
	        operator: "Equal"
	        values: ["$TARGET"]
	      matchNamespaceChanges:
	      - operator: NotIn
	        values: ["Mnt"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	"$PROGS/ns_change_open" none "$TARGET" &
	local none=$!
	"$PROGS/ns_change_open" mnt "$TARGET" &
	local mnt=$!
	"$PROGS/ns_change_open" uts "$TARGET" &
	local uts=$!
	wait $none $mnt $uts
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_kprobe.process.pid == $none")" -eq 0 ]
	[ "$(count_events ".process_kprobe.process.pid == $mnt")" -eq 0 ]
	[ "$(count_events ".process_kprobe.process.pid == $uts")" -eq 1 ]
}

@test "every event names the executable, also of a process started before tp-load that exits at once" {
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "old-process"
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
	        operator: "Equal"
	        values: ["$TARGET"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	cp /usr/bin/dash "$W/olddash"
	"$W/olddash" -c 'while [ ! -e "$0" ]; do sleep 0.02; done; exec 3<"$1"' "$W/go" "$TARGET" &
	local pid=$!
	BG=$pid
	start_loader "$T/p.bpf.o"
	touch "$W/go"
	wait $pid
	# the process is gone before tp-load prints: /proc/PID/exe is no help
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_kprobe.process.pid == $pid and .process_kprobe.process.binary == \"$W/olddash\"")" -eq 1 ]
}

@test "uid is the effective uid: setresuid(1000, 0, 0) then open is uid 0; setresuid(0, 1000, 0) is 1000" {
	kill_policy ""
	sed -i '/matchActions:/,$d' "$T/p.yaml"
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	"$PROGS/setresuid_open" 1000 0 0 "$TARGET" &
	local a=$!
	wait $a
	"$PROGS/setresuid_open" 0 1000 0 "$TARGET" &
	local b=$!
	wait $b
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_kprobe.process.pid == $a and .process_kprobe.process.uid == 0")" -eq 1 ]
	[ "$(count_events ".process_kprobe.process.pid == $b and .process_kprobe.process.uid == 1000")" -eq 1 ]
}

@test "matchReturnArgs Prefix/Postfix and TracingPolicyNamespaced are refused, saying why" {
	cat >"$T/p.yaml" <<-'EOF'
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicyNamespaced
	metadata:
	  name: "ns"
	  namespace: "default"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    return: true
	    returnArg:
	      index: 0
	      type: "int"
	    selectors:
	    - matchReturnArgs:
	      - operator: "Prefix"
	        values: ["x"]
	EOF
	run "$TPC" lint --no-btf "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/p.yaml:2:7: error: unsupported: kind TracingPolicyNamespaced (tpc cannot yet confine a policy to one namespace's pods: it would act on every process of the node); write kind TracingPolicy if that is meant [unsupported]" ]
	[ "${lines[3]}" = "$T/p.yaml:16:19: error: unsupported: matchReturnArgs operator 'Prefix' (tpc compares return values as integers: Equal, NotEqual, GT, LT, Mask) [unsupported]" ]
}

# write_policy_stdout: every write to fd 1, by anyone
stdout_policy() {
	cat >"$T/w.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "stdout-writes"
	spec:
	  kprobes:
	  - call: "sys_write"
	    syscall: true
	    args:
	    - index: 0
	      type: "int"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "Equal"
	        values: ["1"]
	EOF
	compile "$T/w.yaml" "$T/w.bpf.o"
}

@test "tp-load in its own pid namespace (a container without host pid) does not report its own writes" {
	stdout_policy
	unshare --pid --fork --mount-proc "$TPLOAD" --timeout 3 "$T/w.bpf.o" >"$T/ns.json" 2>"$T/ns.err" &
	local u=$!
	local i pid=""
	for ((i = 0; i < 100; i++)); do
		grep -q attached "$T/ns.err" && break
		sleep 0.05
	done
	pid=$(pgrep -P $u | head -1)
	[ -n "$pid" ]
	for i in 1 2 3; do echo "hello $i" >/dev/null; done
	sh -c 'echo one; echo two' >"$T/sh.out"
	wait $u || true
	cat "$T/ns.err"
	# its own writes of events would feed back without end
	[ "$(jq -c "select(.process_kprobe.process.pid == $pid)" "$T/ns.json" | wc -l)" -eq 0 ]
	# (by pid and by binary: the count of other writes depends on what
	# else runs on the machine)
	[ "$(jq -c --arg b "$(readlink -f "$TPLOAD")" 'select(.process_kprobe.process.binary == $b)' "$T/ns.json" | wc -l)" -eq 0 ]
	[ "$(jq -c 'select(.process_kprobe.process.binary == "/usr/bin/dash")' "$T/ns.json" | wc -l)" -ge 2 ]
}

@test "two tp-loads on one node (a rollout) never report each other's writes" {
	stdout_policy
	"$TPLOAD" --timeout 4 "$T/w.bpf.o" >"$T/a.json" 2>"$T/a.err" &
	local a=$!
	"$TPLOAD" --timeout 4 "$T/w.bpf.o" >"$T/b.json" 2>"$T/b.err" &
	local b=$!
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q attached "$T/a.err" && grep -q attached "$T/b.err" && break
		sleep 0.05
	done
	sh -c 'echo one; echo two' >"$T/sh.out"
	wait $a $b || true
	[ "$(jq -c "select(.process_kprobe.process.pid == $b or .process_kprobe.process.pid == $a)" "$T/a.json" "$T/b.json" | wc -l)" -eq 0 ]
	[ "$(jq -c 'select(.process_kprobe.process.binary == "/usr/bin/dash")' "$T/a.json" | wc -l)" -ge 2 ]
	[ "$(jq -c 'select(.process_kprobe.process.binary == "/usr/bin/dash")' "$T/b.json" | wc -l)" -ge 2 ]
}

# sockaddr_policy CALL ACTION: CALL's sockaddr (arg 1) filtered on
# Family + SPort + SAddr (a sockaddr's address and port are the
# source's, Tetragon's reading), with ACTION
sockaddr_policy() {
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "bypass-sockaddr"
	spec:
	  kprobes:
	  - call: "$1"
	    syscall: true
	    args:
	    - index: 0
	      type: "int"
	    - index: 1
	      type: "sockaddr"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Family"
	        values: ["AF_INET", "AF_INET6"]
	      - index: 1
	        operator: "SPort"
	        values: ["47321"]
	      - index: 1
	        operator: "SAddr"
	        values: ["127.0.0.0/8", "::1"]
	      matchActions:
	      - action: $2
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
}

@test "a sockaddr in a page the caller never touched is checked at the syscall's exit: connect killed, bind reported, both flagged" {
	mkdir -m 1777 "$W/tmp"
	sockaddr_policy sys_connect Sigkill
	TPC_JSON_EXTENSIONS=1 start_loader "$T/p.bpf.o"
	local rc4 rc6 split other
	rc4=$(as_nobody "$PROGS/unfaulted_sockaddr" connect 127.0.0.1 47321 "$W/tmp/c4")
	rc6=$(as_nobody "$PROGS/unfaulted_sockaddr" connect ::1 47321 "$W/tmp/c6")
	# family and port in a present page, the IPv6 address in the next,
	# untouched one: not an address of zeros, a fault retried at exit
	split=$(as_nobody "$PROGS/unfaulted_sockaddr" connect ::1 47321 "$W/tmp/c6s" split)
	# another port: checked at exit too, and not matched
	other=$(as_nobody "$PROGS/unfaulted_sockaddr" connect 127.0.0.1 47322 "$W/tmp/c7")
	stop_loader
	events .process_kprobe
	[ "$rc4" -eq 137 ]
	[ "$rc6" -eq 137 ]
	[ "$split" -eq 137 ]
	[ "$other" -eq 0 ]
	# the address compared at exit is the address reported
	[ "$(events 'select(.process_kprobe.read_at_exit == true and .process_kprobe.action == "KPROBE_ACTION_SIGKILL") | .process_kprobe.args[1]' | sort | tr '\n' ' ')" = \
		'{"sockaddr_arg":{"family":"AF_INET","addr":"127.0.0.1","port":47321}} {"sockaddr_arg":{"family":"AF_INET6","addr":"::1","port":47321}} {"sockaddr_arg":{"family":"AF_INET6","addr":"::1","port":47321}} ' ]
	[ "$(count_events '.process_kprobe')" -eq 3 ]

	sockaddr_policy sys_bind Post
	TPC_JSON_EXTENSIONS=1 start_loader "$T/p.bpf.o"
	rc4=$(as_nobody "$PROGS/unfaulted_sockaddr" bind 127.0.0.1 47321 "$W/tmp/b4")
	stop_loader
	events .process_kprobe
	[ "$rc4" -eq 0 ]
	[ "$(count_events '.process_kprobe.read_at_exit == true and .process_kprobe.args[1].sockaddr_arg.port == 47321')" -eq 1 ]
}

# (CelExpr reads only integer slots, cel.c: no user string of its own to fault)
@test "SubString and SubStringIgnCase on a string in a page the caller never touched: checked at the syscall's exit" {
	local part
	part="$(basename "$W")/targ"
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "bypass-substring"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    message: "substring"
	    args:
	    - index: 1
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "SubString"
	        values: ["no-such-part", "$part"]
	      matchActions:
	      - action: Sigkill
	  - call: "sys_openat"
	    syscall: true
	    message: "ign-case"
	    args:
	    - index: 1
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "SubStringIgnCase"
	        values: ["${part^^}"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	TPC_JSON_EXTENSIONS=1 start_loader "$T/p.bpf.o"
	mkdir -m 1777 "$W/tmp"
	local rc
	rc=$(as_nobody "$PROGS/unfaulted_open" "$TARGET" "$W/tmp/scratch")
	stop_loader
	events .process_kprobe
	[ "$rc" -eq 137 ]
	[ "$(count_events ".process_kprobe.message == \"substring\" and .process_kprobe.args[0].string_arg == \"$TARGET\" and .process_kprobe.read_at_exit == true and .process_kprobe.action == \"KPROBE_ACTION_SIGKILL\"")" -eq 1 ]
	[ "$(count_events ".process_kprobe.message == \"ign-case\" and .process_kprobe.args[0].string_arg == \"$TARGET\" and .process_kprobe.read_at_exit == true")" -eq 1 ]
}

# child_status SHELL...: SHELL (as nobody) runs /usr/bin/cat on $TARGET
# and prints cat's exit status (the shell is the parent of cat: a
# command followed by another is not exec'd in place)
child_status() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@" -c '/usr/bin/cat "$1" >/dev/null 2>&1; echo $?' sh "$TARGET"
}

@test "matchParentBinaries is the parent's executable: a symlink, ./name, bin/../bin and bin//name all match" {
	mkdir -m 755 "$W/bin"
	cp /usr/bin/dash "$W/bin/mydash"
	ln -s "$W/bin/mydash" "$W/link"
	kill_policy "  matchParentBinaries:
	      - operator: In
	        values: [\"$W/bin/mydash\"]"
	start_loader "$T/p.bpf.o"
	[ "$(child_status "$W/bin/mydash")" -eq 137 ]
	[ "$(child_status "$W/link")" -eq 137 ]
	[ "$(cd "$W/bin" && child_status ./mydash)" -eq 137 ]
	[ "$(cd "$W" && child_status bin/../bin/mydash)" -eq 137 ]
	[ "$(cd "$W" && child_status bin//mydash)" -eq 137 ]
	# another parent's child is not stopped
	[ "$(child_status /usr/bin/dash)" -eq 0 ]
	stop_loader
	events .process_kprobe
	[ "$(count_events '.process_kprobe.process.binary == "/usr/bin/cat" and .process_kprobe.action == "KPROBE_ACTION_SIGKILL"')" -eq 5 ]
	[ "$(count_events '.process_kprobe')" -eq 5 ]
	# and each names its parent by the executable, however it was called
	[ "$(count_events ".process_kprobe.parent.binary == \"$W/bin/mydash\"")" -eq 5 ]
}
