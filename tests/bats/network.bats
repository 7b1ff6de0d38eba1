#!/usr/bin/env bats
# Network args (sock, socket, skb, sockaddr) and the network operators
# (DPort, SAddr, Protocol, Family, State, ...), end to end on loopback:
# raw tracepoints read a struct sock and an sk_buff with CO-RE, the
# sys_connect twin reads the caller's sockaddr, and kprobes on tcp_connect
# and friends pass the verifier (they cannot attach on this kernel).
#
# Ports are in 47xxx and every assertion selects its own port, so traffic
# of other programs on this machine does not count.

load helpers

setup() {
	require_root
	[ -r /sys/kernel/btf/vmlinux ] || skip "needs the kernel BTF at /sys/kernel/btf/vmlinux"
	command -v python3 >/dev/null || skip "needs python3 for the connections"
	T="$BATS_TEST_TMPDIR"
}

teardown() {
	teardown_loader
}

# tcp_conn HOST PORT: listens on HOST:PORT, connects to it, closes both;
# prints the client's local port
tcp_conn() {
	python3 - "$1" "$2" <<-'EOF'
	import socket, sys
	host, port = sys.argv[1], int(sys.argv[2])
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	l = socket.socket(fam)
	l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	l.bind((host, port))
	l.listen()
	c = socket.socket(fam)
	c.connect((host, port))
	a, _ = l.accept()
	print(c.getsockname()[1])
	c.close(); a.close(); l.close()
	EOF
}

# udp_send HOST PORT: one datagram to HOST:PORT (nobody listens)
udp_send() {
	python3 - "$1" "$2" <<-'EOF'
	import socket, sys
	host, port = sys.argv[1], int(sys.argv[2])
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_DGRAM)
	s.sendto(b"tpc", (host, port))
	s.close()
	EOF
}

# state_policy FILE [extra matchArgs entries]: raw sock/inet_sock_set_state
# with arg 0 read as a sock, DPort 47101 or 47110-47115, IPv4 or IPv6, TCP
state_policy() {
	local extra
	extra=$(printf '%s' "${2:-}" | tr -d '\t') # the callers' lines are indented with tabs
	write_policy "$1" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "tcp-states"
	spec:
	  tracepoints:
	  - subsystem: "sock"
	    event: "inet_sock_set_state"
	    raw: true
	    args:
	    - index: 0
	      type: "sock"
	      label: "conn"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "DPort"
	        values: ["47101", "47115:47110"]
	      - index: 0
	        operator: "Family"
	        values: ["AF_INET", "10"]
	      - index: 0
	        operator: "Protocol"
	        values: ["IPPROTO_TCP"]
	$extra
	EOF
}

@test "raw inet_sock_set_state, sock with DPort + Family + Protocol: a TCP connect to 127.0.0.1 gives exact sock_arg fields, another port none" {
	state_policy "$T/p.yaml"
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	local sport other
	sport=$(tcp_conn 127.0.0.1 47101)
	other=$(tcp_conn 127.0.0.1 47102)
	stop_loader
	cat "$EVENTS"
	[ -n "$sport" ]
	[ -n "$other" ]
	# the client's sock in every state it passes, the listener's never
	# (its peer port is the client's)
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47101')" -ge 4 ]
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47102')" -eq 0 ]
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.sport == 47101')" -eq 0 ]
	# the sock leaving SYN_SENT: the state is the sock's, read before it changes
	events '.process_tracepoint | select(.args[0].sock_arg.dport == 47101 and .args[0].sock_arg.state == "TCP_SYN_SENT")' |
		head -1 >"$T/ev"
	[ "$(jq -r .subsys "$T/ev")" = sock ]
	[ "$(jq -r .event "$T/ev")" = inet_sock_set_state ]
	[ "$(jq -c '.args[0] | del(.sock_arg.cookie)' "$T/ev")" = \
		'{"sock_arg":{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"127.0.0.1","daddr":"127.0.0.1","sport":'"$sport"',"dport":47101,"state":"TCP_SYN_SENT"},"label":"conn"}' ]
	# the cookie is the struct sock's kernel address, a 64-bit string
	[[ "$(jq -r '.args[0].sock_arg.cookie' "$T/ev")" =~ ^1[0-9]{19}$ ]]
	# the same sock in every event of the connection
	[ "$(events '.process_tracepoint.args[0].sock_arg | select(.dport == 47101) | .cookie' | sort -u | wc -l)" -eq 1 ]
}

