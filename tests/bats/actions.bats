#!/usr/bin/env bats
# Actions end to end on this kernel, through the syscalls/sys_enter_openat
# tracepoint twin (sys_exit_openat for matchReturnActions): Signal, NoPost,
# rateLimit, GetUrl and DnsLookup (run by tp-load against local servers
# that record what they receive), and
# Override, which this kernel cannot do and tp-load must refuse loudly;
# Post's kernelStackTrace and userStackTrace, symbolised by tp-load.
# Every test has its own directory under /tmp ($D) for the paths it opens.

load helpers

PROGS="$REPO/out/tests/progs"

setup() {
	require_root
	T="$BATS_TEST_TMPDIR"
	# short paths: rateLimit tells events apart by their first bytes
	D=$(mktemp -d /tmp/tpc-act.XXXXXX)
	BG_PIDS=()
	NS=
}

teardown() {
	# a tp-load stuck in an action (the defect these tests look for) must
	# not hang the suite: SIGINT, then SIGKILL after 15 s
	if [ -n "${LOADER_PID:-}" ]; then
		kill -INT "$LOADER_PID" 2>/dev/null || true
		local i
		for ((i = 0; i < 150; i++)); do
			kill -0 "$LOADER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$LOADER_PID" 2>/dev/null || true
	fi
	teardown_loader
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ -n "$NS" ]; then
		ip netns del "$NS" 2>/dev/null || true
		rm -rf "/etc/netns/$NS"
	fi
	rm -rf "$D"
}

# openat_policy NAME: a policy on sys_openat's path argument whose
# selectors (YAML, already indented for the selectors list) come on stdin.
openat_policy() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: $1
spec:
  kprobes:
  - call: sys_openat
    syscall: true
    args:
    - index: 1
      type: string
    selectors:
EOF
	cat
}

# wait_for FILE: until FILE exists (5 s at most)
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "$1 did not appear within 5 s" >&2
	return 1
}

# http_server [--silent]: starts http_log_server; sets PORT, and HTTP_LOG
# to the file where it records the request lines it answers.
http_server() {
	HTTP_LOG="$T/http.log"
	"$PROGS/http_log_server" "$T/http.port" "$HTTP_LOG" "$@" 3>&- &
	BG_PIDS+=($!)
	wait_for "$T/http.port"
	PORT=$(cat "$T/http.port")
}

# with_usr1_handler PATH: a bash that traps SIGUSR1 (writing PATH.got),
# opens PATH itself (not through a child) and then writes PATH.after.
with_usr1_handler() {
	bash -c 'trap "echo got >\"\$0.got\"" USR1; : <"$0"; echo after >"$0.after"' "$1"
}

