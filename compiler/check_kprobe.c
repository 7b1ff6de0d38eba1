/* check_kprobe.c: a kprobe's (or a fentry's: the same keys, attached by
 * BTF) call and args against the kernel. Without
 * BTF: the syscall flag agrees with the name, and arg indexes fit the
 * registers a kprobe can read. With BTF (--btf, default the running
 * kernel's): the call exists, arg indexes are within its prototype, and
 * each declared type agrees with the prototype's. Syscall prototypes come
 * from __do_sys_X when BTF has it, else from syscalls/sys_enter_X, since
 * the __x64_sys_X wrappers only take a struct pt_regs *. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

static const char *const syscall_prefixes[] = {"__x64_sys_", "__arm64_sys_", "__se_sys_", "__do_sys_", "sys_", NULL};

/* The BTF to check against, loaded on first use; NULL when disabled or
 * unreadable (then a warning says so, once per hook). */
struct btf *check_hook_btf(const struct policy *p, const struct hook *h, const struct target *o,
			   struct diags *d)
{
	if (o->no_btf || (!o->btf && !kbtf_default_exists()))
		return NULL;
	const char *err = NULL;
	struct btf *btf = kbtf_get(o->btf, &err);
	if (!btf)
		diag_add(d, p->file, h->call_pos, SEV_WARNING, "btf-unavailable", "%s; kernel checks skipped",
			 err ? err : "no BTF");
	return btf;
}

/* ignore.callNotFound: a call this kernel lacks is the point of the key
 * (one policy for kernels before and after a rename), so it is said, not
 * refused; tp-load skips the hook on a node without it. */
static void not_found_skipped(const struct policy *p, const struct hook *h, const char *what, const char *name,
			      struct diags *d)
{
	diag_add(d, p->file, h->call_pos, SEV_WARNING, "call-not-found",
		 "%s '%s' is not in the kernel BTF; ignore.callNotFound: the hook is skipped on nodes without it", what,
		 name);
}

static void check_syscall_btf(const struct policy *p, const struct hook *h, const char *sc, struct btf *btf,
			      const struct target *o, struct kproto *proto, bool *have, struct diags *d)
{
	bool exists = false;
	for (int i = 0; syscall_prefixes[i] && !exists; i++) {
		char *fn = xasprintf("%s%s", syscall_prefixes[i], sc);
		exists = kbtf_has_func(btf, fn);
		free(fn);
	}
	if (!exists && h->call_not_found) {
		not_found_skipped(p, h, "syscall", sc, d);
		return;
	}
	if (!exists) {
		char *want = xasprintf("__x64_sys_%s", sc);
		const char *s = kbtf_suggest_func(btf, want);
		const char *sugg = s ? syscall_name(s) : NULL;
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "btf-no-call",
			 "syscall '%s' is not in the kernel BTF (no %s)%s%s%s", sc, want, sugg ? "; did you mean 'sys_" : "",
			 sugg ? sugg : "", sugg ? "'?" : "");
		free(want);
		return;
	}
	char *fn = xasprintf("__do_sys_%s", sc);
	*have = kbtf_func_proto(btf, fn, proto);
	free(fn);
	if (!*have)
		*have = syscall_proto_from_tracefs(o->tracefs, sc, proto);
}

static void check_function_btf(const struct policy *p, const struct hook *h, struct btf *btf,
			       const struct target *o, struct kproto *proto, bool *have, struct diags *d)
{
	*have = kbtf_func_proto(btf, h->call, proto);
	/* ("list:NAME" calls are expanded by parse, one hook per member); a
	 * function the running kernel has outside vmlinux BTF (a module's) can
	 * be probed but its prototype is unknown */
	if (*have || !strncmp(h->call, "list:", 5) || (h->kind == HOOK_KPROBE && !o->btf && ksyms_has_func(h->call)))
		return; /* (a fentry attaches by BTF: it needs the function there) */
	if (h->call_not_found) {
		not_found_skipped(p, h, "function", h->call, d);
		return;
	}
	if (syscall_name(h->call)) {
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "btf-no-call",
			 "function '%s' is not in the kernel BTF; it names a syscall: set syscall: true", h->call);
		return;
	}
	const char *s = kbtf_suggest_func(btf, h->call);
	if (s)
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "btf-no-call",
			 "function '%s' is not in the kernel BTF; did you mean '%s'?", h->call, s);
	else
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "btf-no-call", "function '%s' is not in the kernel BTF",
			 h->call);
}

