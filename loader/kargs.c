/* kargs.c: see kargs.h. JSON follows protojson as Tetragon's export
 * does: zero numbers, false and empty strings and lists are left out,
 * except wrapper fields (uids and gids, a namespace's level, a
 * capability's value), which are always there; 64-bit numbers are
 * strings; enums are their names. */
#include <string.h>

#include <bpf/libbpf.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "json.h"
#include "kargs.h"

/* ---- names of kernel numbers ---- */

static const char *const caps[] = {
	"CAP_CHOWN", "DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};
#define NCAPS (sizeof(caps) / sizeof(caps[0]))

const char *tpl_cap_name(unsigned cap)
{
	/* Tetragon's CapabilitiesType names capability 1 DAC_OVERRIDE */
	return cap < NCAPS ? caps[cap] : NULL;
}

/* include/uapi/linux/securebits.h, as Tetragon's SecureBitsType names them */
static const char *const securebits[] = {
	"SecBitNoRoot", "SecBitNoRootLocked", "SecBitNoSetUidFixup", "SecBitNoSetUidFixupLocked",
	"SecBitKeepCaps", "SecBitKeepCapsLocked", "SecBitNoCapAmbientRaise", "SecBitNoCapAmbientRaiseLocked",
};

/* Tetragon's TaintedBitsType: its names, at the kernel taint bit of each
 * value (1, 2, 4, 1024, 4096, 8192, 32768, 262144).  A bit it has no name
 * for cannot be written as that enum and is left out. */
static const char *const taints[] = {
	[0] = "TAINT_PROPRIETARY_MODULE", [1] = "TAINT_FORCED_MODULE", [2] = "TAINT_FORCED_UNLOAD_MODULE",
	[10] = "TAINT_STAGED_MODULE", [12] = "TAINT_OUT_OF_TREE_MODULE", [13] = "TAINT_UNSIGNED_MODULE",
	[15] = "TAINT_KERNEL_LIVE_PATCH_MODULE", [18] = "TAINT_TEST_MODULE",
};

/* include/uapi/linux/bpf.h enum bpf_cmd */
static const char *const bpf_cmds[] = {
	"BPF_MAP_CREATE", "BPF_MAP_LOOKUP_ELEM", "BPF_MAP_UPDATE_ELEM", "BPF_MAP_DELETE_ELEM",
	"BPF_MAP_GET_NEXT_KEY", "BPF_PROG_LOAD", "BPF_OBJ_PIN", "BPF_OBJ_GET", "BPF_PROG_ATTACH",
	"BPF_PROG_DETACH", "BPF_PROG_TEST_RUN", "BPF_PROG_GET_NEXT_ID", "BPF_MAP_GET_NEXT_ID",
	"BPF_PROG_GET_FD_BY_ID", "BPF_MAP_GET_FD_BY_ID", "BPF_OBJ_GET_INFO_BY_FD", "BPF_PROG_QUERY",
	"BPF_RAW_TRACEPOINT_OPEN", "BPF_BTF_LOAD", "BPF_BTF_GET_FD_BY_ID", "BPF_TASK_FD_QUERY",
	"BPF_MAP_LOOKUP_AND_DELETE_ELEM", "BPF_MAP_FREEZE", "BPF_BTF_GET_NEXT_ID", "BPF_MAP_LOOKUP_BATCH",
	"BPF_MAP_LOOKUP_AND_DELETE_BATCH", "BPF_MAP_UPDATE_BATCH", "BPF_MAP_DELETE_BATCH", "BPF_LINK_CREATE",
	"BPF_LINK_UPDATE", "BPF_LINK_GET_FD_BY_ID", "BPF_LINK_GET_NEXT_ID", "BPF_ENABLE_STATS",
	"BPF_ITER_CREATE", "BPF_LINK_DETACH", "BPF_PROG_BIND_MAP", "BPF_TOKEN_CREATE",
};

/* include/uapi/linux/perf_event.h enum perf_type_id */
static const char *const perf_types[] = {
	"PERF_TYPE_HARDWARE", "PERF_TYPE_SOFTWARE", "PERF_TYPE_TRACEPOINT", "PERF_TYPE_HW_CACHE",
	"PERF_TYPE_RAW", "PERF_TYPE_BREAKPOINT",
};

/* ---- network names (Tetragon's tables) ---- */

static const char *const af_names[] = {
	"AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM", "AF_BRIDGE",
	"AF_ATMPVC", "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI", "AF_SECURITY", "AF_KEY",
	"AF_NETLINK", "AF_PACKET", "AF_ASH", "AF_ECONET", "AF_ATMSVC", "AF_RDS", NULL, "AF_IRDA",
	"AF_PPPOX", "AF_WANPIPE", "AF_LLC", "AF_IB", "AF_MPLS", "AF_CAN", "AF_TIPC", "AF_BLUETOOTH",
	"AF_IUCV", "AF_RXRPC", "AF_ISDN", "AF_PHONET", "AF_IEEE802154", "AF_CAIF", "AF_ALG", "AF_NFC",
	"AF_VSOCK", "AF_KCM", "AF_QIPCRTR", "AF_SMC", "AF_XDP", "AF_MCTP",
};
static const char *const sock_types[] = {
	NULL, "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET", "SOCK_DCCP", NULL, NULL,
	NULL, "SOCK_PACKET",
};
static const char *const tcp_states[] = {
	NULL, "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2",
	"TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
	"TCP_NEW_SYN_RECV",
};

static const char *protocol_name(unsigned p)
{
	static const struct {
		unsigned n;
		const char *name;
	} t[] = {
		{0, "IPPROTO_IP"},	{1, "IPPROTO_ICMP"},	 {2, "IPPROTO_IGMP"},	  {4, "IPPROTO_IPIP"},
		{6, "IPPROTO_TCP"},	{8, "IPPROTO_EGP"},	 {12, "IPPROTO_PUP"},	  {17, "IPPROTO_UDP"},
		{22, "IPPROTO_IDP"},	{29, "IPPROTO_TP"},	 {33, "IPPROTO_DCCP"},	  {41, "IPPROTO_IPV6"},
		{46, "IPPROTO_RSVP"},	{47, "IPPROTO_GRE"},	 {50, "IPPROTO_ESP"},	  {51, "IPPROTO_AH"},
		{92, "IPPROTO_MTP"},	{94, "IPPROTO_BEETPH"},	 {98, "IPPROTO_ENCAP"},	  {103, "IPPROTO_PIM"},
		{108, "IPPROTO_COMP"},	{132, "IPPROTO_SCTP"},	 {136, "IPPROTO_UDPLITE"}, {137, "IPPROTO_MPLS"},
		{143, "IPPROTO_ETHERNET"}, {255, "IPPROTO_RAW"}, {262, "IPPROTO_MPTCP"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].n == p)
			return t[i].name;
	return NULL;
}

#define NAMED(tab, i) ((size_t)(i) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[i] : NULL)

/* "BPF_PROG_TYPE_KPROBE" from libbpf's "kprobe" */
static void enum_name(FILE *f, const char *prefix, const char *lower, unsigned n)
{
	fputc('"', f);
	if (!lower) {
		fprintf(f, "%s%u\"", prefix, n);
		return;
	}
	fputs(prefix, f);
	for (const char *p = lower; *p; p++)
		fputc(*p >= 'a' && *p <= 'z' ? *p - 32 : *p, f);
	fputc('"', f);
}

/* ---- kinds ---- */

static const struct {
	const char *type;
	enum tpl_karg k;
} kinds[] = {
	{"cred", TPL_KARG_CRED},		 {"user_namespace", TPL_KARG_USERNS},
	{"bpf_attr", TPL_KARG_BPF_ATTR},	 {"bpf_prog", TPL_KARG_BPF_PROG},
	{"bpf_map", TPL_KARG_BPF_MAP},		 {"perf_event", TPL_KARG_PERF_EVENT},
	{"module", TPL_KARG_MODULE},		 {"load_info", TPL_KARG_LOAD_INFO},
	{"linux_binprm", TPL_KARG_LINUX_BINPRM}, {"kiocb", TPL_KARG_KIOCB},
	{"kernel_cap_t", TPL_KARG_CAPS},	 {"cap_inheritable", TPL_KARG_CAPS},
	{"cap_permitted", TPL_KARG_CAPS},	 {"cap_effective", TPL_KARG_CAPS},
	{"capability", TPL_KARG_CAPABILITY},	 {"bpf_cmd", TPL_KARG_BPF_CMD},
	{"syscall64", TPL_KARG_SYSCALL64},	 {"sock", TPL_KARG_SOCK},
	{"socket", TPL_KARG_SOCK},		 {"skb", TPL_KARG_SKB},
	{"sockaddr", TPL_KARG_SOCKADDR},	 {"sockaddr_un", TPL_KARG_SOCKADDR_UN},
};

enum tpl_karg tpl_karg_of(const char *type)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(type, kinds[i].type))
			return kinds[i].k;
	return TPL_KARG_NONE;
}