@test "raw inet_sock_set_state over IPv6 ::1: the range 47110-47115 (written reversed) matches, State by name, NotDAddr excludes" {
	state_policy "$T/p.yaml" '      - index: 0
	        operator: "State"
	        values: ["TCP_SYN_SENT", "TCP_ESTABLISHED"]
	      - index: 0
	        operator: "NotDAddr"
	        values: ["127.0.0.0/8"]'
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	local sport
	sport=$(tcp_conn ::1 47112)
	tcp_conn 127.0.0.1 47113 >/dev/null
	tcp_conn ::1 47116 >/dev/null
	stop_loader
	cat "$EVENTS"
	# SYN_SENT and ESTABLISHED, the states the filter names
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47112')" -eq 2 ]
	[ "$(events '[.process_tracepoint.args[0].sock_arg | select(.dport == 47112) | .state] | .[]' | sort | tr '\n' ' ')" = \
		'"TCP_ESTABLISHED" "TCP_SYN_SENT" ' ]
	# 127.0.0.1 is excluded by NotDAddr, 47116 is past the range
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47113')" -eq 0 ]
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47116')" -eq 0 ]
	events '.process_tracepoint | select(.args[0].sock_arg.dport == 47112 and .args[0].sock_arg.state == "TCP_SYN_SENT")' >"$T/ev"
	[ "$(jq -c '.args[0].sock_arg | del(.cookie)' "$T/ev")" = \
		'{"family":"AF_INET6","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"::1","daddr":"::1","sport":'"$sport"',"dport":47112,"state":"TCP_SYN_SENT"}' ]
}

@test "DAddr with CIDRs: 127.0.0.0/8 and ::1/128 match; 10.0.0.0/8, 2001:db8::/32, 127.0.0.2 and ::ffff:127.0.0.1 do not" {
	state_policy "$T/hit.yaml" '      - index: 0
	        operator: "DAddr"
	        values: ["127.0.0.0/8", "::1/128"]'
	state_policy "$T/miss.yaml" '      - index: 0
	        operator: "DAddr"
	        values: ["10.0.0.0/8", "2001:db8::/32", "127.0.0.2", "::ffff:127.0.0.1"]'
	sed -i 's/name: "tcp-states"/name: "miss"/' "$T/miss.yaml"
	compile "$T/hit.yaml" "$T/hit.bpf.o"
	compile "$T/miss.yaml" "$T/miss.bpf.o"
	start_loader "$T/hit.bpf.o" "$T/miss.bpf.o"
	tcp_conn 127.0.0.1 47101 >/dev/null
	tcp_conn ::1 47101 >/dev/null
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint | .policy_name == "tcp-states" and .args[0].sock_arg.daddr == "127.0.0.1" and .args[0].sock_arg.dport == 47101')" -ge 4 ]
	[ "$(count_events '.process_tracepoint | .policy_name == "tcp-states" and .args[0].sock_arg.daddr == "::1" and .args[0].sock_arg.dport == 47101')" -ge 4 ]
	[ "$(count_events '.process_tracepoint.policy_name == "miss"')" -eq 0 ]
}

@test "sockaddr on the sys_connect twin: Family + SPort match the connect, NotSAddr excludes, another port none" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "connect-to"
	spec:
	  kprobes:
	  - call: "sys_connect"
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
	        values: ["47201"]
	      - index: 1
	        operator: "NotSAddr"
	        values: ["127.0.0.2/32", "10.0.0.0/8"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	tcp_conn 127.0.0.1 47201 >/dev/null
	tcp_conn ::1 47201 >/dev/null
	tcp_conn 127.0.0.2 47201 >/dev/null
	tcp_conn 127.0.0.1 47202 >/dev/null
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_kprobe.function_name == "__x64_sys_connect" or .process_kprobe.function_name == "__arm64_sys_connect"')" -eq 2 ]
	[ "$(events '.process_kprobe.args[1]' | sort | tr '\n' ' ')" = \
		'{"sockaddr_arg":{"family":"AF_INET","addr":"127.0.0.1","port":47201}} {"sockaddr_arg":{"family":"AF_INET6","addr":"::1","port":47201}} ' ]
}

