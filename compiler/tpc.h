/* tpc.h: the compiler's one header. It declares the typed policy model, the
 * tables every stage reads (arg types, operators, actions, hook kinds) and
 * the interface of every stage:
 *
 *   parse -> check -> plan -> emit (+ manifest) -> cc
 *
 * Every model node keeps the source position it came from, so any stage can
 * point at the exact line and column of a problem. The model is written by
 * parse only; later stages read it (check and plan report, plan decides,
 * emit writes C from the plan). */
#ifndef TPC_H
#define TPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tpc_abi.h"

#define TPC_VERSION "0.2.0"

/* ---- source positions and diagnostics (diag.c) ---- */

struct pos {
	int line; /* 1-based; 0 when unknown */
	int col;  /* 1-based */
};

enum severity { SEV_ERROR, SEV_WARNING };

struct diag {
	const char *file;
	struct pos pos;
	enum severity sev;
	char *msg;
	const char *rule; /* stable rule id, e.g. "unknown-key" */
};

/* The source text of each file, so that diagnostics quote the bytes that
 * were parsed (the file is read once). */
struct source {
	const char *file;
	const char *text;
	size_t len;
};

struct diags {
	struct diag *v;
	int n, cap;
	int errors, warnings;
	struct source *src; /* files whose lines diagnostics may quote */
	int nsrc;
};

/* Policy problems are diagnostics (diag_add): they carry a position and a
 * rule id and never stop the run. Everything else (I/O on outputs, clang)
 * is reported by main with an exit status. */
