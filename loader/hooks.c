/* hooks.c: see hooks.h. A new hook kind is a row of TPC_HOOK_KINDS in
 * tpc_abi.h, a struct of its fields in struct tpc_hook's union
 * (manifest.h) and a case in each switch below; a new variant, a row of
 * TPC_PROG_VARIANTS and its cases here. Until each case is written the
 * build warns (-Wswitch-enum); nothing else in tp-load changes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "json.h"
#include "hooks.h"

/* ---- hook kinds ---- */

const char *tpl_hook_kind_name(enum tpc_hook_kind k)
{
#define KIND_NAME(id, name, key) [TPC_HOOK_##id] = name,
	static const char *const names[TPC_HOOK_KIND_COUNT] = { TPC_HOOK_KINDS(KIND_NAME) };
#undef KIND_NAME
	return (unsigned)k < TPC_HOOK_KIND_COUNT ? names[k] : "?";
}

const char *tpl_hook_json_key(enum tpc_hook_kind k)
{
#define KIND_KEY(id, name, key) [TPC_HOOK_##id] = key,
	static const char *const keys[TPC_HOOK_KIND_COUNT] = { TPC_HOOK_KINDS(KIND_KEY) };
#undef KIND_KEY
	return (unsigned)k < TPC_HOOK_KIND_COUNT ? keys[k] : "process_unknown";
}

int tpl_hook_kind_from_name(const char *s)
{
	for (int k = 0; k < TPC_HOOK_KIND_COUNT; k++)
		if (strcmp(s, tpl_hook_kind_name(k)) == 0)
			return k;
	return -1;
}

const char *tpl_hook_kind_names(void)
{
#define KIND_LIST(id, name, key) ", " name
	static const char list[] = TPC_HOOK_KINDS(KIND_LIST);
#undef KIND_LIST
	return list + 2;
}

int tpl_hook_parse(struct tpc_record *r, struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_LSM: /* function= is the hook's name */
		if (tpc_record_str(r, "function", 1, &h->kprobe.function))
			return -1;
		if (!tpc_is_symbol(h->kprobe.function))
			return tpc_record_fail(r, "function=: not an lsm hook name");
		return 0;
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_FENTRY:
		if (tpc_record_str(r, "function", 1, &h->kprobe.function) ||
		    tpc_record_str(r, "call", 0, &h->kprobe.call) ||
		    tpc_record_flag(r, "syscall", &h->kprobe.syscall))
			return -1;
		if (!tpc_is_symbol(h->kprobe.function))
			return tpc_record_fail(r, "function=: not a kernel symbol name");
		if (h->kprobe.call && !tpc_is_symbol(h->kprobe.call))
			return tpc_record_fail(r, "call=: not a kernel symbol name");
		return 0;
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT:
		if (tpc_record_str(r, "tp", 1, &h->tracepoint.tp))
			return -1;
		if (!tpc_is_tp_name(h->tracepoint.tp))
			return tpc_record_fail(r, "tp=: not <subsys>/<event>");
		return 0;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return tpc_record_fail(r, "unknown hook kind");
}

void tpl_hook_free(struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_FENTRY:
	case TPC_HOOK_LSM:
		free(h->kprobe.function);
		free(h->kprobe.call);
		return;
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT:
		free(h->tracepoint.tp);
		return;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
}

int tpl_hook_kind_has_variant(enum tpc_hook_kind k, enum tpc_prog_variant v)
{
	switch (k) {
	case TPC_HOOK_KPROBE:
		return v == TPC_VARIANT_KPROBE || v == TPC_VARIANT_TRACEPOINT;
	case TPC_HOOK_TRACEPOINT:
		return v == TPC_VARIANT_TRACEPOINT;
	case TPC_HOOK_RAW_TRACEPOINT:
		return v == TPC_VARIANT_TP_BTF;
	case TPC_HOOK_LSM:
		return v == TPC_VARIANT_LSM;
	case TPC_HOOK_FENTRY:
		return v == TPC_VARIANT_FENTRY;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return 0;
}

void tpl_hook_describe(const struct tpc_hook *h, char *buf, size_t len)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
		/* as the policy wrote it: what its author will recognise */
		snprintf(buf, len, "kprobe %s", h->kprobe.call ? h->kprobe.call : h->kprobe.function);
		return;
	case TPC_HOOK_TRACEPOINT:
		snprintf(buf, len, "tracepoint %s", h->tracepoint.tp);
		return;
	case TPC_HOOK_RAW_TRACEPOINT:
		snprintf(buf, len, "raw tracepoint %s", h->tracepoint.tp);
		return;
	case TPC_HOOK_LSM:
		snprintf(buf, len, "lsm hook %s", h->kprobe.function);
		return;
	case TPC_HOOK_FENTRY:
		snprintf(buf, len, "fentry %s", h->kprobe.call ? h->kprobe.call : h->kprobe.function);
		return;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	snprintf(buf, len, "?");
}