@test "Signal argSig 10: SIGUSR1 reaches the caller's handler, and the caller goes on" {
	openat_policy signal-usr1 >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/target"]
      matchActions:
      - action: Signal
        argSig: 10
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	: >"$D/target"
	start_loader --no-process-events "$T/p.bpf.o"
	with_usr1_handler "$D/target"
	: <"$D/other" 2>/dev/null || true # no match: no signal
	stop_loader
	[ "$(cat "$D/target.got")" = got ]
	[ "$(cat "$D/target.after")" = after ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$D/target"'"')" -eq 1 ]
	[ "$(count_events '.process_kprobe.action == "KPROBE_ACTION_SIGNAL"')" -eq 1 ]
	[ "$(count_events '.process_kprobe.process.binary == "/usr/bin/bash"')" -eq 1 ]
	# the call that did not match posted nothing
	[ "$(wc -l <"$EVENTS")" -eq 1 ]
}

@test "NoPost: the selector's Signal acts, and no event is printed for it" {
	openat_policy nopost >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/quiet"]
      matchActions:
      - action: NoPost
      - action: Signal
        argSig: 10
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/loud"]
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	: >"$D/quiet"
	: >"$D/loud"
	start_loader --no-process-events "$T/p.bpf.o"
	with_usr1_handler "$D/quiet"
	cat "$D/loud"
	stop_loader
	# the match happened: the signal of the NoPost selector arrived
	[ "$(cat "$D/quiet.got")" = got ]
	[ "$(cat "$D/quiet.after")" = after ]
	# the other selector posts, so tp-load was reading; NoPost's call is absent
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$D/loud"'"')" -eq 1 ]
	[ "$(grep -c "$D/quiet" "$EVENTS")" -eq 0 ]
	grep -qx "tp-load: 1 events, 0 lost" "$LOADER_ERR"
}

# openat_return_policy NAME: as openat_policy, with return: true and the
# returned fd (or -errno) as returnArg.
openat_return_policy() {
	openat_policy "$1" | sed 's/^    syscall: true$/    syscall: true\n    return: true\n    returnArg:\n      index: 0\n      type: int/'
}

@test "matchReturnActions at sys_exit_openat: Sigkill after ENOENT (status 137), NoPost + Signal, Post; action and return_action" {
	openat_return_policy return-actions >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Prefix
        values: ["$D/"]
      matchReturnArgs:
      - operator: Equal
        values: [-2]
      matchReturnActions:
      - action: Sigkill
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/quiet"]
      matchReturnActions:
      - action: NoPost
      - action: Signal
        argSig: 10
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/loud"]
      matchReturnActions:
      - action: Post
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/both"]
      matchActions:
      - action: Signal
        argSig: 10
      matchReturnActions:
      - action: Post
EOF
	grep -q "return: true" "$T/p.yaml"
	compile "$T/p.yaml" "$T/p.bpf.o"
	: >"$D/quiet"
	: >"$D/loud"
	: >"$D/both"
	start_loader --no-process-events "$T/p.bpf.o"
	local st=0
	cat "$D/missing" 2>/dev/null || st=$?
	# an existing file: openat returns an fd, selector 1 does not match
	cat "$D/loud"
	with_usr1_handler "$D/quiet"
	# matchActions and matchReturnActions of one selector both act
	with_usr1_handler "$D/both"
	stop_loader
	cat "$EVENTS"
	[ "$(cat "$D/both.got")" = got ]
	# killed after the call, which had failed: the kill came at return
	[ "$st" -eq 137 ]
	[ "$(cat "$D/quiet.got")" = got ]
	[ "$(cat "$D/quiet.after")" = after ]
	# action names the selector's matchActions (none: Post), return_action
	# its matchReturnActions, as in Tetragon
	run events '.process_kprobe | select(.args[0].string_arg == "'"$D/missing"'")'
	[ "$(jq -r .action <<<"$output")" = KPROBE_ACTION_POST ]
	[ "$(jq -r .return_action <<<"$output")" = KPROBE_ACTION_SIGKILL ]
	[ "$(jq -r .return.int_arg <<<"$output")" = -2 ]
	run events '.process_kprobe | select(.args[0].string_arg == "'"$D/loud"'")'
	[ "$(jq -r .action <<<"$output")" = KPROBE_ACTION_POST ]
	[ "$(jq -r .return_action <<<"$output")" = KPROBE_ACTION_POST ]
	[ "$(jq -r .return.int_arg <<<"$output")" -ge 0 ]
	run events '.process_kprobe | select(.args[0].string_arg == "'"$D/both"'")'
	[ "$(jq -r .action <<<"$output")" = KPROBE_ACTION_SIGNAL ]
	[ "$(jq -r .return_action <<<"$output")" = KPROBE_ACTION_POST ]
	[ "$(grep -c "$D/quiet" "$EVENTS")" -eq 0 ]
	[ "$(wc -l <"$EVENTS")" -eq 3 ]
}

@test "rateLimit: identical calls of one thread post one event; other arguments post their own" {
	openat_policy ratelimit-thread >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Prefix
        values: ["$D/rl-"]
      matchActions:
      - action: Post
        rateLimit: 1m
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	: >"$D/rl-a"
	: >"$D/rl-b"
	start_loader --no-process-events "$T/p.bpf.o"
	bash -c 'for i in 1 2 3 4 5; do : <"$0a"; done
		 for i in 1 2 3; do : <"$0b"; done' "$D/rl-"
	stop_loader
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$D/rl-a"'"')" -eq 1 ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$D/rl-b"'"')" -eq 1 ]
	[ "$(wc -l <"$EVENTS")" -eq 2 ]
	# limited events are not lost ones
	grep -qx "tp-load: 2 events, 0 lost" "$LOADER_ERR"
}