/* The record's data as struct T, or NULL when it is not whole (a fault). */
#define REC(T, v) ((v)->len >= sizeof(T) && !((v)->flags & TPC_ARGF_FAULT) ? (const T *)(v)->data : NULL)

void tpl_mode_string(unsigned mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	unsigned type = mode & 0170000;
	out[0] = type == 0040000 ? 'd' : type == 0120000 ? 'l' : type == 0020000 ? 'c' : type == 0060000 ? 'b'
	       : type == 0010000 ? 'p' : type == 0140000 ? 's' : '-';
	for (int i = 0; i < 9; i++)
		out[1 + i] = mode & (0400u >> i) ? rwx[i] : '-';
	if (mode & 04000)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (mode & 02000)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (mode & 01000)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = 0;
}

static void cap_list(FILE *f, const char *key, tpc_u64 mask, int *first)
{
	if (!mask)
		return;
	fprintf(f, "%s\"%s\":[", *first ? "" : ",", key);
	*first = 0;
	int n = 0;
	for (unsigned c = 0; c < 64; c++) {
		if (!(mask & (1ULL << c)))
			continue;
		const char *name = tpl_cap_name(c);
		if (name)
			fprintf(f, "%s\"%s\"", n++ ? "," : "", name);
		else
			fprintf(f, "%s\"CAP_%u\"", n++ ? "," : "", c);
	}
	fputc(']', f);
}

