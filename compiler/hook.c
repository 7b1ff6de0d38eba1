/* hook.c: everything that differs between hook kinds, in one place: how
 * many args a hook can read and from where, its programs (attach target,
 * SEC name, template, which variant tp-load may choose), how the entry
 * programs fill the raw arg array a[], and its manifest fields. Every
 * function switches over enum hook_kind without a default (built with
 * -Wswitch-enum), so a new kind is a compile error until each is written.
 *
 * kprobe: a kprobe on the function; syscall: true probes the arch wrapper
 *   (__x64_sys_X), whose only argument is the user's pt_regs, and also gets
 *   a syscalls/sys_enter_X tracepoint twin with the same checks, for
 *   kernels without kprobes. A hook that reports at return adds a
 *   kretprobe (and a sys_exit_X twin).
 * tracepoint: args are format fields by index, common fields included,
 *   read by field name with CO-RE (struct trace_event_raw_<event> or its
 *   class's, preserve_access_index), so the object reads the right bytes
 *   on kernels whose record layout differs from the build machine's.
 * uprobe: a uprobe on a function of a user-space binary (one hook plan
 *   per symbol, offset or address); args 0-4 are the argument registers
 *   of the target's calling convention (PT_REGS_PARM1..5), a return probe
 *   adds a uretprobe. tp-load finds symbols in the file it attaches to.
 * usdt: a uprobe on each site of a static probe (.note.stapsdt), whose
 *   arg i is read as the site's note says (usdt.c), decoded here from the
 *   binary tpc reads: the manifest pins that build (sha256=).
 * Uprobes run in the traced process, where a page fault can be taken: a
 * hook that reads user strings or buffers has sleepable programs that
 * copy them whole first (bpf_copy_from_user_str), so a string in a page
 * the process has not touched yet is still compared and reported whole.
 * raw tracepoint (tracepoints with raw: true): a tp_btf program on the
 *   event; args are its TP_PROTO parameters by position (the typedef
 *   btf_trace_<event> in the kernel BTF), read from the program's context,
 *   an array of u64. Pointers are kernel memory.
 * lsm (lsmhooks): a BPF LSM program on the hook (lsm/<hook>, the kernel's
 *   bpf_lsm_<hook>); args are the hook's parameters from its u64 context;
 *   the program's return value is the hook's verdict (Override).
 * fentry (fentries): a fentry program on the function (a trampoline), and
 *   for hooks that report at return a fexit program, which reads the
 *   return value; syscall: true attaches to the arch wrapper, whose only
 *   parameter is the user's pt_regs, as a syscall kprobe does. Never a
 *   kprobe or tracepoint twin: where the kernel cannot load it, tp-load
 *   refuses it by name rather than attach something weaker. */
#include "tpc.h"
#include "bindigest.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SYSCALL_ARGS 6 /* syscall arguments */
#define MAX_KPROBE_ARGS 5  /* PT_REGS_PARM1..5 */

/* enum hook_kind is tpc_abi.h's enum tpc_hook_kind under the compiler's
 * names: the manifest's kind= and tp-load's switches number kinds alike. */
