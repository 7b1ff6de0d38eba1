/* model.c: the tables every stage reads (arg types, operators, actions,
 * namespaces, capabilities) and the questions about the policy model that
 * the checks and the code generator both ask, answered in one place so
 * they cannot disagree. Adding an arg type, an operator or an action starts
 * with its row here. */
#include "tpc.h"

#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

/* ---- arg types ---- */

const struct arg_type_info arg_types[AT_COUNT] = {
	[AT_UNKNOWN] = {"unknown", AC_NONE, 0, false, NULL, NULL},
	[AT_INT] = {"int", AC_INT, 4, true, "__s32", NULL},
	[AT_UINT32] = {"uint32", AC_INT, 4, false, "__u32", NULL},
	[AT_INT64] = {"int64", AC_INT, 8, true, "__s64", NULL},
	[AT_UINT64] = {"uint64", AC_INT, 8, false, "__u64", NULL},
	[AT_SIZE_T] = {"size_t", AC_INT, 8, false, "__u64", NULL},
	[AT_INT16] = {"int16", AC_INT, 2, true, "__s16", NULL},
	[AT_UINT16] = {"uint16", AC_INT, 2, false, "__u16", NULL},
	[AT_INT8] = {"int8", AC_INT, 1, true, "__s8", NULL},
	[AT_UINT8] = {"uint8", AC_INT, 1, false, "__u8", NULL},
	[AT_STRING] = {"string", AC_STRING, 0, false, NULL, NULL},
	[AT_CHAR_BUF] = {"char_buf", AC_BUF, 0, false, NULL, NULL},
	[AT_CHAR_IOVEC] = {"char_iovec", AC_IOVEC, 0, false, NULL, "iovec"},
	[AT_FD] = {"fd", AC_FD, 4, true, "__s32", NULL, false, "fd"},
	[AT_FILE] = {"file", AC_PATH, 0, false, NULL, "file", false, "file"},
	[AT_PATH] = {"path", AC_PATH, 0, false, NULL, "path", false, "path"},
	[AT_DENTRY] = {"dentry", AC_PATH, 0, false, NULL, "dentry", false, "dentry"},
	[AT_CONST_BUF] = {"const_buf", AC_CONST_BUF, 0, false, NULL, NULL, true},
	[AT_NOP] = {"nop", AC_NOP, 0, false, NULL, NULL, true},
	/* the syscall number; on a tracepoint with bit 31 for a 32-bit syscall */
	[AT_SYSCALL64] = {"syscall64", AC_INT, 8, false, "__u64", NULL, false, NULL, "syscall64"},
	[AT_CAPABILITY] = {"capability", AC_INT, 4, true, "__s32", NULL, true},
	/* Tetragon's filters on bpf_cmd fail to load (a Quirk): tpc's work */
	[AT_BPF_CMD] = {"bpf_cmd", AC_INT, 4, true, "__s32", NULL},
	/* pointers to a 64-bit mask, compared and printed as the mask */
	[AT_KERNEL_CAP_T] = {"kernel_cap_t", AC_INT, 8, false, "__u64", "kernel_cap_t", false, NULL, "caps"},
	[AT_CAP_INHERITABLE] = {"cap_inheritable", AC_INT, 8, false, "__u64", "kernel_cap_t", false, NULL, "caps"},
	[AT_CAP_PERMITTED] = {"cap_permitted", AC_INT, 8, false, "__u64", "kernel_cap_t", false, NULL, "caps"},
	[AT_CAP_EFFECTIVE] = {"cap_effective", AC_INT, 8, false, "__u64", "kernel_cap_t", false, NULL, "caps"},
	[AT_CRED] = {"cred", AC_KSTRUCT, 0, false, NULL, "cred", true, "cred"},
	[AT_USER_NAMESPACE] = {"user_namespace", AC_KSTRUCT, 0, false, NULL, "user_namespace", true, "user_namespace"},
	[AT_BPF_ATTR] = {"bpf_attr", AC_KSTRUCT, 0, false, NULL, "bpf_attr", true, "bpf_attr"},
	[AT_BPF_PROG] = {"bpf_prog", AC_KSTRUCT, 0, false, NULL, "bpf_prog", true, "bpf_prog"},
	[AT_BPF_MAP] = {"bpf_map", AC_KSTRUCT, 0, false, NULL, "bpf_map", true, "bpf_map"},
	[AT_PERF_EVENT] = {"perf_event", AC_KSTRUCT, 0, false, NULL, "perf_event", true, "perf_event"},
	[AT_MODULE] = {"module", AC_KSTRUCT, 0, false, NULL, "module", true, "module"},
	[AT_LOAD_INFO] = {"load_info", AC_KSTRUCT, 0, false, NULL, "load_info", true, "load_info"},
	[AT_IOV_ITER] = {"iov_iter", AC_KSTRUCT, 0, false, NULL, "iov_iter", true, "iov_iter"},
	/* the path of the file they hold; Tetragon's kiocb filters do not
	 * match (a Quirk): tpc's compare the path */
	[AT_LINUX_BINPRM] = {"linux_binprm", AC_PATH, 0, false, NULL, "linux_binprm", false, "binprm"},
	[AT_KIOCB] = {"kiocb", AC_PATH, 0, false, NULL, "kiocb", false, "kiocb"},
	/* a struct filename's name; Tetragon's filters on it do not work (a
	 * Quirk): tpc's compare the name */
	[AT_FILENAME] = {"filename", AC_STRING, 0, false, NULL, "filename", false, NULL, "filename"},
	[AT_DATA_LOC] = {"data_loc", AC_STRING, 0, false, NULL, NULL},
	/* network structs: read into one tuple record (struct tpc_rec_net),
	 * which the network operators compare and tp-load prints */
	[AT_SOCK] = {"sock", AC_KSTRUCT, 0, false, NULL, "sock", false, "sock"},
	[AT_SOCKET] = {"socket", AC_KSTRUCT, 0, false, NULL, "socket", false, "socket"},
	[AT_SKB] = {"skb", AC_KSTRUCT, 0, false, NULL, "sk_buff", false, "skb"},
	[AT_SOCKADDR] = {"sockaddr", AC_KSTRUCT, 0, false, NULL, "sockaddr", false, "sockaddr"},
	/* its name (char[16] inside the struct), compared and printed as a string */
	/* a unix socket's path: the string operators compare it (read
	 * through tpc_load_sockaddr_un: sun_path, past the leading NUL of an
	 * abstract name), Family its family */
	[AT_SOCKADDR_UN] = {"sockaddr_un", AC_KSTRUCT, 0, false, NULL, "sockaddr", false, "sockaddr_un", "sockaddr_un"},
	[AT_NET_DEVICE] = {"net_device", AC_STRING, 0, false, NULL, "net_device", false, NULL, "net_device"},
	[AT_AUTO] = {"auto", AC_NONE, 0, false, NULL, NULL},
	[AT_OTHER] = {"unknown", AC_NONE, 0, false, NULL, NULL},
};