static void userns_json(FILE *f, const struct tpc_rec_userns *u)
{
	fprintf(f, "{\"level\":%d,\"uid\":%u,\"gid\":%u", (int)u->level, u->uid, u->gid);
	if (u->inum || !u->level) {
		fputs(",\"ns\":{", f);
		if (u->inum)
			fprintf(f, "\"inum\":%u%s", u->inum, u->level ? "" : ",");
		if (!u->level)
			fputs("\"is_host\":true", f);
		fputc('}', f);
	}
	fputc('}', f);
}

static void name_field(FILE *f, const char *key, const char *s, size_t cap, int *first)
{
	size_t n = strnlen(s, cap);
	if (!n)
		return;
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	*first = 0;
	json_write_str(f, s, n);
}

static void u32_field(FILE *f, const char *key, unsigned x, int *first)
{
	if (!x)
		return;
	fprintf(f, "%s\"%s\":%u", *first ? "" : ",", key, x);
	*first = 0;
}

static void u64_field(FILE *f, const char *key, unsigned long long x, int *first)
{
	if (!x)
		return;
	fprintf(f, "%s\"%s\":\"%llu\"", *first ? "" : ",", key, x);
	*first = 0;
}

static void prog_json(FILE *f, const char *key, const struct tpc_rec_bpf_prog *p)
{
	int first = 1;
	fprintf(f, "\"%s\":{", key);
	if (p) {
		if (p->type) {
			fputs("\"ProgType\":", f);
			enum_name(f, "BPF_PROG_TYPE_", libbpf_bpf_prog_type_str((enum bpf_prog_type)p->type), p->type);
			first = 0;
		}
		u32_field(f, "InsnCnt", p->insn_cnt, &first);
		name_field(f, "ProgName", p->name, sizeof(p->name), &first);
	}
	fputc('}', f);
}

