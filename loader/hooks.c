/* hooks.c: see hooks.h. A new hook kind is a row of TPC_HOOK_KINDS in
 * tpc_abi.h, a struct of its fields in struct tpc_hook's union
 * (manifest.h) and a case in each switch below; a new variant, a row of
 * TPC_PROG_VARIANTS and its cases here. Until each case is written the
 * build warns (-Wswitch-enum); nothing else in tp-load changes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	case TPC_HOOK_KPROBE:
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
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	snprintf(buf, len, "?");
}

const char *tpl_hook_target(const struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
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
		return BPF_PROG_TYPE_TRACING;
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
	case TPC_VARIANT_COUNT:
		break;
	}
	return "?";
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
	case TPC_VARIANT_COUNT:
		break;
	}
	*why = "tp-load does not know this kind of program";
	return 0;
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