/* Every arg type of the CRD, in the CRD's order. The ones tpc implements
 * map to their enum (several spellings may share one), the rest to
 * AT_OTHER: recognised, refused as unsupported. */
static const struct {
	const char *name;
	enum arg_type t;
} arg_spellings[] = {
	{"auto", AT_AUTO},	       {"int", AT_INT},		     {"sint8", AT_INT8},
	{"int8", AT_INT8},	       {"uint8", AT_UINT8},	     {"sint16", AT_INT16},
	{"int16", AT_INT16},	       {"uint16", AT_UINT16},	     {"uint32", AT_UINT32},
	{"sint32", AT_INT},	       {"int32", AT_INT},	     {"ulong", AT_UINT64},
	{"uint64", AT_UINT64},	       {"size_t", AT_SIZE_T},	     {"long", AT_INT64},
	{"sint64", AT_INT64},	       {"int64", AT_INT64},	     {"char_buf", AT_CHAR_BUF},
	{"char_iovec", AT_CHAR_IOVEC}, {"skb", AT_SKB},	     {"sock", AT_SOCK},
	{"sockaddr", AT_SOCKADDR},	       {"socket", AT_SOCKET},	     {"sockaddr_un", AT_SOCKADDR_UN},
	{"string", AT_STRING},	       {"fd", AT_FD},		     {"file", AT_FILE},
	{"filename", AT_FILENAME},	       {"path", AT_PATH},	     {"nop", AT_NOP},
	{"bpf_attr", AT_BPF_ATTR},	       {"perf_event", AT_PERF_EVENT},     {"bpf_map", AT_BPF_MAP},
	{"user_namespace", AT_USER_NAMESPACE},  {"capability", AT_CAPABILITY},     {"kiocb", AT_KIOCB},
	{"iov_iter", AT_IOV_ITER},	       {"cred", AT_CRED},	     {"const_buf", AT_CONST_BUF},
	{"load_info", AT_LOAD_INFO},       {"module", AT_MODULE},	     {"syscall64", AT_SYSCALL64},
	{"kernel_cap_t", AT_KERNEL_CAP_T},    {"cap_inheritable", AT_CAP_INHERITABLE}, {"cap_permitted", AT_CAP_PERMITTED},
	{"cap_effective", AT_CAP_EFFECTIVE},   {"linux_binprm", AT_LINUX_BINPRM},   {"data_loc", AT_DATA_LOC},
	{"net_device", AT_NET_DEVICE},      {"bpf_cmd", AT_BPF_CMD},	     {"dentry", AT_DENTRY},
	{"bpf_prog", AT_BPF_PROG},
};
#define NSPELLINGS (sizeof(arg_spellings) / sizeof(arg_spellings[0]))

