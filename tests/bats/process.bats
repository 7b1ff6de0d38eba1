#!/usr/bin/env bats
# Process-aware selectors end to end (issue 4): each test triggers a match
# and a near miss through the sys_enter_openat/sys_exit_openat twins and
# asserts on the events.

load helpers

PROGS="$REPO/out/tests/progs"

setup() {
	require_root
	T="$BATS_TEST_TMPDIR"
	TARGET="$T/target"
	echo data >"$TARGET"
}

teardown() {
	teardown_loader
	# waiting shells of a failed test must not outlive it
	for p in ${BG:-}; do kill "$p" 2>/dev/null || true; done
}

# policy NAME SELECTOR_FILTERS: an openat policy reporting opens of $TARGET
# when the given filters (YAML, indented for a selector) also match.
policy() {
	cat >"$T/p.yaml" <<-EOF
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
	        operator: "Equal"
	        values: ["$TARGET"]
	$(printf '%s\n' "$2" | sed 's/^\t*/    /')
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
}

# opened_by PID: events for $TARGET from that process
opened_by() {
	count_events ".process_kprobe.process.pid == $1 and .process_kprobe.args[0].string_arg == \"$TARGET\""
}

opens_total() {
	count_events ".process_kprobe.args[0].string_arg == \"$TARGET\""
}

@test "matchPIDs In followForks: children of the pid match, born before or after loading; others do not" {
	# P waits for $T/go, then opens the target itself through a child cat;
	# S, a child P forked before tp-load started, does the same on go.pre
	bash -c 'sub() { while [ ! -e "$1" ]; do sleep 0.02; done; cat "$2" >/dev/null; }
		sub "$0.pre" "$1" &
		while [ ! -e "$0" ]; do sleep 0.02; done
		cat "$1" >/dev/null; wait' "$T/go" "$TARGET" 3>&- &
	local P=$!
	BG=$P
	policy "pids-follow" "  matchPIDs:
	      - operator: In
	        followForks: true
	        values: [$P]"
	start_loader "$T/p.bpf.o"
	touch "$T/go.pre"
	touch "$T/go"
	wait $P
	cat "$TARGET" >/dev/null &
	local other=$!
	wait $other
	stop_loader
	cat "$EVENTS"
	[ "$(opens_total)" -eq 2 ]
	[ "$(opened_by $other)" -eq 0 ]
	# both openers are cats whose ancestry leads to P
	[ "$(count_events '.process_kprobe.process.binary == "/usr/bin/cat"')" -eq 2 ]
}

@test "two objects with tables of their own: the second's seed reuses the first's /proc walk and still knows older processes" {
	# as above: S, a child P forked before tp-load started, opens on go.pre
	bash -c 'sub() { while [ ! -e "$1" ]; do sleep 0.02; done; cat "$2" >/dev/null; }
		sub "$0.pre" "$1" &
		while [ ! -e "$0" ]; do sleep 0.02; done
		cat "$1" >/dev/null; wait' "$T/go" "$TARGET" 3>&- &
	local P=$!
	BG=$P
	# two objects with follow bits (numbered per object: no shared table)
	policy "pids-follow-a" "  matchPIDs:
	      - operator: In
	        followForks: true
	        values: [$P]"
	mv "$T/p.bpf.o" "$T/a.bpf.o"
	policy "pids-follow-b" "  matchPIDs:
	      - operator: In
	        followForks: true
	        values: [$P]"
	TPL_TIMING=1 start_loader "$T/a.bpf.o" "$T/p.bpf.o"
	touch "$T/go.pre"
	touch "$T/go"
	wait $P
	stop_loader
	cat "$EVENTS" "$LOADER_ERR"
	# the first walk read every process, the second took them from it
	grep -q "a.bpf.o: process tables (tp-load's and the object's, one /proc walk) seeded: [0-9]* entries, 0 processes" "$LOADER_ERR"
	local reused
	reused=$(sed -n 's/.*p.bpf.o: process table seeded: [0-9]* entries, \([0-9]*\) processes as the previous walk.*/\1/p' "$LOADER_ERR")
	[ "${reused:-0}" -gt 0 ]
	# each object reports both opens: S's (seeded) and the later cat's
	[ "$(count_events '.process_kprobe.policy_name == "pids-follow-a"')" -eq 2 ]
	[ "$(count_events '.process_kprobe.policy_name == "pids-follow-b"')" -eq 2 ]
}