const char *tpl_hook_target(const struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_LSM:
	case TPC_HOOK_FENTRY:
		return h->kprobe.function;
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT:
		return h->tracepoint.tp;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return "?";
}

void tpl_hook_json_target(FILE *f, const struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_LSM:
	case TPC_HOOK_FENTRY:
		fputs(",\"function_name\":", f);
		json_write_cstr(f, h->kprobe.function);
		return;
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT: {
		/* a validated tp= has exactly one '/' */
		const char *tp = h->tracepoint.tp, *slash = strchr(tp, '/');
		fputs(",\"subsys\":", f);
		json_write_str(f, tp, (size_t)(slash - tp));
		fputs(",\"event\":", f);
		json_write_cstr(f, slash + 1);
		return;
	}
	case TPC_HOOK_KIND_COUNT:
		break;
	}
}

/* ---- program variants ---- */

const char *tpl_variant_name(enum tpc_prog_variant v)
{
#define VARIANT_NAME(id, name) [TPC_VARIANT_##id] = name,
	static const char *const names[TPC_VARIANT_COUNT] = { TPC_PROG_VARIANTS(VARIANT_NAME) };
#undef VARIANT_NAME
	return (unsigned)v < TPC_VARIANT_COUNT ? names[v] : "?";
}

int tpl_variant_from_name(const char *s)
{
	for (int v = 0; v < TPC_VARIANT_COUNT; v++)
		if (strcmp(s, tpl_variant_name(v)) == 0)
			return v;
	return -1;
}

const char *tpl_variant_names(void)
{
#define VARIANT_LIST(id, name) ", " name
	static const char list[] = TPC_PROG_VARIANTS(VARIANT_LIST);
#undef VARIANT_LIST
	return list + 2;
}

const char *tpl_role_name(enum tpc_prog_role r)
{
#define ROLE_NAME(id, name) [TPC_ROLE_##id] = name,
	static const char *const names[TPC_ROLE_COUNT] = { TPC_PROG_ROLES(ROLE_NAME) };
#undef ROLE_NAME
	return (unsigned)r < TPC_ROLE_COUNT ? names[r] : "?";
}

int tpl_role_from_name(const char *s)
{
	for (int r = 0; r < TPC_ROLE_COUNT; r++)
		if (strcmp(s, tpl_role_name(r)) == 0)
			return r;
	return -1;
}

enum bpf_prog_type tpl_variant_prog_type(enum tpc_prog_variant v)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		return BPF_PROG_TYPE_KPROBE;
	case TPC_VARIANT_TRACEPOINT:
		return BPF_PROG_TYPE_TRACEPOINT;
	case TPC_VARIANT_TP_BTF:
	case TPC_VARIANT_FENTRY:
		return BPF_PROG_TYPE_TRACING;
	case TPC_VARIANT_LSM:
		return BPF_PROG_TYPE_LSM;
	case TPC_VARIANT_COUNT:
		break;
	}
	return BPF_PROG_TYPE_UNSPEC;
}

const char *tpl_variant_section(enum tpc_prog_variant v, enum tpc_prog_role r)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		return r == TPC_ROLE_RETURN ? "kretprobe/" : "kprobe/";
	case TPC_VARIANT_TRACEPOINT:
		return "tracepoint/";
	case TPC_VARIANT_TP_BTF:
		return "tp_btf/";
	case TPC_VARIANT_LSM:
		return "lsm/";
	case TPC_VARIANT_FENTRY:
		return r == TPC_ROLE_RETURN ? "fexit/" : "fentry/";
	case TPC_VARIANT_COUNT:
		break;
	}
	return "?";
}

const char *tpl_variant_target(enum tpc_prog_variant v)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		return "kernel function";
	case TPC_VARIANT_TRACEPOINT:
		return "tracepoint";
	case TPC_VARIANT_TP_BTF:
		return "raw tracepoint";
	case TPC_VARIANT_LSM:
		return "LSM hook";
	case TPC_VARIANT_FENTRY:
		return "kernel function";
	case TPC_VARIANT_COUNT:
		break;
	}
	return "?";
}

/* Whether this kernel loads a program of a BTF-attached type at all: a
 * two-instruction program loaded once against a hook every kernel has
 * (the answer is kept). Loading is what fails where the facility is
 * missing (EPERM here, with fentry, fexit and lsm programs), so that is
 * what is asked; nothing is attached. */