@test "rateLimitScope: process posts once per process, global once in all" {
	openat_policy ratelimit-scopes >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/proc"]
      matchActions:
      - action: Post
        rateLimit: 1m
        rateLimitScope: process
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/glob"]
      matchActions:
      - action: Post
        rateLimit: 1m
        rateLimitScope: global
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	: >"$D/proc"
	: >"$D/glob"
	start_loader "$T/p.bpf.o"
	for _ in 1 2; do
		bash -c 'echo $$ >>"$0/pids"
			 for i in 1 2 3; do : <"$0/proc"; : <"$0/glob"; done' "$D"
	done
	stop_loader
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$D/proc"'"')" -eq 2 ]
	# one event from each of the two processes
	[ "$(events 'select(.process_kprobe.args[0].string_arg == "'"$D/proc"'") | .process_kprobe.process.pid' |
		sort -n | tr '\n' ' ')" = "$(sort -n "$D/pids" | tr '\n' ' ')" ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$D/glob"'"')" -eq 1 ]
}

@test "GetUrl: the test server receives exactly one GET of the policy's URL per matching call" {
	http_server
	openat_policy geturl >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/hit"]
      matchActions:
      - action: GetUrl
        argUrl: "http://127.0.0.1:$PORT/tpc/geturl-hook?from=policy"
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	: >"$D/hit"
	: >"$D/miss"
	start_loader "$T/p.bpf.o"
	for _ in 1 2 3; do cat "$D/hit"; done
	cat "$D/miss"
	stop_loader # waits for the actions in flight
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events '.process_kprobe.action == "KPROBE_ACTION_GETURL"')" -eq 3 ]
	# three GETs, each of the policy's path and query
	[ "$(wc -l <"$HTTP_LOG")" -eq 3 ]
	[ "$(grep -cx "GET /tpc/geturl-hook?from=policy HTTP/1.1" "$HTTP_LOG")" -eq 3 ]
	# each attempt and its outcome on stderr, and the summary
	[ "$(grep -cx "tp-load: GetUrl http://127.0.0.1:$PORT/tpc/geturl-hook?from=policy -> 200" "$LOADER_ERR")" -eq 3 ]
	grep -qx "tp-load: actions: 3 succeeded, 0 failed, 0 dropped (queue full), 0 unfinished at exit" "$LOADER_ERR"
}

@test "GetUrl and DnsLookup under --dir: only the matching selector's actions, once per call" {
	http_server
	openat_policy geturl-dir >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/other"]
      matchActions:
      - action: GetUrl
        argUrl: "http://127.0.0.1:$PORT/tpc/selector-1"
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/hit"]
      matchActions:
      - action: GetUrl
        argUrl: "http://127.0.0.1:$PORT/tpc/from-dir"
      - action: DnsLookup
        argFqdn: localhost
EOF
	mkdir "$T/dir"
	compile "$T/p.yaml" "$T/dir/p.bpf.o"
	: >"$D/hit"
	start_loader --dir "$T/dir"
	cat "$D/hit"
	cat "$D/hit"
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	# the events carry selector 2: its URL only, never selector 1's
	[ "$(wc -l <"$HTTP_LOG")" -eq 2 ]
	[ "$(grep -cx "GET /tpc/from-dir HTTP/1.1" "$HTTP_LOG")" -eq 2 ]
	[ "$(grep -c "^tp-load: DnsLookup localhost -> .*127.0.0.1" "$LOADER_ERR")" -eq 2 ]
	grep -qx "tp-load: actions: 4 succeeded, 0 failed, 0 dropped (queue full), 0 unfinished at exit" "$LOADER_ERR"
}

@test "GetUrl: a redirect is reported, not followed (the policy's URL is the only one fetched)" {
	http_server
	openat_policy geturl-redirect >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/hit"]
      matchActions:
      - action: GetUrl
        argUrl: "http://127.0.0.1:$PORT/redirect/hook"
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	: >"$D/hit"
	start_loader "$T/p.bpf.o"
	cat "$D/hit"
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	# the server saw the policy's URL, and nothing went to where it pointed
	[ "$(cat "$HTTP_LOG")" = "GET /redirect/hook HTTP/1.1" ]
	grep -qx "tp-load: GetUrl http://127.0.0.1:$PORT/redirect/hook -> 302, redirect to http://127.0.0.1:$PORT/landed not followed" "$LOADER_ERR"
	grep -qx "tp-load: actions: 0 succeeded, 1 failed, 0 dropped (queue full), 0 unfinished at exit" "$LOADER_ERR"
}

