/* check_fleet.c: a policy against every kernel of a fleet (tpc --btf DIR:
 * one BTF file per kernel the fleet runs, e.g. each node's
 * /sys/kernel/btf/vmlinux). Types, layouts and the code are the first
 * kernel's (in name order) and CO-RE carries them to the others; what CO-RE
 * cannot carry is a call, a field or a resolve path a kernel does not
 * have: the object would fail to load there. For each such thing this
 * says which kernels miss it, once, at its line (rule btf-fleet).
 *
 * Checked on each kernel: the function of a kprobe or fentry (a syscall's
 * wrapper or __do_sys_X), an lsm hook's bpf_lsm_<hook>, a raw
 * tracepoint's btf_trace_<event>, a plain tracepoint's record struct and
 * the fields its args read, the prototype's length for arg indexes, and
 * every resolve path and data source, walked as on the first kernel. */
#include "check.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>

/* One thing a kernel may lack, and which kernels lack it. */
struct fleet_item {
	struct pos pos;
	char *what;   /* "function 'vfs_read'" */
	char **why;   /* per kernel missing it: the kernel, and why */
	int nwhy;
};

struct fleet {
	const struct target *t;
	struct fleet_item *v;
	int n;
};

static struct fleet_item *item(struct fleet *f, struct pos pos, const char *what)
{
	for (int i = 0; i < f->n; i++)
		if (f->v[i].pos.line == pos.line && f->v[i].pos.col == pos.col && !strcmp(f->v[i].what, what))
			return &f->v[i];
	f->v = xrealloc(f->v, sizeof(*f->v) * (size_t)(f->n + 1));
	struct fleet_item *it = &f->v[f->n++];
	memset(it, 0, sizeof(*it));
	it->pos = pos;
	it->what = xstrdup(what);
	return it;
}

/* what is missing on kernel `name` (why: details, or NULL) */
static void missing(struct fleet *f, struct pos pos, const char *what, const char *name, const char *why)
{
	struct fleet_item *it = item(f, pos, what);
	it->why = xrealloc(it->why, sizeof(char *) * (size_t)(it->nwhy + 1));
	it->why[it->nwhy++] = why && *why ? xasprintf("%s (%s)", name, why) : xstrdup(name);
}

static bool has_func(const struct btf *btf, const char *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* The kernel's prototype of the hook, as hook_proto() finds it on the
 * target's own BTF (without tracefs: a fleet's formats are not here). */
static bool fleet_proto(const struct btf *btf, const struct hook *h, struct kproto *out)
{
	memset(out, 0, sizeof(*out));
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_FENTRY: {
		const char *sc = h->syscall ? syscall_name(h->call) : NULL;
		if (!sc)
			return kbtf_func_proto(btf, h->call, out);
		char *fn = xasprintf("__do_sys_%s", sc);
		bool ok = kbtf_func_proto(btf, fn, out);
		free(fn);
		return ok;
	}
	case HOOK_LSM: {
		char *fn = xasprintf("bpf_lsm_%s", h->call);
		bool ok = kbtf_func_proto(btf, fn, out);
		free(fn);
		return ok;
	}
	case HOOK_RAW_TRACEPOINT: return kbtf_raw_tp_proto(btf, h->event, out);
	case HOOK_TRACEPOINT:
	case HOOK_UPROBE: /* user-space functions: no kernel prototype */
	case HOOK_USDT:
	case HOOK_KIND_COUNT: break;
	}
	return false;
}

