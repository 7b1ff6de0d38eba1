/* tpc.h: the compiler's one header. It declares the typed policy model and
 * the interface of every stage: parse -> check -> plan/emit -> cc.
 * Every model node keeps the source position it came from, so any stage can
 * point at the exact line and column of a problem. */
#ifndef TPC_H
#define TPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TPC_VERSION "0.1.0"

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

struct diags {
	struct diag *v;
	int n, cap;
	int errors, warnings;
};

void diag_add(struct diags *d, const char *file, struct pos p, enum severity sev,
	      const char *rule, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
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

/* ---- the policy model ---- */

/* A scalar as written in the YAML, with where it was written. */
struct scalar {
	char *s;
	struct pos pos;
};

enum arg_type {
	AT_UNKNOWN = 0,
	AT_INT,    /* int, int32, s32 */
	AT_UINT32, /* uint32, u32 */
	AT_INT64,  /* int64, s64, long */
	AT_UINT64, /* uint64, u64, size_t, ulong */
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
	AT_OTHER, /* a CRD type tpc recognises but does not implement yet */
};

struct arg {
	int index;
	enum arg_type type;
	char *type_name; /* as written */
	int size_arg_index; /* 1-based as in the spec; 0 = none */
	bool return_copy;
	int max_data;
	char *label;
	struct pos pos, index_pos, type_pos, size_pos;
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
};

struct match_arg {
	int index;
	enum op op;
	struct scalar *values;
	int nvalues;
	struct pos pos, index_pos, op_pos;
};

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
	ACT_OTHER, /* a CRD action tpc recognises but does not implement yet */
};