const char *const arg_type_names[NSPELLINGS + 1] = {
	"auto", "int", "sint8", "int8", "uint8", "sint16", "int16", "uint16", "uint32", "sint32",
	"int32", "ulong", "uint64", "size_t", "long", "sint64", "int64", "char_buf", "char_iovec",
	"skb", "sock", "sockaddr", "socket", "sockaddr_un", "string", "fd", "file", "filename",
	"path", "nop", "bpf_attr", "perf_event", "bpf_map", "user_namespace", "capability",
	"kiocb", "iov_iter", "cred", "const_buf", "load_info", "module", "syscall64",
	"kernel_cap_t", "cap_inheritable", "cap_permitted", "cap_effective", "linux_binprm",
	"data_loc", "net_device", "bpf_cmd", "dentry", "bpf_prog", NULL,
};

enum arg_type arg_type_from_name(const char *s)
{
	for (size_t i = 0; i < NSPELLINGS; i++)
		if (!strcmp(s, arg_spellings[i].name))
			return arg_spellings[i].t;
	return AT_UNKNOWN;
}

/* ---- operators ---- */

#define ARGS_RET (OPW_ARGS | OPW_RETURN)
#define PROC_ANY (OPW_PIDS | OPW_BINARIES | OPW_NAMESPACES)

const struct op_info ops[OP_COUNT] = {
	[OP_UNKNOWN] = {"?", 0, false, false, false, OP_UNKNOWN, NEED_NONE},
	[OP_EQUAL] = {"Equal", ARGS_RET, true, true, false, OP_EQUAL, NEED_EQUAL},
	[OP_NOTEQUAL] = {"NotEqual", ARGS_RET, true, true, true, OP_EQUAL, NEED_EQUAL},
	[OP_PREFIX] = {"Prefix", OPW_ARGS | OPW_BINARIES, false, true, false, OP_PREFIX, NEED_PREFIX},
	[OP_NOTPREFIX] = {"NotPrefix", OPW_ARGS | OPW_BINARIES, false, true, true, OP_PREFIX, NEED_PREFIX},
	[OP_POSTFIX] = {"Postfix", OPW_ARGS | OPW_BINARIES, false, true, false, OP_POSTFIX, NEED_WHOLE},
	[OP_NOTPOSTFIX] = {"NotPostfix", OPW_ARGS | OPW_BINARIES, false, true, true, OP_POSTFIX, NEED_WHOLE},
	[OP_GT] = {"GreaterThan", ARGS_RET, true, false, false, OP_GT, NEED_NONE},
	[OP_LT] = {"LessThan", ARGS_RET, true, false, false, OP_LT, NEED_NONE},
	[OP_MASK] = {"Mask", ARGS_RET, true, false, false, OP_MASK, NEED_NONE},
	[OP_IN] = {"In", PROC_ANY, false, false, false, OP_IN, NEED_NONE},
	[OP_NOTIN] = {"NotIn", PROC_ANY, false, false, true, OP_IN, NEED_NONE},
	[OP_SPORT] = {"SPort", ARGS_RET, false, false, false, OP_SPORT, NEED_NONE, true},
	[OP_NOTSPORT] = {"NotSPort", ARGS_RET, false, false, true, OP_SPORT, NEED_NONE, true},
	[OP_SPORTPRIV] = {"SPortPriv", ARGS_RET, false, false, false, OP_SPORTPRIV, NEED_NONE, true},
	[OP_NOTSPORTPRIV] = {"NotSportPriv", ARGS_RET, false, false, true, OP_SPORTPRIV, NEED_NONE, true},
	[OP_DPORT] = {"DPort", ARGS_RET, false, false, false, OP_DPORT, NEED_NONE, true},
	[OP_NOTDPORT] = {"NotDPort", ARGS_RET, false, false, true, OP_DPORT, NEED_NONE, true},
	[OP_DPORTPRIV] = {"DPortPriv", ARGS_RET, false, false, false, OP_DPORTPRIV, NEED_NONE, true},
	[OP_NOTDPORTPRIV] = {"NotDPortPriv", ARGS_RET, false, false, true, OP_DPORTPRIV, NEED_NONE, true},
	[OP_SADDR] = {"SAddr", ARGS_RET, false, false, false, OP_SADDR, NEED_NONE, true},
	[OP_NOTSADDR] = {"NotSAddr", ARGS_RET, false, false, true, OP_SADDR, NEED_NONE, true},
	[OP_DADDR] = {"DAddr", ARGS_RET, false, false, false, OP_DADDR, NEED_NONE, true},
	[OP_NOTDADDR] = {"NotDAddr", ARGS_RET, false, false, true, OP_DADDR, NEED_NONE, true},
	[OP_PROTOCOL] = {"Protocol", ARGS_RET, false, false, false, OP_PROTOCOL, NEED_NONE, true},
	[OP_FAMILY] = {"Family", ARGS_RET, false, false, false, OP_FAMILY, NEED_NONE, true},
	[OP_STATE] = {"State", ARGS_RET, false, false, false, OP_STATE, NEED_NONE, true},
	[OP_INRANGE] = {"InRange", OPW_ARGS, true, false, false, OP_INRANGE, NEED_NONE},
	[OP_NOTINRANGE] = {"NotInRange", OPW_ARGS, true, false, true, OP_INRANGE, NEED_NONE},
	[OP_SUBSTRING] = {"SubString", OPW_ARGS, false, true, false, OP_SUBSTRING, NEED_WHOLE},
	[OP_SUBSTRING_IGN] = {"SubStringIgnCase", OPW_ARGS, false, true, false, OP_SUBSTRING_IGN, NEED_WHOLE},
	/* neither an integer nor a string compare: the check reads the inode's mode */
	[OP_FILETYPE] = {"FileType", OPW_ARGS, false, false, false, OP_FILETYPE, NEED_NONE},
	[OP_NOTFILETYPE] = {"NotFileType", OPW_ARGS, false, false, true, OP_FILETYPE, NEED_NONE},
	/* two slots (args: [old, new]), no values; match_target is old */
	[OP_CAPS_GAINED] = {"CapabilitiesGained", OPW_ARGS, true, false, false, OP_CAPS_GAINED, NEED_NONE},
	/* over slots it names itself: no target arg (match_target is NULL) */
	[OP_CELEXPR] = {"CelExpr", OPW_ARGS, true, false, false, OP_CELEXPR, NEED_NONE},
	[OP_INMAP] = {"InMap", OPW_ARGS, true, false, false, OP_INMAP, NEED_NONE},
	[OP_NOTINMAP] = {"NotInMap", OPW_ARGS, true, false, true, OP_INMAP, NEED_NONE},
	[OP_OTHER] = {"?", 0, false, false, false, OP_OTHER, NEED_NONE},
};