@test "GetUrl: a failed request is reported with its error" {
	# the port of a server that is gone: nothing listens there
	http_server
	kill "${BG_PIDS[0]}"
	wait "${BG_PIDS[0]}" 2>/dev/null || true
	openat_policy geturl-refused >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/hit"]
      matchActions:
      - action: GetUrl
        argUrl: "http://127.0.0.1:$PORT/refused"
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader --no-process-events "$T/p.bpf.o"
	cat "$D/hit" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(wc -l <"$EVENTS")" -eq 1 ]
	grep -q "^tp-load: GetUrl http://127.0.0.1:$PORT/refused -> error: .*[Cc]onnect" "$LOADER_ERR"
	grep -qx "tp-load: actions: 0 succeeded, 1 failed, 0 dropped (queue full), 0 unfinished at exit" "$LOADER_ERR"
}

@test "DnsLookup: the resolver of tp-load's network namespace receives the policy's name" {
	NS="tpc-act-$$-$BATS_TEST_NUMBER"
	ip netns add "$NS" || skip "cannot create a network namespace (ip netns add)"
	ip -n "$NS" link set lo up
	mkdir -p "/etc/netns/$NS"
	echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"
	ip netns exec "$NS" "$PROGS/dns_log_server" 127.0.0.1 53 "$T/dns.log" 192.0.2.7 "$T/dns.ready" 3>&- &
	BG_PIDS+=($!)
	wait_for "$T/dns.ready"
	local fqdn
	fqdn="$(basename "$D" | tr -cd 'a-zA-Z0-9-' | tr 'A-Z' 'a-z').dnslookup.test"
	openat_policy dnslookup >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/resolve"]
      matchActions:
      - action: DnsLookup
        argFqdn: "$fqdn"
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	# tp-load runs in the namespace: /etc/resolv.conf is the namespace's
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$NS" "$REPO/out/bin/tp-load" >"$T/tp-load-ns"
	chmod +x "$T/tp-load-ns"
	TPLOAD="$T/tp-load-ns"
	start_loader "$T/p.bpf.o"
	cat "$D/resolve" 2>/dev/null || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events '.process_kprobe.action == "KPROBE_ACTION_DNSLOOKUP"')" -eq 1 ]
	grep -qx "$fqdn A" "$T/dns.log"
	# one lookup: no other name was asked
	[ "$(grep -cv "^$fqdn " "$T/dns.log")" -eq 0 ]
	grep -qx "tp-load: DnsLookup $fqdn -> 192.0.2.7" "$LOADER_ERR"
	grep -qx "tp-load: actions: 1 succeeded, 0 failed, 0 dropped (queue full), 0 unfinished at exit" "$LOADER_ERR"
}