@test "skb on raw net_dev_queue: Protocol IPPROTO_UDP + DPort picks loopback UDP datagrams, IPv4 and IPv6" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "udp-out"
	spec:
	  tracepoints:
	  - subsystem: "net"
	    event: "net_dev_queue"
	    raw: true
	    args:
	    - index: 0
	      type: "skb"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "Protocol"
	        values: ["IPPROTO_UDP"]
	      - index: 0
	        operator: "DPort"
	        values: ["47301"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	udp_send 127.0.0.1 47301
	udp_send ::1 47301
	udp_send 127.0.0.1 47302
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint.args[0].skb_arg.dport == 47301')" -eq 2 ]
	[ "$(count_events '.process_tracepoint.args[0].skb_arg.dport == 47302')" -eq 0 ]
	events '.process_tracepoint.args[0].skb_arg | select(.family == "AF_INET")' >"$T/ev"
	[ "$(jq -c '{saddr, daddr, dport, proto, protocol, family}' "$T/ev")" = \
		'{"saddr":"127.0.0.1","daddr":"127.0.0.1","dport":47301,"proto":17,"protocol":"IPPROTO_UDP","family":"AF_INET"}' ]
	# IP header (20) + UDP header (8) + 3 bytes, and the link header
	[ "$(jq -r .len "$T/ev")" -ge 31 ]
	# no XFRM on loopback: its sec_path (read where the kernel has one) is
	# empty, and zeros are left out as in Tetragon's JSON
	[ "$(jq -c '[.sec_path_len, .sec_path_olen]' "$T/ev")" = '[null,null]' ]
	events '.process_tracepoint.args[0].skb_arg | select(.family == "AF_INET6")' >"$T/ev6"
	[ "$(jq -c '{saddr, daddr, dport, protocol}' "$T/ev6")" = \
		'{"saddr":"::1","daddr":"::1","dport":47301,"protocol":"IPPROTO_UDP"}' ]
}

@test "Tetragon-style kprobes on tcp_connect, tcp_close, security_socket_connect, ip_output pass the verifier; tp-load says kprobes cannot attach" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "tcp-connect"
	spec:
	  kprobes:
	  - call: "tcp_connect"
	    syscall: false
	    args:
	    - index: 0
	      type: "sock"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "NotDAddr"
	        values: ["127.0.0.1", "::1"]
	      - index: 0
	        operator: "DPortPriv"
	  - call: "tcp_close"
	    syscall: false
	    args:
	    - index: 0
	      type: "sock"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "NotSportPriv"
	      - index: 0
	        operator: "State"
	        values: ["TCP_ESTABLISHED", "7:8"]
	  - call: "security_socket_connect"
	    syscall: false
	    args:
	    - index: 0
	      type: "socket"
	    - index: 1
	      type: "sockaddr"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "SAddr"
	        values: ["192.168.0.0/16", "2001:db8::/32", "::ffff:10.0.0.0/104"]
	      - index: 0
	        operator: "DPort"
	        values: ["443"]
	  - call: "ip_output"
	    syscall: false
	    args:
	    - index: 2
	      type: "skb"
	    selectors:
	    - matchArgs:
	      - index: 2
	        operator: "Protocol"
	        values: ["IPPROTO_UDP"]
	      - index: 2
	        operator: "DPort"
	        values: ["53"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	for f in tcp_connect tcp_close security_socket_connect ip_output; do
		echo "$output" | grep -q "kprobe/$f ok"
	done
	if ! grep -qw kprobe_events /sys/kernel/tracing/README 2>/dev/null || [ ! -e /sys/kernel/tracing/kprobe_events ]; then
		run "$TPLOAD" --timeout 5 "$T/p.bpf.o"
		[ "$status" -ne 0 ]
		echo "$output" | grep -q "no kprobes"
	fi
}

@test "plain tracepoint inet_sock_set_state: the record's skaddr (a void pointer) read as a sock, filtered on DPort" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "tp-skaddr"
	spec:
	  tracepoints:
	  - subsystem: "sock"
	    event: "inet_sock_set_state"
	    args:
	    - index: 4
	      type: "sock"
	    - index: 6
	      type: "int"
	    selectors:
	    - matchArgs:
	      - index: 4
	        operator: "DPort"
	        values: ["47401"]
	      - index: 6
	        operator: "Equal"
	        values: ["2"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	local sport
	sport=$(tcp_conn 127.0.0.1 47401)
	tcp_conn 127.0.0.1 47402 >/dev/null
	stop_loader
	cat "$EVENTS"
	# newstate (field 6) SYN_SENT: the one transition out of CLOSE
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47401')" -eq 1 ]
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47402')" -eq 0 ]
	events '.process_tracepoint | select(.args[0].sock_arg.dport == 47401)' >"$T/ev"
	[ "$(jq -c '.args | map(del(.sock_arg.cookie, .sock_arg.sport))' "$T/ev")" = \
		'[{"sock_arg":{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"127.0.0.1","daddr":"127.0.0.1","dport":47401,"state":"TCP_CLOSE"}},{"int_arg":2}]' ]
}