/* Operators of the CRD's matchArgs enum, all of them: for suggestions, and
 * to tell "unsupported" from "unknown". */
const char *const op_names[] = {
	"Equal", "NotEqual", "Prefix", "NotPrefix", "Postfix", "NotPostfix", "GreaterThan",
	"LessThan", "GT", "LT", "Mask", "SPort", "NotSPort", "SPortPriv", "NotSportPriv", "DPort",
	"NotDPort", "DPortPriv", "NotDPortPriv", "SAddr", "NotSAddr", "DAddr", "NotDAddr",
	"Protocol", "Family", "State", "InMap", "NotInMap", "CapabilitiesGained", "InRange",
	"NotInRange", "SubString", "SubStringIgnCase", "CelExpr", "FileType", "NotFileType", NULL,
};

enum op op_from_name(const char *s)
{
	if (!strcmp(s, "GT"))
		return OP_GT;
	if (!strcmp(s, "LT"))
		return OP_LT;
	for (int o = OP_UNKNOWN + 1; o < OP_OTHER; o++)
		if (!strcmp(s, ops[o].name))
			return (enum op)o;
	for (int i = 0; op_names[i]; i++)
		if (!strcmp(s, op_names[i]))
			return OP_OTHER;
	return OP_UNKNOWN;
}

const char *const *op_names_where(enum op_where where)
{
	static const char *const pids[] = {"In", "NotIn", NULL};
	static const char *const binaries[] = {"In", "NotIn", "Prefix", "NotPrefix", "Postfix", "NotPostfix", NULL};
	static const char *const ret[] = {"Equal",    "NotEqual",  "GT",	     "LT",	     "GreaterThan",
					  "LessThan", "Mask",	   "SPort",	     "NotSPort",     "SPortPriv",
					  "NotSportPriv", "DPort", "NotDPort", "DPortPriv", "NotDPortPriv",
					  "SAddr",    "NotSAddr",  "DAddr",	     "NotDAddr",     "Protocol",
					  "Family",   "State",	   NULL};
	switch (where) {
	case OPW_ARGS: return op_names;
	case OPW_RETURN: return ret;
	case OPW_PIDS: return pids;
	case OPW_BINARIES: return binaries;
	case OPW_NAMESPACES: return pids;
	}
	return pids;
}

/* ---- actions ---- */

/* Spellings and bits come from the ABI's list (tpc_abi.h): tp-load names
 * the same actions from the same rows. */
#define ACTION_ROW(n, bit, spelling) [ACT_##n] = {spelling, TPC_ACT_##n, "TPC_ACT_" #n},
const struct action_info actions[ACT_COUNT] = {
	[ACT_UNKNOWN] = {"?", 0, "0"},
	TPC_ACTIONS(ACTION_ROW)
	[ACT_OTHER] = {"?", 0, "0"},
};
#undef ACTION_ROW