static void module_json(FILE *f, const struct tpc_rec_module *m)
{
	int first = 1;
	fputs("\"module_arg\":{", f);
	if (m) {
		name_field(f, "name", m->name, sizeof(m->name), &first);
		if (m->has_sig_ok && m->sig_ok) {
			fprintf(f, "%s\"signature_ok\":true", first ? "" : ",");
			first = 0;
		}
		int n = 0;
		for (unsigned b = 0; b < 64; b++) {
			const char *t = NAMED(taints, b);
			if (!t || !(m->taints & (1ULL << b)))
				continue;
			if (!n++)
				fprintf(f, "%s\"tainted\":[", first ? "" : ",");
			fprintf(f, "%s\"%s\"", n > 1 ? "," : "", t);
		}
		if (n)
			fputc(']', f);
	}
	fputc('}', f);
}

/* "name" or "decimal" */
static void named_str(FILE *f, const char *key, const char *name, unsigned n, int *first)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	*first = 0;
	if (name)
		fprintf(f, "\"%s\"", name);
	else
		fprintf(f, "\"%u\"", n);
}

/* An address as text: IPv4, IPv6 (v4-mapped as ::ffff:a.b.c.d), or
 * "invalid IP" for other families, as Tetragon prints them. */
static void addr_text(char *out, size_t len, unsigned family, const unsigned char *a)
{
	if (family != AF_INET && family != AF_INET6) {
		snprintf(out, len, "invalid IP");
		return;
	}
	if (!inet_ntop(family == AF_INET ? AF_INET : AF_INET6, a, out, (socklen_t)len))
		snprintf(out, len, "invalid IP");
}

static void addr_field(FILE *f, const char *key, unsigned family, const unsigned char *a, int *first)
{
	char t[INET6_ADDRSTRLEN + 1];
	addr_text(t, sizeof(t), family, a);
	fprintf(f, "%s\"%s\":\"%s\"", *first ? "" : ",", key, t);
	*first = 0;
}

/* family: its AF_ name or number; on tracepoint events the three names
 * Tetragon's tracepoint reader knows, else nothing */
static void family_field(FILE *f, unsigned fam, int tp_event, int *first)
{
	if (tp_event && fam != AF_UNIX && fam != AF_INET && fam != AF_INET6)
		return;
	named_str(f, "family", NAMED(af_names, fam), fam, first);
}

static void net_json(FILE *f, enum tpl_karg k, const struct tpc_rec_net *n, int tp_event)
{
	int first = 1;
	if (k == TPL_KARG_SOCK) {
		fputs("\"sock_arg\":{", f);
		if (!n)
			goto end;
		family_field(f, n->family, tp_event, &first);
		named_str(f, "type", NAMED(sock_types, n->type), n->type, &first);
		named_str(f, "protocol", protocol_name(n->protocol), n->protocol, &first);
		u32_field(f, "mark", n->mark, &first);
		u32_field(f, "priority", n->priority, &first);
		addr_field(f, "saddr", n->family, n->saddr, &first);
		addr_field(f, "daddr", n->family, n->daddr, &first);
		u32_field(f, "sport", n->sport, &first);
		u32_field(f, "dport", n->dport, &first);
		u64_field(f, "cookie", n->cookie, &first);
		named_str(f, "state", NAMED(tcp_states, n->state), n->state, &first);
	} else if (k == TPL_KARG_SKB) {
		fputs("\"skb_arg\":{", f);
		if (!n)
			goto end;
		u32_field(f, "hash", n->hash, &first);
		u32_field(f, "len", n->len, &first);
		u32_field(f, "priority", n->priority, &first);
		u32_field(f, "mark", n->mark, &first);
		if (n->has_tuple) {
			addr_field(f, "saddr", n->family, n->saddr, &first);
			addr_field(f, "daddr", n->family, n->daddr, &first);
		}
		u32_field(f, "sport", n->sport, &first);
		u32_field(f, "dport", n->dport, &first);
		u32_field(f, "proto", n->protocol, &first);
		if (n->has_tuple)
			named_str(f, "protocol", protocol_name(n->protocol), n->protocol, &first);
		u32_field(f, "sec_path_len", n->sec_path_len, &first);
		u32_field(f, "sec_path_olen", n->sec_path_olen, &first);
		if (n->has_tuple)
			family_field(f, n->family, tp_event, &first);
	} else {
		fputs("\"sockaddr_arg\":{", f);
		if (!n)
			goto end;
		family_field(f, n->family, tp_event, &first);
		if (n->family == AF_INET || n->family == AF_INET6) {
			addr_field(f, "addr", n->family, n->saddr, &first);
			u32_field(f, "port", n->sport, &first);
		}
	}
end:
	fputc('}', f);
}