#define SAME_KIND(id, name, key) \
	_Static_assert((int)HOOK_##id == (int)TPC_HOOK_##id, "enum hook_kind follows TPC_HOOK_KINDS");
TPC_HOOK_KINDS(SAME_KIND)
#undef SAME_KIND
_Static_assert((int)HOOK_KIND_COUNT == (int)TPC_HOOK_KIND_COUNT, "enum hook_kind has every TPC_HOOK_KINDS row");

const char *hook_kind_name(enum hook_kind k)
{
#define KIND_NAME(id, name, key) [HOOK_##id] = name,
	static const char *const names[HOOK_KIND_COUNT] = {TPC_HOOK_KINDS(KIND_NAME)};
#undef KIND_NAME
	return (unsigned)k < HOOK_KIND_COUNT ? names[k] : "?";
}

/* The kernel BTF of the target, or NULL (--no-btf, none, unreadable). */
static struct btf *target_btf(const struct target *t)
{
	return kbtf_for_target(t);
}

static const struct tp_format *hook_format(const struct hook *h, const struct target *t)
{
	return h->subsystem && h->event ? tp_format_get(t->tracefs, h->subsystem, h->event) : NULL;
}

/* the fewest args any site of the USDT has; 0 when unknown */
static int usdt_max_args(const struct hook *h, const struct target *t)
{
	int n, max = 0;
	struct usdt_site *s = usdt_sites(binary_get(t->root, h->path), h->provider, h->probe, t->arch, &n);
	for (int i = 0; i < n; i++)
		if (!s[i].problem && (!max || s[i].nargs < max))
			max = s[i].nargs;
	usdt_sites_free(s, n);
	return max;
}

int hook_max_args(const struct hook *h, const struct target *t)
{
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_FENTRY: return h->syscall ? MAX_SYSCALL_ARGS : MAX_KPROBE_ARGS;
	case HOOK_LSM: return MAX_KPROBE_ARGS; /* parameters 0-4, as Tetragon reads them */
	case HOOK_TRACEPOINT: {
		const struct tp_format *f = hook_format(h, t);
		return f ? f->nfields : 0;
	}
	case HOOK_UPROBE: return MAX_KPROBE_ARGS;
	case HOOK_USDT: return usdt_max_args(h, t);
	case HOOK_RAW_TRACEPOINT: {
		struct btf *btf = target_btf(t);
		struct kproto proto;
		return btf && h->event && kbtf_raw_tp_proto(btf, h->event, &proto) ? proto.n : 0;
	}
	case HOOK_KIND_COUNT: break;
	}
	return 0;
}

int hook_count_sites(const struct hook *h, const struct target *t, struct usdt_site **usdt, int *nusdt)
{
	*usdt = NULL;
	*nusdt = 0;
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_TRACEPOINT:
	case HOOK_RAW_TRACEPOINT:
	case HOOK_LSM:
	case HOOK_FENTRY: return 1;
	case HOOK_UPROBE: return h->nsites > 0 ? h->nsites : 1;
	case HOOK_USDT:
		*usdt = usdt_sites(binary_get(t->root, h->path), h->provider, h->probe, t->arch, nusdt);
		return *nusdt > 0 ? *nusdt : 1;
	case HOOK_KIND_COUNT: break;
	}
	return 1;
}

bool hook_kind_may_sleep(enum hook_kind k)
{
	switch (k) {
	case HOOK_UPROBE:
	case HOOK_USDT: return true;
	case HOOK_KPROBE:
	case HOOK_TRACEPOINT:
	case HOOK_RAW_TRACEPOINT:
	case HOOK_LSM:
	case HOOK_FENTRY:
	case HOOK_KIND_COUNT: break;
	}
	return false;
}

static bool is_syscall_tracepoint(const struct hook *h)
{
	return h->subsystem && !strcmp(h->subsystem, "syscalls");
}

bool hook_user_memory(const struct hook *h)
{
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_FENTRY: return h->syscall;
	case HOOK_TRACEPOINT: return is_syscall_tracepoint(h);
	case HOOK_UPROBE:
	case HOOK_USDT: return true;
	case HOOK_RAW_TRACEPOINT:
	case HOOK_LSM: return false; /* TP_PROTO and hook pointers are the kernel's */
	case HOOK_KIND_COUNT: break;
	}
	return false;
}

/* "getenv", "getenv+4", "offset 0x1234", "address 0x401000" */
static char *site_text(const struct hook *h, int site)
{
	if (site < 0 || site >= h->nsites)
		return xstrdup(h->nsites == 1 ? "" : "...");
	const struct probe_site *s = &h->sites[site];
	switch (h->by) {
	case PROBE_BY_SYMBOL: return xstrdup(s->symbol);
	case PROBE_BY_OFFSET: return xasprintf("offset 0x%llx", (unsigned long long)s->value);
	case PROBE_BY_ADDR: return xasprintf("address 0x%llx", (unsigned long long)s->value);
	case PROBE_BY_NONE: break;
	}
	return xstrdup("?");
}

