/* names.c: the spellings of arg types, operators and actions, as the
 * TracingPolicy CRD lists them, mapped to the model's enums. */
#include "tpc.h"

#include <string.h>

/* Every arg type of the CRD; the ones tpc implements map to their enum,
 * the rest to AT_OTHER (recognised, refused as unsupported). */
static const struct {
	const char *name;
	enum arg_type t;
} arg_types[] = {
	{"int", AT_INT},	   {"int32", AT_INT},	     {"sint32", AT_INT},	{"uint32", AT_UINT32},
	{"int64", AT_INT64},	   {"sint64", AT_INT64},     {"long", AT_INT64},	{"uint64", AT_UINT64},
	{"size_t", AT_UINT64},	   {"ulong", AT_UINT64},     {"int16", AT_INT16},	{"sint16", AT_INT16},
	{"uint16", AT_UINT16},	   {"int8", AT_INT8},	     {"sint8", AT_INT8},	{"uint8", AT_UINT8},
	{"string", AT_STRING},	   {"char_buf", AT_CHAR_BUF}, {"char_iovec", AT_CHAR_IOVEC}, {"fd", AT_FD},
	{"file", AT_FILE},	   {"path", AT_PATH},	     {"auto", AT_OTHER},	{"skb", AT_OTHER},
	{"sock", AT_OTHER},	   {"sockaddr", AT_OTHER},   {"socket", AT_OTHER},	{"sockaddr_un", AT_OTHER},
	{"filename", AT_OTHER},	   {"nop", AT_OTHER},	     {"bpf_attr", AT_OTHER},	{"perf_event", AT_OTHER},
	{"bpf_map", AT_OTHER},	   {"user_namespace", AT_OTHER}, {"capability", AT_OTHER}, {"kiocb", AT_OTHER},
	{"iov_iter", AT_OTHER},	   {"cred", AT_OTHER},	     {"const_buf", AT_OTHER},	{"load_info", AT_OTHER},
	{"module", AT_OTHER},	   {"syscall64", AT_OTHER},  {"kernel_cap_t", AT_OTHER}, {"cap_inheritable", AT_OTHER},
	{"cap_permitted", AT_OTHER}, {"cap_effective", AT_OTHER}, {"linux_binprm", AT_OTHER}, {"data_loc", AT_OTHER},
	{"net_device", AT_OTHER},  {"bpf_cmd", AT_OTHER},    {"dentry", AT_DENTRY},	{"bpf_prog", AT_OTHER},
};

const char *const arg_type_names[] = {
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
	for (size_t i = 0; i < sizeof(arg_types) / sizeof(arg_types[0]); i++)
		if (!strcmp(s, arg_types[i].name))
			return arg_types[i].t;
	return AT_UNKNOWN;
}

/* The manifest and the loader use one canonical spelling per type. */
const char *arg_type_canonical(enum arg_type t)
{
	switch (t) {
	case AT_INT: return "int";
	case AT_UINT32: return "uint32";
	case AT_INT64: return "int64";
	case AT_UINT64: return "uint64";
	case AT_INT16: return "int16";
	case AT_UINT16: return "uint16";
	case AT_INT8: return "int8";
	case AT_UINT8: return "uint8";
	case AT_STRING: return "string";
	case AT_CHAR_BUF: return "char_buf";
	case AT_CHAR_IOVEC: return "char_iovec";
	case AT_FD: return "fd";
	case AT_FILE: return "file";
	case AT_PATH: return "path";
	case AT_DENTRY: return "dentry";
	default: return "unknown";
	}
}

bool arg_type_is_int(enum arg_type t)
{
	return (t >= AT_INT && t <= AT_UINT8) || t == AT_FD;
}

bool arg_type_is_signed(enum arg_type t)
{
	return t == AT_INT || t == AT_INT64 || t == AT_INT16 || t == AT_INT8 || t == AT_FD;
}

bool arg_type_is_bytes(enum arg_type t)
{
	return t == AT_STRING || t == AT_CHAR_BUF || t == AT_CHAR_IOVEC || t == AT_FILE || t == AT_PATH ||
	       t == AT_DENTRY;
}

static const struct {
	const char *name;
	enum op op;
} ops[] = {
	{"Equal", OP_EQUAL},	 {"NotEqual", OP_NOTEQUAL},   {"Prefix", OP_PREFIX},
	{"NotPrefix", OP_NOTPREFIX}, {"Postfix", OP_POSTFIX}, {"NotPostfix", OP_NOTPOSTFIX},
	{"GreaterThan", OP_GT},	 {"GT", OP_GT},		      {"LessThan", OP_LT},
	{"LT", OP_LT},		 {"Mask", OP_MASK},	      {"In", OP_IN},
	{"NotIn", OP_NOTIN},
};

/* Operators of the CRD's matchArgs enum (all of them, for suggestions and
 * to tell "unsupported" from "unknown"). */
const char *const op_names[] = {
	"Equal", "NotEqual", "Prefix", "NotPrefix", "Postfix", "NotPostfix", "GreaterThan",
	"LessThan", "GT", "LT", "Mask", "SPort", "NotSPort", "SPortPriv", "NotSportPriv", "DPort",
	"NotDPort", "DPortPriv", "NotDPortPriv", "SAddr", "NotSAddr", "DAddr", "NotDAddr",
	"Protocol", "Family", "State", "InMap", "NotInMap", "CapabilitiesGained", "InRange",
	"NotInRange", "SubString", "SubStringIgnCase", "CelExpr", "FileType", "NotFileType", NULL,
};

enum op op_from_name(const char *s)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(s, ops[i].name))
			return ops[i].op;
	return OP_UNKNOWN;
}

const char *op_name(enum op o)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == o)
			return ops[i].name;
	return "?";
}

const char *const action_names[] = {
	"Post", "Sigkill", "Override", "GetUrl", "DnsLookup", "NoPost", "Signal", "TrackSock",
	"UntrackSock", "NotifyEnforcer", "CleanupEnforcerNotification", "Set", "FollowFD",
	"UnfollowFD", "CopyFD", NULL,
};

enum action_kind action_from_name(const char *s)
{
	static const struct {
		const char *name;
		enum action_kind k;
	} acts[] = {
		{"Post", ACT_POST},	    {"Sigkill", ACT_SIGKILL},	  {"Signal", ACT_SIGNAL},
		{"Override", ACT_OVERRIDE}, {"NoPost", ACT_NOPOST},	  {"FollowFD", ACT_FOLLOWFD},
		{"UnfollowFD", ACT_UNFOLLOWFD}, {"CopyFD", ACT_COPYFD},	  {"GetUrl", ACT_GETURL},
		{"DnsLookup", ACT_DNSLOOKUP},
	};
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(s, acts[i].name))
			return acts[i].k;
	for (int i = 0; action_names[i]; i++)
		if (!strcmp(s, action_names[i]))
			return ACT_OTHER;
	return ACT_UNKNOWN;
}

/* "sys_openat", "__x64_sys_openat", "__arm64_sys_openat" -> "openat";
 * NULL when call does not name a syscall function. */
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

const char *const ns_names[] = {"Uts", "Ipc", "Mnt", "Pid", "PidForChildren", "Net",
				"Time", "TimeForChildren", "Cgroup", "User", NULL};

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