const char *const action_names[] = {
	"Post", "Sigkill", "Override", "GetUrl", "DnsLookup", "NoPost", "Signal", "TrackSock",
	"UntrackSock", "NotifyEnforcer", "CleanupEnforcerNotification", "Set", "FollowFD",
	"UnfollowFD", "CopyFD", NULL,
};

enum action_kind action_from_name(const char *s)
{
	for (int k = ACT_UNKNOWN + 1; k < ACT_OTHER; k++)
		if (!strcmp(s, actions[k].name))
			return (enum action_kind)k;
	for (int i = 0; action_names[i]; i++)
		if (!strcmp(s, action_names[i]))
			return ACT_OTHER;
	return ACT_UNKNOWN;
}

/* ---- namespaces and capabilities ---- */

const char *const ns_names[] = {"Uts", "Ipc", "Mnt", "Pid", "PidForChildren", "Net",
				"Time", "TimeForChildren", "Cgroup", "User", NULL};
_Static_assert(NS_USER == TPC_NS_USER && NS_COUNT == TPC_NS_COUNT && NS_PID_FOR_CHILDREN == TPC_NS_PID_FOR_CHILDREN,
	       "enum ns_kind follows tpc_abi.h's TPC_NS_*");

int ns_from_name(const char *s)
{
	for (int i = 0; ns_names[i]; i++)
		if (!strcmp(s, ns_names[i]))
			return i;
	return -1;
}

/* linux/capability.h, in number order */
const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
	"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
	"CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE", NULL,
};

const char *const cap_set_names[] = {"Effective", "Inheritable", "Permitted", NULL};

int cap_from_name(const char *s)
{
	for (int i = 0; cap_names[i]; i++)
		if (!strcmp(s, cap_names[i]))
			return i;
	return -1;
}

/* ---- questions about the model ---- */

const struct arg *hook_find_arg(const struct hook *h, int index)
{
	for (int i = 0; i < h->nargs; i++)
		if (!h->args[i].is_data && h->args[i].index == index)
			return &h->args[i];
	return NULL;
}

const struct arg *hook_find_data(const struct hook *h, int index)
{
	int first = h->nargs - h->ndata;
	return index >= 0 && index < h->ndata ? &h->args[first + index] : NULL;
}

/* matchArgs: args: [N] names slot N, else index the first arg with it;
 * matchData: both count data entries. */
const struct arg *match_target(const struct hook *h, const struct match_arg *m)
{
	if (m->op == OP_CELEXPR) /* its index and args are ignored (Tetragon) */
		return NULL;
	if (m->data)
		return hook_find_data(h, m->args_slot >= 0 ? m->args_slot : m->index);
	if (m->args_slot >= 0)
		return m->args_slot < h->nargs ? &h->args[m->args_slot] : NULL;
	return hook_find_arg(h, m->index);
}

/* An fd compares as a number under GT/LT/Mask and when every value of an
 * Equal/NotEqual is an integer (the fd itself); otherwise as its path. */
bool match_arg_on_bytes(const struct arg *a, const struct match_arg *m)
{
	if (arg_type_is_net(a->type) || ops[m->op].net)
		return false; /* a tuple, compared by the network operators */
	if (a->type != AT_FD)
		return arg_types[a->type].cls != AC_INT && arg_types[a->type].cls != AC_NONE;
	if (!ops[m->op].on_bytes)
		return false;
	if (m->op != OP_EQUAL && m->op != OP_NOTEQUAL)
		return true;
	for (int v = 0; v < m->nvalues; v++)
		if (!m->values[v].is_int)
			return true;
	return false;
}

bool selector_has_filters(const struct selector *s)
{
	return s->nmatch_args || s->nmatch_return_args || s->nmatch_pids || s->nmatch_binaries || s->nmatch_parent_binaries ||
	       s->nmatch_namespaces || s->nmatch_caps || s->nmatch_cap_changes || s->nmatch_ns_changes;
}

bool hook_has_action(const struct hook *h, enum action_kind k)
{
	for (int i = 0; i < h->nselectors; i++)
		for (int j = 0; j < h->selectors[i].nactions; j++)
			if (h->selectors[i].actions[j].kind == k)
				return true;
	return false;
}

bool action_posts_stacks(const struct hook *h, const struct action *a)
{
	/* Tetragon reports stacks on kprobe (process_kprobe) events only:
	 * kprobes, their tracepoint twins, fentries; check_actions.c warns
	 * where the flags have no effect */
	return (a->kernel_stack || a->user_stack) && a->kind == ACT_POST &&
	       (h->kind == HOOK_KPROBE || h->kind == HOOK_FENTRY);
}

int sockaddr_len_index(const struct hook *h, const struct arg *a)
{
	if (a->type != AT_SOCKADDR_UN || a->is_data || a->resolve || a->index < 0 || a->index + 1 > 4)
		return -1;
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_FENTRY:
	case HOOK_LSM: return a->index + 1;
	case HOOK_TRACEPOINT:
	case HOOK_RAW_TRACEPOINT:
	case HOOK_UPROBE:
	case HOOK_USDT:
	case HOOK_KIND_COUNT: break;
	}
	return -1;
}