/* A unix socket's path; an abstract name as "@" and its bytes without
 * their NULs, as Tetragon prints it. */
static size_t sockaddr_un_path(const struct tpc_rec_sockaddr_un *u, char *out, size_t cap)
{
	size_t n = 0, len = u->len < sizeof(u->path) ? u->len : sizeof(u->path);
	if (u->abstract)
		out[n++] = '@';
	for (size_t i = 0; i < len && n < cap; i++)
		if (u->path[i] || !u->abstract)
			out[n++] = u->path[i];
	return n;
}

static void sockaddr_un_json(FILE *f, const struct tpc_rec_sockaddr_un *u)
{
	fputs("\"sockaddrun_arg\":{", f);
	if (u) {
		char path[sizeof(u->path) + 1];
		size_t n = sockaddr_un_path(u, path, sizeof(path));
		int first = 1;
		family_field(f, u->family, 1, &first); /* always the short form */
		if (n) {
			fprintf(f, "%s\"path\":", first ? "" : ",");
			json_write_str(f, path, n);
		}
	}
	fputc('}', f);
}

static void net_compact(FILE *f, enum tpl_karg k, const struct tpc_rec_net *n)
{
	char s[INET6_ADDRSTRLEN + 1], d[INET6_ADDRSTRLEN + 1];
	if (!n)
		return;
	const char *fam = NAMED(af_names, n->family);
	addr_text(s, sizeof(s), n->family, n->saddr);
	addr_text(d, sizeof(d), n->family, n->daddr);
	const char *proto = protocol_name(n->protocol);
	if (k == TPL_KARG_SOCKADDR)
		fprintf(f, "sockaddr{%s %s port=%u}", fam ? fam : "?", s, n->sport);
	else if (k == TPL_KARG_SKB)
		fprintf(f, "skb{%s %s %s:%u->%s:%u len=%u}", fam ? fam : "?", proto ? proto : "?", s, n->sport, d,
			n->dport, n->len);
	else
		fprintf(f, "sock{%s %s %s:%u->%s:%u %s}", fam ? fam : "?", proto ? proto : "?", s, n->sport, d,
			n->dport, NAMED(tcp_states, n->state) ? NAMED(tcp_states, n->state) : "?");
}

/* x64/i386 on x86_64, arm64/arm32 on arm64: the object runs on the
 * architecture it was built for (tp-load refuses others) */
static const char *abi_name(int compat)
{
	struct utsname u;
	int arm = uname(&u) == 0 && !strcmp(u.machine, "aarch64");
	return arm ? (compat ? "arm32" : "arm64") : (compat ? "i386" : "x64");
}

