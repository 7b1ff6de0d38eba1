/* emit_access.c: resolve paths and data sources in generated code.
 *
 * A path walked by typing.c (struct access) becomes one function per arg,
 * tpc_h<H>_v<S>(ctx, a, &v): from the arg's raw value (or the current
 * task, or a register of pt_regs), one CO-RE read per segment of the path
 * (a pointer to follow, then the final member), each checked: a NULL
 * pointer or a failed read returns the depth of the element whose
 * dereference failed, + 1 (0: the value is in *v). The reads go through
 * local struct types that declare only the members the object's paths
 * use, named <struct>___tpc, with preserve_access_index: libbpf relocates
 * every offset to the running kernel's layout and finds members that
 * moved into anonymous structs or unions, so the object stays portable.
 * The types of all hooks are declared once, embedded structs before the
 * structs that embed them. */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

/* ---- the local types ---- */

struct ltype {
	char name[80];   /* "struct linux_binprm___tpc" or "enum pid_type___tpc" */
	char **decls;    /* member declarations, once each */
	int ndecls;
	char **deps;     /* types embedded by value, declared first */
	int ndeps;
	bool done;
};

struct ltypes {
	struct ltype *v;
	int n;
};

static struct ltype *ltype_get(struct ltypes *ts, const char *name)
{
	for (int i = 0; i < ts->n; i++)
		if (!strcmp(ts->v[i].name, name))
			return &ts->v[i];
	ts->v = xrealloc(ts->v, sizeof(*ts->v) * (size_t)(ts->n + 1));
	struct ltype *t = &ts->v[ts->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	return t;
}

static void add_unique(char ***v, int *n, const char *s)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return;
	*v = xrealloc(*v, sizeof(**v) * (size_t)(*n + 1));
	(*v)[(*n)++] = xstrdup(s);
}

static void collect(struct ltypes *ts, const struct access *acc)
{
	for (int k = 0; k < acc->nsegs; k++) {
		const struct access_seg *sg = &acc->segs[k];
		if (sg->root[0]) {
			char n[96];
			snprintf(n, sizeof(n), "struct %s", sg->root);
			ltype_get(ts, n);
		}
		for (int i = 0; i < sg->nsteps; i++) {
			const struct access_step *st = &sg->steps[i];
			if (!st->member[0])
				continue;
			char n[96];
			snprintf(n, sizeof(n), "struct %s", st->owner);
			struct ltype *t = ltype_get(ts, n);
			add_unique(&t->decls, &t->ndecls, st->decl);
			if (st->embeds[0]) {
				ltype_get(ts, st->embeds);
				if (!strncmp(st->embeds, "struct ", 7)) {
					t = ltype_get(ts, n); /* the array may have moved */
					add_unique(&t->deps, &t->ndeps, st->embeds);
				}
			}
		}
	}
}

static void emit_ltype(struct buf *b, struct ltypes *ts, struct ltype *t, int depth)
{
	if (t->done || depth > 64)
		return;
	t->done = true;
	for (int i = 0; i < t->ndeps; i++) {
		/* by name: emitting a dependency may grow nothing, but look up anew */
		for (int j = 0; j < ts->n; j++)
			if (!strcmp(ts->v[j].name, t->deps[i]))
				emit_ltype(b, ts, &ts->v[j], depth + 1);
	}
	if (!strncmp(t->name, "enum ", 5)) { /* CO-RE matches enums by name, or anonymous ones to any */
		buf_printf(b, "%s { %s_any };\n", t->name, t->name + 5);
		return;
	}
	buf_printf(b, "%s {\n", t->name);
	for (int i = 0; i < t->ndecls; i++)
		buf_printf(b, "\t%s\n", t->decls[i]);
	buf_puts(b, "} __attribute__((preserve_access_index));\n");
}