bool policy_tracks_socks(const struct policy *p)
{
	for (int i = 0; p && i < p->nhooks; i++)
		if (hook_has_action(&p->hooks[i], ACT_TRACKSOCK) || hook_has_action(&p->hooks[i], ACT_UNTRACKSOCK) ||
		    p->hooks[i].return_arg_action != ACT_UNKNOWN)
			return true;
	return false;
}

/* The model's one question per hook kind (the rest is hook.c's): parse
 * and the reference evaluator of tests/diff need it without the code
 * generator. */
bool hook_kind_can_return(enum hook_kind k)
{
	switch (k) {
	case HOOK_KPROBE:
	case HOOK_UPROBE:
	case HOOK_FENTRY: return true; /* fexit */
	case HOOK_TRACEPOINT:
	case HOOK_USDT:
	case HOOK_RAW_TRACEPOINT:
	case HOOK_LSM:
	case HOOK_KIND_COUNT: break;
	}
	return false;
}

bool hook_reports_at_return(const struct hook *h)
{
	if (!hook_kind_can_return(h->kind))
		return false;
	if (h->is_return)
		return true;
	for (int i = 0; i < h->nargs; i++)
		if (h->args[i].return_copy)
			return true;
	return false;
}

/* A capability list: "CAP_SYS_ADMIN,cap_net_raw" (case-insensitive, the
 * CAP_ prefix optional) OR-ed into a mask. */
static bool caps_from_text(const char *s, long long *out)
{
	uint64_t mask = 0;
	while (*s) {
		char name[64];
		size_t n = strcspn(s, ",");
		while (n && s[n - 1] == ' ')
			n--;
		while (*s == ' ' && n) {
			s++;
			n--;
		}
		if (!n || n + 4 >= sizeof(name))
			return false;
		size_t k = 0;
		if (strncasecmp(s, "CAP_", 4))
			k = (size_t)snprintf(name, sizeof(name), "CAP_");
		for (size_t i = 0; i < n; i++)
			name[k++] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
		name[k] = 0;
		int cap = cap_from_name(name);
		if (cap < 0)
			return false;
		mask |= 1ULL << cap;
		s += strcspn(s, ",");
		if (*s == ',')
			s++;
	}
	*out = (long long)mask;
	return true;
}

bool value_as_int(const struct arg *a, const struct value *v, long long *out)
{
	if (v->is_int) {
		*out = v->i;
		return true;
	}
	if (arg_types[a->type].load && !strcmp(arg_types[a->type].load, "caps"))
		return caps_from_text(v->s, out);
	return false;
}

unsigned file_type_bits(const char *s)
{
	static const struct {
		const char *name;
		unsigned bits;
	} types[] = {
		{"reg", 0100000},  {"regular", 0100000}, {"dir", 0040000},	 {"lnk", 0120000},  {"link", 0120000},
		{"chr", 0020000},  {"char", 0020000},	  {"blk", 0060000},	 {"block", 0060000}, {"fifo", 0010000},
		{"pipe", 0010000}, {"sock", 0140000},	  {"socket", 0140000},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(s, types[i].name))
			return types[i].bits;
	return 0;
}

/* one bound: an integer as parse_integer_text reads it, or 0b binary */
static bool range_bound(const char *s, size_t n, long long *out)
{
	char t[80];
	if (!n || n >= sizeof(t))
		return false;
	memcpy(t, s, n);
	t[n] = 0;
	const char *d = t[0] == '-' ? t + 1 : t;
	if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B')) {
		if (!d[2])
			return false;
		unsigned long long u = 0;
		for (const char *q = d + 2; *q; q++) {
			if ((*q != '0' && *q != '1') || u >> 63)
				return false;
			u = u << 1 | (unsigned long long)(*q - '0');
		}
		*out = t[0] == '-' ? -(long long)u : (long long)u;
		return true;
	}
	return parse_integer_text(t, out);
}

bool value_range(const struct value *v, long long *lo, long long *hi)
{
	const char *colon = memchr(v->s, ':', v->len);
	if (!colon || memchr(colon + 1, ':', v->len - (size_t)(colon - v->s) - 1))
		return false;
	return range_bound(v->s, (size_t)(colon - v->s), lo) &&
	       range_bound(colon + 1, v->len - (size_t)(colon - v->s) - 1, hi);
}

const char *arg_load(const struct hook *h, const struct arg *a)
{
	/* syscall64's bit for 32-bit syscalls is a tracepoint's (Tetragon's
	 * raw tracepoints report the number as it is) */
	if (a->type == AT_SYSCALL64 && h->kind != HOOK_TRACEPOINT)
		return NULL;
	return arg_types[a->type].load;
}

bool arg_has_value_fn(const struct hook *h, const struct arg *a)
{
	return a->access != NULL || arg_load(h, a) != NULL;
}