/* Is the hook's attach point in this kernel? what: how to name it. */
static bool hook_present(const struct btf *btf, const struct hook *h, const struct target *t, char *what, size_t len)
{
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_FENTRY: {
		const char *sc = h->syscall ? syscall_name(h->call) : NULL;
		if (!sc) {
			snprintf(what, len, "function '%s'", h->call);
			return has_func(btf, h->call);
		}
		snprintf(what, len, "syscall '%s'", sc);
		char *wrapper = xasprintf("%s_sys_%s", !strcmp(t->arch, "arm64") ? "__arm64" : "__x64", sc);
		char *dosys = xasprintf("__do_sys_%s", sc);
		bool ok = has_func(btf, wrapper) || has_func(btf, dosys);
		free(wrapper);
		free(dosys);
		return ok;
	}
	case HOOK_LSM: {
		char *fn = xasprintf("bpf_lsm_%s", h->call);
		snprintf(what, len, "lsm hook '%s'", h->call);
		bool ok = has_func(btf, fn);
		free(fn);
		return ok;
	}
	case HOOK_RAW_TRACEPOINT: {
		struct kproto p;
		snprintf(what, len, "raw tracepoint '%s'", h->event);
		return kbtf_raw_tp_proto(btf, h->event, &p);
	}
	case HOOK_TRACEPOINT:
	case HOOK_UPROBE: /* in a binary of the node, not in the kernel */
	case HOOK_USDT:
	case HOOK_KIND_COUNT: break;
	}
	return true;
}

/* A plain tracepoint's record, read by field name with CO-RE: its
 * struct (as the first kernel names it) and the members the args read. */
static void check_record(struct fleet *f, const struct btf *first, const struct btf *btf, const char *name,
			 const struct hook *h, const struct tp_format *fmt)
{
	struct tp_record rec;
	kbtf_tp_record(first, fmt, &rec);
	if (rec.found) {
		int id = btf__find_by_name_kind(btf, rec.name, BTF_KIND_STRUCT);
		char what[200];
		if (id <= 0) {
			snprintf(what, sizeof(what), "tracepoint %s/%s's record (struct %s)", h->subsystem, h->event, rec.name);
			missing(f, h->call_pos, what, name, NULL);
		} else {
			const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
			for (int i = 0; i < h->nargs; i++) {
				const struct arg *a = &h->args[i];
				if (a->index < 0 || a->index >= fmt->nfields || !strncmp(fmt->fields[a->index].name, "common_", 7))
					continue;
				char member[160];
				snprintf(member, sizeof(member), "%s%s", fmt->fields[a->index].data_loc ? "__data_loc_" : "",
					 fmt->fields[a->index].name);
				bool found = false;
				const struct btf_member *m = btf_members(t);
				for (int k = 0; k < btf_vlen(t) && !found; k++)
					found = !strcmp(btf__name_by_offset(btf, m[k].name_off), member);
				if (!found) {
					snprintf(what, sizeof(what), "field '%s' of tracepoint %s/%s", fmt->fields[a->index].name,
						 h->subsystem, h->event);
					missing(f, a->index_pos, what, name, NULL);
				}
			}
		}
	}
	tp_record_free(&rec, fmt->nfields);
}

/* An arg's resolve path (or data source) walked on this kernel. */
static void check_walk(struct fleet *f, const struct btf *btf, const char *name, const struct hook *h,
		       const struct arg *a, const struct kproto *proto, bool have_proto)
{
	if (!a->access || !a->resolve || a->access->source == SRC_PT_REGS)
		return;
	unsigned int from = 0;
	bool pointee = false;
	if (a->is_data) { /* current_task */
		from = kbtf_find_struct(btf, "task_struct");
		pointee = true;
	} else if (a->btf_type) {
		from = kbtf_find_struct(btf, a->btf_type);
		pointee = true;
	} else if (have_proto && a->index >= 0 && a->index < proto->n) {
		from = proto->p[a->index].btf_id;
	}
	char what[200], why[320] = "";
	snprintf(what, sizeof(what), "resolve '%s'", a->resolve);
	struct pos at = a->resolve_pos; /* at the path's first character */
	if (a->resolve_col)
		at.col = a->resolve_col;
	if (!from) {
		snprintf(why, sizeof(why), "%s", a->btf_type ? "no struct of that name" : "no such parameter");
		missing(f, at, what, name, why);
		return;
	}
	struct resolve_elem e[ACCESS_MAX];
	int bad = 0;
	int n = resolve_parse(a->resolve, e, ACCESS_MAX, why, sizeof(why), &bad);
	struct access *acc = xcalloc(1, sizeof(*acc));
	if (n > 0 && !kbtf_walk(btf, from, pointee, e, n, acc, why, sizeof(why), &bad))
		missing(f, at, what, name, why);
	free(acc);
	(void)h;
}