void tpl_karg_json(FILE *f, enum tpl_karg k, const char *type, const struct tpc_value *v, int tp_event)
{
	tpc_u64 x = v->value;
	switch (k) {
	case TPL_KARG_CRED: {
		const struct tpc_rec_cred *c = REC(struct tpc_rec_cred, v);
		fputs("\"process_credentials_arg\":{", f);
		if (c) {
			fprintf(f, "\"uid\":%u,\"gid\":%u,\"euid\":%u,\"egid\":%u,\"suid\":%u,\"sgid\":%u,\"fsuid\":%u,\"fsgid\":%u",
				c->uid, c->gid, c->euid, c->egid, c->suid, c->sgid, c->fsuid, c->fsgid);
			if (c->securebits) {
				fputs(",\"securebits\":[", f);
				int n = 0;
				for (unsigned b = 0; b < 8; b++)
					if (c->securebits & (1u << b))
						fprintf(f, "%s\"%s\"", n++ ? "," : "", securebits[b]);
				fputc(']', f);
			}
			if (c->cap_permitted || c->cap_effective || c->cap_inheritable) {
				int first = 1;
				fputs(",\"caps\":{", f);
				cap_list(f, "permitted", c->cap_permitted, &first);
				cap_list(f, "effective", c->cap_effective, &first);
				cap_list(f, "inheritable", c->cap_inheritable, &first);
				fputc('}', f);
			}
			fputs(",\"user_ns\":", f);
			userns_json(f, &c->userns);
		}
		fputc('}', f);
		return;
	}
	case TPL_KARG_USERNS: {
		const struct tpc_rec_userns *u = REC(struct tpc_rec_userns, v);
		fputs("\"user_ns_arg\":", f);
		if (u)
			userns_json(f, u);
		else
			fputs("{}", f);
		return;
	}
	case TPL_KARG_BPF_ATTR: prog_json(f, "bpf_attr_arg", REC(struct tpc_rec_bpf_prog, v)); return;
	case TPL_KARG_BPF_PROG: prog_json(f, "bpf_prog_arg", REC(struct tpc_rec_bpf_prog, v)); return;
	case TPL_KARG_BPF_MAP: {
		const struct tpc_rec_bpf_map *m = REC(struct tpc_rec_bpf_map, v);
		int first = 1;
		fputs("\"bpf_map_arg\":{", f);
		if (m) {
			if (m->type) {
				fputs("\"MapType\":", f);
				enum_name(f, "BPF_MAP_TYPE_", libbpf_bpf_map_type_str((enum bpf_map_type)m->type), m->type);
				first = 0;
			}
			u32_field(f, "KeySize", m->key_size, &first);
			u32_field(f, "ValueSize", m->value_size, &first);
			u32_field(f, "MaxEntries", m->max_entries, &first);
			name_field(f, "MapName", m->name, sizeof(m->name), &first);
		}
		fputc('}', f);
		return;
	}
	case TPL_KARG_PERF_EVENT: {
		const struct tpc_rec_perf_event *p = REC(struct tpc_rec_perf_event, v);
		int first = 1;
		fputs("\"perf_event_arg\":{", f);
		if (p) {
			name_field(f, "KprobeFunc", p->kprobe_func, sizeof(p->kprobe_func), &first);
			const char *t = NAMED(perf_types, p->type);
			fprintf(f, "%s\"Type\":", first ? "" : ",");
			first = 0;
			if (t)
				fprintf(f, "\"%s\"", t);
			else /* a dynamic PMU (kprobe, uprobe): its number */
				fprintf(f, "\"%u\"", p->type);
			u64_field(f, "Config", p->config, &first);
			u64_field(f, "ProbeOffset", p->probe_offset, &first);
		}
		fputc('}', f);
		return;
	}
	case TPL_KARG_MODULE:
	case TPL_KARG_LOAD_INFO: module_json(f, REC(struct tpc_rec_module, v)); return;
	case TPL_KARG_LINUX_BINPRM:
	case TPL_KARG_KIOCB: {
		char perm[11];
		fputs(k == TPL_KARG_KIOCB ? "\"file_arg\":{\"path\":" : "\"linux_binprm_arg\":{\"path\":", f);
		json_write_str(f, v->data, tpc_value_strlen(v));
		if (v->flags & TPC_ARGF_TRUNCATED)
			fputs(",\"flags\":\"unresolvedPathComponents\"", f);
		if (x) {
			tpl_mode_string((unsigned)x, perm);
			fprintf(f, ",\"permission\":\"%s\"", perm);
		}
		fputc('}', f);
		return;
	}
	case TPL_KARG_CAPS:
		fprintf(f, "\"%s_arg\":\"%016llx\"", type, (unsigned long long)x);
		return;
	case TPL_KARG_CAPABILITY: {
		const char *name = tpl_cap_name((unsigned)x);
		fprintf(f, "\"capability_arg\":{\"value\":%u", (unsigned)x);
		if (name)
			fprintf(f, ",\"name\":\"%s\"", name);
		fputc('}', f);
		return;
	}
	case TPL_KARG_BPF_CMD: {
		const char *name = NAMED(bpf_cmds, (unsigned)x);
		if (name)
			fprintf(f, "\"bpf_cmd_arg\":\"%s\"", name);
		else
			fprintf(f, "\"bpf_cmd_arg\":\"%u\"", (unsigned)x);
		return;
	}
	case TPL_KARG_SYSCALL64: {
		int compat = (x & 0x80000000ULL) != 0;
		fprintf(f, "\"syscall_id\":{\"id\":%u,\"abi\":\"%s\"}", (unsigned)(x & 0x7fffffffULL), abi_name(compat));
		return;
	}
	case TPL_KARG_SOCK:
	case TPL_KARG_SKB:
	case TPL_KARG_SOCKADDR: net_json(f, k, REC(struct tpc_rec_net, v), tp_event); return;
	case TPL_KARG_SOCKADDR_UN: sockaddr_un_json(f, REC(struct tpc_rec_sockaddr_un, v)); return;
	case TPL_KARG_NONE: break;
	}
}