@test "net_device on raw net_dev_xmit (type auto): its name compared with Equal and printed as a string" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "xmit-dev"
	spec:
	  tracepoints:
	  - subsystem: "net"
	    event: "net_dev_xmit"
	    raw: true
	    args:
	    - index: 0
	      type: "skb"
	    - index: 2
	    selectors:
	    - matchArgs:
	      - index: 2
	        operator: "Equal"
	        values: ["lo"]
	      - index: 0
	        operator: "DPort"
	        values: ["47501"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	udp_send 127.0.0.1 47501
	udp_send 127.0.0.1 47502
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint.args[0].skb_arg.dport == 47501')" -eq 1 ]
	[ "$(count_events '.process_tracepoint.args[0].skb_arg.dport == 47502')" -eq 0 ]
	[ "$(events '.process_tracepoint | select(.args[0].skb_arg.dport == 47501) | .args[1]')" = '{"string_arg":"lo"}' ]
}

@test "TrackSock: a sock's later events are its owner's, also when the kernel handles them in another process; without it they are not" {
	# the client's sock leaves ESTABLISHED when the server's FIN arrives,
	# which loopback delivers in the server's close(): that event is the
	# server's unless the client's sock is tracked
	write_policy "$T/tracked.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "tracked"
	spec:
	  tracepoints:
	  - subsystem: "sock"
	    event: "inet_sock_set_state"
	    raw: true
	    args:
	    - index: 0
	      type: "sock"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "DPort"
	        values: ["47601"]
	      - index: 0
	        operator: "State"
	        values: ["TCP_CLOSE"]
	      matchActions:
	      - action: TrackSock
	        argSock: 0
	    - matchArgs:
	      - index: 0
	        operator: "DPort"
	        values: ["47601"]
	      - index: 0
	        operator: "State"
	        values: ["TCP_CLOSE_WAIT", "TCP_LAST_ACK"]
	      matchActions:
	      - action: UntrackSock
	        argSock: 0
	    - matchArgs:
	      - index: 0
	        operator: "DPort"
	        values: ["47601"]
	EOF
	sed -e 's/name: "tracked"/name: "untracked"/' -e '/matchActions/,/argSock/d' "$T/tracked.yaml" >"$T/untracked.yaml"
	compile "$T/tracked.yaml" "$T/tracked.bpf.o"
	compile "$T/untracked.yaml" "$T/untracked.bpf.o"
	start_loader "$T/tracked.bpf.o" "$T/untracked.bpf.o"
	python3 -c '
import socket, time, os
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 47601)); l.listen()
print(os.getpid(), flush=True)
a, _ = l.accept(); time.sleep(0.3); a.close(); l.close()' >"$T/server.pid" &
	local server=$! i
	# the server prints its pid once it listens: connect only then (a fixed
	# sleep lost the race on a loaded machine)
	for i in $(seq 100); do [ -s "$T/server.pid" ] && break; sleep 0.1; done
	[ -s "$T/server.pid" ]
	python3 -c '
import socket, os
c = socket.socket(); c.connect(("127.0.0.1", 47601)); print(os.getpid(), flush=True)
c.recv(10); c.close()' >"$T/client.pid"
	wait $server
	stop_loader
	cat "$EVENTS"
	local client server_pid
	client=$(cat "$T/client.pid")
	server_pid=$(cat "$T/server.pid")
	# the control: the transition out of ESTABLISHED ran in the server
	[ "$(count_events '.process_tracepoint | .policy_name == "untracked" and .args[0].sock_arg.state == "TCP_ESTABLISHED" and .process.pid == '"$server_pid")" -eq 1 ]
	# tracked: every event of the client's sock is the client's
	[ "$(count_events '.process_tracepoint.policy_name == "tracked"')" -ge 5 ]
	[ "$(count_events '.process_tracepoint | .policy_name == "tracked" and .process.pid != '"$client")" -eq 0 ]
	[ "$(events '.process_tracepoint | select(.policy_name == "tracked" and .args[0].sock_arg.state == "TCP_CLOSE") | .action')" = '"KPROBE_ACTION_TRACKSOCK"' ]
	[ "$(events '.process_tracepoint | select(.policy_name == "tracked" and .args[0].sock_arg.state == "TCP_CLOSE_WAIT") | .action')" = '"KPROBE_ACTION_UNTRACKSOCK"' ]
}

@test "TrackSock/UntrackSock on kprobes (tcp_connect, socket args, inet_csk_destroy_sock) pass the verifier" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "owners"
	spec:
	  kprobes:
	  - call: "tcp_connect"
	    syscall: false
	    args:
	    - index: 0
	      type: "sock"
	    selectors:
	    - matchActions:
	      - action: TrackSock
	        argSock: 0
	  - call: "security_socket_sendmsg"
	    syscall: false
	    args:
	    - index: 0
	      type: "socket"
	  - call: "inet_csk_destroy_sock"
	    syscall: false
	    args:
	    - index: 0
	      type: "sock"
	    selectors:
	    - matchActions:
	      - action: UntrackSock
	        argSock: 0
	      - action: NoPost
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c 'kprobe/.* ok')" -eq 3 ]
}