static void check_kernel(struct fleet *f, const struct policy *p, const struct btf *first, const struct btf *btf,
			 const char *name)
{
	for (int i = 0; i < p->nhooks; i++) {
		const struct hook *h = &p->hooks[i];
		char what[200];
		if (!h->call && h->kind != HOOK_TRACEPOINT && h->kind != HOOK_RAW_TRACEPOINT)
			continue;
		if ((h->kind == HOOK_TRACEPOINT || h->kind == HOOK_RAW_TRACEPOINT) && (!h->subsystem || !h->event))
			continue;
		if (!hook_present(btf, h, f->t, what, sizeof(what))) {
			if (!h->call_not_found) /* ignore.callNotFound: skipped on that kernel, as meant */
				missing(f, h->call_pos, what, name, NULL);
			continue;
		}
		if (h->kind == HOOK_TRACEPOINT) {
			const struct tp_format *fmt = tp_format_get(f->t->tracefs, h->subsystem, h->event);
			if (fmt && strcmp(h->subsystem, "syscalls"))
				check_record(f, first, btf, name, h, fmt);
			continue;
		}
		struct kproto proto;
		bool have = fleet_proto(btf, h, &proto);
		for (int k = 0; k < h->nargs; k++) {
			const struct arg *a = &h->args[k];
			if (have && !a->is_data && a->index >= proto.n && !proto.variadic) {
				snprintf(what, sizeof(what), "parameter %d of %s", a->index, h->call ? h->call : h->event);
				char why[64];
				snprintf(why, sizeof(why), "it has %d", proto.n);
				missing(f, a->index_pos, what, name, why);
				continue;
			}
			check_walk(f, btf, name, h, a, &proto, have);
		}
	}
}

void check_fleet(const struct policy *p, const struct target *t, struct diags *d)
{
	if (t->nfleet < 2 || t->no_btf)
		return;
	struct fleet f = {t, NULL, 0};
	const char *err = NULL;
	const struct btf *first = kbtf_get(t->fleet[0], &err);
	if (!first)
		return; /* btf-unavailable, from the checks that read it */
	/* the first kernel is the target's: the other rules check it */
	for (int k = 1; k < t->nfleet; k++) {
		const char *name = strrchr(t->fleet[k], '/') ? strrchr(t->fleet[k], '/') + 1 : t->fleet[k];
		libbpf_print_fn_t old = libbpf_set_print(NULL);
		struct btf *btf = btf__parse(t->fleet[k], NULL);
		libbpf_set_print(old);
		if (!btf) {
			diag_add(d, p->file, p->pos, SEV_WARNING, "btf-unavailable",
				 "cannot read BTF from %s; that kernel is not checked", t->fleet[k]);
			continue;
		}
		check_kernel(&f, p, first, btf, name);
		btf__free(btf);
	}
	for (int i = 0; i < f.n; i++) {
		struct fleet_item *it = &f.v[i];
		struct buf b = {0};
		for (int k = 0; k < it->nwhy; k++) {
			buf_printf(&b, "%s%s", k ? ", " : "", it->why[k]);
			free(it->why[k]);
		}
		diag_add(d, p->file, it->pos, SEV_ERROR, "btf-fleet", "%s is missing on %d of the %d kernels: %s", it->what,
			 it->nwhy, t->nfleet, b.s);
		buf_free(&b);
		free(it->why);
		free(it->what);
	}
	free(f.v);
}
