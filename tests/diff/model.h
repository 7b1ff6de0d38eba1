/* model.h: the differential test's own interfaces (tests/diff/README).
 *
 * A case is a policy (the compiler's model, struct policy from tpc.h, so
 * that parse.c can be reused: the independence the test needs is from
 * the code generator and the runtime, not from the parser) and an event:
 * one call of one hook by one process. Two evaluators judge it:
 *  - ref.c, written from the spec, over the parsed policy and the event;
 *  - the C that tpc generated, compiled for the host against the shim
 *    runtime (shim/), run by run.c;
 * and main.c compares what each says should be observable. */
#ifndef TPCD_MODEL_H
#define TPCD_MODEL_H

#include "tpc.h"
#include "env.h"

#include <stdint.h>

/* ---- random numbers: seeded, reproducible (xorshift64*) ---- */
struct rng {
	uint64_t s;
};
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
uint32_t rng_below(struct rng *r, uint32_t n); /* 0..n-1; n > 0 */
bool rng_chance(struct rng *r, int percent);
char *xstrndup_len(const char *s, size_t n); /* the first n bytes of s (n <= strlen(s)) */

/* ---- the event ---- */

#define DEV_MAX_ANC 4
#define DEV_MAX_FDS 6
#define DEV_REC 512 /* bytes of a tracepoint record */

/* An ancestor of the calling process, oldest first; anc[nanc-1] is its
 * parent. bin is what the ancestor was running when it forked. */
struct dev_anc {
	uint32_t pid, nspid;
	char bin[TPC_BIN_MAX];
};

struct dev_event {
	int hook;     /* index among the policy's hooks */
	int via_twin; /* syscall kprobes: through the syscalls/sys_enter_X twin */
	/* raw[k]: the call's k-th argument register (kprobes: arg index k;
	 * tracepoints: field 5 + k of sys_enter_X) */
	uint64_t raw[6];
	/* the bytes raw[k] points at, when they are readable user memory */
	unsigned char *mem[6];
	size_t memlen[6];
	int64_t ret; /* return hooks: what the call returned */
	/* the calling process */
	struct tpcd_task task;     /* tgid, tid, nspid, namespaces and capabilities now */
	int proc_known;            /* the process table has it (tp-load saw it exec or seeded it) */
	char bin[TPC_BIN_MAX];     /* its binary */
	uint32_t exec_ns[TPCD_NS]; /* namespaces and capabilities at its exec */
	uint64_t exec_caps[3];
	int nanc;
	struct dev_anc anc[DEV_MAX_ANC];
	char *kpath[6]; /* file/path args: the path of the object raw[k] points at (raw[k] == the pointer) */
	int nfds;
	int fd[DEV_MAX_FDS];
	char *fdpath[DEV_MAX_FDS]; /* NULL: cannot be resolved */
	uint32_t host_ns[TPCD_NS];
	uint32_t loader_tgid;
	/* tracepoints outside syscalls/: the record itself */
	unsigned char rec[DEV_REC];
};
void dev_event_free(struct dev_event *e);
void dev_event_copy(struct dev_event *dst, const struct dev_event *src);
/* The raw[] slot of a hook's arg index, or -1. */
int dev_slot(const struct hook *h, int index);
void dev_event_print(FILE *f, const struct hook *h, const struct dev_event *e);

/* ---- tracepoint formats (tpfields.c) ---- */
const struct tp_field *dev_tp_fields(const char *subsys, const char *event, int *n);
bool dev_rich(const struct hook *h); /* a tracepoint outside syscalls/: args are record fields */
bool dev_field_is_text(const struct tp_field *f);
uint64_t dev_field_int(const struct tp_field *f, const unsigned char *rec);
const char *dev_field_text(const struct tp_field *f, const unsigned char *rec, size_t reclen);

/* ---- what an evaluator says is observable ---- */
struct dev_outcome {
	int posted;      /* an event reaches user space */
	int sel;         /* its selector, 1-based (0: hook without selectors) */
	uint32_t act;    /* its TPC_ACT_* bits */
	int nsig;
	int sig[TPCD_MAX_SIGNALS]; /* signals sent to the caller, sorted */
};
bool dev_outcome_equal(const struct dev_outcome *a, const struct dev_outcome *b);
void dev_outcome_print(FILE *f, const struct dev_outcome *o);

/* ---- hook kinds (yaml.c) ---- */
/* The order of the spec's hook lists in the YAML, which parse numbers
 * hooks in; their list name. */
int dev_kind_rank(enum hook_kind k);
const char *dev_kind_list(enum hook_kind k);

/* ---- generators (gen_policy.c, gen_event.c) ---- */
struct gen_budget {
	int follow; /* follow filters still allowed in this object (64 per object) */
};
extern bool gen_ascii_only; /* values of ASCII bytes only (--ascii) */
void gen_policy(struct rng *r, struct policy *p, const char *name, struct gen_budget *b);
void gen_event(struct rng *r, const struct policy *p, struct dev_event *e);

/* ---- YAML of a policy (yaml.c) ---- */
/* Parts of a policy a shrinker may leave out, by id ("h0", "h0.s1",
 * "h0.s1.args2", "h0.s1.args2.v0", ...). */
struct omit {
	char **ids;
	int n, cap;
	char **seen; /* every id the last serialisation visited, in order */
	int nseen, capseen;
};
bool omit_has(const struct omit *o, const char *id);
void omit_add(struct omit *o, const char *id);
void omit_remove_last(struct omit *o);
void omit_free(struct omit *o);
char *yaml_of_policy(const struct policy *p, struct omit *o);

/* ---- shrink.c: shorter strings in a failing case; returns the
 * reproductions it spent (at most budget) ---- */
int shrink_strings(struct policy *gp, const struct omit *om, struct dev_event *e, bool (*fails)(void *ctx), void *ctx,
		   int budget);

/* ---- the reference evaluator (ref.c) ---- */
enum ref_mutation { MUT_NONE, MUT_NOTEQUAL_OR };
extern enum ref_mutation ref_mutation;
void ref_eval(const struct policy *p, const struct dev_event *e, struct dev_outcome *out);
void ref_coverage_print(FILE *f);
int ref_coverage_gaps(void); /* operators/filters never seen both true and false */

/* ---- the generated code (run.c) ---- */
struct gen_so;
/* Compiles C (tpc's output) for the host and loads it; NULL + message. */
struct gen_so *gen_so_build(const char *c_path, const char *so_path, const char *repo, char **err);
void gen_so_close(struct gen_so *so);
/* Runs event e through global hook id (hook e->hook of policy p). */
void gen_so_run(struct gen_so *so, int id, const struct policy *p, const struct dev_event *e, uint32_t garbage,
		struct dev_outcome *out);

#endif