char *hook_describe(const struct hook *h, int site)
{
	switch (h->kind) {
	case HOOK_KPROBE: return xasprintf("kprobe %s", h->call ? h->call : "?");
	case HOOK_FENTRY: return xasprintf("fentry %s", h->call ? h->call : "?");
	case HOOK_LSM: return xasprintf("lsm hook %s", h->call ? h->call : "?");
	case HOOK_TRACEPOINT:
		return xasprintf("tracepoint %s/%s", h->subsystem ? h->subsystem : "?", h->event ? h->event : "?");
	case HOOK_UPROBE: {
		char *st = site_text(h, site < 0 && h->nsites == 1 ? 0 : site);
		char *d = xasprintf("uprobe %s%s%s", h->path ? h->path : "?", *st ? " " : "", st);
		free(st);
		return d;
	}
	case HOOK_USDT:
		return xasprintf("usdt %s %s:%s", h->path ? h->path : "?", h->provider ? h->provider : "?",
				 h->probe ? h->probe : "?");
	case HOOK_RAW_TRACEPOINT:
		return xasprintf("raw tracepoint %s/%s", h->subsystem ? h->subsystem : "?", h->event ? h->event : "?");
	case HOOK_KIND_COUNT: break;
	}
	return xstrdup("?");
}

bool hook_proto(const struct hook *h, const struct target *t, struct kproto *out)
{
	struct btf *btf = target_btf(t);
	memset(out, 0, sizeof(*out));
	switch (h->kind) {
	case HOOK_LSM: {
		if (!btf || !h->call)
			return false;
		char *fn = xasprintf("bpf_lsm_%s", h->call);
		bool ok = kbtf_func_proto(btf, fn, out);
		free(fn);
		return ok;
	}
	case HOOK_KPROBE:
	case HOOK_FENTRY: {
		if (!h->call)
			return false;
		const char *sc = h->syscall ? syscall_name(h->call) : NULL;
		if (!sc)
			return btf && kbtf_func_proto(btf, h->call, out);
		char *fn = xasprintf("__do_sys_%s", sc);
		bool ok = btf && kbtf_func_proto(btf, fn, out);
		free(fn);
		/* the sys_enter_X format holds the real argument types on every
		 * kernel (the __x64_sys_X wrappers only take a struct pt_regs *) */
		return ok || syscall_proto_from_tracefs(t->tracefs, sc, out);
	}
	case HOOK_TRACEPOINT:
	case HOOK_UPROBE: /* user-space: no kernel prototype */
	case HOOK_USDT: return false;
	case HOOK_RAW_TRACEPOINT: return btf && h->event && kbtf_raw_tp_proto(btf, h->event, out);
	case HOOK_KIND_COUNT: break;
	}
	return false;
}

const char *prog_variant_name(enum tpc_prog_variant v)
{
#define VARIANT_NAME(id, name) [TPC_VARIANT_##id] = name,
	static const char *const names[TPC_VARIANT_COUNT] = {TPC_PROG_VARIANTS(VARIANT_NAME)};
#undef VARIANT_NAME
	return (unsigned)v < TPC_VARIANT_COUNT ? names[v] : "?";
}

static struct prog_plan *add_prog(struct hook_plan *hp, const char *suffix, enum prog_role role,
				  enum tpc_prog_variant variant,
				  const char *tmpl, char *section)
{
	struct prog_plan *p = &hp->progs[hp->nprogs++];
	snprintf(p->name, sizeof(p->name), "tpc_h%d_%s", hp->id, suffix);
	p->role = role;
	p->variant = variant;
	p->tmpl = tmpl;
	p->section = section;
	return p;
}

/* The kernel symbol a kprobe or fentry attaches to: the arch's wrapper
 * of a syscall, or the function. */