struct feature_probe {
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *target;   /* found in vmlinux BTF by libbpf's rules */
	const char *facility; /* what is missing, for the message */
	const char *needs;
	int state;            /* 0 unknown, 1 loads, -1 refused */
	char why[320];
};

static struct feature_probe lsm_probe = {
	BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "file_open", "BPF LSM",
	"it needs CONFIG_BPF_LSM=y and bpf in the lsm= boot option", 0, ""};
static struct feature_probe fentry_probe = {
	BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "vfs_read", "BTF trampolines (fentry/fexit)",
	"it needs CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS and trampolines the kernel allows", 0, ""};

static int probe_loads(struct feature_probe *p, const char **why)
{
	if (!p->state) {
		struct bpf_insn insns[2] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		int id = libbpf_find_vmlinux_btf_id(p->target, p->attach);
		int fd = -1, err = id < 0 ? -id : 0;
		if (id > 0) {
			LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = p->attach, .attach_btf_id = (__u32)id);
			fd = bpf_prog_load(p->type, "tpc_probe", "GPL", insns, 2, &o);
			err = fd < 0 ? errno : 0;
		}
		if (fd >= 0) {
			close(fd);
			p->state = 1;
		} else {
			p->state = -1;
			snprintf(p->why, sizeof(p->why), "%s %s not available on this kernel (a test program failed to load: %s; %s)",
				 p->facility, strchr(p->facility, '(') ? "are" : "is", strerror(err), p->needs);
		}
	}
	if (p->state < 0)
		*why = p->why;
	return p->state > 0;
}

int tpl_variant_loadable(enum tpc_prog_variant v, const char **why)
{
	switch (v) {
	case TPC_VARIANT_KPROBE: /* a kernel without kprobes still verifies them */
	case TPC_VARIANT_TRACEPOINT:
	case TPC_VARIANT_TP_BTF:
		return 1;
	case TPC_VARIANT_LSM:
		return probe_loads(&lsm_probe, why);
	case TPC_VARIANT_FENTRY:
		return probe_loads(&fentry_probe, why);
	case TPC_VARIANT_COUNT:
		break;
	}
	*why = "tp-load does not know this kind of program";
	return 0;
}

int tpl_variant_attachable(enum tpc_prog_variant v, const char **why)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		if (access("/sys/bus/event_source/devices/kprobe", F_OK) == 0)
			return 1;
		*why = "this kernel has no kprobes (CONFIG_KPROBES off)";
		return 0;
	case TPC_VARIANT_TRACEPOINT:
		return 1; /* tpl_check_kernel made sure of tracefs */
	case TPC_VARIANT_TP_BTF:
		return 1; /* BTF-typed tracepoints need the kernel BTF: tpl_check_kernel */
	case TPC_VARIANT_LSM:
		return probe_loads(&lsm_probe, why);
	case TPC_VARIANT_FENTRY:
		return probe_loads(&fentry_probe, why);
	case TPC_VARIANT_COUNT:
		break;
	}
	*why = "tp-load does not know this kind of program";
	return 0;
}

const char *tpl_variant_override_needs(enum tpc_prog_variant v)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		return "a kprobe and bpf_override_return";
	case TPC_VARIANT_LSM:
		return "an lsm program (its return value is the hook's verdict)";
	case TPC_VARIANT_TRACEPOINT:
	case TPC_VARIANT_TP_BTF:
	case TPC_VARIANT_FENTRY:
	case TPC_VARIANT_COUNT:
		break;
	}
	return "a program that can override";
}

/* The variant a hook of kind k is itself (its others are twins). */
static enum tpc_prog_variant own_variant(enum tpc_hook_kind k)
{
	switch (k) {
	case TPC_HOOK_KPROBE:
		return TPC_VARIANT_KPROBE;
	case TPC_HOOK_TRACEPOINT:
		return TPC_VARIANT_TRACEPOINT;
	case TPC_HOOK_RAW_TRACEPOINT:
		return TPC_VARIANT_TP_BTF;
	case TPC_HOOK_LSM:
		return TPC_VARIANT_LSM;
	case TPC_HOOK_FENTRY:
		return TPC_VARIANT_FENTRY;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return TPC_VARIANT_COUNT;
}

void tpl_variant_noun(enum tpc_prog_variant v, enum tpc_hook_kind k, char *buf, size_t len)
{
	if (v == own_variant(k))
		snprintf(buf, len, "%s", tpl_variant_name(v));
	else
		snprintf(buf, len, "%s twin", tpl_variant_name(v));
}