@test "sockaddr_un on the sys_connect twin: Prefix on the path (and on an abstract name's) + Family AF_UNIX, Equal on an abstract name; others none" {
	local dir="$T/u"
	mkdir -p "$dir"
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "unix-connect"
	spec:
	  kprobes:
	  - call: "sys_connect"
	    syscall: true
	    args:
	    - index: 1
	      type: "sockaddr_un"
	      label: "to"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Prefix"
	        values: ["$dir/tpc-", "tpcnet-abs-$$"]
	      - index: 1
	        operator: "Family"
	        values: ["AF_UNIX"]
	    - matchArgs:
	      - index: 1
	        operator: "Equal"
	        values: ["tpceq-$$", "tpceq-$$-longer"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	start_loader "$T/p.bpf.o"
	python3 - "$dir" "$$" <<-'EOF'
	import socket, sys
	d, tag = sys.argv[1], sys.argv[2]
	for path in [d + "/tpc-a.sock", d + "/other.sock", "\0tpcnet-abs-" + tag, "\0tpcnet-other-" + tag,
	             "\0tpceq-" + tag, "\0tpceq-" + tag + "-long"]:
	    l = socket.socket(socket.AF_UNIX); l.bind(path); l.listen()
	    c = socket.socket(socket.AF_UNIX); c.connect(path); c.close(); l.close()
	EOF
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_kprobe.args[0].sockaddrun_arg')" -eq 3 ]
	[ "$(events '.process_kprobe.args[0]' | sed -n 1p)" = '{"sockaddrun_arg":{"family":"AF_UNIX","path":"'"$dir"'/tpc-a.sock"},"label":"to"}' ]
	[ "$(events '.process_kprobe.args[0]' | sed -n 2p)" = '{"sockaddrun_arg":{"family":"AF_UNIX","path":"@tpcnet-abs-'"$$"'"},"label":"to"}' ]
	# Equal on an abstract name: exactly its bytes (no NUL ends it), not a longer one
	[ "$(events '.process_kprobe.args[0]' | sed -n 3p)" = '{"sockaddrun_arg":{"family":"AF_UNIX","path":"@tpceq-'"$$"'"},"label":"to"}' ]
}

@test "v4-mapped: an IPv6 socket connected to ::ffff:127.0.0.1 prints the mapped address; ::ffff:127.0.0.0/104 matches it, 127.0.0.0/8 does not" {
	state_policy "$T/hit.yaml" '      - index: 0
	        operator: "DAddr"
	        values: ["::ffff:127.0.0.0/104"]'
	state_policy "$T/miss.yaml" '      - index: 0
	        operator: "DAddr"
	        values: ["127.0.0.0/8"]'
	sed -i 's/name: "tcp-states"/name: "miss"/' "$T/miss.yaml"
	compile "$T/hit.yaml" "$T/hit.bpf.o"
	compile "$T/miss.yaml" "$T/miss.bpf.o"
	start_loader "$T/hit.bpf.o" "$T/miss.bpf.o"
	python3 - <<-'EOF'
	import socket
	l = socket.socket(socket.AF_INET6); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	l.bind(("::", 47111)); l.listen()
	c = socket.socket(socket.AF_INET6); c.connect(("::ffff:127.0.0.1", 47111))
	a, _ = l.accept(); c.close(); a.close(); l.close()
	EOF
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint | .policy_name == "tcp-states" and .args[0].sock_arg.dport == 47111')" -ge 4 ]
	[ "$(count_events '.process_tracepoint.policy_name == "miss"')" -eq 0 ]
	events '.process_tracepoint | select(.args[0].sock_arg.dport == 47111 and .args[0].sock_arg.state == "TCP_SYN_SENT") | .args[0].sock_arg' >"$T/ev"
	[ "$(jq -c '{family, saddr, daddr}' "$T/ev")" = '{"family":"AF_INET6","saddr":"::ffff:127.0.0.1","daddr":"::ffff:127.0.0.1"}' ]
}

@test "the spec's accepted-connection owner policy (returnArg sock, SPort range in matchReturnArgs, returnArgAction TrackSock, NotDAddr + State, UntrackSock + NoPost) passes the verifier" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata: {name: accepted-conn-owner}
	spec:
	  kprobes:
	  - call: inet_csk_accept
	    syscall: false
	    return: true
	    returnArg: {index: 0, type: sock}
	    returnArgAction: TrackSock
	    selectors:
	    - matchReturnArgs: [{index: 0, operator: SPort, values: ["8000:8099"]}]
	  - call: tcp_rcv_established
	    syscall: false
	    args: [{index: 0, type: sock, label: conn}]
	    selectors:
	    - matchArgs:
	      - {index: 0, operator: NotDAddr, values: ["127.0.0.0/8", "::1"]}
	      - {index: 0, operator: State, values: ["TCP_ESTABLISHED"]}
	      matchActions: [{action: Post, rateLimit: "30s"}]
	  - call: inet_csk_destroy_sock
	    syscall: false
	    args: [{index: 0, type: sock}]
	    selectors:
	    - matchActions: [{action: UntrackSock, argSock: 0}, {action: NoPost}]
	EOF
	run "$TPC" "$T/p.yaml" -o "$T/p.bpf.o" --emit-c "$T/p.c"
	[ "$status" -eq 0 ]
	grep -q 'tpc_track_sock((__u64)ret);' "$T/p.c"
	grep -q 'k0.sport >= 8000 && k0.sport <= 8099' "$T/p.c"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q 'kretprobe/inet_csk_accept ok'
	echo "$output" | grep -q 'kprobe/tcp_rcv_established ok'
}