static char *hook_function(const struct hook *h, const struct target *t, const char **sc)
{
	*sc = h->syscall ? syscall_name(h->call) : NULL;
	return *sc ? xasprintf("%s_sys_%s", !strcmp(t->arch, "arm64") ? "__arm64" : "__x64", *sc) : xstrdup(h->call);
}

/* An enforcer's variants in order of preference: a kprobe that
 * overrides, then an fmod_ret trampoline (its return value replaces the
 * call's). Neither has a template: emit.c writes both bodies. */
void hook_plan_enforcer(struct hook_plan *hp, const struct target *t)
{
	const char *sc;
	hp->function = hook_function(hp->h, t, &sc);
	hp->override = true;
	if (hp->h->enforcer & ENFORCE_OVERRIDE_RETURN)
		add_prog(hp, "enforce", PROG_ENTRY, TPC_VARIANT_KPROBE, NULL, xasprintf("kprobe/%s", hp->function))
			->can_override = true;
	if (hp->h->enforcer & ENFORCE_FMOD_RET)
		add_prog(hp, "enforce_fmod", PROG_ENTRY, TPC_VARIANT_FENTRY, NULL, xasprintf("fmod_ret/%s", hp->function))
			->can_override = true;
}

void hook_plan_programs(struct hook_plan *hp, const struct target *t)
{
	const struct hook *h = hp->h;
	switch (h->kind) {
	case HOOK_FENTRY: {
		const char *sc;
		hp->function = hook_function(h, t, &sc);
		add_prog(hp, "fentry", PROG_ENTRY, TPC_VARIANT_FENTRY, sc ? "fentry_syscall.c.tmpl" : "fentry.c.tmpl",
			 xasprintf("fentry/%s", hp->function));
		if (hp->at_return || hp->late)
			add_prog(hp, "fexit", PROG_RETURN, TPC_VARIANT_FENTRY, "fexit.c.tmpl",
				 xasprintf("fexit/%s", hp->function));
		return;
	}
	case HOOK_LSM:
		hp->function = xstrdup(h->call);
		add_prog(hp, "lsm", PROG_ENTRY, TPC_VARIANT_LSM, "lsm.c.tmpl", xasprintf("lsm/%s", h->call))
			->can_override = true; /* its return value is the hook's verdict */
		return;
	case HOOK_KPROBE: {
		const char *sc;
		hp->function = hook_function(h, t, &sc);
		add_prog(hp, "kprobe", PROG_ENTRY, TPC_VARIANT_KPROBE, sc ? "kprobe_syscall.c.tmpl" : "kprobe.c.tmpl",
			 xasprintf("kprobe/%s", hp->function))
			->can_override = true;
		if (sc)
			add_prog(hp, "twin", PROG_ENTRY, TPC_VARIANT_TRACEPOINT, "twin.c.tmpl",
				 xasprintf("tracepoint/syscalls/sys_enter_%s", sc));
		if (hp->at_return || hp->late) {
			add_prog(hp, "kretprobe", PROG_RETURN, TPC_VARIANT_KPROBE, "kretprobe.c.tmpl",
				 xasprintf("kretprobe/%s", hp->function));
			if (sc)
				add_prog(hp, "twin_ret", PROG_RETURN, TPC_VARIANT_TRACEPOINT, "twin_return.c.tmpl",
					 xasprintf("tracepoint/syscalls/sys_exit_%s", sc));
		}
		return;
	}
	case HOOK_TRACEPOINT:
		add_prog(hp, "tp", PROG_ENTRY, TPC_VARIANT_TRACEPOINT, "tracepoint.c.tmpl",
			 xasprintf("tracepoint/%s/%s", h->subsystem, h->event));
		if (!is_syscall_tracepoint(h) && hp->tp)
			kbtf_tp_record(target_btf(t), hp->tp, &hp->rec);
		return;
	case HOOK_RAW_TRACEPOINT:
		add_prog(hp, "raw_tp", PROG_ENTRY, TPC_VARIANT_TP_BTF, "raw_tracepoint.c.tmpl",
			 xasprintf("tp_btf/%s", h->event));
		return;
	case HOOK_UPROBE:
	case HOOK_USDT: {
		/* the section names no target: tp-load attaches where the hook
		 * record says (the binary, the offset it resolves) */
		const char *sl = hp->sleepable ? ".s" : "";
		struct prog_plan *p = add_prog(hp, "uprobe", PROG_ENTRY, TPC_VARIANT_UPROBE,
					       h->kind == HOOK_USDT ? "usdt.c.tmpl" : "uprobe.c.tmpl", xasprintf("uprobe%s", sl));
		p->target = hook_describe(h, hp->site);
		if (hp->at_return) {
			p = add_prog(hp, "uretprobe", PROG_RETURN, TPC_VARIANT_UPROBE, "uretprobe.c.tmpl",
				     xasprintf("uretprobe%s", sl));
			p->target = hook_describe(h, hp->site);
		}
		return;
	}
	case HOOK_KIND_COUNT: break;
	}
}