void diag_add(struct diags *d, const char *file, struct pos p, enum severity sev,
	      const char *rule, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diags_add_source(struct diags *d, const char *file, const char *text, size_t len);
void diags_sort(struct diags *d);
void diags_print_text(const struct diags *d, FILE *out, bool color);
void diags_free(struct diags *d);
/* --format=json: one JSON object; --format=sarif: SARIF 2.1.0 */
void diags_print_json(const struct diags *d, FILE *out);
void diags_print_sarif(const struct diags *d, FILE *out);

/* lint_rules.c: every rule id a diagnostic may carry, documented */
struct lint_rule {
	const char *id;
	const char *summary;
};
extern const struct lint_rule lint_rules[]; /* ends with {NULL, NULL} */
const struct lint_rule *lint_rule_find(const char *id);

/* ---- small utilities (util.c) ---- */

void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* growable string buffer */
struct buf {
	char *s;
	size_t len, cap;
};
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/* nearest of candidates to word by edit distance, or NULL if none is close */
const char *suggest(const char *word, const char *const *candidates);
/* "; did you mean 'X'?" when a candidate is close, else `otherwise` (may be
 * ""): the one way every "unknown name" message offers a suggestion */
const char *did_you_mean(const char *word, const char *const *candidates, const char *otherwise, char *out,
			 size_t outlen);

/* decimal, 0x hex or 0 octal, optionally negative; unsigned 64-bit values
 * above INT64_MAX come back as their two's complement */
bool parse_integer_text(const char *s, long long *out);

/* ---- the tables (model.c): one row per arg type, operator, action ---- */

/* What an arg type is read and compared as. */
enum arg_class {
	AC_NONE,  /* a CRD type tpc does not implement */
	AC_INT,   /* a number in a register or record field */
	AC_STRING,/* NUL-terminated bytes behind a pointer */
	AC_BUF,   /* char_buf: bytes behind a pointer, size from another arg */
	AC_IOVEC, /* char_iovec */
	AC_PATH,  /* file, path, dentry: resolved in the kernel to a path */
	AC_FD,    /* an fd: a number, or the path of its file */
	AC_CONST_BUF, /* const_buf: a fixed-size array inside a tracepoint record */
	AC_KSTRUCT, /* a pointer to a kernel struct, read into a record (cred, bpf_map, ...) */
	AC_NOP,   /* nop: reserves a slot, reads and prints nothing */
};

enum arg_type {
	AT_UNKNOWN = 0,
	AT_INT,    /* int, int32, sint32 */
	AT_UINT32, /* uint32 */
	AT_INT64,  /* int64, sint64, long */
	AT_UINT64, /* uint64, ulong */
	AT_SIZE_T, /* size_t */
	AT_INT16,
	AT_UINT16,
	AT_INT8,
	AT_UINT8,
	AT_STRING,
	AT_CHAR_BUF,
	AT_CHAR_IOVEC,
	AT_FD,
	AT_FILE,
	AT_PATH,
	AT_DENTRY,
	AT_CONST_BUF, /* a tracepoint array field: what auto makes of it */
	AT_NOP,
	AT_SYSCALL64,
	AT_CAPABILITY,
	AT_BPF_CMD,
	AT_KERNEL_CAP_T,
	AT_CAP_INHERITABLE,
	AT_CAP_PERMITTED,
	AT_CAP_EFFECTIVE,
	AT_CRED,
	AT_USER_NAMESPACE,
	AT_BPF_ATTR,
	AT_BPF_PROG,
	AT_BPF_MAP,
	AT_PERF_EVENT,
	AT_MODULE,
	AT_LOAD_INFO,
	AT_IOV_ITER,
	AT_LINUX_BINPRM,
	AT_KIOCB,
	AT_FILENAME,
	AT_DATA_LOC,
	AT_SOCK,     /* struct sock *: family, addresses, ports, state (sock_arg) */
	AT_SOCKET,   /* struct socket *: its ->sk, as sock */
	AT_SKB,      /* struct sk_buff *: the IP and TCP/UDP headers (skb_arg) */
	AT_SOCKADDR, /* struct sockaddr *: family, address, port (sockaddr_arg) */
	AT_NET_DEVICE, /* struct net_device *: its name, a string */
	AT_SOCKADDR_UN, /* struct sockaddr * of AF_UNIX: its path (sockaddrun_arg) */
	AT_AUTO,  /* auto, or no type: derived from the kernel's types (typing.c) */
	AT_OTHER, /* a CRD type tpc recognises but does not implement yet */
	AT_COUNT,
};

struct arg_type_info {
	const char *name;     /* canonical spelling: the manifest's and tp-load's */
	enum arg_class cls;
	int size;             /* bytes of an integer */
	bool is_signed;
	const char *ctype;    /* C type of an integer in generated code */
	const char *kstruct;  /* the kernel struct a pointer arg points at, for BTF checks */
	bool no_filters;      /* no matchArgs operator applies (as in Tetragon) */
	const char *reader;   /* AC_PATH: tpc_path_of_<reader>; AC_KSTRUCT: tpc_put_<reader> (runtime-bpf) */
	const char *load;     /* the value is read through the pointer first: tpc_load_<load> */
};
extern const struct arg_type_info arg_types[AT_COUNT];
enum arg_type arg_type_from_name(const char *s); /* AT_UNKNOWN, or AT_OTHER for unimplemented CRD types */
extern const char *const arg_type_names[];        /* every CRD spelling, for suggestions */

static inline bool arg_type_is_int(enum arg_type t) { return arg_types[t].cls == AC_INT || t == AT_FD; }
/* a type the code generator reads (not unknown, unsupported or auto left underived) */
static inline bool arg_type_known(enum arg_type t) { return arg_types[t].cls != AC_NONE; }
static inline bool arg_type_is_path(enum arg_type t) { return arg_types[t].cls == AC_PATH || t == AT_FD; }

/* Operators. Where one may appear: */
enum op_where {
	OPW_ARGS = 1,      /* matchArgs */
	OPW_RETURN = 2,    /* matchReturnArgs */
	OPW_PIDS = 4,      /* matchPIDs */
	OPW_BINARIES = 8,  /* matchBinaries */
	OPW_NAMESPACES = 16, /* matchNamespaces, *Changes, matchCapabilities */
};

/* How many bytes of a string a compare needs. */
enum op_need {
	NEED_NONE,   /* integer compare */
	NEED_EQUAL,  /* the value and one byte more (its NUL) */
	NEED_PREFIX, /* the value's bytes */
	NEED_WHOLE,  /* the whole string (Postfix: its end) */
};

enum op {
	OP_UNKNOWN = 0,
	OP_EQUAL,
	OP_NOTEQUAL,
	OP_PREFIX,
	OP_NOTPREFIX,
	OP_POSTFIX,
	OP_NOTPOSTFIX,
	OP_GT,
	OP_LT,
	OP_MASK,
	OP_IN,
	OP_NOTIN,
	/* network operators: on sock, socket, skb, sockaddr (model.c net_*) */
	OP_SPORT,
	OP_NOTSPORT,
	OP_SPORTPRIV,
	OP_NOTSPORTPRIV,
	OP_DPORT,
	OP_NOTDPORT,
	OP_DPORTPRIV,
	OP_NOTDPORTPRIV,
	OP_SADDR,
	OP_NOTSADDR,
	OP_DADDR,
	OP_NOTDADDR,
	OP_PROTOCOL,
	OP_FAMILY,
	OP_STATE,
	OP_INRANGE,     /* values "min:max", inclusive */
	OP_NOTINRANGE,
	OP_SUBSTRING,   /* the value occurs anywhere in the bytes */
	OP_SUBSTRING_IGN, /* the same, ASCII letters compared without case */
	OP_INMAP,       /* integers and "lo:hi" ranges (Tetragon: a hash map) */
	OP_NOTINMAP,
	OP_CAPS_GAINED, /* args: [old, new] capability masks: new has a bit old lacks */
	OP_CELEXPR,     /* a CEL expression over the slots, compiled to C (cel.c) */
	OP_FILETYPE,    /* the file type (i_mode & S_IFMT) of a file, path, dentry or fd */
	OP_NOTFILETYPE,
	OP_OTHER, /* an operator of the CRD tpc does not implement yet */
	OP_COUNT,
};

struct op_info {
	const char *name;   /* as the CRD spells it */
	unsigned where;     /* OPW_* where it is implemented */
	bool on_int;        /* applies to integer args */
	bool on_bytes;      /* applies to strings, buffers and paths */
	bool negated;       /* NotEqual, NotPrefix, ...: values AND'd, result inverted */
	enum op positive;   /* the form a negated operator inverts */
	enum op_need need;
	bool net;           /* compares a network tuple (sock, socket, skb, sockaddr) */
};
extern const struct op_info ops[OP_COUNT];

struct match_arg;
/* Network args and operators (model.c). The network operators' labels,
 * for switches over enum op that do not handle them. */
#define OP_NET_CASES                                                                                   \
	case OP_SPORT:                                                                                 \
	case OP_NOTSPORT:                                                                              \
	case OP_SPORTPRIV:                                                                             \
	case OP_NOTSPORTPRIV:                                                                          \
	case OP_DPORT:                                                                                 \
	case OP_NOTDPORT:                                                                              \
	case OP_DPORTPRIV:                                                                             \
	case OP_NOTDPORTPRIV:                                                                          \
	case OP_SADDR:                                                                                 \
	case OP_NOTSADDR:                                                                              \
	case OP_DADDR:                                                                                 \
	case OP_NOTDADDR:                                                                              \
	case OP_PROTOCOL:                                                                              \
	case OP_FAMILY:                                                                                \
	case OP_STATE
static inline bool arg_type_is_net(enum arg_type t)
{
	return t == AT_SOCK || t == AT_SOCKET || t == AT_SKB || t == AT_SOCKADDR;
}
/* A network operator's value: a number or an inclusive range (ports,
 * Protocol, Family, State), or an address with a prefix length. */
struct net_value {
	long long lo, hi;
	int alen;            /* 4 or 16: an address */
	int prefix;          /* bits of it compared */
	unsigned char addr[16]; /* network order, host bits cleared */
};
/* Parses v for operator o; false with why[] set when it is not valid. */
bool net_value_parse(enum op o, const char *v, struct net_value *out, char *why, size_t len);
/* NULL when operator o applies to an arg of type t; else why not. */
const char *net_op_conflict(enum op o, enum arg_type t);
bool net_op_is_port(enum op o);
bool net_op_is_addr(enum op o);
bool net_op_is_priv(enum op o);
bool net_op_is_dest(enum op o); /* DPort, DAddr, ... (else source) */
/* IPv4 values of an address filter that share a prefix length are one
 * set when VALUESET_MIN or more do: the index of the first value of v's
 * group (the set's owner is &values[it]), or -1 when v is compared alone. */
int net_v4_group(const struct match_arg *ma, int v);
enum op op_from_name(const char *s); /* also GreaterThan/LessThan; OP_OTHER for unimplemented CRD names */
static inline const char *op_name(enum op o) { return ops[o].name; }
extern const char *const op_names[]; /* every matchArgs operator of the CRD, for suggestions */
/* the operators allowed in `where`, NULL-terminated (static table) */
const char *const *op_names_where(enum op_where where);

enum action_kind {
	ACT_UNKNOWN = 0,
	ACT_POST,
	ACT_SIGKILL,
	ACT_SIGNAL,
	ACT_OVERRIDE,
	ACT_NOPOST,
	ACT_FOLLOWFD,
	ACT_UNFOLLOWFD,
	ACT_COPYFD,
	ACT_GETURL,
	ACT_DNSLOOKUP,
	ACT_TRACKSOCK,   /* argSock: the sock's owner is this thread (tpc_net.bpf.h) */
	ACT_UNTRACKSOCK,
	ACT_NOTIFYENFORCER, /* a verdict for this thread's next enforcer call (tpc_enforcer.bpf.h) */
	ACT_CLEANUPENFORCERNOTIFICATION,
	ACT_OTHER, /* a CRD action tpc recognises but does not implement yet */
	ACT_COUNT,
};

struct action_info {
	const char *name;     /* policy spelling */
	unsigned bit;         /* TPC_ACT_* */
	const char *bit_name; /* "TPC_ACT_SIGKILL", for generated code */
};
extern const struct action_info actions[ACT_COUNT];
enum action_kind action_from_name(const char *s);
extern const char *const action_names[]; /* every action of the CRD, for suggestions */

/* ---- the policy model ---- */

/* One entry of `values:`, parsed once: the text and, when it is one, the
 * integer it spells. */
struct value {
	char *s;
	size_t len;
	struct pos pos;
	bool is_int;
	long long i;
};

/* Where a data entry's value comes from. */
enum data_source { SRC_NONE, SRC_CURRENT_TASK, SRC_PT_REGS, SRC_OTHER };

/* A resolve chain walked against the kernel BTF (btf_access.c, from
 * typing.c): how to get from an arg's raw value to the value its path
 * names, as the code generator writes it (CO-RE reads of local struct
 * types that declare only the members used) and as lint re-checks it on
 * other kernels. A path is split into segments; each starts at a pointer
 * and ends with one read (a pointer to follow, or the final value) or at
 * the final member's address. */
enum access_end {
	ACC_POINTER, /* read a pointer, the next segment starts from it */
	ACC_VALUE,   /* read the final member (an integer or enum, or a pointer's value) */
	ACC_ADDRESS, /* the final member is a struct or array: its address */
	ACC_DEREF,   /* a pointer to a pointer: read 8 bytes at the base (an implicit [0]) */
};
struct access_step {
	char member[64];     /* a member of the current struct; "" for a subscript */
	int index;           /* the subscript, when member is "" */
	char owner[80];      /* the local struct the member is declared in ("linux_binprm___tpc") */
	char decl[200];      /* its declaration there ("void *file;") */
	char embeds[96];     /* "struct X" or "enum X" a member embeds (declared first), or "" */
};
#define ACCESS_STEPS 16
struct access_seg {
	char root[80];       /* the local struct the base points at ("" for ACC_DEREF) */
	bool root_index;     /* the first step subscripts the base pointer itself (p[N]) */
	struct access_step steps[ACCESS_STEPS];
	int nsteps;
	enum access_end end;
	int size;            /* ACC_VALUE: bytes read */
	bool is_signed;      /* ACC_VALUE */
	bool bitfield;       /* ACC_VALUE: the final member is a bitfield (read with its probe macro) */
	int depth;           /* the path element whose dereference this segment is (failures report it) */
};
#define ACCESS_MAX 10 /* path elements, implicit [0] hops included (Tetragon's limit) */
#define ACCESS_SEGS (ACCESS_MAX + 2)
struct access {
	struct access_seg segs[ACCESS_SEGS];
	int nsegs;
	unsigned int final_id; /* BTF id of the type the path ends on */
	char final_text[96];   /* its C spelling, for comments and messages */
	char final_elem[96];   /* an array's: its elements' */
	enum data_source source; /* data: where the base comes from; SRC_NONE: the arg's raw value */
	char reg[16];          /* SRC_PT_REGS: the pt_regs member */
	int reg_size;          /* its bytes (eax: 4) */
};

struct arg {
	int index;
	enum arg_type type;
	char *type_name; /* as written */
	int size_arg_index; /* 1-based as in the spec; 0 = none */
	bool return_copy;
	bool max_data;
	char *label;
	char *resolve;          /* resolve: as written, or NULL */
	int resolve_col;        /* column of its first character (0 when it spans lines) */
	char *btf_type;         /* btfType, or NULL */
	char *btf_type_module;  /* btfTypeModule, or NULL */
	enum data_source source;
	char *source_name;      /* as written */
	bool is_data;           /* an entry of the hook's data: (after its args in hook.args) */
	int slot;               /* position in hook.args: args, then data (Tetragon's slots) */
	struct access *access;  /* typing.c: the walked chain (resolve, or data), or NULL */
	struct pos pos, index_pos, type_pos, size_pos, max_data_pos, resolve_pos, btf_type_pos,
		btf_type_module_pos, source_pos;
};

struct match_arg {
	int index;
	int args_slot;   /* args: [N]: the slot it names (overrides index), or -1 */
	int args_slot2;  /* CapabilitiesGained: args: [old, new]: new's slot, or -1 */
	int nargs_slots; /* how many slots args: lists */
	struct pos list_pos; /* InMap/NotInMap: a "list:NAME" value, expanded to its syscall numbers */
	bool data;       /* a matchData entry: index (or args) counts data entries */
	enum op op;
	struct value *values;
	int nvalues;
	bool has_values; /* `values:` was written (perhaps empty) */
	struct pos pos, index_pos, op_pos, args_pos;
};

struct action {
	enum action_kind kind;
	char *name; /* as written */
	long long arg_error, arg_sig;
	int arg_fd, arg_name;
	int arg_sock; /* TrackSock/UntrackSock: a slot */
	bool has_arg_sock;
	char *arg_url, *arg_fqdn;
	bool has_arg_error, has_arg_sig, has_arg_fd, has_arg_name;
	uint64_t rate_limit_ns; /* rateLimit on Post: 0 = none */
	int rate_limit_scope;   /* 0 thread, 1 process, 2 global */
	struct pos rate_pos;
	/* kernelStackTrace / userStackTrace (flags of a Post): the event
	 * carries the stacks, symbolised by tp-load */
	bool kernel_stack, user_stack;
	struct pos stack_pos; /* the first of the two keys set true */
	struct pos pos, kind_pos;
	/* from matchReturnActions: run at return, and only when the
	 * selector's matchReturnArgs matched (argSock 0 = the return value) */
	bool at_return;
};

/* Namespace kinds, in the order of tpc_abi.h's TPC_NS_* indexes. */
enum ns_kind {
	NS_UTS,
	NS_IPC,
	NS_MNT,
	NS_PID,
	NS_PID_FOR_CHILDREN,
	NS_NET,
	NS_TIME,
	NS_TIME_FOR_CHILDREN,
	NS_CGROUP,
	NS_USER,
	NS_COUNT,
};
extern const char *const ns_names[]; /* by enum ns_kind, NULL-terminated */
int ns_from_name(const char *s);     /* -1 if unknown */

enum cap_set { CAP_EFFECTIVE, CAP_INHERITABLE, CAP_PERMITTED };
extern const char *const cap_names[];     /* CAP_CHOWN..., by number, NULL-terminated */
extern const char *const cap_set_names[]; /* by enum cap_set */
int cap_from_name(const char *s);         /* -1 if unknown; accepts "CAP_X" */

/* matchPIDs / matchBinaries: In/NotIn (binaries also Prefix, Postfix and
 * their Not forms) on the thread group id or the executed path. A filter
 * that follows forks/children gets a bit of the per-process follow mask
 * (the plan numbers them across the object). */
struct match_proc {
	enum op op;
	bool follow;  /* followForks (pids) / followChildren (binaries) */
	bool ns_pid;  /* isNamespacePID */
	struct value *values;
	int nvalues;
	bool has_values;
	struct pos pos, op_pos;
};

struct match_ns {
	enum ns_kind ns; /* NS_COUNT when not given or unknown */
	enum op op;
	struct value *values; /* inode numbers or "host_ns" */
	int nvalues;
	bool has_values;
	struct pos pos, ns_pos, op_pos;
};

/* matchCapabilities / matchCapabilityChanges */
struct match_caps {
	enum cap_set set;
	enum op op;
	bool ns_cap; /* isNamespaceCapability */
	struct value *values;
	int nvalues;
	bool has_values;
	uint64_t mask; /* the listed capabilities */
	struct pos pos, op_pos;
};

/* matchNamespaceChanges: values are namespace kinds */
struct match_ns_changes {
	enum op op;
	struct value *values;
	int nvalues;
	bool has_values;
	unsigned mask; /* 1 << ns_kind of the listed kinds */
	struct pos pos, op_pos;
};

struct selector {
	struct match_arg *match_args;
	int nmatch_args;
	struct match_arg *match_return_args; /* index unused */
	int nmatch_return_args;
	struct match_proc *match_pids;
	int nmatch_pids;
	struct match_proc *match_binaries;
	int nmatch_binaries;
	struct match_proc *match_parent_binaries; /* as matchBinaries, on the parent's executable */
	int nmatch_parent_binaries;
	struct match_ns *match_namespaces;
	int nmatch_namespaces;
	struct match_caps *match_caps;
	int nmatch_caps;
	struct match_caps *match_cap_changes;
	int nmatch_cap_changes;
	struct match_ns_changes *match_ns_changes;
	int nmatch_ns_changes;
	struct action *actions;
	int nactions;
	struct pos pos;
};

/* Hook kinds (hook.c has everything that differs between them). */
enum hook_kind {
	HOOK_KPROBE,
	HOOK_TRACEPOINT,
	HOOK_UPROBE,
	HOOK_USDT,
	HOOK_RAW_TRACEPOINT, /* tracepoints: with raw: true */
	HOOK_LSM,            /* lsmhooks: call is the hook's name */
	HOOK_FENTRY,         /* fentries */
	HOOK_KIND_COUNT,
};

/* uprobes: where in the binary, as the policy wrote it (one element of
 * symbols, offsets or addrs; each is one probe) */
enum probe_by { PROBE_BY_NONE, PROBE_BY_SYMBOL, PROBE_BY_OFFSET, PROBE_BY_ADDR };

struct probe_site {
	char *symbol;    /* PROBE_BY_SYMBOL: "name" or "name+off" */
	uint64_t value;  /* PROBE_BY_OFFSET: a file offset; PROBE_BY_ADDR: a virtual address */
	struct pos pos;
};

struct hook {
	enum hook_kind kind;
	char *call;      /* kprobe, fentry: function as written; lsm: the hook */
	bool syscall;
	bool syscall_set; /* written in the policy (else the CRD's default, true, for syscall names) */
	bool is_return;
	bool call_not_found; /* ignore.callNotFound: a call missing from the kernel skips the hook */
	enum action_kind return_arg_action; /* returnArgAction: ACT_TRACKSOCK, ACT_UNTRACKSOCK, or ACT_UNKNOWN (none) */
	struct pos return_arg_action_pos;
	char *subsystem; /* tracepoint, raw tracepoint */
	char *event;
	struct arg *args;  /* args, then data entries (arg.is_data) */
	int nargs;         /* both */
	int ndata;         /* of which data entries */
	bool has_return_arg;
	struct arg return_arg; /* returnArg: its type gives the return value's */
	struct pos return_pos;
	struct selector *selectors;
	int nselectors;
	char *message;
	char **tags;
	int ntags;
	struct pos pos, call_pos;
	/* an enforcer of spec.enforcers: ENFORCE_* methods its programs may use */
	unsigned enforcer;
	const char *policy_name; /* of the document it came from (not owned) */
	/* uprobe and usdt: the user-space binary probed */
	char *path;
	struct pos path_pos;
	enum probe_by by;          /* uprobe: which list gave the sites */
	int nby;                   /* how many of symbols, offsets and addrs were written (1 is right) */
	struct probe_site *sites;  /* uprobe: the probes, in the list's order */
	int nsites;
	struct pos by_pos;         /* the list's key */
	uint64_t *ref_ctr;         /* refCtrOffsets: a semaphore per site */
	int nref_ctr;
	bool has_ref_ctr;
	struct pos ref_ctr_pos;
	struct value *digests;     /* binaryDigests */
	int ndigests;
	struct pos digests_pos;
	char *provider, *probe;    /* usdt: provider and name */
	struct pos probe_pos;
};

/* the attach methods of an enforcer (option override-method) */
#define ENFORCE_OVERRIDE_RETURN 1u /* kprobe + bpf_override_return */
#define ENFORCE_FMOD_RET 2u        /* fmod_ret trampoline */

struct policy {
	const char *file; /* as given on the command line (not owned) */
	char *name;
	char *kind;
	struct hook *hooks;
	int nhooks;
	struct pos pos, kind_pos;
	/* spec.enforcers (BEYOND-THE-SEED 7i): one hook per call, enforcer
	 * set, no args or selectors; planned after the hooks */
	struct hook *enforcers;
	int nenforcers;
	bool has_enforcers;   /* the key is there (NotifyEnforcer needs it) */
	struct pos enforcers_pos;
};

/* The policies of one file (a YAML stream may hold several documents), and
 * the bytes they were parsed from. */
struct policy_set {
	const char *file;
	char *text;
	size_t len;
	struct policy *v;
	int n;
};

/* questions about the model that several stages ask (model.c) */
/* the first arg (not data) with this index, as Tetragon's matchArgs index */
const struct arg *hook_find_arg(const struct hook *h, int index);
/* data entry number index, or NULL */
const struct arg *hook_find_data(const struct hook *h, int index);
/* the arg or data entry a matchArgs/matchData entry filters, or NULL */
const struct arg *match_target(const struct hook *h, const struct match_arg *m);
bool match_arg_on_bytes(const struct arg *a, const struct match_arg *m);
bool selector_has_filters(const struct selector *s);
bool hook_has_action(const struct hook *h, enum action_kind k);
/* a's Post asks for stacks, and h's events report them */
bool action_posts_stacks(const struct hook *h, const struct action *a);
bool policy_tracks_socks(const struct policy *p);
/* The parameter that holds a sockaddr_un arg's length (connect, bind,
 * security_socket_connect, unix_stream_connect, ... all pass it next),
 * or -1: only on kprobes, fentries and lsm hooks. */
int sockaddr_len_index(const struct hook *h, const struct arg *a); /* TrackSock or UntrackSock in any hook */
/* return: true, or a returnCopy arg: the event is posted at return */
bool hook_reports_at_return(const struct hook *h);
bool hook_kind_can_return(enum hook_kind k); /* it may have a return probe (return: true, returnCopy) */
/* its value is computed from the raw one (a resolve path, a data source,
 * a type that reads through its pointer) by a function of its own in the
 * generated code; else it is the raw value a[index] */
bool arg_has_value_fn(const struct hook *h, const struct arg *a);
/* a matchArgs value as the integer an integer arg compares it with: a
 * number, or for the capability masks a list of capability names */
bool value_as_int(const struct arg *a, const struct value *v, long long *out);
/* an InRange/NotInRange value "min:max" (one colon, each bound an integer:
 * decimal, 0x, 0 or 0b) */
bool value_range(const struct value *v, long long *lo, long long *hi);
/* syscall_table.c: the number of syscall name (without sys_) in the ABI
 * of arch ("x86", "arm64"), or -1 */
int syscall_number(const char *arch, const char *name);
/* cel.c: a CelExpr value to one C expression over the hook's slots
 * (slot_expr[i]: the C of slot i's value; NULL when only checking);
 * false with err and the byte offset of the problem */
bool cel_compile(const char *expr, const struct hook *h, const char *const *slot_expr, struct buf *out,
		 unsigned *used, int *err_off, char *err, size_t errlen);
/* a FileType value ("reg", "dir", ...) as its S_IFMT bits, or 0 */
unsigned file_type_bits(const char *s);
/* the FileType operators apply to it (file, path, dentry, fd) */
static inline bool arg_has_file_type(enum arg_type t)
{
	return t == AT_FILE || t == AT_PATH || t == AT_DENTRY || t == AT_FD;
}
/* a value of an InMap/NotInMap filter that is a range "lo:hi" (not a number) */
static inline bool value_is_map_range(const struct match_arg *m, const struct value *v)
{
	return (m->op == OP_INMAP || m->op == OP_NOTINMAP) && memchr(v->s, ':', v->len) != NULL;
}
/* the runtime's tpc_load_<name> a value goes through, or NULL */
const char *arg_load(const struct hook *h, const struct arg *a);

/* ---- stages ---- */

/* parse.c: YAML (libyaml) to model. Reads the file once (`-` is stdin);
 * problems go to d; returns false when the file could not be parsed at all
 * (I/O or YAML syntax error). ps->text keeps the bytes. */
bool parse_policy_file(const char *file, struct policy_set *ps, struct diags *d);
bool parse_policy_text(const char *file, const char *text, size_t len, struct policy_set *ps, struct diags *d);
/* The machine lists are expanded for (generated_syscalls reads its BTF,
 * syscall list elements its ABI); without it: the host's running kernel. */
struct target;
void parse_set_target(const struct target *t);
/* How generated_syscalls lists learn the target's syscalls (the BTF
 * functions named prefix+X, kbtf_target_syscalls); parse itself reads no
 * BTF, so programs that link only the parser need none. Unset: such a
 * list is an error. */
void parse_set_syscall_lister(int (*fn)(const struct target *t, const char *prefix, char ***names, const char **err));
void policy_set_free(struct policy_set *ps);

/* What tpc reads of a policy (each an error at the line that runs past
 * it): the file's size, and per YAML document how deep lists and
 * mappings nest and how many nodes it holds once aliases are expanded
 * (the model is built from the expanded tree). */
#define TPC_YAML_MAX_BYTES (16 << 20)
#define TPC_YAML_MAX_DEPTH 64
#define TPC_YAML_MAX_NODES 1000000

/* compose.c: the parser's next document into doc, within the limits
 * above: 1, 0 at the end of the stream, -1 when reported in d. */
struct yaml_parser_s;
struct yaml_document_s;
int yaml_compose(struct yaml_parser_s *parser, struct yaml_document_s *doc, const char *file, struct diags *d);

/* tpformat.c: tracepoint format files, read once per run and cached. */
struct tp_field {
	char *name;
	char *ctype;
	int offset, size;
	bool is_signed;
	bool data_loc; /* __data_loc char[]: a string stored in the record */
	bool is_array; /* T name[N] */
	bool is_pointer;
	bool rel_loc;  /* __rel_loc: not read by tpc */
};
struct tp_format {
	char *subsys, *event;
	struct tp_field *fields;
	int nfields;
};
/* NULL when the event has no format file under tracefs */
const struct tp_format *tp_format_get(const char *tracefs, const char *subsys, const char *event);
void tp_format_release(void);

/* The BTF struct a tracepoint's record is (trace_event_raw_<event>, or
 * its event class's), for reading the record by field name with CO-RE.
 * Without BTF (btf NULL) the name is guessed as trace_event_raw_<event>. */
struct tp_record {
	char name[128];
	bool found;        /* checked against BTF */
	char **enum_names; /* per format field: the enum type of its member, or NULL */
};

/* binary.c: the user-space binaries uprobes and USDTs name, read once per
 * run and cached (like tracepoint formats). */
struct elfbin;
struct binary {
	char *path;
	bool missing;   /* not on this machine */
	char *problem;  /* why it cannot be read as an ELF binary; NULL when it can */
	struct elfbin *elf;
	int fd;
	char sha256[65]; /* of the file; "" until binary_sha256() */
};
/* path as the node has it, read under root (tpc --root; NULL: /);
 * NULL only for a NULL path */
struct binary *binary_get(const char *root, const char *path);
const char *binary_sha256(struct binary *b); /* NULL when the file cannot be read */
void binary_release(void);

/* usdt.c: USDT argument specs ("-4@%edi 8@-16(%rbp)", of a stapsdt note)
 * decoded at compile time into the reads the generated code does. */
enum usdt_arg_kind { USDT_CONST, USDT_REG, USDT_MEM };
struct usdt_arg {
	enum usdt_arg_kind kind;
	int size;          /* 1, 2, 4 or 8 bytes */
	bool is_signed;
	long long value;   /* USDT_CONST: the constant; USDT_MEM: the displacement */
	char base[48];     /* USDT_REG, USDT_MEM: C expression of the register (ctx->di) */
	char index[48];    /* USDT_MEM: of the index register, or "" */
	int scale;         /* USDT_MEM: of the index */
	int reg_bytes;     /* USDT_REG: the bytes of the register named (%eax: 4) */
	char text[48];     /* the spec as written, for comments */
};
#define USDT_MAX_ARGS 12

/* One site of a USDT probe (a binary may have several of one name). */
struct usdt_site {
	uint64_t offset;   /* file offset of the probe */
	uint64_t ref_ctr;  /* file offset of its semaphore; 0: none */
	int nargs;
	struct usdt_arg args[USDT_MAX_ARGS];
	char *spec;        /* the note's argument string */
	char *problem;     /* why it cannot be probed (an argument tpc cannot read, ...), or NULL */
};
/* The sites of provider:name in bin, decoded for arch ("x86", "arm64");
 * *n of them (0: the binary has no such probe). Free with usdt_sites_free. */
struct usdt_site *usdt_sites(struct binary *bin, const char *provider, const char *name, const char *arch, int *n);
void usdt_sites_free(struct usdt_site *s, int n);
/* "provider:name, ..." of every probe in bin (malloc'ed; "" when none) */
char *usdt_probe_list(struct binary *bin);

/* The machine a policy is checked and compiled for. */
struct target {
	const char *tracefs; /* tracepoint formats; default /sys/kernel/tracing */
	const char *btf;     /* kernel BTF file; NULL = /sys/kernel/btf/vmlinux if present */
	char **fleet;        /* --btf DIR: every kernel's BTF file, in name order (btf is the first) */
	int nfleet;
	bool no_btf;         /* --no-btf: skip the BTF-aware rules */
	const char *arch;    /* "x86" or "arm64" (bpf_tracing.h's __TARGET_ARCH_ name) */
	const char *root;    /* --root: the node's files (uprobe and USDT binaries) are under it; NULL: / */
};

/* typing.c: type auto derived from the kernel's own description of the
 * hook (format file, BTF), before check. Writes arg types only. */
void type_policy(struct policy *p, const struct target *t, struct diags *d);
struct ktype;
/* the arg type auto derives from a kernel type, or AT_AUTO and why not */
enum arg_type auto_from_ktype(const struct ktype *k, char *why, size_t len);

/* check.c and check_*.c: schema-level and semantic rules. */
void check_policy(const struct policy *p, const struct target *t, struct diags *d);

/* hook.c: what differs between hook kinds. */
struct hook_plan;
struct plan;
struct kproto;
const char *hook_kind_name(enum hook_kind k);     /* manifest and YAML name */
const char *prog_variant_name(enum tpc_prog_variant v); /* manifest variant= */
int hook_max_args(const struct hook *h, const struct target *t); /* arg indexes it can read; 0: unknown */
bool hook_user_memory(const struct hook *h);       /* pointer args point into the caller */
/* "kprobe openat", "uprobe /bin/x main", for comments and messages;
 * site: which of the hook's probes (plan.c), -1 for the hook as written */
char *hook_describe(const struct hook *h, int site);
/* How many probes the hook is: one hook plan each (uprobes: one per
 * symbol, offset or address; USDTs: one per site of the probe in the
 * binary, whose decoded sites go to *usdt). At least 1. */
int hook_count_sites(const struct hook *h, const struct target *t, struct usdt_site **usdt, int *nusdt);
/* Its programs run in the traced process's context, where they may sleep
 * to fault a page in (uprobes, USDTs). */
bool hook_kind_may_sleep(enum hook_kind k);
/* entry programs and, for hooks that report at return, return programs */
void hook_plan_programs(struct hook_plan *hp, const struct target *t);
/* the programs of an enforcer of spec.enforcers (hp->h->enforcer set) */
void hook_plan_enforcer(struct hook_plan *hp, const struct target *t);
/* statements filling a[] of the entry program `prog` */
void hook_emit_fill(struct buf *b, const struct hook_plan *hp, int prog);
/* declarations the entry programs need (a tracepoint's record struct) */
void hook_emit_decls(struct buf *b, const struct hook_plan *hp);
/* the C type of entry program prog's context (malloc'ed) */
char *hook_ctx_type(const struct hook_plan *hp, int prog);
void hook_manifest_fields(struct buf *b, const struct hook_plan *hp);
/* The prototype a hook's args index, from the kernel BTF (a function, a
 * syscall from __do_sys_X or its sys_enter_X format, a raw tracepoint's
 * btf_trace_<event>): false when the kind has none (a tracepoint: its
 * format file) or it cannot be found. */
bool hook_proto(const struct hook *h, const struct target *t, struct kproto *out);

/* plan.c: decided once per object from the checked policies, read by
 * emit and the manifest. Running past a limit is a diagnostic. */
struct str_plan {
	int slot;     /* the arg's slot (its position in hook.args) */
	bool checked; /* some check reads it */
	bool whole;   /* needs the whole string (Postfix, paths, FollowFD names) */
	int size;     /* bytes of the check buffer (multiple of 8) */
	int buf;      /* per-CPU string buffer (tpc_slots.str[buf]), or -1 for a stack buffer */
	bool is_buf;  /* char_buf: size from another arg */
	bool is_path; /* file, path, dentry or fd: resolved to a path string */
	bool preload; /* a sleepable hook's user string or buffer: copied whole, faulting its pages in, into
		       * this thread's pre-load buffer pslot (tpc_preload.bpf.h) before anything reads it */
	int pslot;
};

/* valueset.c: a large set of same-length constants, searched by hash
 * with a bounded number of probes (a constant table in .rodata). */
struct valueset {
	int id;            /* tpc_h<hook>_vs<id> in generated code */
	const void *owner; /* the filter (match_arg, match_proc) it serves */
	size_t len;        /* bytes of each value (8 for integers) */
	bool ints;         /* a set of integers: rows {1, key} */
	bool prefix;       /* Prefix values: the string is not known to be len bytes long, so
			    * a lookup refuses an all-zero first word (an empty row is all zero) */
	int words;         /* u64 words of each value */
	int n;
	uint64_t *values;  /* n rows of words, in policy order */
	uint64_t *rows;    /* the table: 1 << bits rows of words, 0 = empty */
	int *row_value;    /* per row: the value it holds, -1 when empty */
	int bits;
	uint64_t seed;
	int probes;        /* rows a lookup looks at, at most */
	const struct value **src; /* the values, for comments */
};
/* Filters with at least this many values of one length use a set. */
#define VALUESET_MIN 8
void valueset_build(struct valueset *vs, const struct value *const *vals, int n, size_t len);
/* integers: rows {1, key}, the key as the compare sees it (64 bits) */
void valueset_build_ints(struct valueset *vs, const uint64_t *keys, int n);
void valueset_free(struct valueset *vs);
uint64_t valueset_word(const char *s, size_t len, int k);
uint64_t valueset_hash(const struct valueset *vs, const uint64_t *words);

/* addrtable.c: many addresses of one family of an address filter as a
 * sorted table of disjoint ranges, searched by halving (a constant table
 * in .rodata, like a valueset). */
struct addrtable {
	int id;            /* tpc_h<hook>_at<id> in generated code */
	const void *owner; /* the filter (match_arg) it serves */
	int alen;          /* 4 or 16: the family's address bytes */
	int limbs;         /* 32-bit words of an address: alen / 4 */
	int n;             /* values (CIDRs) it holds */
	int nranges;       /* disjoint ranges they come to */
	int bits;          /* 1 << bits rows, the last range repeated past nranges */
	uint32_t *rows;    /* per row: start limbs, then end limbs (inclusive) */
};
/* Address filters with at least this many values of one family use a
 * table; fewer stay masked compares, which the verifier walks in fewer
 * steps up to about 16 values (measured: addrtable.c). */
#ifndef ADDRTABLE_MIN
#define ADDRTABLE_MIN 20
#endif
void addrtable_build(struct addrtable *at, const struct net_value *nv, int n, int alen);
bool addrtable_has(const struct addrtable *at, const uint32_t *addr); /* addr: limbs, host order */
void addrtable_free(struct addrtable *at);

enum prog_role { PROG_ENTRY, PROG_RETURN };

struct prog_plan {
	char name[32];      /* tpc_h<N>_<suffix>: the program's symbol */
	char *section;      /* SEC(): what tp-load attaches it to */
	char *target;       /* what it probes, for the comment above it (NULL: the section's part after '/') */
	enum prog_role role;
	enum tpc_prog_variant variant; /* tp-load attaches one variant per hook */
	const char *tmpl;   /* templates/ file */
	bool can_override;  /* bpf_override_return is possible here */
};

#define PLAN_MAX_PROGS 4
#define PLAN_MAX_STRS 64

struct hook_plan {
	const struct hook *h;
	int id;
	const char *arch;  /* the target's (bpf_tracing.h name) */
	const struct tp_format *tp; /* tracepoint format, or NULL */
	struct tp_record rec;       /* tracepoint record struct (not for the syscalls subsystem) */
	int na;            /* slots of the raw arg array a[] */
	bool at_return;    /* posts at return */
	bool late;         /* a user-memory read that faults at entry is retried at the syscall's exit */
	bool override;     /* a selector overrides the return value */
	bool user_mem;     /* pointer args are user memory */
	struct str_plan strs[PLAN_MAX_STRS];
	int nstrs;
	int nslots;        /* per-CPU slots used (FollowFD takes the last one) */
	bool followfd;
	struct prog_plan progs[PLAN_MAX_PROGS];
	int nprogs;
	char *function;    /* kprobe: the kernel symbol attached */
	/* process values the checks read */
	bool need_proc;   /* the process table entry */
	bool need_task;   /* the current task */
	bool need_nspid;  /* the pid in its own namespace */
	bool need_pid;    /* the caller's tgid, before a selector matches */
	bool need_cfg;    /* tpc_config (host_ns) before a selector matches */
	unsigned ns_used; /* namespace kinds read, 1 << TPC_NS_* */
	unsigned caps_used; /* capability sets read, 1 << set */
	/* locals the body declares */
	bool uses_sig, uses_override, uses_rate;
	bool uses_notify;  /* a selector's NotifyEnforcer (kprobes and tracepoints: tpc_enforcer.bpf.h) */
	bool uses_cleanup; /* ... CleanupEnforcerNotification */
	bool uses_stacks; /* a selector's Post asks for kernel or user stacks (kprobes, fentries) */
	bool sock_owners; /* the policy tracks socks (TrackSock): an event of a tracked one is its owner's */
	struct valueset *sets; /* large value sets of its filters */
	int nsets;
	struct addrtable *atabs; /* address filters' range tables */
	int natabs;
	long check_insns; /* estimated BPF instructions of its checks (plan_cost) */
	/* uprobe, usdt */
	int site;          /* which probe of the hook this plan attaches (hook_count_sites) */
	bool sleepable;    /* its programs may sleep: they pre-load user strings and buffers (npreload of them) */
	int npreload;
	const struct usdt_site *usdt;   /* usdt: the site probed */
	char binary_sha256[65];         /* usdt: of the binary its sites were read from */
	struct usdt_site *usdt_sites;   /* usdt: every site of the hook, owned by its site 0 plan */
	int nusdt_sites;
};

/* What the checks of one hook may cost, in estimated BPF instructions: a
 * program's conditional jumps reach 32,767 instructions, and a check that
 * fails jumps past the checks after it (plan.c). */
#define TPC_CHECK_INSNS_MAX 24000

struct follow_plan {
	int bit;
	const struct match_proc *m;
	bool pid;      /* matchPIDs (else matchBinaries) */
	int hook, selector;
};

struct plan {
	const struct policy *p;
	const struct target *t;
	const char *policy_digest; /* "sha256:<hex>" of the policy source */
	struct hook_plan *hooks;
	int nhooks;
	struct follow_plan follows[TPC_FOLLOW_BITS];
	int nfollows;
	bool seed_procs;      /* a filter reads the process table: tp-load seeds it */
	bool seed_exec_state; /* *Changes filters: the seed records namespaces and caps */
	bool fork_nspid;      /* a followed matchPIDs filter compares namespace pids */
	bool preload;         /* a hook pre-loads user strings: the object has the pre-load buffers */
	bool stacks;          /* a hook posts stacks: the object has the stack map (tpc_stacks.bpf.h) */
	bool enforcer;        /* enforcers or their actions: the verdicts map (tpc_enforcer.bpf.h) */
};

/* false when the policy runs past a limit (reported in d) */
bool plan_build(struct plan *pl, const struct policy *p, const struct target *t, struct diags *d);
void plan_free(struct plan *pl);
/* the follow bit of a filter, -1 when it does not follow */
int plan_follow_bit(const struct plan *pl, const struct match_proc *m);
const struct str_plan *plan_str(const struct hook_plan *hp, int slot);
/* the set serving filter `owner`'s values of `len` bytes, or NULL */
const struct valueset *plan_valueset(const struct hook_plan *hp, const void *owner, size_t len);
/* whether a Prefix value of a length with a set is in it (plan.c) */
bool prefix_in_set(const struct value *v);
/* the range table serving filter `owner`'s addresses of alen bytes, or NULL */
const struct addrtable *plan_addrtable(const struct hook_plan *hp, const void *owner, int alen);

/* emit.c and emit_*.c: the BPF C of one object. */
char *emit_policy_c(const struct plan *pl);

/* manifest.c: the text manifest embedded in the object (tpc_abi.h). */
char *manifest_build(const struct plan *pl);
void manifest_encode(struct buf *b, const char *s);

/* cc.c: run clang on generated C: 0 and the object's bytes in *obj
 * (malloc'ed), or -1 with *err: clang's output and the kept source path,
 * or "interrupted" when a signal (tpc_signal) stopped clang, whose
 * temporary directory is then gone. */
int cc_compile(const char *c_src, const char *arch, bool keep_debug, char **obj, size_t *obj_len, char **err);
/* cc.c: writes a new file (O_EXCL, no link followed) in tpc's temporary
 * directory; false and errno when it cannot */
bool cc_write_new(const char *path, const char *data, size_t len);
/* pch.c: writes the precompiled runtime headers for ARCH and their prefix
 * header into DIR and returns the PCH's name there (malloc'ed), or NULL:
 * none for ARCH, TPC_PCH=0, SRC not starting with the prefix, or a libbpf
 * in /usr/local/include that the PCH would hide. */
char *pch_prepare(const char *dir, const char *arch, const char *src);
/* link.c: links the unit clang wrote (UNIT) with the runtime programs
 * compiled for ARCH when tpc was built, into OUT; DIR is scratch. */
int cc_link(const char *dir, const char *unit, const char *arch, const char *out, char **err);
/* objstrip.c: the object OBJ without DWARF, line info, .llvm_addrsig, the
 * relocations of .BTF/.BTF.ext and LLVM's branch labels: 0 and the new
 * image in *out (malloc'ed), or -1 and why in *err (malloc'ed) */
int objstrip_trim(const char *obj, size_t len, char **out, size_t *out_len, char **err);

/* output.c: the files a compile writes (the object first, then files
 * beside it: OBJ.sha256, OBJ.sig). prepare refuses a destination that
 * exists and is not a regular file and creates each temporary (mkstemp,
 * in the destination's directory) before anything is compiled; commit
 * writes every temporary, then renames them all under a lock of their
 * directory; abort removes the temporaries. Errors name the path. */
struct output {
	char *path;       /* destination (owned by the caller) */
	const void *data; /* set before commit */
	size_t len;
	char *tmp; /* the temporary, while it exists */
	int fd;
};
struct outputs {
	struct output *v;
	int n;
};
int outputs_prepare(struct outputs *o, char **err);
int outputs_commit(struct outputs *o, char **err);
void outputs_abort(struct outputs *o);

/* The signal (SIGINT, SIGTERM, SIGHUP) that asked tpc to stop, or 0:
 * clang is stopped and temporaries removed before tpc dies of it. */
#include <signal.h>
extern volatile sig_atomic_t tpc_signal;

/* runtime_files.c (generated at build time from runtime-bpf/ and templates/) */
struct embedded_file {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct embedded_file embedded_files[];
extern const size_t embedded_files_count;
const char *embedded_get(const char *name, size_t *len);

/* btf.c: the kernel's view of hooked functions, for BTF-aware lint rules.
 * A ktype is a kernel C type reduced to what the rules compare. */
struct btf;
enum kt_kind { KT_UNKNOWN, KT_VOID, KT_INT, KT_PTR, KT_STRUCT, KT_OTHER };
struct ktype {
	enum kt_kind kind;
	int size;             /* bytes, for KT_INT */
	enum kt_kind pointee; /* for KT_PTR */
	int pointee_size;
	bool pointee_char;    /* char, signed/unsigned char */
	bool is_signed;       /* KT_INT */
	char name[64];        /* struct name (KT_STRUCT, or KT_PTR to one) */
	char tname[64];       /* the first typedef on the way (size_t; kernel_cap_t of a kernel_cap_t *) */
	char text[96];        /* C spelling, for messages */
	unsigned int btf_id;  /* the type in the BTF it came from (0: from a format file) */
};
#define KPROTO_MAX 16
struct kproto {
	int n;
	bool variadic;
	char names[KPROTO_MAX][48];
	struct ktype p[KPROTO_MAX];
	struct ktype ret; /* the return type */
	char origin[192]; /* where the prototype came from, for messages */
};
struct btf *kbtf_get(const char *path, const char **err); /* cached; NULL + err on failure */
/* the target's kernel BTF (--btf FILE, or the running kernel's), NULL when
 * --no-btf, absent or unreadable */
struct btf *kbtf_for_target(const struct target *t);
void kbtf_release(void);
bool kbtf_default_exists(void);
bool kbtf_has_func(const struct btf *btf, const char *name);
/* the names of BTF functions that start with prefix, the prefix cut off,
 * sorted and unique (malloc'ed, *out too); how many */
int kbtf_funcs_with_prefix(const struct btf *btf, const char *prefix, char ***out);
/* the same in the target's BTF; -1 (and why in *err) without one */
int kbtf_target_syscalls(const struct target *t, const char *prefix, char ***names, const char **err);
bool kbtf_func_proto(const struct btf *btf, const char *func, struct kproto *out);
/* A raw tracepoint's TP_PROTO parameters, from the typedef btf_trace_<event>
 * (a pointer to a function whose first parameter, void *, is skipped). */
bool kbtf_raw_tp_proto(const struct btf *btf, const char *event, struct kproto *out);
/* The closest btf_trace_<name> event name to word, for "did you mean". */
const char *kbtf_suggest_raw_tp(const struct btf *btf, const char *word, char *out, size_t len);
const char *kbtf_suggest_func(const struct btf *btf, const char *word);
void ktype_from_ctype(const char *ctype, int size, struct ktype *k);
bool syscall_proto_from_tracefs(const char *tracefs, const char *sc, struct kproto *out);
bool ksyms_has_func(const char *name);
void kbtf_tp_record(const struct btf *btf, const struct tp_format *fmt, struct tp_record *rec);
void tp_record_free(struct tp_record *rec, int nfields);

/* btf_access.c: resolve paths walked against a kernel BTF. */
struct resolve_elem {
	char name[64]; /* a member, or "" */
	bool subscript;
	int index;     /* [index] */
	int off;       /* byte offset in the path as written */
};
/* "a.b[2].c" into out[]: the count, or -1 with why and the byte offset
 * of the problem ("invalid format for resolve path"). */
int resolve_parse(const char *path, struct resolve_elem *out, int max, char *why, size_t len, int *bad_off);
/* Walks elems from a value of BTF type `from` (a pointer; or, with
 * from_pointee, a pointer to type `from`) into acc. false: why says why
 * (Tetragon's words: "attribute X not found in ...", "array index out of
 * bound", "unexpected type", "The maximum depth allowed is 10") and *bad
 * is the element at fault. */
bool kbtf_walk(const struct btf *btf, unsigned int from, bool from_pointee, const struct resolve_elem *e, int n,
	       struct access *acc, char *why, size_t len, int *bad);
unsigned int kbtf_find_struct(const struct btf *btf, const char *name); /* struct or union id, 0 */
void kbtf_type_text(const struct btf *btf, unsigned int id, char *out, size_t len);
/* the ktype of BTF type id (btf.c) */
void kbtf_describe(const struct btf *btf, unsigned int id, struct ktype *k);

/* "sys_openat", "__x64_sys_openat", "__arm64_sys_openat" -> "openat";
 * NULL when call does not name a syscall function. Points into call. */
const char *syscall_name(const char *call);

#endif /* TPC_H */