@test "GetUrl to a server that never answers delays no event; a full queue drops, and counts, the rest" {
	http_server --silent
	openat_policy geturl-dead >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/slow"]
      matchActions:
      - action: GetUrl
        argUrl: "http://127.0.0.1:$PORT/never"
    - matchArgs:
      - index: 1
        operator: Prefix
        values: ["$D/ev-"]
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	touch "$D/slow" "$D"/ev-{1..20}
	# a reader that stamps each event line with its arrival time
	mkfifo "$T/events.fifo"
	bash -c 'while IFS= read -r l; do printf "%s\t%s\n" "$EPOCHREALTIME" "$l"; done' \
		<"$T/events.fifo" >"$T/stamped" 3>&- &
	BG_PIDS+=($!)
	LOADER_ERR="$T/loader.err"
	"$TPLOAD" --no-process-events --timeout 60 "$T/p.bpf.o" 2>"$LOADER_ERR" >"$T/events.fifo" 3>&- &
	LOADER_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q attached "$LOADER_ERR" && break
		sleep 0.05
	done
	grep -q attached "$LOADER_ERR"
	# 300 GETs that each hang until curl's 5 s timeout: 4 run, 256 wait in
	# the queue, 40 find it full
	bash -c 'for i in $(seq 300); do : <"$0/slow"; done' "$D"
	bash -c 'for i in $(seq 20); do : <"$0/ev-$i"; done' "$D"
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c '"string_arg":"'"$D"'/ev-' "$T/stamped")" -eq 20 ] && break
		sleep 0.05
	done
	# every event arrived while the GETs were still hanging
	[ "$(grep -c '"string_arg":"'"$D"'/ev-' "$T/stamped")" -eq 20 ]
	[ "$(grep -c '"string_arg":"'"$D"'/slow"' "$T/stamped")" -eq 300 ]
	# arrival minus the event's own time: far below the 5 s a blocked
	# reader would add (the bound only separates "blocked" from "not")
	cut -f2 "$T/stamped" | jq -r '(.time[0:19] + "Z" | fromdate) + ("0" + .time[19:-1] | tonumber)' >"$T/times"
	cut -f1 "$T/stamped" | paste - "$T/times" >"$T/delays"
	[ "$(wc -l <"$T/delays")" -eq 320 ]
	awk '{ d = $1 - $2; if (d > max) max = d } END { print "largest delay", max; exit !(max < 2.5) }' "$T/delays"

	kill -INT "$LOADER_PID"
	reap_loader
	LOADER_STATUS=$?
	LOADER_PID=
	[ "$LOADER_STATUS" -eq 0 ]
	cat "$LOADER_ERR"
	grep -q "^tp-load: GetUrl http://127.0.0.1:$PORT/never -> error: .*timed out" "$LOADER_ERR"
	grep -q "^tp-load: 256 actions are waiting: dropping GetUrl" "$LOADER_ERR"
	grep -qx "tp-load: 320 events, 0 lost" "$LOADER_ERR"
	# all 300 accounted for: none succeeded; 256 queued plus the up to 4
	# a worker had already taken, so 40 to 44 dropped; the rest failed
	# (timed out) or were still queued or running when the wait ended
	local counts failed dropped unfinished
	counts=$(sed -n 's/^tp-load: actions: 0 succeeded, \([0-9]*\) failed, \([0-9]*\) dropped (queue full), \([0-9]*\) unfinished at exit$/\1 \2 \3/p' "$LOADER_ERR")
	[ -n "$counts" ]
	read -r failed dropped unfinished <<<"$counts"
	[ $((failed + dropped + unfinished)) -eq 300 ]
	[ "$dropped" -ge 40 ]
	[ "$dropped" -le 44 ]
}

@test "Override: the object calls bpf_override_return (helper 58) and its manifest marks the hook" {
	compile "$FIXTURES/actions/symlink-override.yaml" "$T/o.bpf.o"
	# the call sits in the kprobe program or in the hook body it calls
	# (a .text subprogram shared with the twin, guarded by the origin)
	run llvm-objdump -d "$T/o.bpf.o"
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^ *[0-9]+:.*\bcall 58$' <<<"$output")" -ge 1 ]
	grep -q "^Disassembly of section kprobe/__x64_sys_symlinkat:" <<<"$output"
	get_manifest "$T/o.bpf.o" | grep -q '^hook id=0 kind=kprobe .* call=sys_symlinkat .* override=1'
	# ...and which of its programs performs it: the kprobe, not the twin
	get_manifest "$T/o.bpf.o" | grep -qx 'prog hook=0 name=tpc_h0_kprobe variant=kprobe role=entry override=1'
	get_manifest "$T/o.bpf.o" | grep -qx 'prog hook=0 name=tpc_h0_twin variant=tracepoint role=entry'
	# without the Override action there is no such call
	sed '/action: Override/,/argError/d; s/matchActions:/matchActions:\n      - action: Post/' \
		"$FIXTURES/actions/symlink-override.yaml" >"$T/post.yaml"
	compile "$T/post.yaml" "$T/post.bpf.o"
	run llvm-objdump -d "$T/post.bpf.o"
	[ "$(grep -cE '\bcall 58$' <<<"$output")" -eq 0 ]
}