/* Does the hook read raw value i (a declared arg, or the size of one)? */
static bool slot_needed(const struct hook *h, int i)
{
	for (int k = 0; k < h->nargs; k++)
		if (!h->args[k].is_data && h->args[k].type != AT_NOP &&
		    (h->args[k].index == i || h->args[k].size_arg_index - 1 == i ||
		     sockaddr_len_index(h, &h->args[k]) == i))
			return true;
	return false;
}

static void fill_syscall_regs(struct buf *b, const struct hook *h, const char *arch)
{
	static const char *const x86[] = {"di", "si", "dx", "r10", "r8", "r9"};
	for (int i = 0; i < MAX_SYSCALL_ARGS; i++) {
		if (!slot_needed(h, i))
			continue;
		if (!strcmp(arch, "arm64"))
			buf_printf(b,
				   i == 0 ? "\ta[0] = BPF_CORE_READ((struct pt_regs___arm64 *)regs, orig_x0);\n"
					  : "\ta[%d] = BPF_CORE_READ((struct user_pt_regs *)regs, regs[%d]);\n",
				   i, i);
		else
			buf_printf(b, "\ta[%d] = BPF_CORE_READ(regs, %s);\n", i, x86[i]);
	}
}

/* BTF-typed programs: ctx is an array of u64, one per parameter. */
static void fill_btf_args(struct buf *b, const struct hook *h, int max)
{
	for (int i = 0; i < max; i++)
		if (slot_needed(h, i))
			buf_printf(b, "\ta[%d] = ctx[%d];\n", i, i);
}

static void fill_function_regs(struct buf *b, const struct hook *h)
{
	for (int i = 0; i < MAX_KPROBE_ARGS; i++)
		if (slot_needed(h, i))
			buf_printf(b, "\ta[%d] = PT_REGS_PARM%d(ctx);\n", i, i + 1);
}

/* syscalls/sys_enter_X: the format's fields after __syscall_nr are the
 * slots of the generic record's args[] (struct trace_event_raw_sys_enter). */
static void fill_syscall_record(struct buf *b, const struct hook *h, const struct tp_format *fmt)
{
	int nr = -1;
	for (int i = 0; i < fmt->nfields; i++)
		if (!strcmp(fmt->fields[i].name, "__syscall_nr"))
			nr = i;
	for (int i = 0; i < fmt->nfields; i++) {
		if (!slot_needed(h, i))
			continue;
		const struct tp_field *f = &fmt->fields[i];
		buf_printf(b, "\t/* field %d: %s %s */\n", i, f->ctype, f->name);
		if (!strncmp(f->name, "common_", 7)) /* the verifier forbids direct reads below offset 8 */
			buf_printf(b, "\ta[%d] = BPF_CORE_READ(ctx, ent.%s);\n", i, f->name + 7);
		else if (i == nr)
			buf_printf(b, "\ta[%d] = ctx->id;\n", i);
		else if (!strcmp(f->name, "ret"))
			buf_printf(b, "\ta[%d] = ((struct trace_event_raw_sys_exit *)ctx)->ret;\n", i);
		else
			buf_printf(b, "\ta[%d] = ctx->args[%d];\n", i, nr >= 0 ? i - nr - 1 : 0);
	}
}