/* Integers the kernel uses to pass user pointers ("unsigned long buf"). */
static bool is_long(const struct ktype *k)
{
	return k->kind == KT_INT && (!strcmp(k->text, "long unsigned int") || !strcmp(k->text, "long int") ||
				     !strcmp(k->text, "unsigned long") || !strcmp(k->text, "long"));
}

static bool is_64bit(enum arg_type t)
{
	return arg_types[t].cls == AC_INT && arg_types[t].size == 8;
}

/* NULL when the declared type can read the kernel's; else why not (in
 * why[0..len)). */
const char *check_type_conflict(const struct arg *a, const struct ktype *k, char *why, size_t len)
{
	if (k->kind == KT_UNKNOWN || k->kind == KT_OTHER || !a->type_name || !arg_type_known(a->type))
		return NULL;
	if (a->type == AT_FD) {
		if (k->kind != KT_INT)
			return "an fd is an integer";
		return NULL;
	}
	if (a->type == AT_NOP)
		return NULL; /* nothing is read */
	if (a->type == AT_CONST_BUF || a->type == AT_DATA_LOC)
		return "it names a field of a tracepoint's record";
	const char *st = arg_types[a->type].kstruct;
	if (st && a->type != AT_CHAR_IOVEC && a->type != AT_FILE && a->type != AT_PATH && a->type != AT_DENTRY) {
		/* a pointer to that struct (kernel_cap_t: to that typedef) */
		if (k->kind == KT_PTR && k->pointee == KT_STRUCT && (!strcmp(k->name, st) || !strcmp(k->tname, st)))
			return NULL;
		snprintf(why, len, "%s needs a %s%s *", a->type_name,
			 !strcmp(st, "kernel_cap_t") ? "" : !strcmp(st, "bpf_attr") ? "union " : "struct ", st);
		return why;
	}
	if (arg_type_is_int(a->type)) {
		if (k->kind == KT_INT)
			return NULL;
		if (k->kind == KT_PTR)
			return is_64bit(a->type) ? NULL : "a pointer does not fit a 32-bit or smaller integer";
		return "it is not an integer";
	}
	if (a->type == AT_STRING) {
		if (is_long(k) || (k->kind == KT_PTR && (k->pointee == KT_VOID || (k->pointee == KT_INT && k->pointee_char))))
			return NULL;
		return "a string needs a char pointer";
	}
	if (a->type == AT_CHAR_BUF) {
		if (is_long(k) || (k->kind == KT_PTR && (k->pointee == KT_VOID || k->pointee == KT_INT)))
			return NULL;
		return "a char_buf needs a pointer to bytes";
	}
	if (!st)
		return NULL;
	if (a->type == AT_CHAR_IOVEC && is_long(k))
		return NULL;
	if (k->kind == KT_PTR && k->pointee == KT_STRUCT && !strcmp(k->name, st))
		return NULL;
	snprintf(why, len, "%s needs a struct %s *", a->type_name, st);
	return why;
}

void check_list_params(const struct kproto *k, struct buf *b)
{
	for (int i = 0; i < k->n; i++)
		buf_printf(b, "%s%d %s", i ? ", " : "", i, k->names[i]);
	if (!k->n)
		buf_puts(b, "none");
}