@test "matchPIDs In without followForks: the pid itself matches, its child does not" {
	bash -c 'while [ ! -e "$0" ]; do sleep 0.02; done; : <"$1"; cat "$1" >/dev/null' "$T/go" "$TARGET" 3>&- &
	local P=$!
	BG=$P
	policy "pids-nofollow" "  matchPIDs:
	      - operator: In
	        values: [$P]"
	start_loader "$T/p.bpf.o"
	touch "$T/go"
	wait $P
	stop_loader
	cat "$EVENTS"
	[ "$(opened_by $P)" -eq 1 ]
	[ "$(opens_total)" -eq 1 ]
}

@test "matchPIDs NotIn excludes the listed pid only" {
	bash -c 'while [ ! -e "$0" ]; do sleep 0.02; done; : <"$1"' "$T/go" "$TARGET" 3>&- &
	local P=$!
	BG=$P
	policy "pids-notin" "  matchPIDs:
	      - operator: NotIn
	        values: [$P]"
	start_loader "$T/p.bpf.o"
	touch "$T/go"
	wait $P
	cat "$TARGET" >/dev/null &
	local other=$!
	wait $other
	stop_loader
	[ "$(opened_by $P)" -eq 0 ]
	[ "$(opened_by $other)" -eq 1 ]
}