struct action {
	enum action_kind kind;
	char *name; /* as written */
	long long arg_error, arg_sig;
	int arg_fd, arg_name;
	char *arg_url, *arg_fqdn;
	bool has_arg_error, has_arg_sig, has_arg_fd, has_arg_name;
	uint64_t rate_limit_ns; /* rateLimit on Post: 0 = none */
	int rate_limit_scope;   /* 0 thread, 1 process, 2 global */
	struct pos rate_pos;
	struct pos pos, kind_pos;
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

enum cap_set { CAP_EFFECTIVE, CAP_INHERITABLE, CAP_PERMITTED };

/* matchPIDs / matchBinaries: In/NotIn (binaries also Prefix, Postfix and
 * their Not forms) on the thread group id or the executed path. A filter
 * that follows forks/children gets a bit in the per-process follow mask. */
struct match_proc {
	enum op op;
	bool follow;  /* followForks (pids) / followChildren (binaries) */
	bool ns_pid;  /* isNamespacePID */
	struct scalar *values;
	int nvalues;
	int follow_bit; /* assigned by emit; -1 when not following */
	struct pos pos, op_pos;
};

struct match_ns {
	enum ns_kind ns;
	enum op op;
	struct scalar *values; /* inode numbers or "host_ns" */
	int nvalues;
	struct pos pos, ns_pos, op_pos;
};

/* matchCapabilities / matchCapabilityChanges */
struct match_caps {
	enum cap_set set;
	enum op op;
	bool ns_cap; /* isNamespaceCapability */
	struct scalar *values;
	int nvalues;
	uint64_t mask; /* the listed capabilities, filled by parse */
	struct pos pos, op_pos;
};

/* matchNamespaceChanges: values are namespace kinds */
struct match_ns_changes {
	enum op op;
	struct scalar *values;
	int nvalues;
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

enum hook_kind { HOOK_KPROBE, HOOK_TRACEPOINT };

/* One field of a tracepoint's format file, as read at compile time. */
struct tp_field {
	char *name;
	char *ctype;
	int offset, size;
	bool is_signed;
	bool data_loc; /* __data_loc char[]: a string stored in the record */
};

struct hook {
	enum hook_kind kind;
	char *call;      /* kprobe: function as written */
	bool syscall;
	bool is_return;
	char *subsystem; /* tracepoint */
	char *event;
	struct arg *args;
	int nargs;
	bool has_return_arg;
	struct arg return_arg; /* returnArg: its type gives the return value's */
	struct pos return_pos;
	struct selector *selectors;
	int nselectors;
	char *message;
	char **tags;
	int ntags;
	struct pos pos, call_pos;
	const char *policy_name; /* of the document it came from (not owned) */
	/* filled by check for tracepoints: the event's format fields */
	struct tp_field *fields;
	int nfields;
};

struct policy {
	char *file; /* as given on the command line */
	char *name;
	char *kind;
	struct hook *hooks;
	int nhooks;
	struct pos pos;
	const char *policy_digest; /* "sha256:<hex>" of the source bytes (digest.h), set by main; not owned */
};

/* A set of policies from one file (a YAML stream may hold several). */
struct policy_set {
	struct policy *v;
	int n;
};

/* ---- stages ---- */

/* parse.c: YAML (libyaml) to model. Problems go to d; returns false when
 * the file could not be parsed at all (I/O or YAML syntax error). */
bool parse_policy_text(const char *file, const char *text, size_t len,
		       struct policy_set *out, struct diags *d);
bool parse_policy_file(const char *file, struct policy_set *out, struct diags *d);
void policy_set_free(struct policy_set *ps);
/* decimal, 0x hex or 0 octal, optionally negative; unsigned 64-bit values
 * above INT64_MAX come back as their two's complement */
bool parse_integer_text(const char *s, long long *out);

/* names.c: enum <-> text */
enum arg_type arg_type_from_name(const char *s);
const char *arg_type_canonical(enum arg_type t);
bool arg_type_is_int(enum arg_type t);
bool arg_type_is_signed(enum arg_type t);
bool arg_type_is_bytes(enum arg_type t);
enum op op_from_name(const char *s);
const char *op_name(enum op o);
enum action_kind action_from_name(const char *s);
const char *syscall_name(const char *call);

/* model.c: questions the checks and the generator both ask */
const struct arg *hook_find_arg(const struct hook *h, int index);
bool arg_type_is_path(enum arg_type t); /* file, path, dentry, fd: compared and shown as paths */
bool match_arg_on_bytes(const struct arg *a, const struct match_arg *m);
extern const char *const arg_type_names[];
extern const char *const op_names[];
extern const char *const action_names[];
extern const char *const ns_names[];     /* by enum ns_kind, NULL-terminated */
extern const char *const cap_names[];    /* CAP_CHOWN..., by number, NULL-terminated */
extern const char *const cap_set_names[];
int ns_from_name(const char *s);  /* -1 if unknown */
int cap_from_name(const char *s); /* -1 if unknown; accepts "CAP_X" */

/* check.c: semantic checks after parsing. */
struct check_opts {
	const char *tracefs; /* where tracepoint formats are read; NULL = default */
	const char *btf;     /* kernel BTF file; NULL = /sys/kernel/btf/vmlinux if present */
	bool no_btf;         /* --no-btf: skip the BTF-aware rules */
};
void check_policy(struct policy *p, const struct check_opts *o, struct diags *d);

/* tpformat.c: read a tracepoint's format file. Returns false if absent. */
bool tp_format_read(const char *tracefs, const char *subsys, const char *event,
		    struct tp_field **fields, int *nfields);
void tp_fields_free(struct tp_field *f, int n);

/* emit.c: generate the BPF C for one policy. */
struct emit_opts {
	const char *arch; /* "x86" or "arm64" (bpf_tracing.h __TARGET_ARCH_ name) */
};
char *emit_policy_c(struct policy *p, const struct emit_opts *o);
bool hook_reports_at_return(const struct hook *h);

/* manifest.c: the text manifest embedded in the object (tpc_abi.h). */
char *manifest_build(const struct policy *p);
void manifest_encode(struct buf *b, const char *s);

/* cc.c: run clang on generated C. Returns 0 on success; on failure err
 * holds clang's output and the kept source path. */
int cc_compile(const char *c_src, const char *out_obj, const char *arch, char **err);

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
	char name[64];        /* struct name (KT_STRUCT, or KT_PTR to one) */
	char text[96];        /* C spelling, for messages */
};
#define KPROTO_MAX 16
struct kproto {
	int n;
	bool variadic;
	char names[KPROTO_MAX][48];
	struct ktype p[KPROTO_MAX];
	struct ktype ret; /* the return type */
	char origin[96]; /* where the prototype came from, for messages */
};
struct btf *kbtf_get(const char *path, const char **err); /* cached; NULL + err on failure */
void kbtf_release(void);
bool kbtf_default_exists(void);
bool kbtf_has_func(const struct btf *btf, const char *name);
bool kbtf_func_proto(const struct btf *btf, const char *func, struct kproto *out);
const char *kbtf_suggest_func(const struct btf *btf, const char *word);
void ktype_from_ctype(const char *ctype, int size, struct ktype *k);
bool syscall_proto_from_tracefs(const char *tracefs, const char *sc, struct kproto *out);
bool ksyms_has_func(const char *name);

#endif /* TPC_H */
