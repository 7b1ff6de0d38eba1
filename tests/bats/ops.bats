#!/usr/bin/env bats
# Operations (issue 18): the metrics server and /healthz, the export file
# (rotation, compression, reopening), the export filters and redaction,
# stdout purity, the journal's priorities and the service manager's
# readiness notification. Every test runs real events through tp-load.

load helpers

PROGS="$REPO/out/tests/progs"

setup_file() {
	make -s -C "$REPO" test-progs >&2
}

setup() {
	require_root
	T="$BATS_TEST_TMPDIR"
	PROG_ID_BASE=$(bpftool prog show -j 2>/dev/null | jq '[.[].id] | max // 0')
	BG_PIDS=()
}

teardown() {
	teardown_loader
	[ -z "${TMPFS:-}" ] || umount "$TMPFS" 2>/dev/null || true
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
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

# wait_log N PATTERN: until tp-load's stderr has N lines matching PATTERN
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

# metrics_url: the base URL tp-load said it serves (started with port 0)
metrics_url() {
	sed -nE 's|^tp-load: metrics on (http://[^/]+)/metrics.*|\1|p' "$LOADER_ERR" | head -1
}

# metric NAME_AND_LABELS: its value in a scrape of /metrics ("" if absent)
metric() {
	curl -sf --max-time 5 "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'
}

# wait_metric NAME_AND_LABELS VALUE: until the scrape says VALUE (5 s)
wait_metric() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(metric "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "$1 is '$(metric "$1")', expected $2" >&2
	return 1
}

# summary: tp-load's last line, "W events, L lost ..." as "W L"
summary() {
	tail -1 "$LOADER_ERR" | sed -nE 's/^tp-load: ([0-9]+) events, ([0-9]+) lost.*/\1 \2/p'
}

# ---- metrics ----

@test "metrics: tpc_events_total by policy and Tetragon type equals the events printed; policies, hooks, ring buffers" {
	object alpha "$T/alpha" "$T/a.bpf.o"
	object beta "$T/beta" "$T/b.bpf.o"
	start_loader --no-process-events --metrics-server 127.0.0.1:0 "$T/a.bpf.o" "$T/b.bpf.o"
	URL=$(metrics_url)
	[ -n "$URL" ]
	"$PROGS/storm" open "$T/alpha1" 300 >/dev/null
	"$PROGS/storm" open "$T/beta1" 120 >/dev/null
	wait_metric 'tpc_events_total{policy="alpha",type="PROCESS_KPROBE"}' 300
	wait_metric 'tpc_events_total{policy="beta",type="PROCESS_KPROBE"}' 120
	local body
	body=$(curl -sf "$URL/metrics")
	echo "$body"
	grep -qx 'tpc_policies_loaded 2' <<<"$body"
	grep -qx 'tpc_objects_loaded 2' <<<"$body"
	grep -qx 'tpc_hooks_attached 2' <<<"$body"
	grep -qx 'tpc_events_lost_total{reason="ring_buffer_full"} 0' <<<"$body"
	grep -qx 'tpc_ringbuf_size_bytes{object="a.bpf.o"} 524288' <<<"$body"
	grep -q '^tpc_ringbuf_used_bytes{object="b.bpf.o"} [0-9]*$' <<<"$body"
	grep -qx 'tpc_action_failures_total{action="GetUrl"} 0' <<<"$body"
	grep -qx '# TYPE tpc_events_total counter' <<<"$body"
	curl -sfI "$URL/metrics" | grep -qi '^content-type: text/plain; version=0.0.4'
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	# what the scrape said is what was printed
	[ "$(count_events '.process_kprobe.policy_name == "alpha"')" -eq 300 ]
	[ "$(count_events '.process_kprobe.policy_name == "beta"')" -eq 120 ]
	grep -qx "tp-load: 420 events, 0 lost" "$LOADER_ERR"
}

@test "metrics: events the ring buffer had no room for are tpc_events_lost_total, as tp-load's summary counts them" {
	object storm "$T/storm" "$T/p.bpf.o"
	# --debug-hold: no event is read until exit, the ring buffer fills up
	start_loader --no-process-events --debug-hold --ring-buffer 64K --metrics-server 127.0.0.1:0 "$T/p.bpf.o"
	URL=$(metrics_url)
	"$PROGS/storm" open "$T/storm" 5000 >/dev/null
	local lost
	lost=$(metric 'tpc_events_lost_total{reason="ring_buffer_full"}')
	echo "lost: $lost"
	[ "$lost" -gt 0 ]
	[ "$(metric 'tpc_ringbuf_used_bytes{object="p.bpf.o"}')" -gt 0 ]
	stop_loader
	read -r written klost <<<"$(summary)"
	[ "$klost" -eq "$lost" ]
	[ $((written + klost)) -eq 5000 ]
}

@test "/healthz: 200 while every object is attached, 503 once one under --dir fails to load; /livez stays 200" {
	object good "$T/good" "$T/good.bpf.o"
	local dir="$T/policies"
	mkdir -p "$dir"
	cp "$T/good.bpf.o" "$dir/"
	start_loader --no-process-events --dir "$dir" --metrics-server 127.0.0.1:0
	URL=$(metrics_url)
	run curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz"
	[ "$output" = 200 ]
	[ "$(cat "$T/body")" = ok ]
	# an object that cannot load: not every policy is enforced
	head -c 100 /dev/urandom >"$dir/broken.bpf.o"
	kill -HUP "$LOADER_PID"
	wait_log 1 "reloaded "
	run curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz"
	cat "$T/body"
	[ "$output" = 503 ]
	grep -q "1 object of $dir failed to load" "$T/body"
	run curl -s -o /dev/null -w '%{http_code}' "$URL/livez"
	[ "$output" = 200 ]
	rm "$dir/broken.bpf.o"
	kill -HUP "$LOADER_PID"
	wait_log 2 "reloaded "
	run curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"
	[ "$output" = 200 ]
	run curl -s -o /dev/null -w '%{http_code}' "$URL/nothing-here"
	[ "$output" = 404 ]
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
}

@test "metrics: garbage, half requests, stalled and floods of connections never kill tp-load nor stop its events" {
	object g "$T/g" "$T/p.bpf.o"
	start_loader --no-process-events --metrics-server 127.0.0.1:0 "$T/p.bpf.o"
	URL=$(metrics_url)
	local hp=${URL#http://} host port
	host=${hp%:*}
	port=${hp##*:}
	# a client that connects and says nothing: served after it times out,
	# events flow meanwhile
	python3 - "$host" "$port" <<-'EOF' &
	import socket, sys, time
	s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
	time.sleep(20)
	EOF
	BG_PIDS+=($!)
	python3 - "$host" "$port" <<-'EOF'
	import os, socket, sys
	addr = (sys.argv[1], int(sys.argv[2]))
	reqs = [b"\x00\xff" * 5000, b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET /metrics\r\n\r\n",
	        b"POST /metrics HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000,
	        b"GET /" + b"A" * 20000 + b" HTTP/1.1\r\n\r\n", b"GET /healthz HTTP/1.1\r\n" + b"H: v\r\n" * 4000,
	        os.urandom(65536), b"", b"GET /metrics?x=%00%ff HTTP/1.0\r\n\r\n"]
	for r in reqs * 3:
	    s = socket.create_connection(addr)
	    s.settimeout(5)
	    try:
	        s.sendall(r)
	        s.shutdown(socket.SHUT_WR)
	        while s.recv(65536):
	            pass
	    except OSError:
	        pass
	    s.close()
	# connections opened and dropped at once, and reset mid-request
	for i in range(200):
	    s = socket.create_connection(addr)
	    if i % 2:
	        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
	        s.send(b"GET /met")
	    s.close()
	EOF
	# a hundred clients that connect and stall, and one that trickles a
	# byte at a time: a probe is still answered at once
	python3 - "$host" "$port" <<-'EOF' &
	import socket, sys, time
	addr = (sys.argv[1], int(sys.argv[2]))
	idle = [socket.create_connection(addr) for _ in range(100)]
	t = socket.create_connection(addr)
	for b in b"GET /metrics HTTP/1.1\r\n" * 10:
	    try:
	        t.send(bytes([b]))
	    except OSError:
	        break
	    time.sleep(0.5)
	time.sleep(20)
	EOF
	BG_PIDS+=($!)
	sleep 1
	run curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$URL/healthz"
	[ "$output" = 200 ]
	# events were read all along: the storm is counted whole, and fast
	"$PROGS/storm" open "$T/g1" 1000 >/dev/null
	wait_metric 'tpc_events_total{policy="g",type="PROCESS_KPROBE"}' 1000
	kill -0 "$LOADER_PID"
	run curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/healthz"
	[ "$output" = 200 ]
	run curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/metrics"
	[ "$output" = 405 ]
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	grep -qx "tp-load: 1000 events, 0 lost" "$LOADER_ERR"
}

@test "bad operations flags: a clear message and exit 2" {
	object b "$T/b" "$T/p.bpf.o"
	local bad
	while IFS='|' read -r flag value msg; do
		run "$TPLOAD" --no-process-events --timeout 2 "$flag" "$value" "$T/p.bpf.o"
		echo "$flag $value: $status $output"
		[ "$status" -eq 2 ]
		grep -qF -- "$msg" <<<"$output"
		grep -qx "Try 'tp-load --help'." <<<"$output"
	done <<-'EOF'
	--metrics-server|2112|expected ADDR:PORT
	--metrics-server|127.0.0.1:99999|port "99999" is not a number from 0 to 65535
	--metrics-server|::1:2112|an IPv6 address goes in brackets
	--export-file-max-size-mb|ten|--export-file-max-size-mb ten: expected a number of MiB
	--export-file-max-size-mb|-1|--export-file-max-size-mb -1: expected a number of MiB
	--export-file-max-backups|x|--export-file-max-backups x: expected a number of files
	--export-file-perm|999|--export-file-perm 999: expected an octal mode
	--export-allowlist|{"binary_regex":["("]}|--export-allowlist: filter 1: binary_regex: regex "(" does not compile
	--export-denylist|{"pid":"1"}|--export-denylist: filter 1: pid: expected an array of process ids
	--export-allowlist|{"nope":[]}|--export-allowlist: filter 1: unknown field "nope"
	--export-allowlist|{"event_set":["PROCESS_NOPE"]}|event_set
	--redaction-filters|{"redact":"x"}|--redaction-filters: filter 1: redact: expected an array
	--export-allowlist|{|--export-allowlist
	EOF
	# a port taken by another: exit 1 (not a usage error), said plainly
	python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)' >"$T/port" &
	BG_PIDS+=($!)
	local i
	for ((i = 0; i < 100; i++)); do [ -s "$T/port" ] && break; sleep 0.05; done
	run "$TPLOAD" --no-process-events --timeout 1 --metrics-server "127.0.0.1:$(cat "$T/port")" "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^tp-load: --metrics-server 127.0.0.1:[0-9]*: cannot listen: Address already in use$" <<<"$output"
}

# ---- the export file ----

# export_lines DIR: every line of the export file and its backups (the
# compressed ones gunzipped), in no particular order
export_lines() {
	local f
	for f in "$1"/*; do
		case "$f" in
		*.gz) gzip -dc "$f" ;;
		*) cat "$f" ;;
		esac
	done
}

@test "export file: rotation under a flood, compressed backups: no line lost, split or over the size limit" {
	object flood "$T/flood" "$T/p.bpf.o"
	local dir="$T/export"
	mkdir "$dir"
	start_loader --no-process-events --ring-buffer 16M --export-filename "$dir/events.json" --export-file-max-size-mb 1 \
		--export-file-max-backups 0 --export-file-compress "$T/p.bpf.o"
	# nothing on stdout: the events go to the file
	"$PROGS/storm" open "$T/flood" 20000 >/dev/null
	stop_loader
	cat "$LOADER_ERR"
	[ "$LOADER_STATUS" -eq 0 ]
	[ ! -s "$EVENTS" ]
	read -r written lost <<<"$(summary)"
	[ "$written" -eq 20000 ]
	[ "$lost" -eq 0 ]
	ls -l "$dir"
	# rotated more than once; every backup compressed, no temporary left
	[ "$(ls "$dir" | grep -c '^events-[0-9T:.-]*\.json\.gz$')" -ge 3 ]
	[ "$(ls "$dir" | grep -vc -e '^events\.json$' -e '^events-.*\.json\.gz$')" -eq 0 ]
	local f
	for f in "$dir"/*.gz; do
		# a whole event at the end of each, and at most 1 MiB
		[ "$(gzip -dc "$f" | wc -c)" -le 1048576 ]
		[ "$(gzip -dc "$f" | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ]
	done
	# every line is one whole event, each call exactly once
	[ "$(export_lines "$dir" | wc -l)" -eq 20000 ]
	[ "$(export_lines "$dir" | jq -c 'select(.process_kprobe.args[0].string_arg == "'"$T/flood"'")' | wc -l)" -eq 20000 ]
	stat -c %a "$dir/events.json" | grep -qx 600
}

@test "export file: --export-file-max-backups keeps the newest K; uncompressed backups are plain JSON lines" {
	object keep "$T/keep" "$T/p.bpf.o"
	local dir="$T/export"
	mkdir "$dir"
	start_loader --no-process-events --ring-buffer 16M --export-filename "$dir/ev" --export-file-max-size-mb 1 \
		--export-file-max-backups 2 "$T/p.bpf.o"
	"$PROGS/storm" open "$T/keep" 20000 >/dev/null
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	ls -l "$dir"
	[ "$(ls "$dir" | grep -c '^ev-[0-9T.-]*$')" -eq 2 ]
	# the newest backups and the file: whole lines, the last events
	[ "$(export_lines "$dir" | jq -c . | wc -l)" -eq "$(export_lines "$dir" | wc -l)" ]
	[ "$(export_lines "$dir" | wc -l)" -lt 20000 ]
	# each kept backup was rotated when the next line would not fit its
	# MiB: full to within one event (an event is well under 4 KiB)
	local f
	for f in "$dir"/ev-*; do
		[ "$(stat -c %s "$f")" -gt $((1048576 - 4096)) ]
		[ "$(stat -c %s "$f")" -le 1048576 ]
	done
}

@test "export file: SIGHUP and SIGUSR1 reopen it after an external logrotate moved it; no event lost" {
	object rot "$T/rot" "$T/p.bpf.o"
	local dir="$T/export"
	mkdir "$dir"
	start_loader --no-process-events --export-filename "$dir/events.json" "$T/p.bpf.o"
	"$PROGS/storm" open "$T/rot1" 100 >/dev/null
	sleep 0.3
	mv "$dir/events.json" "$dir/events.json.1"
	kill -HUP "$LOADER_PID"
	wait_log 1 "SIGHUP: reopened $dir/events.json"
	"$PROGS/storm" open "$T/rot2" 50 >/dev/null
	sleep 0.3
	mv "$dir/events.json" "$dir/events.json.2"
	kill -USR1 "$LOADER_PID"
	wait_log 1 "SIGUSR1: reopened $dir/events.json"
	"$PROGS/storm" open "$T/rot3" 25 >/dev/null
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	grep -qx "tp-load: 175 events, 0 lost" "$LOADER_ERR"
	[ "$(grep -c "$T/rot1" "$dir/events.json.1")" -eq 100 ]
	[ "$(wc -l <"$dir/events.json.1")" -eq 100 ]
	[ "$(grep -c "$T/rot2" "$dir/events.json.2")" -eq 50 ]
	[ "$(wc -l <"$dir/events.json.2")" -eq 50 ]
	[ "$(grep -c "$T/rot3" "$dir/events.json")" -eq 25 ]
	[ "$(wc -l <"$dir/events.json")" -eq 25 ]
}

@test "stdout purity: with -o json stdout carries events only, every line one JSON event; status goes to stderr" {
	object pure "$T/pure" "$T/p.bpf.o"
	start_loader --no-process-events -o json --metrics-server 127.0.0.1:0 "$T/p.bpf.o"
	"$PROGS/storm" open "$T/pure" 200 >/dev/null
	kill -HUP "$LOADER_PID" # a status line while events flow
	wait_log 1 "SIGHUP"
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(wc -l <"$EVENTS")" -eq 200 ]
	[ "$(jq -c 'select(.process_kprobe.policy_name == "pure")' "$EVENTS" | wc -l)" -eq 200 ]
	(! grep -q "tp-load" "$EVENTS")
	grep -q "^tp-load: metrics on " "$LOADER_ERR"
	grep -qx "tp-load: 200 events, 0 lost" "$LOADER_ERR"
}

# ---- export filters and redaction ----

@test "--export-allowlist policy_names and event_set, --export-denylist binary_regex: on real events; metrics count what was kept out" {
	object alpha "$T/alpha" "$T/a.bpf.o"
	object beta "$T/beta" "$T/b.bpf.o"
	start_loader --no-process-events --metrics-server 127.0.0.1:0 \
		--export-allowlist '{"policy_names":["alpha"],"event_set":["PROCESS_KPROBE"]}
{"policy_names":["beta"],"binary_regex":["(?:^|/)storm$"]}' \
		--export-denylist '{"binary_regex":["/cat$"]}' "$T/a.bpf.o" "$T/b.bpf.o"
	URL=$(metrics_url)
	"$PROGS/storm" open "$T/alpha1" 30 >/dev/null   # alpha: kept
	cat "$T/alpha2" 2>/dev/null || true             # denied: cat
	"$PROGS/storm" open "$T/beta1" 20 >/dev/null    # beta from storm: kept
	head -c1 "$T/beta2" 2>/dev/null || true         # beta not from storm: not allowed
	wait_metric 'tpc_events_total{policy="alpha",type="PROCESS_KPROBE"}' 30
	wait_metric 'tpc_events_total{policy="beta",type="PROCESS_KPROBE"}' 20
	[ "$(metric 'tpc_events_filtered_total{policy="alpha",type="PROCESS_KPROBE"}')" = 1 ]
	[ "$(metric 'tpc_events_filtered_total{policy="beta",type="PROCESS_KPROBE"}')" = 1 ]
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$T/alpha1"'"')" -eq 30 ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$T/beta1"'"')" -eq 20 ]
	[ "$(wc -l <"$EVENTS")" -eq 50 ]
	grep -qx "tp-load: 2 events kept out by the export filters" "$LOADER_ERR"
	grep -qx "tp-load: 50 events, 0 lost" "$LOADER_ERR"
}

@test "--export-allowlist pid and pid_set: a process, and with pid_set its children" {
	object pids "$T/pids" "$T/p.bpf.o"
	# a process that exists before tp-load starts: it opens one path, then
	# a child of it opens another, when told to
	python3 - "$T" <<-'EOF' &
	import os, sys, time
	t = sys.argv[1]
	while not os.path.exists(t + "/go"):
	    time.sleep(0.02)
	try: open(t + "/pids-parent")
	except OSError: pass
	if os.fork() == 0:
	    try: open(t + "/pids-child")
	    except OSError: pass
	    os._exit(0)
	os.wait()
	EOF
	local py=$!
	BG_PIDS+=($py)
	start_loader --no-process-events --export-allowlist "{\"pid\":[$py]}" "$T/p.bpf.o"
	local first=$LOADER_PID first_events=$EVENTS
	EVENTS="$T/set.json"
	"$TPLOAD" --no-process-events --timeout 60 --export-allowlist "{\"pid_set\":[$py]}" "$T/p.bpf.o" >"$EVENTS" 2>"$T/set.err" &
	local second=$!
	BG_PIDS+=($second)
	local i
	for ((i = 0; i < 200; i++)); do grep -q attached "$T/set.err" && break; sleep 0.05; done
	touch "$T/go"
	wait "$py"
	sleep 0.3
	kill -INT "$second"
	wait "$second"
	stop_loader
	cat "$T/set.err"
	# pid: the process itself only
	[ "$(jq -r '.process_kprobe.args[0].string_arg' "$first_events")" = "$T/pids-parent" ]
	# pid_set: the process and its child
	[ "$(jq -r '.process_kprobe.args[0].string_arg' "$EVENTS" | sort | tr '\n' ' ')" = "$T/pids-child $T/pids-parent " ]
}

@test "--redaction-filters: capture groups in process arguments become *****; --export-allowlist arguments_regex" {
	object red "$T/red" "$T/p.bpf.o"
	start_loader --no-process-events --redaction-filters '{"redact":["--password[= ](\\S+)"]}' "$T/p.bpf.o"
	sh -c 'exec cat -- "$0" --password=hunter2 2>/dev/null' "$T/red1" || true
	stop_loader
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$T/red1"'"')" -eq 1 ]
	# the process object carries its arguments (issue 18's events)
	[ "$(events 'select(.process_kprobe.process.arguments != null)' | wc -l)" -ge 1 ]
	(! grep -q hunter2 "$EVENTS")
	events '.process_kprobe.process.arguments' | grep -qF -- '--password=*****'
	# arguments_regex sees the arguments as printed
	start_loader --no-process-events --export-allowlist '{"arguments_regex":["--keep-me"]}' "$T/p.bpf.o"
	sh -c 'exec cat -- "$0" --keep-me 2>/dev/null' "$T/red2" || true
	sh -c 'exec cat -- "$0" --not-me 2>/dev/null' "$T/red3" || true
	stop_loader
	[ "$(wc -l <"$EVENTS")" -eq 1 ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$T/red2"'"')" -eq 1 ]
}

# ---- the journal and the service manager ----

@test "--redaction-filters hide the arguments in -o compact too (its process lines print them)" {
	object redc "$T/redc" "$T/p.bpf.o"
	start_loader -o compact --redaction-filters '{"redact":["--password[= ](\\S+)"]}' "$T/p.bpf.o"
	sh -c 'exec cat -- "$0" --password=hunter2 2>/dev/null' "$T/redc1" || true
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	grep -F -- "$T/redc1" "$EVENTS" | grep -qF -- '--password=*****'
	(! grep -q hunter2 "$EVENTS")
}

@test "journal: when stderr is JOURNAL_STREAM's stream, every status line carries its syslog priority; events none" {
	object j "$T/j" "$T/p.bpf.o"
	: >"$T/err"
	local js
	js=$(stat -c %d:%i "$T/err")
	# an error at start: <3> on each of its lines
	JOURNAL_STREAM=$js run bash -c "'$TPLOAD' --export-file-max-backups x '$T/p.bpf.o' 2>>'$T/err'"
	[ "$status" -eq 2 ]
	cat "$T/err"
	grep -qx "<3>tp-load: --export-file-max-backups x: expected a number of files (0: keep all)" "$T/err"
	grep -qx "<3>Try 'tp-load --help'." "$T/err"
	: >"$T/err"
	JOURNAL_STREAM=$js run bash -c "'$TPLOAD' --timeout 60 '$T/nonexistent.bpf.o' 2>>'$T/err'"
	[ "$status" -eq 1 ]
	cat "$T/err"
	grep -q "^<3>tp-load: $T/nonexistent.bpf.o: " "$T/err"
	# a run: information is <6>, events on stdout are untouched
	: >"$T/err"
	EVENTS="$T/events.json"
	LOADER_ERR="$T/err"
	JOURNAL_STREAM=$js "$TPLOAD" --no-process-events --timeout 60 -o json "$T/p.bpf.o" >"$EVENTS" 2>>"$T/err" &
	LOADER_PID=$!
	wait_log 1 "attached"
	cat "$T/j1" 2>/dev/null || true
	stop_loader
	cat "$T/err"
	[ "$LOADER_STATUS" -eq 0 ]
	grep -qx "<6>tp-load: attached 1 hooks from 1 objects" "$T/err"
	grep -qx "<6>tp-load: 1 events, 0 lost" "$T/err"
	# no line without a priority
	[ "$(grep -vc '^<[0-7]>' "$T/err")" -eq 0 ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$T/j1"'"')" -eq 1 ]
	(! grep -q '^<' "$EVENTS")
	# JOURNAL_STREAM of another stream (a shell redirected stderr): no prefix
	JOURNAL_STREAM=1:1 run "$TPLOAD" --export-file-max-backups x "$T/p.bpf.o"
	[ "$status" -eq 2 ]
	grep -q "^tp-load: --export-file-max-backups x" <<<"$output"
}

# notify_listener SOCKET LOG: a datagram listener like systemd's: every
# message it gets, one line in LOG with its newlines as '|'
notify_listener() {
	python3 - "$1" "$2" <<-'EOF' &
	import socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	path = sys.argv[1]
	s.bind("\0" + path[1:] if path.startswith("@") else path)
	open(sys.argv[2] + ".ready", "w").close()
	with open(sys.argv[2], "a") as log:
	    while True:
	        m = s.recv(65536).decode()
	        log.write(m.replace("\n", "|") + "\n")
	        log.flush()
	EOF
	BG_PIDS+=($!)
	local i
	for ((i = 0; i < 100; i++)); do [ -e "$2.ready" ] && return 0; sleep 0.05; done
	return 1
}

@test "sd_notify: READY=1 only once every hook is attached, RELOADING=1 and READY=1 around a --dir reload, STOPPING=1" {
	object n "$T/n" "$T/p.bpf.o"
	local dir="$T/policies"
	mkdir -p "$dir"
	cp "$T/p.bpf.o" "$dir/"
	notify_listener "$T/notify.sock" "$T/notify.log"
	NOTIFY_SOCKET="$T/notify.sock" start_loader --no-process-events --dir "$dir"
	local i
	for ((i = 0; i < 100; i++)); do grep -q READY=1 "$T/notify.log" && break; sleep 0.05; done
	cat "$T/notify.log"
	grep -qx "READY=1|STATUS=1 hooks from 1 objects attached" "$T/notify.log"
	# ready means enforced: the hook sees the very next call
	cat "$T/n1" 2>/dev/null || true
	kill -HUP "$LOADER_PID"
	wait_log 1 "reloaded "
	for ((i = 0; i < 100; i++)); do [ "$(grep -c READY=1 "$T/notify.log")" -ge 2 ] && break; sleep 0.05; done
	stop_loader
	[ "$LOADER_STATUS" -eq 0 ]
	sleep 0.2
	cat "$T/notify.log"
	grep -q "^RELOADING=1|MONOTONIC_USEC=[0-9]*|STATUS=reloading $dir$" "$T/notify.log"
	[ "$(grep -c '^READY=1' "$T/notify.log")" -eq 2 ]
	[ "$(tail -1 "$T/notify.log")" = "STOPPING=1" ]
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$T/n1"'"')" -eq 1 ]
}

@test "sd_notify: an abstract NOTIFY_SOCKET (@name), WATCHDOG=1 at half WATCHDOG_USEC; without a listener tp-load warns once and runs on" {
	object a "$T/a" "$T/p.bpf.o"
	local name="@tpc-ops-$$-$RANDOM"
	notify_listener "$name" "$T/notify.log"
	# WatchdogSec=400ms: WATCHDOG=1 every 200 ms from the event loop
	NOTIFY_SOCKET="$name" WATCHDOG_USEC=400000 start_loader --no-process-events "$T/p.bpf.o"
	local i
	for ((i = 0; i < 100; i++)); do grep -q READY=1 "$T/notify.log" && break; sleep 0.05; done
	sleep 1
	stop_loader
	cat "$T/notify.log"
	grep -qx "READY=1|STATUS=1 hooks from 1 objects attached" "$T/notify.log"
	[ "$(grep -cx "WATCHDOG=1" "$T/notify.log")" -ge 4 ]
	# WATCHDOG_PID of another process: not ours to keep alive
	: >"$T/notify.log"
	NOTIFY_SOCKET="$name" WATCHDOG_USEC=400000 WATCHDOG_PID=1 start_loader --no-process-events "$T/p.bpf.o"
	sleep 1
	stop_loader
	grep -q "READY=1" "$T/notify.log"
	(! grep -q "WATCHDOG=1" "$T/notify.log")
	# nobody listens: a warning, never a failure
	NOTIFY_SOCKET="$T/nobody.sock" start_loader --no-process-events "$T/p.bpf.o"
	cat "$T/a2" 2>/dev/null || true
	stop_loader
	cat "$LOADER_ERR"
	[ "$LOADER_STATUS" -eq 0 ]
	[ "$(grep -c "telling the service manager (NOTIFY_SOCKET): No such file or directory" "$LOADER_ERR")" -eq 1 ]
	grep -qx "tp-load: 1 events, 0 lost" "$LOADER_ERR"
}

@test "metrics: a second tp-load on the same port starts (a DaemonSet's surge on a host network) and keeps the port when the first stops" {
	object s1 "$T/s1" "$T/p.bpf.o"
	start_loader --no-process-events --metrics-server 127.0.0.1:0 "$T/p.bpf.o"
	URL=$(metrics_url)
	local first=$LOADER_PID port=${URL##*:}
	"$TPLOAD" --no-process-events --timeout 60 --metrics-server "127.0.0.1:$port" "$T/p.bpf.o" >"$T/second.json" 2>"$T/second.err" &
	local second=$!
	BG_PIDS+=($second)
	local i
	for ((i = 0; i < 200; i++)); do grep -q attached "$T/second.err" && break; sleep 0.05; done
	cat "$T/second.err"
	grep -q "^tp-load: metrics on http://127.0.0.1:$port/metrics" "$T/second.err"
	kill -0 "$second"
	run curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"
	[ "$output" = 200 ]
	# the old one leaves: the new one has the port to itself
	stop_loader
	run curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"
	[ "$output" = 200 ]
	kill -INT "$second"
	wait "$second"
}

@test "export file on a full disk: events counted lost, tp-load goes on enforcing, and writes again once there is room" {
	object full "$T/full" "$T/p.bpf.o"
	local fs="$T/small"
	mkdir -p "$fs"
	mount -t tmpfs -o size=64k tmpfs "$fs"
	TMPFS="$fs"
	start_loader --no-process-events --export-filename "$fs/events.json" --export-file-max-size-mb 0 "$T/p.bpf.o"
	"$PROGS/storm" open "$T/full1" 2000 >/dev/null
	wait_log 1 "writing events to $fs/events.json: No space left on device; events are counted lost"
	kill -0 "$LOADER_PID"
	# room again: logrotate moved the file away (here: deleted it)
	rm "$fs/events.json"
	kill -HUP "$LOADER_PID"
	wait_log 1 "SIGHUP: reopened $fs/events.json"
	"$PROGS/storm" open "$T/full2" 10 >/dev/null
	stop_loader
	cat "$LOADER_ERR"
	echo "status $LOADER_STATUS"
	# the export file's failures are retried, not the end: the summary
	# says what was lost, as an error
	[ "$LOADER_STATUS" -eq 0 ]
	grep -q "^tp-load: [0-9]* events, [0-9]* lost ([0-9]* not written)$" "$LOADER_ERR"
	read -r written lost <<<"$(summary)"
	[ "$lost" -gt 0 ]
	[ $((written + lost)) -eq 2010 ]
	# the new file: the events after the room came back, whole lines
	[ "$(grep -c "$T/full2" "$fs/events.json")" -eq 10 ]
	[ "$(jq -c . "$fs/events.json" | wc -l)" -eq 10 ]
}

@test "the systemd unit: Type=notify, journald cannot drop events, and systemd-analyze security rates it well below 9.1" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	local unit="$T/tp-load.service"
	sed "s|@BINDIR@|$REPO/out/bin|" "$REPO/dist/systemd/tp-load.service" >"$unit"
	grep -qx "Type=notify" "$unit"
	grep -qx "LogRateLimitIntervalSec=0" "$unit"
	grep -q "^After=.*time-sync.target" "$unit"
	grep -q "^LimitNOFILE=[0-9]" "$unit"
	run systemd-analyze security --offline=true --no-pager "$unit"
	echo "$output" | tail -3
	local score
	score=$(sed -nE 's/.*Overall exposure level for tp-load.service: ([0-9.]+).*/\1/p' <<<"$output")
	[ -n "$score" ]
	awk -v s="$score" 'BEGIN { exit !(s < 5) }'
}