@test "matchBinaries In: a copy of cat under another path matches, /usr/bin/cat does not" {
	cp /usr/bin/cat "$T/mycat"
	policy "binaries-in" "  matchBinaries:
	      - operator: In
	        values: [\"$T/mycat\"]"
	start_loader "$T/p.bpf.o"
	"$T/mycat" "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	cat "$EVENTS"
	[ "$(opened_by $hit)" -eq 1 ]
	[ "$(opened_by $miss)" -eq 0 ]
	[ "$(count_events ".process_kprobe.process.pid == $hit and .process_kprobe.process.binary == \"$T/mycat\"")" -eq 1 ]
}

@test "matchBinaries NotIn and Postfix" {
	cp /usr/bin/cat "$T/mycat"
	policy "binaries-postfix" "  matchBinaries:
	      - operator: Postfix
	        values: [\"/mycat\"]
	      - operator: NotIn
	        values: [\"/usr/bin/cat\"]"
	start_loader "$T/p.bpf.o"
	"$T/mycat" "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	[ "$(opened_by $hit)" -eq 1 ]
	[ "$(opened_by $miss)" -eq 0 ]
}

@test "matchBinaries followChildren: children of a matching binary match, of another do not" {
	cp /bin/bash "$T/mybash"
	policy "binaries-children" "  matchBinaries:
	      - operator: In
	        followChildren: true
	        values: [\"$T/mybash\"]"
	start_loader "$T/p.bpf.o"
	"$T/mybash" -c 'cat "$0" >/dev/null; echo $! >/dev/null' "$TARGET"
	bash -c 'cat "$0" >/dev/null' "$TARGET"
	stop_loader
	cat "$EVENTS"
	[ "$(opens_total)" -eq 1 ]
	run events ".process_kprobe | select(.args[0].string_arg == \"$TARGET\") | .process.binary"
	[ "$output" = '"/usr/bin/cat"' ]
}

@test "matchNamespaces Mnt In host_ns: a process in a new mount namespace does not match" {
	policy "ns-host" "  matchNamespaces:
	      - namespace: Mnt
	        operator: In
	        values: [\"host_ns\"]"
	start_loader "$T/p.bpf.o"
	cat "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	unshare -m cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	cat "$EVENTS"
	[ "$(opened_by $hit)" -eq 1 ]
	[ "$(opened_by $miss)" -eq 0 ]
}

@test "host_ns means the namespaces of --host-ns-pid" {
	# a process in a mount namespace of its own stands for "the host"
	unshare -m sleep 60 3>&- &
	local U=$!
	BG=$U
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(stat -L -c %i /proc/$U/ns/mnt)" != "$(stat -L -c %i /proc/self/ns/mnt)" ] && break
		sleep 0.05
	done
	policy "ns-host-pid" "  matchNamespaces:
	      - namespace: Mnt
	        operator: In
	        values: [\"host_ns\"]"
	start_loader --host-ns-pid $U "$T/p.bpf.o"
	cat "$TARGET" >/dev/null &
	local ours=$!
	wait $ours
	nsenter -t $U -m cat "$TARGET" >/dev/null &
	local theirs=$!
	wait $theirs
	stop_loader
	cat "$EVENTS"
	[ "$(opened_by $ours)" -eq 0 ]
	[ "$(opened_by $theirs)" -eq 1 ]
}

@test "matchNamespaces NotIn with a numeric inode (Uts): only the new namespace matches" {
	local ino
	ino=$(stat -L -c %i /proc/self/ns/uts)
	policy "ns-numeric" "  matchNamespaces:
	      - namespace: Uts
	        operator: NotIn
	        values: [\"$ino\"]"
	start_loader "$T/p.bpf.o"
	cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	unshare -u cat "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	stop_loader
	[ "$(opened_by $hit)" -eq 1 ]
	[ "$(opened_by $miss)" -eq 0 ]
}

@test "matchCapabilities Effective In CAP_SYS_ADMIN: a process without it (setpriv) does not match" {
	policy "caps-in" "  matchCapabilities:
	      - type: Effective
	        operator: In
	        values: [\"CAP_SYS_ADMIN\"]"
	start_loader "$T/p.bpf.o"
	cat "$TARGET" >/dev/null &
	local hit=$!
	wait $hit
	setpriv --bounding-set=-sys_admin cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	cat "$EVENTS"
	[ "$(opened_by $hit)" -eq 1 ]
	[ "$(opened_by $miss)" -eq 0 ]
}

@test "matchCapabilities NotIn, and isNamespaceCapability matches only outside the host user namespace" {
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "caps-ns"
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
	      matchCapabilities:
	      - type: Effective
	        operator: In
	        isNamespaceCapability: true
	        values: ["CAP_SYS_ADMIN"]
	    - matchArgs:
	      - index: 1
	        operator: "Equal"
	        values: ["$TARGET"]
	      matchCapabilities:
	      - type: Permitted
	        operator: NotIn
	        values: ["CAP_SYS_ADMIN"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	cat "$TARGET" >/dev/null &
	local host=$!
	wait $host
	unshare -U -r cat "$TARGET" >/dev/null &
	local userns=$!
	wait $userns
	setpriv --bounding-set=-sys_admin cat "$TARGET" >/dev/null &
	local dropped=$!
	wait $dropped
	stop_loader
	cat "$EVENTS"
	[ "$(opened_by $host)" -eq 0 ]
	[ "$(count_events ".process_kprobe.process.pid == $userns and .process_kprobe.args[0].string_arg == \"$TARGET\"")" -eq 1 ]
	[ "$(opened_by $dropped)" -eq 1 ]
}

@test "matchNamespaceChanges In Mnt: a process that unshares its mount namespace after exec matches" {
	policy "ns-changes" "  matchNamespaceChanges:
	      - operator: In
	        values: [\"Mnt\"]"
	start_loader "$T/p.bpf.o"
	"$PROGS/ns_change_open" mnt "$TARGET" &
	local hit=$!
	wait $hit
	"$PROGS/ns_change_open" uts "$TARGET" &
	local other=$!
	wait $other
	"$PROGS/ns_change_open" none "$TARGET" &
	local miss=$!
	wait $miss
	stop_loader
	cat "$EVENTS"
	[ "$(opened_by $hit)" -eq 1 ]
	[ "$(opened_by $other)" -eq 0 ]
	[ "$(opened_by $miss)" -eq 0 ]
}

@test "matchCapabilityChanges: dropping CAP_SYS_ADMIN after exec matches, keeping it does not" {
	policy "cap-changes" "  matchCapabilityChanges:
	      - type: Effective
	        operator: In
	        values: [\"CAP_SYS_ADMIN\"]"
	start_loader "$T/p.bpf.o"
	"$PROGS/cap_change_open" drop 21 "$TARGET" &
	local hit=$!
	wait $hit
	"$PROGS/cap_change_open" none 21 "$TARGET" &
	local miss=$!
	wait $miss
	"$PROGS/cap_change_open" drop 13 "$TARGET" &
	local other=$!
	wait $other
	stop_loader
	cat "$EVENTS"
	[ "$(opened_by $hit)" -eq 1 ]
	[ "$(opened_by $miss)" -eq 0 ]
	[ "$(opened_by $other)" -eq 0 ]
}

@test "matchCapabilityChanges: a process that gains CAP_NET_RAW after exec matches" {
	command -v setcap >/dev/null || skip "setcap (libcap2-bin) is not installed"
	local d
	d=$(mktemp -d /tmp/tpc-capraise.XXXXXX)
	chmod 755 "$d"
	cp "$PROGS/cap_change_open" "$d/capraise"
	chmod 755 "$d/capraise"
	if ! setcap cap_net_raw+p "$d/capraise" 2>/dev/null; then
		rm -rf "$d"
		skip "this filesystem does not keep file capabilities"
	fi
	policy "cap-gain" "  matchCapabilityChanges:
	      - type: Effective
	        operator: In
	        values: [\"CAP_NET_RAW\"]"
	start_loader "$T/p.bpf.o"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$d/capraise" raise 13 "$TARGET" &
	local hit=$!
	wait $hit
	setpriv --reuid=65534 --regid=65534 --clear-groups "$d/capraise" none 13 "$TARGET" &
	local miss=$!
	wait $miss
	stop_loader
	rm -rf "$d"
	cat "$EVENTS"
	[ "$(opened_by $hit)" -eq 1 ]
	[ "$(opened_by $miss)" -eq 0 ]
	[ "$(count_events ".process_kprobe.process.pid == $hit and .process_kprobe.process.uid == 65534")" -eq 1 ]
}

@test "matchReturnArgs LT 0: a failing openat of a missing file is reported with its return value" {
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "open-failures"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    return: true
	    args:
	    - index: 1
	      type: "string"
	    returnArg:
	      index: 0
	      type: "int"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Prefix"
	        values: ["$T/"]
	      matchReturnArgs:
	      - operator: "LT"
	        values: [0]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	cat "$T/missing" 2>/dev/null &
	local hit=$!
	wait $hit || true
	cat "$TARGET" >/dev/null &
	local miss=$!
	wait $miss
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_kprobe.process.pid == $hit")" -eq 1 ]
	[ "$(count_events ".process_kprobe.process.pid == $miss")" -eq 0 ]
	run events ".process_kprobe | select(.process.pid == $hit)"
	[ "$(jq -r '.return.int_arg' <<<"$output")" = "-2" ]
	[ "$(jq -r '.args[0].string_arg' <<<"$output")" = "$T/missing" ]
}

@test "64 pids, 32 binaries and 16 namespace values per filter compile and pass the verifier" {
	{
		cat <<-EOF
		apiVersion: cilium.io/v1alpha1
		kind: TracingPolicy
		metadata:
		  name: "large-sets"
		spec:
		  kprobes:
		  - call: "sys_openat"
		    syscall: true
		    args:
		    - index: 1
		      type: "string"
		    selectors:
		    - matchPIDs:
		      - operator: NotIn
		        followForks: true
		        values:
		EOF
		for i in $(seq 1000 1063); do echo "        - $i"; done
		echo "      matchBinaries:"
		echo "      - operator: In"
		echo "        followChildren: true"
		echo "        values:"
		for i in $(seq 1 32); do echo "        - /usr/local/bin/tool-number-$i"; done
		echo "      matchNamespaces:"
		for ns in Mnt Net; do
			echo "      - namespace: $ns"
			echo "        operator: NotIn"
			echo "        values:"
			echo "        - host_ns"
			for i in $(seq 4026532000 4026532014); do echo "        - $i"; done
		done
		echo "      matchArgs:"
		echo "      - index: 1"
		echo "        operator: Prefix"
		echo "        values: [\"/etc/\"]"
	} >"$T/large.yaml"
	compile "$T/large.yaml" "$T/large.bpf.o"
	run "$TPLOAD" --verify "$T/large.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	# kprobe and twin, their exit re-checks (a string check on user memory),
	# the three process-table programs, the three process event programs
	# (process_exec/exit) and tpc_whoami (tp-load's own tgid)
	[ "$(grep -c ' ok insns=' <<<"$output")" -eq 11 ]
}
