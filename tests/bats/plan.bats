#!/usr/bin/env bats
# The plan (compiler/plan.c): limits of one object counted once, for the
# whole object, and refused at the policy line that runs past them; and
# objects that read tracepoint records by field name, whatever layout the
# build machine's tracefs showed.

load helpers

setup() {
	require_root
	T="$BATS_TEST_TMPDIR"
	TARGET="$T/target"
	echo data >"$TARGET"
}

teardown() {
	teardown_loader
	for p in ${BG:-}; do kill "$p" 2>/dev/null || true; done
}

# follow_hook CALL N FIRSTPID LASTPID: a kprobe on CALL (sys_open or
# sys_openat: the file name is arg 0 or 1) with N selectors, each with one
# matchPIDs followForks filter; filter i follows pid FIRSTPID+i, except
# the last, which follows LASTPID. Prints the YAML.
follow_hook() {
	local call=$1 n=$2 first=$3 last=$4 i pid idx=1
	[ "$call" = sys_open ] && idx=0
	printf '  - call: "%s"\n    syscall: true\n    args:\n    - index: %d\n      type: "string"\n    selectors:\n' "$call" "$idx"
	for ((i = 0; i < n; i++)); do
		pid=$((first + i))
		((i == n - 1)) && pid=$last
		printf '    - matchPIDs:\n      - operator: In\n        followForks: true\n        values: [%d]\n' "$pid"
		printf '      matchArgs:\n      - index: %d\n        operator: "Equal"\n        values: ["%s"]\n' "$idx" "$TARGET"
	done
}

# follow_policy N1 N2 LASTPID: two hooks (openat, then open) of N1 and N2
# follow filters; the last filter of the second hook follows LASTPID
follow_policy() {
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "follow-%d-%d"\nspec:\n  kprobes:\n' "$1" "$2"
		follow_hook sys_openat "$1" 3000000 3000000
		follow_hook sys_open "$2" 3100000 "$3"
	} >"$T/p.yaml"
}

@test "66 followForks filters over two hooks: refused at the 65th filter's line, as a lint error" {
	follow_policy 33 33 3100032
	run "$TPC" lint --no-btf "$T/p.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	# filter 65 is hook 2's 32nd: the 32nd "- matchPIDs" entry after the second call
	local line
	line=$(grep -n 'matchPIDs' "$T/p.yaml" | sed -n 65p | cut -d: -f1)
	[ "${lines[0]}" = "$T/p.yaml:$((line + 1)):9: error: more than 64 filters with followForks/followChildren in one object (each takes a bit of the process table); this is filter 65 [too-many-follow]" ]
	line=$(grep -n 'matchPIDs' "$T/p.yaml" | sed -n 66p | cut -d: -f1)
	[ "${lines[3]}" = "$T/p.yaml:$((line + 1)):9: error: more than 64 filters with followForks/followChildren in one object (each takes a bit of the process table); this is filter 66 [too-many-follow]" ]
	run "$TPC" "$T/p.yaml" -o "$T/p.bpf.o"
	[ "$status" -eq 1 ]
	[ ! -e "$T/p.bpf.o" ]
}

@test "64 followForks filters over two hooks: the 64th follows (a child of its pid matches, end to end)" {
	# P: its child cat opens the target once P sees $T/go; sys_open is
	# hook 2 (a twin exists on x86_64): cat uses openat, so the 64th filter
	# is put on openat's hook instead, the first hook holding the rest
	bash -c 'while [ ! -e "$0" ]; do sleep 0.02; done; cat "$1" >/dev/null' "$T/go" "$TARGET" 3>&- &
	local P=$!
	BG=$P
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "follow-64"\nspec:\n  kprobes:\n'
		follow_hook sys_open 32 3000000 3000031
		follow_hook sys_openat 32 3100000 "$P"
	} >"$T/p.yaml"
	compile "$T/p.yaml" "$T/p.bpf.o"
	# the filter of P got the last bit
	"$TPC" "$T/p.yaml" -o "$T/q.bpf.o" --emit-c "$T/p.c"
	grep -q "bit 63: hook 1 selector 32 matchPIDs" "$T/p.c"
	start_loader "$T/p.bpf.o"
	touch "$T/go"
	wait $P
	cat "$TARGET" >/dev/null # not P's child: no event
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_kprobe.args[0].string_arg == \"$TARGET\"")" -eq 1 ]
	[ "$(count_events ".process_kprobe.process.binary == \"/usr/bin/cat\" and .process_kprobe.parent.pid == $P")" -eq 1 ]
}

@test "a tracepoint compiled against a tracefs whose offsets are shifted reports the right values here" {
	# a copy of sched_process_exec's format with every own field 8 bytes
	# further: an object that copied offsets would read the wrong bytes
	local ev=sched/sched_process_exec
	mkdir -p "$T/tracefs/events/$ev"
	awk '/field:/ && !/common_/ { match($0, /offset:[0-9]+/); off = substr($0, RSTART + 7, RLENGTH - 7) + 8;
		sub(/offset:[0-9]+/, "offset:" off) } { print }' /sys/kernel/tracing/events/$ev/format >"$T/tracefs/events/$ev/format"
	(! cmp -s /sys/kernel/tracing/events/$ev/format "$T/tracefs/events/$ev/format")
	cp /usr/bin/true "$T/probe-exec"
	cat >"$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "shifted"
	spec:
	  tracepoints:
	  - subsystem: "sched"
	    event: "sched_process_exec"
	    args:
	    - index: 4
	      type: "string"
	    - index: 5
	      type: "int"
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: "Equal"
	        values: ["$T/probe-exec"]
	EOF
	run "$TPC" --tracefs "$T/tracefs" "$T/p.yaml" -o "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	start_loader "$T/p.bpf.o"
	"$T/probe-exec" &
	local pid=$!
	wait $pid
	stop_loader
	cat "$EVENTS"
	[ "$(count_events ".process_tracepoint.args[0].string_arg == \"$T/probe-exec\" and .process_tracepoint.args[1].int_arg == $pid")" -eq 1 ]
}