/* returnArg against the prototype's return type */
static void check_return_type(const struct policy *p, const struct hook *h, const struct kproto *proto,
			      struct diags *d)
{
	const struct arg *a = &h->return_arg;
	if (!h->has_return_arg || !arg_type_known(a->type) || !a->type_name)
		return;
	const struct ktype *k = &proto->ret;
	char buf[96];
	const char *why = k->kind == KT_VOID ? "it returns nothing" : check_type_conflict(a, k, buf, sizeof(buf));
	if (why)
		diag_add(d, p->file, a->type_pos.line ? a->type_pos : h->return_pos, SEV_ERROR, "btf-return-type",
			 "returnArg is declared %s but %s returns %s (%s), from %s", a->type_name, h->call, k->text, why,
			 proto->origin);
}

void check_kprobe(const struct policy *p, const struct hook *h, const struct target *o, struct diags *d)
{
	if (!h->call)
		return;
	const char *sc = NULL;
	if (h->syscall) {
		sc = syscall_name(h->call);
		if (!sc) {
			diag_add(d, p->file, h->call_pos, SEV_ERROR, "not-a-syscall",
				 "'%s' is marked syscall: true but does not name a sys_ function; set syscall: false to "
				 "probe a kernel function",
				 h->call);
			return;
		}
		char *ev = xasprintf("sys_enter_%s", sc);
		char *events = xasprintf("%s/events", o->tracefs);
		FILE *dir = h->kind == HOOK_KPROBE ? fopen(events, "r") : NULL; /* fentries have no twin */
		if (dir) {
			fclose(dir);
			if (!tp_format_get(o->tracefs, "syscalls", ev))
				diag_add(d, p->file, h->call_pos, SEV_WARNING, "no-twin",
					 "no tracepoint syscalls/%s here: without kprobes this hook cannot attach", ev);
		}
		free(events);
		free(ev);
	}

	struct kproto proto;
	bool have = false;
	struct btf *btf = check_hook_btf(p, h, o, d);
	if (!sc && syscall_name(h->call)) {
		/* with BTF at hand, a missing function is the error to report */
		if (!btf || kbtf_has_func(btf, h->call))
			diag_add(d, p->file, h->call_pos, SEV_WARNING, "syscall-flag",
				 "'%s' looks like a syscall but syscall: true is not set; its arguments will be read as a "
				 "plain function's",
				 h->call);
	}
	if (btf) {
		if (sc)
			check_syscall_btf(p, h, sc, btf, o, &proto, &have, d);
		else
			check_function_btf(p, h, btf, o, &proto, &have, d);
	}

	if (have)
		check_return_type(p, h, &proto, d);
	int max = hook_max_args(h, o);
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->type == AT_SYSCALL64) /* as in Tetragon */
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "btf-arg-type",
				 "syscall64 is a tracepoint's syscall number (raw_syscalls/sys_enter): it is invalid on a "
				 "kprobe; use int64");
		if (a->index < 0 || a->is_data) /* a data entry's value comes from its source */
			continue;
		if (have && !proto.variadic && a->index >= proto.n) {
			struct buf b = {0};
			check_list_params(&proto, &b);
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "btf-arg-index",
				 "arg index %d is beyond the prototype of %s: %d args (%s), from %s", a->index, h->call,
				 proto.n, b.s, proto.origin);
			buf_free(&b);
			continue;
		}
		if (a->index >= max) {
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "arg-index",
				 "arg index %d is beyond the %d arguments a %s can read", a->index, max,
				 h->syscall ? "syscall" : "kprobe");
			continue;
		}
		if (!have || a->index >= proto.n || !arg_type_known(a->type) || a->resolve)
			continue; /* a resolve path's end is typing.c's to check */
		const struct ktype *k = &proto.p[a->index];
		char buf[96];
		const char *why = check_type_conflict(a, k, buf, sizeof(buf));
		if (why)
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "btf-arg-type",
				 "arg %d is declared %s but %s's '%s' is %s (%s), from %s", a->index, a->type_name, h->call,
				 proto.names[a->index], k->text, why, proto.origin);
	}
}