const char *syscall_name(const char *call)
{
	static const char *const prefixes[] = {"__x64_", "__arm64_", "__ia32_", "__s390x_", "__riscv_", NULL};
	if (!call)
		return NULL;
	for (int i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);
		if (!strncmp(call, prefixes[i], n)) {
			call += n;
			break;
		}
	}
	if (strncmp(call, "sys_", 4) || !call[4])
		return NULL;
	return call + 4;
}

/* ---- network operators ---- */

/* The names of Tetragon's tables (spec section 1.1), by number. */
static const char *const net_af_names[] = {
	"AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM", "AF_BRIDGE",
	"AF_ATMPVC", "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI", "AF_SECURITY", "AF_KEY",
	"AF_NETLINK", "AF_PACKET", "AF_ASH", "AF_ECONET", "AF_ATMSVC", "AF_RDS", NULL, "AF_IRDA",
	"AF_PPPOX", "AF_WANPIPE", "AF_LLC", "AF_IB", "AF_MPLS", "AF_CAN", "AF_TIPC", "AF_BLUETOOTH",
	"AF_IUCV", "AF_RXRPC", "AF_ISDN", "AF_PHONET", "AF_IEEE802154", "AF_CAIF", "AF_ALG", "AF_NFC",
	"AF_VSOCK", "AF_KCM", "AF_QIPCRTR", "AF_SMC", "AF_XDP", "AF_MCTP",
};
static const int net_naf = sizeof(net_af_names) / sizeof(net_af_names[0]);

static const char *const net_tcp_states[] = {
	NULL, "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2",
	"TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
	"TCP_NEW_SYN_RECV",
};
static const int net_nstates = sizeof(net_tcp_states) / sizeof(net_tcp_states[0]);

static const struct {
	const char *name;
	int n;
} net_protocols[] = {
	{"IPPROTO_IP", 0},	  {"IPPROTO_ICMP", 1},	  {"IPPROTO_IGMP", 2},	   {"IPPROTO_IPIP", 4},
	{"IPPROTO_TCP", 6},	  {"IPPROTO_EGP", 8},	  {"IPPROTO_PUP", 12},	   {"IPPROTO_UDP", 17},
	{"IPPROTO_IDP", 22},	  {"IPPROTO_TP", 29},	  {"IPPROTO_DCCP", 33},	   {"IPPROTO_IPV6", 41},
	{"IPPROTO_RSVP", 46},	  {"IPPROTO_GRE", 47},	  {"IPPROTO_ESP", 50},	   {"IPPROTO_AH", 51},
	{"IPPROTO_MTP", 92},	  {"IPPROTO_BEETPH", 94}, {"IPPROTO_ENCAP", 98},   {"IPPROTO_PIM", 103},
	{"IPPROTO_COMP", 108},	  {"IPPROTO_SCTP", 132},  {"IPPROTO_UDPLITE", 136}, {"IPPROTO_MPLS", 137},
	{"IPPROTO_ETHERNET", 143}, {"IPPROTO_RAW", 255},  {"IPPROTO_MPTCP", 262},
};
#define NPROTOCOLS (sizeof(net_protocols) / sizeof(net_protocols[0]))

static int name_index(const char *const *tab, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (tab[i] && !strcmp(tab[i], s))
			return i;
	return -1;
}

bool net_op_is_port(enum op o)
{
	enum op p = ops[o].positive;
	return p == OP_SPORT || p == OP_DPORT;
}

bool net_op_is_priv(enum op o)
{
	enum op p = ops[o].positive;
	return p == OP_SPORTPRIV || p == OP_DPORTPRIV;
}

bool net_op_is_addr(enum op o)
{
	enum op p = ops[o].positive;
	return p == OP_SADDR || p == OP_DADDR;
}

int net_v4_group(const struct match_arg *ma, int v)
{
	struct net_value nv, nu;
	char why[200];
	if (!net_op_is_addr(ma->op) || !net_value_parse(ma->op, ma->values[v].s, &nv, why, sizeof(why)) || nv.alen != 4)
		return -1;
	int first = -1, n = 0;
	for (int u = 0; u < ma->nvalues; u++)
		if (net_value_parse(ma->op, ma->values[u].s, &nu, why, sizeof(why)) && nu.alen == 4 &&
		    nu.prefix == nv.prefix) {
			if (first < 0)
				first = u;
			n++;
		}
	return n >= VALUESET_MIN ? first : -1;
}

bool net_op_is_dest(enum op o)
{
	enum op p = ops[o].positive;
	return p == OP_DPORT || p == OP_DPORTPRIV || p == OP_DADDR;
}

/* Decimal only (base 10, as Tetragon parses ports). */
static bool dec(const char *s, size_t n, long long *out)
{
	if (!n || n > 18)
		return false;
	long long x = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*out = x;
	return true;
}