void emit_access_types(struct buf *b, const struct plan *pl)
{
	struct ltypes ts = {0};
	for (int i = 0; i < pl->nhooks; i++) {
		const struct hook *h = pl->hooks[i].h;
		for (int k = 0; k < h->nargs; k++)
			if (h->args[k].access)
				collect(&ts, h->args[k].access);
	}
	if (!ts.n)
		return;
	buf_puts(b, "\n// The kernel types the resolve paths below walk, with only the members they\n"
		    "// use: libbpf relocates each access to the running kernel's layout (CO-RE).\n");
	for (int i = 0; i < ts.n; i++) /* enums first: members of any struct may use them */
		if (!strncmp(ts.v[i].name, "enum ", 5))
			emit_ltype(b, &ts, &ts.v[i], 0);
	for (int i = 0; i < ts.n; i++)
		emit_ltype(b, &ts, &ts.v[i], 0);
	for (int i = 0; i < ts.n; i++) {
		for (int k = 0; k < ts.v[i].ndecls; k++)
			free(ts.v[i].decls[k]);
		for (int k = 0; k < ts.v[i].ndeps; k++)
			free(ts.v[i].deps[k]);
		free(ts.v[i].decls);
		free(ts.v[i].deps);
	}
	free(ts.v);
}

/* ---- the value functions ---- */

/* The member designator of a segment from its root pointer p:
 * "((struct file___tpc *)p)->f_path.dentry", "((struct x___tpc *)p)[2].y". */
static void seg_expr(struct buf *b, const struct access_seg *sg)
{
	buf_printf(b, "((struct %s *)p)", sg->root);
	for (int i = 0; i < sg->nsteps; i++) {
		const struct access_step *st = &sg->steps[i];
		if (!st->member[0])
			buf_printf(b, "[%d]", st->index);
		else
			buf_printf(b, "%s%s", i == 0 && !sg->root_index ? "->" : ".", st->member);
	}
}

/* BPF_CORE_READ_BITFIELD_PROBED(s, field): s the struct pointer, field
 * the member designator after it. */
static void seg_bitfield(struct buf *b, const struct access_seg *sg)
{
	buf_puts(b, "BPF_CORE_READ_BITFIELD_PROBED(");
	if (sg->root_index)
		buf_printf(b, "(&((struct %s *)p)[%d]), ", sg->root, sg->steps[0].index);
	else
		buf_printf(b, "((struct %s *)p), ", sg->root);
	for (int i = sg->root_index ? 1 : 0, first = 1; i < sg->nsteps; i++) {
		const struct access_step *st = &sg->steps[i];
		if (!st->member[0])
			buf_printf(b, "[%d]", st->index);
		else
			buf_printf(b, "%s%s", first ? "" : ".", st->member);
		first = 0;
	}
	buf_puts(b, ")");
}

/* The base a path starts from. */
static void emit_base(struct buf *b, const struct hook_plan *hp, const struct arg *a)
{
	const struct access *acc = a->access;
	switch (acc->source) {
	case SRC_CURRENT_TASK: buf_puts(b, "\t__u64 p = (__u64)bpf_get_current_task();\n"); return;
	case SRC_PT_REGS:
		/* a syscall's user registers are the task's (in a kprobe on the
		 * wrapper, its tracepoint twin, and at exit alike); a kernel
		 * function's are the kprobe's own context */
		if (hook_user_memory(hp->h))
			buf_puts(b, "\tstruct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());\n");
		else
			buf_puts(b, "\tstruct pt_regs *regs = (struct pt_regs *)ctx;\n");
		return;
	case SRC_NONE:
	case SRC_OTHER: buf_printf(b, "\t__u64 p = a[%d];\n", a->index); return;
	}
}

/* An arg whose value is only read through its pointer (a capability
 * mask, a filename's name, a syscall number's compat bit). */
static void emit_load_fn(struct buf *b, const struct hook_plan *hp, const struct arg *a, const char *load)
{
	buf_printf(b, "\n// hook %d, arg %d (line %d): %s, read through its pointer\n", hp->id, a->slot, a->pos.line,
		   arg_types[a->type].name);
	buf_printf(b, "static __always_inline long tpc_h%d_v%d(void *ctx, const __u64 *a, __u64 *out)\n{\n", hp->id, a->slot);
	buf_printf(b, "\t*out = a[%d];\n\treturn tpc_load_%s(out);\n}\n", a->index, load);
}