@test "matchReturnArgs on a returned sock: every network operator, sets and CIDR tables, socket too; the tuple is read once; passes the verifier" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata: {name: accept-filters}
	spec:
	  kprobes:
	  - call: inet_csk_accept
	    syscall: false
	    return: true
	    returnArg: {index: 0, type: sock}
	    selectors:
	    - matchReturnArgs:
	      - {index: 0, operator: DPort, values: ["443", "8000:8099"]}
	      - {index: 0, operator: NotSPort, values: ["22"]}
	      - {index: 0, operator: DAddr, values: ["10.0.0.0/8", "fd00::/8", "::ffff:192.168.0.0/112"]}
	      - {index: 0, operator: NotSAddr, values: ["127.0.0.1"]}
	      - {index: 0, operator: Protocol, values: ["IPPROTO_TCP"]}
	    - matchReturnArgs:
	      - {index: 0, operator: Family, values: ["AF_INET6"]}
	      - {index: 0, operator: State, values: ["TCP_ESTABLISHED", "TCP_SYN_RECV"]}
	      - {index: 0, operator: DPortPriv}
	      - {index: 0, operator: NotSportPriv}
	    - matchReturnArgs:
	      - {index: 0, operator: NotDPort, values: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]}
	      - {index: 0, operator: NotDAddr, values: ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16", "10.5.0.0/16", "10.6.0.0/16", "10.7.0.0/16", "10.8.0.0/16", "10.9.0.0/16", "10.10.0.0/16", "10.11.0.0/24", "10.12.0.0/24"]}
	  - call: sock_alloc
	    syscall: false
	    return: true
	    returnArg: {index: 0, type: socket}
	    selectors:
	    - matchReturnArgs: [{index: 0, operator: Family, values: ["AF_UNIX"]}]
	EOF
	run "$TPC" "$T/p.yaml" -o "$T/p.bpf.o" --emit-c "$T/p.c"
	echo "$output"
	[ "$status" -eq 0 ]
	# one read of the returned sock per event, whichever selectors compare it
	[ "$(grep -B1 'kr0 = tpc_net_sock(&k0, (__u64)ret);' "$T/p.c" | grep -c 'if (kr0 == TPC_UNREAD)')" -eq 11 ]
	grep -q 'tpc_put_net(sc, off, &k0, kr0)' "$T/p.c"
	grep -q 'kr0 = tpc_net_socket(&k0, (__u64)ret);' "$T/p.c"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q 'kretprobe/inet_csk_accept ok'
	echo "$output" | grep -q 'kretprobe/sock_alloc ok'
}

@test "matchReturnActions TrackSock argSock 0 tracks the returned sock when matchReturnArgs match, and passes the verifier" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata: {name: accepted-conn-owner-ret}
	spec:
	  kprobes:
	  - call: inet_csk_accept
	    syscall: false
	    return: true
	    returnArg: {index: 0, type: uint64}
	    selectors:
	    - matchReturnArgs: [{index: 0, operator: NotEqual, values: [0]}]
	      matchReturnActions: [{action: TrackSock, argSock: 0}, {action: NoPost}]
	EOF
	run "$TPC" "$T/p.yaml" -o "$T/p.bpf.o" --emit-c "$T/p.c"
	echo "$output"
	[ "$status" -eq 0 ]
	# inside the selector, after its return check: only a matching return is tracked
	sed -n '/tpc_h0_return/,/^}/p' "$T/p.c" >"$T/ret.c"
	cat "$T/ret.c"
	grep -A3 'matchReturnArgs NotEqual' "$T/ret.c" | grep -q 'break;'
	grep -q 'tpc_track_sock(tpc_sock_addr((__u64)ret, false));' "$T/ret.c"
	run "$TPLOAD" --verify "$T/p.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q 'kretprobe/inet_csk_accept ok'
}

