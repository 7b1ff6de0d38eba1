# report.awk: turns the "KEY VALUE..." lines of raw.txt (written by the
# steps of run.sh) into results.md: one table with the issue's targets
# marked met / not met, then the details behind it.
#
#   awk -f report.awk -v dat=COST.DAT raw.txt > results.md
#
# dat receives the ns/event rows for cost.gp: ROW FLOOR TPC BPFTRACE.

function fmt(x) { return sprintf("%.1f", x) }
function kb_mb(x) { return sprintf("%.1f MB", x / 1024) }
function thousands(x,    s, neg) {
	x = sprintf("%.0f", x)
	neg = (x ~ /^-/); if (neg) x = substr(x, 2)
	s = ""
	while (length(x) > 3) { s = "," substr(x, length(x) - 2) s; x = substr(x, 1, length(x) - 3) }
	return (neg ? "-" : "") x s
}
function verdict(ok, detail) { return (ok ? "**met**" : "**not met**") (detail != "" ? " (" detail ")" : "") }
function rest(from,    i, s) { s = $from; for (i = from + 1; i <= NF; i++) s = s " " $i; return s }

$1 == "machine" { machine = rest(2) }
$1 == "kernel" { kernel = $2 }
$1 == "date" { date = rest(2) }
$1 == "commit" { commit = rest(2) }
$1 == "versions" { versions = rest(2) }
$1 == "cost" { cost[$2, $3] = $4; rounds[$2, $3] = $5; sub(/^rounds:/, "", rounds[$2, $3]) }
$1 == "cost_share" { share[$2, $3] = $4 }
$1 == "cost_storm" { crate[$2, $3] = $4 }
$1 == "cost_na" { na[$2, $3] = rest(4) }
$1 == "insns" { insns[$2, $3] = $4 "/" $5 }
$1 == "objsize" { objsize[$2] = $3 }
$1 == "ucall" { ucall[$2, $3] = $4 }
$1 == "matched" {
	n = ++nm[$2]; m_rate[$2, n] = $3; m_calls_ps[$2, n] = $4; m_deliv_ps[$2, n] = $5
	m_calls[$2, n] = $6; m_deliv[$2, n] = $7; m_lost[$2, n] = $8; m_ns[$2, n] = $9
}
$1 == "matched_na" { matched_na[$2] = rest(3) }
$1 == "system" { sys[$2] = $3; sysr[$2] = $4; sub(/^rounds:/, "", sysr[$2]) }
$1 == "compile" { ncomp++; comp_file[ncomp] = $2; comp_ms[ncomp] = $3; comp_clang[ncomp] = $4; comp_cpu[ncomp] = $5 }
$1 == "compile_summary" { c_ok = $2; c_failed = $3; c_median = $4; c_max = $5; c_max_file = $6; c_cpu_median = $7 }
$1 == "compile_clang" { c_clang_median = $2; c_total = $3; c_clang_total = $4 }
$1 == "compile_na" { compile_na = rest(2) }
$1 == "startup" { st[$2] = 1; st_ms[$2] = $3; st_hwm[$2] = $4; st_rss[$2] = $5; st_map[$2] = $7; st_rounds[$2] = $8; sub(/^rounds:/, "", st_rounds[$2]) }
$1 == "startup_na" { st_na[$2] = rest(3) }
$1 == "verify" { nv++; v_row[nv] = $2; v_prog[nv] = $3; v_insns[nv] = $4; v_verified[nv] = $5; v_jited[nv] = $6 }

# the floor of a row: the mean of its phases' floors
function floor_of(r,    n, s) {
	n = 0; s = 0
	if ((r, "floor_tpc") in cost) { s += cost[r, "floor_tpc"]; n++ }
	if ((r, "floor_limit") in cost) { s += cost[r, "floor_limit"]; n++ }
	if ((r, "floor_bpftrace") in cost) { s += cost[r, "floor_bpftrace"]; n++ }
	return n ? s / n : -1
}
function has(r, who) { return (r, who) in cost }
function added(r, who) { return cost[r, who] - cost[r, "floor_" who] }
function cell(r, who) {
	if (!has(r, who)) return "n/a" (((r, who) in na) ? ": " na[r, who] : "")
	return fmt(cost[r, who]) " (+" fmt(added(r, who)) ")"
}