/* Other tracepoints: each field by name from the CO-RE record. */
static void fill_record(struct buf *b, const struct hook_plan *hp)
{
	const struct tp_format *fmt = hp->tp;
	for (int i = 0; i < fmt->nfields; i++) {
		if (!slot_needed(hp->h, i))
			continue;
		const struct tp_field *f = &fmt->fields[i];
		buf_printf(b, "\t/* field %d: %s%s %s */\n", i, f->data_loc ? "__data_loc " : "", f->ctype, f->name);
		if (!strncmp(f->name, "common_", 7)) /* the verifier forbids direct reads below offset 8 */
			buf_printf(b, "\ta[%d] = BPF_CORE_READ(ctx, ent.%s);\n", i, f->name + 7);
		else if (f->data_loc) /* low 16 bits: offset of the text in the record */
			buf_printf(b, "\ta[%d] = (__u64)ctx + (ctx->__data_loc_%s & 0xffff);\n", i, f->name);
		else if (f->is_array)
			buf_printf(b, "\ta[%d] = (__u64)&ctx->%s;\n", i, f->name);
		else if (f->is_pointer)
			buf_printf(b, "\ta[%d] = (__u64)ctx->%s;\n", i, f->name);
		else
			buf_printf(b, "\ta[%d] = (__u64)(%s)ctx->%s;\n", i, f->is_signed ? "__s64" : "__u64", f->name);
	}
}

/* The C cast that keeps the low size bytes of a value, sign- or
 * zero-extended to 64 bits. */
static const char *usdt_cast(const struct usdt_arg *u)
{
	switch (u->size) {
	case 1: return u->is_signed ? "(__s64)(__s8)" : "(__u8)";
	case 2: return u->is_signed ? "(__s64)(__s16)" : "(__u16)";
	case 4: return u->is_signed ? "(__s64)(__s32)" : "(__u32)";
	default: return u->is_signed ? "(__s64)" : "";
	}
}

/* USDT: each arg read as the site's note says. */
static void fill_usdt(struct buf *b, const struct hook_plan *hp)
{
	const struct usdt_site *s = hp->usdt;
	for (int i = 0; i < USDT_MAX_ARGS; i++) {
		if (!slot_needed(hp->h, i))
			continue;
		if (!s || i >= s->nargs) { /* refused by check_probe.c; never compiled */
			buf_printf(b, "\ta[%d] = 0; /* the probe has no arg %d */\n", i, i);
			continue;
		}
		const struct usdt_arg *u = &s->args[i];
		buf_printf(b, "\t/* arg %d: %s */\n", i, u->text);
		switch (u->kind) {
		case USDT_CONST: buf_printf(b, "\ta[%d] = (__u64)%s%lldLL;\n", i, usdt_cast(u), u->value); break;
		case USDT_REG: buf_printf(b, "\ta[%d] = (__u64)%s%s;\n", i, usdt_cast(u), u->base); break;
		case USDT_MEM:
			buf_printf(b, "\ta[%d] = (__u64)%s%s(%s", i, usdt_cast(u), hp->sleepable ? "tpc_usdt_copy" : "tpc_usdt_read",
				   u->base);
			if (u->index[0])
				buf_printf(b, " + %s * %d", u->index, u->scale);
			buf_printf(b, " + (%lldLL), %d);\n", u->value, u->size);
			break;
		}
	}
}