@test "tp-load -o compact prints sock and sockaddr args as tuples" {
	state_policy "$T/p.yaml"
	write_policy "$T/c.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "connect-to"
	spec:
	  kprobes:
	  - call: "sys_connect"
	    syscall: true
	    args:
	    - index: 1
	      type: "sockaddr"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "SPort"
	        values: ["47101"]
	EOF
	compile "$T/p.yaml" "$T/p.bpf.o"
	compile "$T/c.yaml" "$T/c.bpf.o"
	start_loader -o compact "$T/p.bpf.o" "$T/c.bpf.o"
	local sport
	sport=$(tcp_conn 127.0.0.1 47101)
	stop_loader
	cat "$EVENTS"
	grep -q "sock/inet_sock_set_state(conn=sock{AF_INET IPPROTO_TCP 127.0.0.1:$sport->127.0.0.1:47101 TCP_SYN_SENT})" "$EVENTS"
	grep -q "sys_connect(sockaddr{AF_INET 127.0.0.1 port=47101})" "$EVENTS"
}

@test "many ports are one hashed lookup: DPort with 10 values and NotSPort with 8 match as the chains would" {
	write_policy "$T/p.yaml" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "many-ports"
	spec:
	  tracepoints:
	  - subsystem: "sock"
	    event: "inet_sock_set_state"
	    raw: true
	    args:
	    - index: 0
	      type: "sock"
	    selectors:
	    - matchArgs:
	      - index: 0
	        operator: "DPort"
	        values: ["22", "25", "53", "80", "443", "8080", "8443", "9090", "47131", "5432"]
	      - index: 0
	        operator: "NotSPort"
	        values: ["1", "2", "3", "4", "5", "6", "7", "8"]
	EOF
	run "$TPC" "$T/p.yaml" -o "$T/p.bpf.o" --emit-c "$T/p.c"
	[ "$status" -eq 0 ]
	grep -q 'tpc_h0_vs0_has((__u64)k0.dport) /\* 10 values \*/' "$T/p.c"
	grep -q 'tpc_h0_vs1_has((__u64)k0.sport) /\* 8 values \*/' "$T/p.c"
	start_loader "$T/p.bpf.o"
	tcp_conn 127.0.0.1 47131 >/dev/null
	tcp_conn 127.0.0.1 47132 >/dev/null
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47131')" -ge 4 ]
	[ "$(count_events '.process_tracepoint.args[0].sock_arg.dport == 47132')" -eq 0 ]
}

@test "many IPv4 addresses of one prefix length are one hashed lookup: 8 hosts with 127.0.0.1 match it, 8 without do not" {
	state_policy "$T/hit.yaml" '      - index: 0
	        operator: "DAddr"
	        values: ["127.0.0.3", "127.0.0.5", "127.0.0.1", "127.0.0.7", "127.0.0.9", "127.0.0.11", "127.0.0.13", "127.0.0.15", "10.1.1.1/24"]'
	state_policy "$T/miss.yaml" '      - index: 0
	        operator: "DAddr"
	        values: ["127.0.0.3", "127.0.0.5", "127.0.0.2", "127.0.0.7", "127.0.0.9", "127.0.0.11", "127.0.0.13", "127.0.0.15"]'
	sed -i 's/name: "tcp-states"/name: "miss"/' "$T/miss.yaml"
	run "$TPC" "$T/hit.yaml" -o "$T/hit.bpf.o" --emit-c "$T/hit.c"
	[ "$status" -eq 0 ]
	grep -q 'tpc_h0_vs0_has((__u64)(tpc_net_word(k0.daddr, 0) & 0xffffffffU)) /\* 8 addresses /32 \*/' "$T/hit.c"
	compile "$T/miss.yaml" "$T/miss.bpf.o"
	start_loader "$T/hit.bpf.o" "$T/miss.bpf.o"
	tcp_conn 127.0.0.1 47101 >/dev/null
	stop_loader
	cat "$EVENTS"
	[ "$(count_events '.process_tracepoint | .policy_name == "tcp-states" and .args[0].sock_arg.dport == 47101')" -ge 4 ]
	[ "$(count_events '.process_tracepoint.policy_name == "miss"')" -eq 0 ]
}