@test "Override: tp-load refuses it on this kernel, naming the missing feature (load and --verify)" {
	[ ! -e /sys/kernel/tracing/kprobe_events ] ||
		skip "this kernel has kprobes: refusing Override is the behaviour of kernels without them"
	compile "$FIXTURES/actions/symlink-override.yaml" "$T/o.bpf.o"
	run "$TPLOAD" --timeout 5 "$T/o.bpf.o"
	[ "$status" -eq 1 ]
	grep -q "Override action needs a kprobe and bpf_override_return" <<<"$output"
	grep -q "no kprobes" <<<"$output"
	[ "$(grep -c "attached" <<<"$output")" -eq 0 ]
	run "$TPLOAD" --verify "$T/o.bpf.o"
	[ "$status" -eq 1 ]
	grep -q "bpf_override_return is not available on this kernel" <<<"$output"
	# the verifier met helper 58 in the kprobe program...
	grep -q "^$T/o.bpf.o: tpc_h0_kprobe kprobe/__x64_sys_symlinkat rejected" <<<"$output"
	grep -q "call bpf_override_return#58" <<<"$output"
	# ...and not in the twin: a tracepoint program reaching it is refused
	grep -q "^$T/o.bpf.o: tpc_h0_twin tracepoint/syscalls/sys_enter_symlinkat ok " <<<"$output"
}

@test "enforcers: NotifyEnforcer's verdict map and the enforcer programs are compiled; tp-load refuses them here by name (load and --verify)" {
	compile "$FIXTURES/actions/mkdir-enforcer.yaml" "$T/e.bpf.o"
	get_manifest "$T/e.bpf.o" | grep -qx 'hook id=2 kind=fentry nargs=0 function=security_inode_mkdir call=security_inode_mkdir syscall=0 override=1 enforcer=1'
	get_manifest "$T/e.bpf.o" | grep -qx 'prog hook=2 name=tpc_h2_enforce_fmod variant=fentry role=entry override=1'
	run llvm-objdump -h "$T/e.bpf.o"
	grep -q ' fmod_ret/security_inode_mkdir ' <<<"$output"
	# this kernel has no BPF trampolines: the enforcer cannot run, and a
	# policy whose verdicts would never be applied is refused
	run "$TPLOAD" --timeout 5 "$T/e.bpf.o"
	[ "$status" -eq 1 ]
	grep -q "hook 2 (fentry security_inode_mkdir): the enforcer cannot run on this kernel.*it needs an fmod_ret trampoline: BTF trampolines (fentry/fexit) are not available" <<<"$output"
	[ "$(grep -c "attached" <<<"$output")" -eq 0 ]
	# --verify: the tracepoints that notify load; the trampoline is refused by name
	run "$TPLOAD" --verify "$T/e.bpf.o"
	[ "$status" -eq 1 ]
	grep -q "^$T/e.bpf.o: tpc_h0_tp tracepoint/syscalls/sys_enter_mkdir ok " <<<"$output"
	grep -q "^$T/e.bpf.o: tpc_h1_tp tracepoint/syscalls/sys_enter_mkdirat ok " <<<"$output"
	grep -q "^$T/e.bpf.o: tpc_h2_enforce_fmod fmod_ret/security_inode_mkdir refused" <<<"$output"
	grep -q "the enforcer's fmod_ret trampoline cannot load" <<<"$output"
	# a syscall enforcer defaults to a kprobe with bpf_override_return,
	# else an fmod_ret trampoline: the kprobe's rejection names the helper
	sed 's/calls: \["security_inode_mkdir"\]/calls: ["sys_mkdirat"]/' "$FIXTURES/actions/mkdir-enforcer.yaml" >"$T/s.yaml"
	compile "$T/s.yaml" "$T/s.bpf.o"
	get_manifest "$T/s.bpf.o" | grep -qx 'prog hook=2 name=tpc_h2_enforce variant=kprobe role=entry override=1'
	get_manifest "$T/s.bpf.o" | grep -qx 'prog hook=2 name=tpc_h2_enforce_fmod variant=fentry role=entry override=1'
	run "$TPLOAD" --timeout 5 "$T/s.bpf.o"
	[ "$status" -eq 1 ]
	grep -q "it needs a kprobe with bpf_override_return: this kernel has no kprobes.*; an fmod_ret trampoline: BTF trampolines" <<<"$output"
	run "$TPLOAD" --verify "$T/s.bpf.o"
	[ "$status" -eq 1 ]
	grep -q "^$T/s.bpf.o: tpc_h2_enforce kprobe/__x64_sys_mkdirat rejected" <<<"$output"
	grep -q "bpf_override_return is not available on this kernel" <<<"$output"
	# override-method fmod-ret leaves only the trampoline
	printf '  options: [{name: override-method, value: fmod-ret}]\n' >>"$T/s.yaml"
	compile "$T/s.yaml" "$T/f.bpf.o"
	[ "$(get_manifest "$T/f.bpf.o" | grep -c '^prog hook=2 ')" -eq 1 ]
	get_manifest "$T/f.bpf.o" | grep -qx 'prog hook=2 name=tpc_h2_enforce_fmod variant=fentry role=entry override=1'
}