static void emit_value_fn(struct buf *b, const struct hook_plan *hp, const struct arg *a)
{
	const struct access *acc = a->access;
	const char *load = arg_load(hp->h, a);
	if (!acc) {
		emit_load_fn(b, hp, a, load);
		return;
	}
	buf_printf(b, "\n// hook %d, arg %d (line %d): ", hp->id, a->slot, a->pos.line);
	if (acc->source == SRC_PT_REGS)
		buf_printf(b, "data from pt_regs, ");
	else if (acc->source == SRC_CURRENT_TASK)
		buf_printf(b, "data from current_task, resolve ");
	else
		buf_printf(b, "resolve ");
	if (acc->source != SRC_PT_REGS)
		comment_text(b, a->resolve ? a->resolve : "");
	buf_printf(b, "%s%s\n", acc->source == SRC_PT_REGS ? "" : ": ", acc->final_text);
	buf_printf(b, "static __always_inline long tpc_h%d_v%d(void *ctx, const __u64 *a, __u64 *out)\n{\n", hp->id, a->slot);
	emit_base(b, hp, a);
	if (acc->source == SRC_PT_REGS) {
		if (!strcmp(hp->arch, "arm64"))
			buf_printf(b, "\t*out = (__u%d)BPF_CORE_READ((struct user_pt_regs *)regs, %s);\n", acc->reg_size * 8,
				   acc->reg);
		else
			buf_printf(b, "\t*out = (__u%d)BPF_CORE_READ(regs, %s);\n", acc->reg_size * 8, acc->reg);
		buf_puts(b, "\treturn 0;\n}\n");
		return;
	}
	/* a path from a syscall's user pointer stays in the caller's memory */
	const char *rd = arg_user_memory(hp, a) ? "bpf_core_read_user" : "bpf_core_read";
	for (int k = 0; k < acc->nsegs; k++) {
		const struct access_seg *sg = &acc->segs[k];
		int fail = sg->depth + 1;
		buf_printf(b, "\tif (!p)\n\t\treturn %d;\n", fail);
		struct buf x = {0};
		seg_expr(&x, sg);
		switch (sg->end) {
		case ACC_DEREF:
			buf_printf(b, "\tif (%s(&p, sizeof(p), (const void *)p)) /* a pointer to a pointer: [0] */\n\t\treturn %d;\n",
				   !strcmp(rd, "bpf_core_read") ? "bpf_probe_read_kernel" : "bpf_probe_read_user", fail);
			break;
		case ACC_POINTER:
			buf_printf(b, "\tif (%s(&p, sizeof(p), &%s))\n\t\treturn %d;\n", rd, x.s, fail);
			break;
		case ACC_ADDRESS: buf_printf(b, "\t*out = (__u64)&%s;\n", x.s); break;
		case ACC_VALUE:
			if (sg->bitfield) {
				buf_puts(b, "\t*out = ");
				seg_bitfield(b, sg);
				buf_puts(b, ";\n");
				break;
			}
			buf_printf(b, "\t__%c%d v = 0;\n\tif (%s(&v, %d, &%s))\n\t\treturn %d;\n", sg->is_signed ? 's' : 'u',
				   sg->size * 8, rd, sg->size, x.s, fail);
			buf_printf(b, "\t*out = (__u64)%sv;\n", sg->is_signed ? "(__s64)" : "");
			break;
		}
		buf_free(&x);
	}
	if (load) /* then through the pointer the path ends on */
		buf_printf(b, "\treturn tpc_load_%s(out);\n}\n", load);
	else
		buf_puts(b, "\treturn 0;\n}\n");
}

void emit_value_fns(struct buf *b, const struct hook_plan *hp)
{
	for (int i = 0; i < hp->h->nargs; i++)
		if (arg_has_value_fn(hp->h, &hp->h->args[i]))
			emit_value_fn(b, hp, &hp->h->args[i]);
}