void hook_emit_fill(struct buf *b, const struct hook_plan *hp, int prog)
{
	const struct hook *h = hp->h;
	const struct prog_plan *p = &hp->progs[prog];
	switch (h->kind) {
	case HOOK_KPROBE:
		if (p->variant == TPC_VARIANT_TRACEPOINT) {
			for (int i = 0; i < MAX_SYSCALL_ARGS; i++)
				if (slot_needed(h, i))
					buf_printf(b, "\ta[%d] = ctx->args[%d];\n", i, i);
		} else if (h->syscall) {
			fill_syscall_regs(b, h, hp->arch);
		} else {
			fill_function_regs(b, h);
		}
		return;
	case HOOK_TRACEPOINT:
		if (!hp->tp)
			return;
		if (is_syscall_tracepoint(h))
			fill_syscall_record(b, h, hp->tp);
		else
			fill_record(b, hp);
		return;
	case HOOK_UPROBE: fill_function_regs(b, h); return;
	case HOOK_USDT: fill_usdt(b, hp); return;
	case HOOK_RAW_TRACEPOINT:
	case HOOK_LSM: fill_btf_args(b, h, hp->na); return;
	case HOOK_FENTRY:
		if (h->syscall) /* the wrapper's pt_regs (the template's regs), as a syscall kprobe's */
			fill_syscall_regs(b, h, hp->arch);
		else
			fill_btf_args(b, h, hp->na);
		return;
	case HOOK_KIND_COUNT: break;
	}
}

/* The C type a record field is declared with: what CO-RE needs to match
 * the kernel's member (ints of any size match each other, pointers match
 * pointers, enums match the enum of the same name). */
static void record_field(struct buf *b, const struct hook_plan *hp, int i)
{
	const struct tp_field *f = &hp->tp->fields[i];
	const char *en = hp->rec.enum_names ? hp->rec.enum_names[i] : NULL;
	if (f->data_loc) {
		buf_printf(b, "\t__u32 __data_loc_%s;\n", f->name);
	} else if (f->is_array) {
		const char *br = strchr(f->ctype, '[');
		int n = br ? atoi(br + 1) : 0;
		int elem = n > 0 ? f->size / n : 1;
		const char *et = elem == 8 ? "__u64" : elem == 4 ? "__u32" : elem == 2 ? "__u16" : "char";
		buf_printf(b, "\t%s %s[%d];\n", et, f->name, n > 0 ? n : f->size);
	} else if (f->is_pointer) {
		buf_printf(b, "\tvoid *%s;\n", f->name);
	} else if (en) {
		buf_printf(b, "\tenum %s___h%d_%d %s;\n", en, hp->id, i, f->name);
	} else {
		const char *bits = f->size == 1 ? "8" : f->size == 2 ? "16" : f->size == 4 ? "32" : "64";
		buf_printf(b, "\t__%c%s %s;\n", f->is_signed ? 's' : 'u', bits, f->name);
	}
}

/* Declarations an entry program needs before it: the tracepoint record. */
void hook_emit_decls(struct buf *b, const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_UPROBE:
	case HOOK_USDT: return;
	case HOOK_RAW_TRACEPOINT:
	case HOOK_LSM:
	case HOOK_FENTRY: return;
	case HOOK_TRACEPOINT:
		if (!hp->tp || is_syscall_tracepoint(h))
			return;
		for (int i = 0; i < hp->tp->nfields; i++) {
			const char *en = hp->rec.enum_names ? hp->rec.enum_names[i] : NULL;
			if (en) /* CO-RE matches enums by name; one enumerator for C */
				buf_printf(b, "enum %s___h%d_%d { tpc_h%d_%d_unused };\n", en, hp->id, i, hp->id, i);
		}
		buf_printf(b, "// the record of %s/%s, read by field name with CO-RE%s\n", h->subsystem, h->event,
			   hp->rec.found ? "" : " (its name guessed: no kernel BTF at build time)");
		buf_printf(b, "struct %s___h%d {\n\tstruct trace_entry ent;\n", hp->rec.name, hp->id);
		for (int i = 0; i < hp->tp->nfields; i++)
			if (strncmp(hp->tp->fields[i].name, "common_", 7))
				record_field(b, hp, i);
		buf_puts(b, "} __attribute__((preserve_access_index));\n\n");
		return;
	case HOOK_KIND_COUNT: break;
	}
}