static bool parse_addr(const char *v, struct net_value *out, char *why, size_t len)
{
	char host[128];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	if (n >= sizeof(host)) {
		snprintf(why, len, "'%s' is not an IP address", v);
		return false;
	}
	memcpy(host, v, n);
	host[n] = 0;
	char *zone = strchr(host, '%');
	if (zone && !slash) /* an IPv6 zone on a plain address is dropped */
		*zone = 0;
	if (inet_pton(AF_INET, host, out->addr) == 1)
		out->alen = 4;
	else if (inet_pton(AF_INET6, host, out->addr) == 1)
		out->alen = 16;
	else {
		snprintf(why, len, "'%s' is not an IPv4 or IPv6 address%s", host, slash ? " (before the /)" : "");
		return false;
	}
	out->prefix = out->alen * 8;
	if (slash) {
		long long pfx;
		if (!dec(slash + 1, strlen(slash + 1), &pfx) || pfx > out->alen * 8) {
			snprintf(why, len, "'%s' has a bad prefix length: an IPv%d prefix is 0 to %d", v,
				 out->alen == 4 ? 4 : 6, out->alen * 8);
			return false;
		}
		out->prefix = (int)pfx;
	}
	for (int bit = out->prefix; bit < out->alen * 8; bit++) /* host bits are ignored */
		out->addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
	return true;
}

/* A number, a name of `tab`, or lo:hi (numbers only). */
static bool parse_range(enum op o, const char *v, struct net_value *out, char *why, size_t len)
{
	const char *colon = strchr(v, ':');
	long long max = net_op_is_port(o) ? 65535 : ops[o].positive == OP_PROTOCOL ? 65535 : ops[o].positive == OP_FAMILY ? 65535 : 255;
	const char *what = net_op_is_port(o) ? "port" : ops[o].positive == OP_PROTOCOL ? "protocol"
						      : ops[o].positive == OP_FAMILY ? "family" : "TCP state";
	if (colon) {
		if (!dec(v, (size_t)(colon - v), &out->lo) || !dec(colon + 1, strlen(colon + 1), &out->hi)) {
			snprintf(why, len, "'%s': a range is 'min:max', two decimal numbers", v);
			return false;
		}
		if (out->lo > out->hi) { /* swapped, as Tetragon does */
			long long t = out->lo;
			out->lo = out->hi;
			out->hi = t;
		}
	} else if (dec(v, strlen(v), &out->lo)) {
		out->hi = out->lo;
	} else {
		int i = -1;
		if (ops[o].positive == OP_PROTOCOL) {
			for (size_t k = 0; k < NPROTOCOLS; k++)
				if (!strcmp(net_protocols[k].name, v))
					i = net_protocols[k].n;
		} else if (ops[o].positive == OP_FAMILY) {
			i = name_index(net_af_names, net_naf, v);
		} else if (ops[o].positive == OP_STATE) {
			i = name_index(net_tcp_states, net_nstates, v);
		}
		if (i < 0) {
			if (net_op_is_port(o))
				snprintf(why, len, "'%s' is not a port: a decimal number 0-65535 or a range 'min:max'", v);
			else
				snprintf(why, len, "'%s' is not a %s: a decimal number, a range 'min:max' or a name (%s)", v,
					 what, ops[o].positive == OP_PROTOCOL ? "IPPROTO_TCP, IPPROTO_UDP, ..."
					       : ops[o].positive == OP_FAMILY ? "AF_INET, AF_INET6, ..."
									   : "TCP_ESTABLISHED, TCP_SYN_SENT, ...");
			return false;
		}
		out->lo = out->hi = i;
	}
	if (out->hi > max) {
		snprintf(why, len, "'%s': %lld is past the largest %s, %lld", v, out->hi, what, max);
		return false;
	}
	return true;
}

bool net_value_parse(enum op o, const char *v, struct net_value *out, char *why, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (net_op_is_addr(o))
		return parse_addr(v, out, why, len);
	return parse_range(o, v, out, why, len);
}

const char *net_op_conflict(enum op o, enum arg_type t)
{
	if (t == AT_SOCKADDR_UN)
		return ops[o].positive == OP_FAMILY ? NULL
						    : "sockaddr_un only supports Family and the string operators on its path";
	if (!arg_type_is_net(t))
		return "network operators apply to sock, socket, skb and sockaddr args";
	if (t == AT_SOCKADDR) {
		enum op p = ops[o].positive;
		if (p == OP_SPORT || p == OP_SPORTPRIV || p == OP_SADDR || p == OP_FAMILY)
			return NULL;
		return "sockaddr only supports [Not]SAddr, [Not]SPort, SPortPriv/NotSportPriv and Family (its address "
		       "and port are the source's)";
	}
	if (t == AT_SKB && o == OP_STATE)
		return "an skb has no TCP state (Tetragon loads State on an skb and never matches it)";
	return NULL;
}