void tpl_karg_compact(FILE *f, enum tpl_karg k, const struct tpc_value *v)
{
	tpc_u64 x = v->value;
	switch (k) {
	case TPL_KARG_CRED: {
		const struct tpc_rec_cred *c = REC(struct tpc_rec_cred, v);
		if (c)
			fprintf(f, "cred{uid=%u euid=%u gid=%u egid=%u caps=%llx}", c->uid, c->euid, c->gid, c->egid,
				(unsigned long long)c->cap_effective);
		return;
	}
	case TPL_KARG_USERNS: {
		const struct tpc_rec_userns *u = REC(struct tpc_rec_userns, v);
		if (u)
			fprintf(f, "userns{level=%u uid=%u ns=%u}", u->level, u->uid, u->inum);
		return;
	}
	case TPL_KARG_BPF_ATTR:
	case TPL_KARG_BPF_PROG: {
		const struct tpc_rec_bpf_prog *p = REC(struct tpc_rec_bpf_prog, v);
		if (p)
			fprintf(f, "prog{type=%u insns=%u name=%.16s}", p->type, p->insn_cnt, p->name);
		return;
	}
	case TPL_KARG_BPF_MAP: {
		const struct tpc_rec_bpf_map *m = REC(struct tpc_rec_bpf_map, v);
		if (m)
			fprintf(f, "map{type=%u name=%.16s}", m->type, m->name);
		return;
	}
	case TPL_KARG_PERF_EVENT: {
		const struct tpc_rec_perf_event *p = REC(struct tpc_rec_perf_event, v);
		if (p)
			fprintf(f, "perf_event{type=%u func=%.64s}", p->type, p->kprobe_func);
		return;
	}
	case TPL_KARG_MODULE:
	case TPL_KARG_LOAD_INFO: {
		const struct tpc_rec_module *m = REC(struct tpc_rec_module, v);
		if (m)
			fprintf(f, "module{%.56s}", m->name);
		return;
	}
	case TPL_KARG_LINUX_BINPRM:
	case TPL_KARG_KIOCB: fprintf(f, "%.*s", (int)tpc_value_strlen(v), v->data); return;
	case TPL_KARG_CAPS: fprintf(f, "%016llx", (unsigned long long)x); return;
	case TPL_KARG_CAPABILITY: {
		const char *name = tpl_cap_name((unsigned)x);
		fprintf(f, "%s", name ? name : "?");
		return;
	}
	case TPL_KARG_BPF_CMD: {
		const char *name = NAMED(bpf_cmds, (unsigned)x);
		fprintf(f, "%s", name ? name : "?");
		return;
	}
	case TPL_KARG_SYSCALL64: fprintf(f, "%llu", (unsigned long long)x); return;
	case TPL_KARG_SOCK:
	case TPL_KARG_SKB:
	case TPL_KARG_SOCKADDR: net_compact(f, k, REC(struct tpc_rec_net, v)); return;
	case TPL_KARG_SOCKADDR_UN: {
		const struct tpc_rec_sockaddr_un *u = REC(struct tpc_rec_sockaddr_un, v);
		char path[sizeof(u->path) + 1];
		if (u)
			fprintf(f, "unix{%.*s}", (int)sockaddr_un_path(u, path, sizeof(path)), path);
		return;
	}
	case TPL_KARG_NONE: return;
	}
}