/* The context type of entry program `prog`. */
char *hook_ctx_type(const struct hook_plan *hp, int prog)
{
	const struct hook *h = hp->h;
	switch (h->kind) {
	case HOOK_KPROBE:
		return xstrdup(hp->progs[prog].variant == TPC_VARIANT_TRACEPOINT ? "struct trace_event_raw_sys_enter"
									       : "struct pt_regs");
	case HOOK_TRACEPOINT:
		if (is_syscall_tracepoint(h) || !hp->tp)
			return xstrdup(h->event && !strncmp(h->event, "sys_exit", 8) ? "struct trace_event_raw_sys_exit"
										 : "struct trace_event_raw_sys_enter");
		return xasprintf("struct %s___h%d", hp->rec.name, hp->id);
	case HOOK_UPROBE:
	case HOOK_USDT: return xstrdup("struct pt_regs");
	case HOOK_RAW_TRACEPOINT:
	case HOOK_LSM:
	case HOOK_FENTRY: return xstrdup("unsigned long long");
	case HOOK_KIND_COUNT: break;
	}
	return xstrdup("void");
}

/* The kind's fields of the hook record (tpc_abi.h): what it attaches to
 * and what its events name. */
void hook_manifest_fields(struct buf *b, const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_FENTRY:
		buf_puts(b, " function=");
		manifest_encode(b, hp->function);
		buf_puts(b, " call=");
		manifest_encode(b, h->call);
		buf_printf(b, " syscall=%d", h->syscall);
		return;
	case HOOK_LSM:
		buf_puts(b, " function=");
		manifest_encode(b, h->call);
		return;
	case HOOK_TRACEPOINT:
	case HOOK_RAW_TRACEPOINT:
		buf_puts(b, " tp=");
		manifest_encode(b, h->subsystem);
		buf_puts(b, "/");
		manifest_encode(b, h->event);
		return;
	case HOOK_UPROBE: {
		buf_puts(b, " path=");
		manifest_encode(b, h->path);
		const struct probe_site *s = hp->site < h->nsites ? &h->sites[hp->site] : NULL;
		if (s && h->by == PROBE_BY_SYMBOL) {
			buf_puts(b, " symbol=");
			manifest_encode(b, s->symbol);
		} else if (s) {
			buf_printf(b, " %s=%llu", h->by == PROBE_BY_ADDR ? "addr" : "offset", (unsigned long long)s->value);
		}
		if (hp->site < h->nref_ctr && h->ref_ctr[hp->site])
			buf_printf(b, " ref_ctr_offset=%llu", (unsigned long long)h->ref_ctr[hp->site]);
		if (h->ndigests) {
			buf_puts(b, " digests=");
			for (int i = 0; i < h->ndigests; i++) {
				char d[BINDIGEST_HEX_MAX + 16];
				const char *why;
				if (i)
					buf_puts(b, ",");
				manifest_encode(b, bindigest_canonical(h->digests[i].s, d, sizeof(d), &why) < 0 ? h->digests[i].s : d);
			}
		}
		return;
	}
	case HOOK_USDT: {
		buf_puts(b, " path=");
		manifest_encode(b, h->path);
		buf_puts(b, " provider=");
		manifest_encode(b, h->provider);
		buf_puts(b, " name=");
		manifest_encode(b, h->probe);
		buf_printf(b, " offset=%llu", hp->usdt ? (unsigned long long)hp->usdt->offset : 0ULL);
		if (hp->usdt && hp->usdt->ref_ctr)
			buf_printf(b, " ref_ctr_offset=%llu", (unsigned long long)hp->usdt->ref_ctr);
		buf_printf(b, " sha256=%s", hp->binary_sha256);
		return;
	}
	case HOOK_KIND_COUNT: break;
	}
}