# the highest rate delivered with zero loss, and where loss started
function matched_best(who,    i, best) {
	best = -1
	for (i = 1; i <= nm[who]; i++)
		if (m_lost[who, i] == 0 && m_deliv[who, i] >= m_calls[who, i] && m_deliv_ps[who, i] > best)
			best = m_deliv_ps[who, i]
	return best
}
function matched_loss(who,    i) {
	for (i = 1; i <= nm[who]; i++)
		if (!(m_lost[who, i] == 0 && m_deliv[who, i] >= m_calls[who, i]))
			return "loss from " thousands(m_calls_ps[who, i]) " calls/s (" \
				sprintf("%.1f%%", 100 * (m_calls[who, i] - m_deliv[who, i]) / m_calls[who, i]) " missing)"
	return nm[who] ? "no loss up to " thousands(m_calls_ps[who, nm[who]]) " calls/s (the storm's limit)" : ""
}
function sys_cell(key) { return (key in sys) ? thousands(sys[key]) sprintf(" (%+.0f%%)", 100 * (sys[key] / sys["none"] - 1)) : "n/a" }

END {
	rows = "b1 b2 b3 b4 b5 b6"; nrows = split(rows, R, " ")
	name["b1"] = "B1 one Equal"; name["b2"] = "B2 16 Equal"; name["b3"] = "B3 8 Prefix"
	name["b4"] = "B4 pid NotIn + binary In + Prefix"; name["b5"] = "B5 1,024 Equal"; name["b6"] = "B6 256 Prefix"

	print "# tpc benchmarks"
	print ""
	print "- machine: " machine
	print "- kernel: " kernel
	print "- date: " date
	print "- tpc: commit " commit
	print "- " versions
	print ""
	print "| # | measurement | floor / nothing | tpc | bpftrace | target | status |"
	print "| --- | --- | --- | --- | --- | --- | --- |"

	# 1. in-kernel cost on the miss path
	for (i = 1; i <= nrows; i++) {
		r = R[i]
		f = floor_of(r)
		target = ""; status = "-"
		ratio = (has(r, "tpc") && has(r, "bpftrace") && added(r, "bpftrace") > 0) ? added(r, "tpc") / added(r, "bpftrace") : -1
		if (r == "b1") {
			target = "added ≤ 0.9× bpftrace's"
			status = ratio < 0 ? "not measured" : verdict(ratio <= 0.9, sprintf("%.2f×", ratio))
		} else if (r == "b2" || r == "b3") {
			target = "added ≤ 0.15× bpftrace's, ≤ 1.2× B1's"
			if (ratio < 0 || !has("b1", "tpc") || added("b1", "tpc") <= 0)
				status = "not measured"
			else {
				flat = added(r, "tpc") / added("b1", "tpc")
				status = verdict(ratio <= 0.15 && flat <= 1.2, sprintf("%.2f× bpftrace's, %.2f× B1's", ratio, flat))
			}
		} else if (r == "b5" || r == "b6") {
			target = "added ≤ 1.2× B1's"
			if (!has(r, "tpc") || !has("b1", "tpc") || added("b1", "tpc") <= 0)
				status = "not measured"
			else {
				flat = added(r, "tpc") / added("b1", "tpc")
				status = verdict(flat <= 1.2, sprintf("%.2f× B1's", flat))
			}
		} else if (ratio >= 0)
			status = sprintf("%.2f× bpftrace's added", ratio)
		else if (!has(r, "tpc"))
			status = "not measured"
		printf "| 1 | %s: ns/event (added over floor) | %s | %s | %s | %s | %s |\n", name[r], \
			f < 0 ? "n/a" : fmt(f), cell(r, "tpc"), cell(r, "bpftrace"), target, status
		if (has(r, "tpc") || has(r, "bpftrace")) {
			printf "%s %s %s %s\n", toupper(substr(r, 1, 1)) substr(r, 2), fmt(f), \
				has(r, "tpc") ? fmt(cost[r, "tpc"]) : "0", has(r, "bpftrace") ? fmt(cost[r, "bpftrace"]) : "0" > dat
		}
		# B1 against the hand-written program that does only what it must
		if (r == "b1") {
			if (has("b1", "tpc") && has("b1", "limit") && added("b1", "limit") > 0) {
				lim = added("b1", "tpc") / added("b1", "limit")
				status = verdict(lim <= 1.15, sprintf("%.2f× the limit's", lim))
			} else
				status = "not measured"
			printf "| 1 | B1 against its limit (limit.bpf.c: one 32-byte read, three word compares): added ns/event | limit %s | +%s | - | added ≤ 1.15× the limit's | %s |\n", \
				cell("b1", "limit"), has("b1", "tpc") ? fmt(added("b1", "tpc")) : "n/a", status
		}
	}

	# 1. the uprobe rows: the same filter in tpc and bpftrace at a
	# user-space function; then the whole cost of a probed call
	uname["u1"] = "U1 uprobe, one int Equal"; uname["u2"] = "U2 uprobe, one string Equal (pre-loaded)"
	for (i = 1; i <= 2; i++) {
		r = "u" i
		if (!has(r, "tpc") && !has(r, "bpftrace") && !((r, "tpc") in na) && !((r, "none") in ucall))
			continue
		f = floor_of(r)
		ratio = (has(r, "tpc") && has(r, "bpftrace") && added(r, "bpftrace") > 0) ? added(r, "tpc") / added(r, "bpftrace") : -1
		printf "| 1 | %s: ns/event (added over floor) | %s | %s | %s | | %s |\n", uname[r], \
			f < 0 ? "n/a" : fmt(f), cell(r, "tpc"), cell(r, "bpftrace"), \
			ratio < 0 ? "-" : sprintf("%.2f× bpftrace's added", ratio)
		printf "| 1 | %s: ns per probed call, whole (the trap included) | none %s; floor %s | %s | %s | | |\n", uname[r], \
			((r, "none") in ucall) ? ucall[r, "none"] : "n/a", ((r, "floor") in ucall) ? ucall[r, "floor"] : "n/a", \
			((r, "tpc") in ucall) ? ucall[r, "tpc"] : "n/a", ((r, "bpftrace") in ucall) ? ucall[r, "bpftrace"] : "n/a"
	}

	# 1. the network row (net.sh): one address and one port of connect's
	# sockaddr, on the miss path and on the matched path (event posted)
	nname["n1"] = "N1 connect's sockaddr, SAddr + SPort, missed (other port)"
	nname["n1m"] = "N1 connect's sockaddr, SAddr + SPort, matched (event posted)"
	split("n1 n1m", NN, " ")
	for (i = 1; i <= 2; i++) {
		r = NN[i]
		if (!has(r, "tpc") && !has(r, "bpftrace") && !(("n1", "tpc") in na))
			continue
		f = floor_of(r)
		ratio = (has(r, "tpc") && has(r, "bpftrace") && added(r, "bpftrace") > 0) ? added(r, "tpc") / added(r, "bpftrace") : -1
		printf "| 1 | %s: ns/event (added over floor) | %s | %s | %s | | %s |\n", nname[r], \
			f < 0 ? "n/a" : fmt(f), cell(r, "tpc"), cell(r, "bpftrace"), \
			ratio < 0 ? "-" : sprintf("%.2f× bpftrace's added", ratio)
	}

	# 2. matched path
	bt = matched_best("tpc"); bb = matched_best("bpftrace")
	printf "| 2 | matched path: events/s delivered with zero loss | - | %s | %s | ≥ 500,000 | %s |\n", \
		("tpc" in matched_na) ? "n/a: " matched_na["tpc"] : (bt < 0 ? "none" : thousands(bt)), \
		bb < 0 ? "none" : thousands(bb), \
		verdict(bt >= 500000, bt < 0 ? "" : thousands(bt) "/s")
	printf "| 2 | matched path: where loss starts | - | %s | %s | | |\n", matched_loss("tpc"), matched_loss("bpftrace")

	# 3. whole system
	printf "| 3 | openat+close per second, B1 filter | none %s; floor %s | %s | %s | | |\n", \
		thousands(sys["none"]), sys_cell("floor"), sys_cell("b1-tpc"), sys_cell("b1-bpftrace")
	printf "| 3 | openat+close per second, B2 filter | | %s | %s | | |\n", sys_cell("b2-tpc"), sys_cell("b2-bpftrace")

	# 4. compile
	if (c_ok) {
		printf "| 4 | tpc compile per policy, ms: median (max); CPU median | - | %s (%s: %s); CPU %s | - | median ≤ 30 ms | %s |\n", \
			fmt(c_median), fmt(c_max), c_max_file, fmt(c_cpu_median), verdict(c_median <= 30, fmt(c_median) " ms")
		printf "| 4 | clang's share of compiling | - | %.0f%% (clang median %s ms; %d policies, %d refused) | - | | |\n", \
			100 * c_clang_total / c_total, fmt(c_clang_median), c_ok, c_failed
	} else
		printf "| 4 | tpc compile per policy | - | n/a: %s | - | median ≤ 30 ms | not measured |\n", compile_na

	# 5. start-up and memory
	printf "| 5 | start to every hook attached, ms | %s | default.yaml %s; B1 %s | %s | default.yaml ≤ 10 ms | %s |\n", \
		("floor" in st) ? fmt(st_ms["floor"]) : "n/a", \
		("tpload-default" in st) ? fmt(st_ms["tpload-default"]) : "n/a", \
		("tpload-b1" in st) ? fmt(st_ms["tpload-b1"]) : "n/a", \
		("bpftrace-b1" in st) ? fmt(st_ms["bpftrace-b1"]) : "n/a", \
		("tpload-default" in st) ? verdict(st_ms["tpload-default"] <= 10, "") : "not measured"
	printf "| 5 | peak RSS while loading | %s | %s | %s | ≤ 16 MB | %s |\n", \
		("floor" in st) ? kb_mb(st_hwm["floor"]) : "n/a", \
		("tpload-b1" in st) ? kb_mb(st_hwm["tpload-b1"]) : "n/a", \
		("bpftrace-b1" in st) ? kb_mb(st_hwm["bpftrace-b1"]) : "n/a", \
		("tpload-b1" in st) ? verdict(st_hwm["tpload-b1"] <= 16 * 1024 && st_hwm["tpload-default"] <= 16 * 1024, "") : "not measured"
	printf "| 5 | RSS while streaming (of it, ring buffer mapping) | %s | %s (%s) | %s | ≤ 4 MB | %s |\n", \
		("floor" in st) ? kb_mb(st_rss["floor"]) : "n/a", \
		("tpload-b1" in st) ? kb_mb(st_rss["tpload-b1"]) : "n/a", \
		("tpload-b1" in st) ? kb_mb(st_map["tpload-b1"]) : "n/a", \
		("bpftrace-b1" in st) ? kb_mb(st_rss["bpftrace-b1"]) : "n/a", \
		("tpload-b1" in st) ? verdict(st_rss["tpload-b1"] <= 4 * 1024, "") : "not measured"
	s_f = s_t = s_b = ""
	for (i = 1; i <= nrows; i++) {
		r = R[i]; u = toupper(substr(r, 1, 1)) substr(r, 2)
		if ((r, "tpc") in insns) s_t = s_t (s_t == "" ? "" : ", ") u " " insns[r, "tpc"]
		if ((r, "bpftrace") in insns) s_b = s_b (s_b == "" ? "" : ", ") u " " insns[r, "bpftrace"]
		if (s_f == "" && (r, "floor") in insns) s_f = insns[r, "floor"]
	}
	printf "| 5 | hook program, instructions xlated/verified | %s | %s | %s | | |\n", s_f, s_t, s_b
	s_t = ""
	for (i = 1; i <= nrows; i++)
		if (R[i] in objsize) s_t = s_t (s_t == "" ? "" : ", ") toupper(substr(R[i], 1, 1)) substr(R[i], 2) " " thousands(objsize[R[i]])
	printf "| 5 | object size, bytes | - | default.yaml %s; %s | - | default.yaml ≤ 40 KB | %s |\n", \
		("default" in objsize) ? thousands(objsize["default"]) : "n/a", s_t == "" ? "n/a" : s_t, \
		("default" in objsize) ? verdict(objsize["default"] <= 40 * 1024, sprintf("%.1f KB", objsize["default"] / 1024)) : "not measured"

	# the details
	print ""
	print "Added cost is over the floor measured in the same phase (tpc and"
	print "bpftrace run in separate phases beside the floor; see cost.sh)."
	print "Other processes' openat (N1: connect) calls are in the counts too: the storm's"
	print "share of the events below says how clean a row is."
	print ""
	print "## 1. Cost per event, rounds"
	print ""
	print "| row | program | ns/event, each storm | storm share of events | storm calls/s |"
	print "| --- | --- | --- | --- | --- |"
	nt = split("b1 b2 b3 b4 b5 b6 u1 u2 n1 n1m", RR, " ") # the storm rows, the uprobe rows, the connect storm's
	for (i = 1; i <= nt; i++) {
		r = RR[i]
		nw = split("floor_tpc tpc floor_limit limit floor_bpftrace bpftrace", W, " ")
		for (j = 1; j <= nw; j++) {
			w = W[j]
			if (!((r, w) in cost)) continue
			ph = w; sub(/^floor_/, "", ph)
			if (r ~ /^u/) # the caller, not a storm of openat
				printf "| %s | %s | %s | - | - |\n", r, w, rounds[r, w]
			else
				printf "| %s | %s | %s | %s | %s |\n", r, w, rounds[r, w], share[r, ph], thousands(crate[r, ph])
		}
	}
	print ""
	print "## 2. Matched path, each rate"
	print ""
	print "| loader | rate asked | calls/s made | delivered/s | calls | delivered | lost | in-kernel ns/event |"
	print "| --- | --- | --- | --- | --- | --- | --- | --- |"
	split("tpc bpftrace", L, " ")
	for (k = 1; k <= 2; k++)
		for (i = 1; i <= nm[L[k]]; i++)
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", L[k], m_rate[L[k], i] == 0 ? "max" : thousands(m_rate[L[k], i]), \
				thousands(m_calls_ps[L[k], i]), thousands(m_deliv_ps[L[k], i]), m_calls[L[k], i], m_deliv[L[k], i], m_lost[L[k], i], m_ns[L[k], i]
	print ""
	print "## 3. Whole system, each storm (calls/s)"
	print ""
	for (k in sys) printf "- %s: %s\n", k, sysr[k]
	print ""
	print "## 4. Compile time per policy (ms: wall, clang's wall, CPU of tpc and clang)"
	print ""
	for (i = 1; i <= ncomp; i++) printf "- %s: %s, %s, %s\n", comp_file[i], comp_ms[i], comp_clang[i], comp_cpu[i]
	print ""
	print "## 5. Start-up (ms, each start) and programs (tp-load --verify)"
	print ""
	for (k in st) printf "- %s: %s\n", k, st_rounds[k]
	for (k in st_na) printf "- %s: n/a: %s\n", k, st_na[k]
	print ""
	print "| row | program | insns | verified | jited bytes |"
	print "| --- | --- | --- | --- | --- |"
	for (i = 1; i <= nv; i++)
		printf "| %s | %s | %s | %s | %s |\n", v_row[i], v_prog[i], v_insns[i], v_verified[i], v_jited[i]
}