# cidr_list EXTRA...: 22 IPv4 and 22 IPv6 CIDRs of mixed prefix lengths far
# from loopback, then EXTRA, as a YAML flow list's items
cidr_list() {
	python3 - "$@" <<-'EOF'
	import sys
	v = ["%d.%d.%d.0/%d" % (10 + 7 * i, 3 * i, i, (8, 12, 16, 20, 24, 28, 32)[i % 7]) for i in range(22)]
	v += ["2001:db8:%x:%x::/%d" % (i, 7 * i, (16, 32, 48, 64, 96, 112, 128)[i % 7]) for i in range(22)]
	v[22:] = [("3%03x:" % i) + x[5:] if x.endswith(("/16", "/32")) else x for i, x in enumerate(v[22:])]
	print(", ".join('"%s"' % x for x in v + sys.argv[1:]))
	EOF
}

@test "many CIDRs of mixed prefix lengths are one range search per family: DAddr, NotDAddr, NotSAddr match as the chains would, v4-mapped as before" {
	local hit miss
	hit=$(cidr_list 127.0.0.0/30 126.0.0.0/7 ::1/128 ::/127)
	# around loopback but not on it: 127.0.0.0 and 127.0.0.2-3, ::0 and ::2-3, and the v4-mapped /104
	miss=$(cidr_list 127.0.0.0/32 127.0.0.2/31 126.0.0.0/8 128.0.0.0/8 ::/128 ::2/127 ::ffff:127.0.0.0/104)
	state_policy "$T/hit.yaml" "      - index: 0
	        operator: \"DAddr\"
	        values: [$hit]"
	state_policy "$T/miss.yaml" "      - index: 0
	        operator: \"DAddr\"
	        values: [$miss]"
	state_policy "$T/nothit.yaml" "      - index: 0
	        operator: \"NotDAddr\"
	        values: [$hit]"
	state_policy "$T/notmiss.yaml" "      - index: 0
	        operator: \"NotSAddr\"
	        values: [$miss]"
	for p in hit miss nothit notmiss; do
		sed -i "s/name: \"tcp-states\"/name: \"$p\"/" "$T/$p.yaml"
	done
	run "$TPC" "$T/hit.yaml" -o "$T/hit.bpf.o" --emit-c "$T/hit.c"
	[ "$status" -eq 0 ]
	grep -q 'k0.family == TPC_AF_INET && tpc_h0_at0_has(k0.daddr) /\* 24 CIDRs, 23 ranges \*/' "$T/hit.c"
	grep -q 'k0.family == TPC_AF_INET6 && tpc_h0_at1_has(k0.daddr) /\* 24 CIDRs, 23 ranges \*/' "$T/hit.c"
	for p in miss nothit notmiss; do compile "$T/$p.yaml" "$T/$p.bpf.o"; done
	start_loader "$T/hit.bpf.o" "$T/miss.bpf.o" "$T/nothit.bpf.o" "$T/notmiss.bpf.o"
	tcp_conn 127.0.0.1 47101 >/dev/null
	tcp_conn ::1 47112 >/dev/null
	python3 - <<-'EOF'
	import socket
	l = socket.socket(socket.AF_INET6); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	l.bind(("::", 47111)); l.listen()
	c = socket.socket(socket.AF_INET6); c.connect(("::ffff:127.0.0.1", 47111))
	a, _ = l.accept(); c.close(); a.close(); l.close()
	EOF
	stop_loader
	cat "$EVENTS"
	n() { count_events ".process_tracepoint | .policy_name == \"$1\" and .args[0].sock_arg.dport == $2"; }
	# 127.0.0.1 and ::1 are in the hit lists; a v4-mapped address is IPv6, which no IPv4 CIDR matches
	[ "$(n hit 47101)" -ge 4 ]
	[ "$(n hit 47112)" -ge 4 ]
	[ "$(n hit 47111)" -eq 0 ]
	[ "$(n miss 47101)" -eq 0 ]
	[ "$(n miss 47112)" -eq 0 ]
	[ "$(n miss 47111)" -ge 4 ]
	[ "$(n nothit 47101)" -eq 0 ]
	[ "$(n nothit 47112)" -eq 0 ]
	[ "$(n nothit 47111)" -ge 4 ]
	[ "$(n notmiss 47101)" -ge 4 ]
	[ "$(n notmiss 47112)" -ge 4 ]
	[ "$(n notmiss 47111)" -eq 0 ]
}