# stack_run [tp-load options]: stack_target opens $D/target from its own
# functions and stays until its event is printed (tp-load symbolises a
# user stack from the process's mappings, which go when it exits).
stack_run() {
	: >"$D/target"
	rm -f "$D/go"
	start_loader --no-process-events "$@" "$T/p.bpf.o"
	"$PROGS/stack_target" "$D/target" "$D/go" &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do
		[ -s "$EVENTS" ] && break
		sleep 0.05
	done
	touch "$D/go"
	wait $pid
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
}

stack_policy() {
	openat_policy stacks >"$T/p.yaml" <<EOF
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["$D/target"]
      matchActions:
      - action: Post
        kernelStackTrace: true
        userStackTrace: true
EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
}

@test "kernelStackTrace and userStackTrace: kernel frames from kallsyms, the program's own functions from its ELF symbols" {
	stack_policy
	get_manifest "$T/p.bpf.o" | grep -q '^policy .* stacks=kernel,user$'
	export TPL_TIMING=1
	stack_run
	# kallsyms is read while loading, not in the first event's callback
	grep -n 'kallsyms read for kernel stacks\|attached .* hooks' "$LOADER_ERR" | head -n 1 | grep -q kallsyms
	[ "$(count_events .process_kprobe)" -eq 1 ]
	local ev
	ev=$(events .process_kprobe)
	# kernel: the syscall entry under the tracepoint twin; symbol and
	# offset from its start, no address without --expose-stack-addresses
	jq -e '[.kernel_stack_trace[].symbol] | any(test("do_syscall_64|entry_SYSCALL"))' <<<"$ev"
	jq -e '.kernel_stack_trace | all(.symbol != null and (.offset | test("^[0-9]+$")) and .address == null)' <<<"$ev"
	# user: innermost first, stack_inner (which made the syscall), then
	# its callers, named in the program's file
	local prog="$PROGS/stack_target"
	[ "$(jq -r '[.user_stack_trace[] | select(.module == "'"$prog"'") | .symbol] | join(" ")' <<<"$ev")" = \
		"stack_inner stack_outer main" ]
	[ "$(jq -r '.user_stack_trace[0].symbol' <<<"$ev")" = stack_inner ]
	# the offset is the address's in the file: within stack_inner's bytes
	local start size off
	read -r start size < <(nm -S "$prog" | awk '$4 == "stack_inner" { print $1, $2 }')
	off=$(jq -r '.user_stack_trace[0].offset' <<<"$ev")
	[ "$off" -ge $((16#$start)) ]
	[ "$off" -lt $((16#$start + 16#$size)) ]
}

@test "stacks in -o compact, and addresses with --expose-stack-addresses" {
	stack_policy
	stack_run -o compact
	grep -Eq 'kstack: .*(do_syscall_64|entry_SYSCALL)' "$EVENTS"
	grep -q 'ustack: stack_inner@stack_target < stack_outer@stack_target < main@stack_target' "$EVENTS"
	stack_run --expose-stack-addresses
	local ev
	ev=$(events .process_kprobe)
	jq -e '.kernel_stack_trace | all(.address | test("^[0-9]+$"))' <<<"$ev"
	jq -e '.user_stack_trace | all(.address | test("^[0-9]+$"))' <<<"$ev"
}
