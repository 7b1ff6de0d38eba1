/* emit.c: the BPF C of one object, written from its plan (plan.c).
 *
 * For each hook: a body function with the selectors unrolled into constant
 * checks, then its entry programs (kprobe, syscall tracepoint twin, or
 * policy tracepoint: hook.c fills their raw arg array a[]) that call the
 * body. The codegen rules of DESIGN.md section 3 apply:
 *  - no selector data at run time: values become constants in the code;
 *  - checks cheapest first: pid, namespaces, capabilities, binary, integer
 *    args, strings, then whole strings and paths;
 *  - each argument is read at most once per event, lazily, and only as
 *    many bytes as its checks need (emit_args.c);
 *  - the generated file declares only the locals a hook uses, names
 *    actions and values as the policy does, and cites policy lines. */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

static const char *tmpl(const char *name)
{
	size_t len;
	const char *t = embedded_get(name, &len);
	if (!t) {
		fprintf(stderr, "tpc: internal error: template %s is not built in\n", name);
		exit(3);
	}
	return t;
}

/* Appends template `name` with every @KEY@ replaced by its value. */
static void tmpl_fill(struct buf *out, const char *name, const char *const *kv)
{
	const char *t = tmpl(name);
	while (*t) {
		const char *at = strchr(t, '@');
		if (!at) {
			buf_puts(out, t);
			return;
		}
		const char *end = strchr(at + 1, '@');
		const char *value = NULL;
		for (int i = 0; end && kv[i]; i += 2)
			if ((size_t)(end - at - 1) == strlen(kv[i]) && !strncmp(at + 1, kv[i], strlen(kv[i])))
				value = kv[i + 1];
		buf_printf(out, "%.*s", (int)(at - t), t);
		if (value) {
			buf_puts(out, value);
			t = end + 1;
		} else {
			buf_puts(out, "@");
			t = at + 1;
		}
	}
}

/* The manifest as lines of an asm() statement: one .ascii directive per
 * record. Bytes are escaped twice: for the assembler's string, then for
 * the C string that holds the directive (the manifest is percent-encoded
 * text, so this only guards against what it should not hold). */
static void asm_manifest(struct buf *b, const char *s)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		buf_puts(b, "    \"\\t.ascii \\\"");
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '"' || c == '\\' || c < 32 || c >= 127)
				buf_printf(b, "\\\\%03o", c); /* assembler octal escape */
			else
				buf_printf(b, "%c", c);
		}
		buf_puts(b, nl ? "\\\\n\\\"\\n\"\n" : "\\\"\\n\"\n");
		s += n + (nl ? 1 : 0);
	}
}

/* ---- selectors ---- */

/* The checks of one selector at entry, cheapest first. `matched` is the
 * statement run when all pass. */
static void emit_entry_checks(struct buf *b, const struct plan *pl, const struct hook_plan *hp, int si,
			      const char *matched)
{
	const struct hook *h = hp->h;
	const struct selector *s = &h->selectors[si];
	for (int pass = 0; pass < 4; pass++)
		emit_process_checks(b, pl, hp, s, pass);
	/* integers, then strings, then whole strings and paths */
	for (int pass = 0; pass < 3; pass++) {
		for (int m = 0; m < s->nmatch_args; m++) {
			const struct match_arg *ma = &s->match_args[m];
			if (ma->op == OP_CELEXPR && pass == 0)
				emit_cel_check(b, hp, ma);
			const struct arg *a = match_target(h, ma);
			if (!a)
				continue;
			const struct str_plan *sp = match_arg_on_bytes(a, ma) ? plan_str(hp, a->slot) : NULL;
			int want = !match_arg_on_bytes(a, ma) ? 0 : sp && sp->buf >= 0 ? 2 : 1;
			if (want == pass)
				emit_arg_check(b, hp, ma, a);
		}
	}
	buf_puts(b, matched);
}

/* sel, act and the action parameters of a selector that matched. */
static void emit_selector_actions(struct buf *b, const struct hook *h, const struct selector *s, int si)
{
	unsigned bits = 0;
	for (int i = 0; i < s->nactions; i++)
		bits |= actions[s->actions[i].kind].bit;
	if (!(bits & TPC_ACT_NOPOST))
		bits |= TPC_ACT_POST; /* Post is implicit (the spec) */
	buf_printf(b, "\t\tsel = %d;\n\t\tact = ", si + 1);
	bool first = true;
	for (int k = ACT_UNKNOWN + 1; k < ACT_OTHER; k++)
		if (bits & actions[k].bit) {
			buf_printf(b, "%s%s", first ? "" : " | ", actions[k].bit_name);
			first = false;
		}
	bool kstack = false, ustack = false;
	for (int i = 0; i < s->nactions; i++)
		if (action_posts_stacks(h, &s->actions[i])) {
			kstack |= s->actions[i].kernel_stack;
			ustack |= s->actions[i].user_stack;
		}
	buf_printf(b, "%s%s;\n", kstack ? " | TPC_ACT_KSTACK" : "", ustack ? " | TPC_ACT_USTACK" : "");
	for (int i = 0; i < s->nactions; i++) {
		const struct action *a = &s->actions[i];
		if (a->kind == ACT_SIGNAL)
			buf_printf(b, "\t\tsig = %lld;\n", a->arg_sig);
		if (a->kind == ACT_OVERRIDE && h->kind == HOOK_LSM && (a->arg_error > 0 || a->arg_error < -4095))
			buf_printf(b, "\t\toverride_err = -1; /* argError %lld: an lsm verdict is -4095..0 */\n", a->arg_error);
		else if (a->kind == ACT_OVERRIDE)
			buf_printf(b, "\t\toverride_err = %lld;\n", a->arg_error);
		if (a->kind == ACT_NOTIFYENFORCER && (h->kind == HOOK_KPROBE || h->kind == HOOK_TRACEPOINT))
			buf_printf(b, "\t\tnotify_err = %d; /* argError %lld, 16 bits */\n\t\tnotify_sig = %lld;\n",
				   (int)(short)a->arg_error, a->arg_error, a->arg_sig);
		if (a->rate_limit_ns)
			buf_printf(b, "\t\trate_ns = %lluULL; /* rateLimit */\n\t\trate_scope = %d; /* %s */\n",
				   (unsigned long long)a->rate_limit_ns, a->rate_limit_scope,
				   a->rate_limit_scope == 0 ? "thread" : a->rate_limit_scope == 1 ? "process" : "global");
	}
}

/* The value of arg index k where an action names it (argFd, argName): in
 * the return half of a hook, the index of returnArg (when no arg has it)
 * is the return value: FollowFD at openat's return takes the new fd. */
static void action_value(struct buf *b, const struct hook_plan *hp, int k, bool in_return)
{
	const struct hook *h = hp->h;
	if (in_return && h->has_return_arg && h->return_arg.index == k && !hook_find_arg(h, k))
		buf_puts(b, "(__u64)ret");
	else
		buf_printf(b, "a[%d]", k);
}

/* FollowFD, UnfollowFD and CopyFD of a selector that matched. */
static void emit_fd_actions(struct buf *b, const struct hook_plan *hp, const struct selector *s, bool in_return)
{
	for (int k = 0; k < s->nactions; k++) {
		const struct action *ac = &s->actions[k];
		switch (ac->kind) {
		case ACT_FOLLOWFD: {
			const struct arg *a = hook_find_arg(hp->h, ac->arg_name);
			const struct str_plan *sp = a ? plan_str(hp, a->slot) : NULL;
			if (!sp)
				break;
			buf_printf(b, "\t\t/* FollowFD argFd %d argName %d (line %d) */\n", ac->arg_fd, ac->arg_name,
				   ac->pos.line);
			emit_value_eval(b, hp, a, "\t\t");
			emit_resolve(b, hp, a, sp, "\t\t");
			buf_puts(b, "\t\ttpc_follow_fd(");
			action_value(b, hp, ac->arg_fd, in_return);
			buf_printf(b, ", (const char *)w%d, n%d - %d, ", a->slot, a->slot, sp->is_buf ? 0 : 1);
			if (sp->is_path)
				buf_printf(b, "f%d);\n", a->slot);
			else
				buf_puts(b, "0);\n");
			break;
		}
		case ACT_UNFOLLOWFD:
			buf_printf(b, "\t\t/* UnfollowFD argFd %d (line %d) */\n\t\ttpc_unfollow_fd(", ac->arg_fd, ac->pos.line);
			action_value(b, hp, ac->arg_fd, in_return);
			buf_puts(b, ");\n");
			break;
		case ACT_COPYFD:
			buf_printf(b, "\t\t/* CopyFD argFd %d argName %d (line %d) */\n\t\ttpc_copy_fd(", ac->arg_fd,
				   ac->arg_name, ac->pos.line);
			action_value(b, hp, ac->arg_fd, in_return);
			buf_puts(b, ", ");
			action_value(b, hp, ac->arg_name, in_return);
			buf_puts(b, ");\n");
			break;
		case ACT_UNKNOWN:
		case ACT_POST:
		case ACT_SIGKILL:
		case ACT_SIGNAL:
		case ACT_OVERRIDE:
		case ACT_NOPOST:
		case ACT_GETURL:
		case ACT_DNSLOOKUP:
		case ACT_NOTIFYENFORCER:
		case ACT_CLEANUPENFORCERNOTIFICATION:
		case ACT_OTHER:
		case ACT_COUNT: break;
		case ACT_TRACKSOCK:
		case ACT_UNTRACKSOCK: {
			if (ac->at_return) { /* matchReturnActions: argSock 0, the returned sock (check_return_actions.c) */
				buf_printf(b, "\t\t/* %s of the returned sock (matchReturnActions, line %d) */\n", ac->name,
					   ac->pos.line);
				buf_printf(b, "\t\ttpc_%s_sock(tpc_sock_addr((__u64)ret, %s));\n",
					   ac->kind == ACT_TRACKSOCK ? "track" : "untrack",
					   hp->h->return_arg.type == AT_SOCKET ? "true" : "false");
				break;
			}
			const struct arg *a = ac->arg_sock < hp->h->nargs ? &hp->h->args[ac->arg_sock] : NULL;
			if (!a)
				break;
			buf_printf(b, "\t\t/* %s argSock %d (line %d) */\n", ac->name, ac->arg_sock, ac->pos.line);
			emit_value_eval(b, hp, a, "\t\t");
			buf_printf(b, "\t\ttpc_%s_sock(tpc_sock_addr(", ac->kind == ACT_TRACKSOCK ? "track" : "untrack");
			emit_value_c(b, hp, a);
			buf_printf(b, ", %s));\n", a->type == AT_SOCKET ? "true" : "false");
			break;
		}
		}
	}
}

static void emit_selector(struct buf *b, const struct plan *pl, const struct hook_plan *hp, int si)
{
	const struct selector *s = &hp->h->selectors[si];
	buf_printf(b, "\t/* selector %d (line %d) */\n\tif (!sel) do {\n", si + 1, s->pos.line);
	struct buf m = {0};
	emit_selector_actions(&m, hp->h, s, si);
	emit_fd_actions(&m, hp, s, false);
	emit_entry_checks(b, pl, hp, si, m.s);
	buf_free(&m);
	buf_puts(b, "\t} while (0);\n");
}

/* matchReturnArgs on the return value, typed by returnArg (default
 * int64); on a returned sock, the network operators (emit_args.c). */
static void emit_return_checks(struct buf *b, const struct hook_plan *hp, const struct selector *s)
{
	const struct hook *h = hp->h;
	enum arg_type t = h->has_return_arg && arg_type_is_int(h->return_arg.type) ? h->return_arg.type : AT_INT64;
	const char *ct = arg_types[t].ctype;
	for (int m = 0; m < s->nmatch_return_args; m++) {
		const struct match_arg *ma = &s->match_return_args[m];
		if (ops[ma->op].net) {
			emit_return_net_check(b, hp, ma);
			continue;
		}
		buf_printf(b, "\t\t/* matchReturnArgs %s (line %d) */\n", op_name(ma->op), ma->pos.line);
		struct buf c = {0};
		for (int v = 0; v < ma->nvalues; v++) {
			long long x = ma->values[v].i;
			if (v)
				buf_puts(&c, " || ");
			if (ma->op == OP_MASK) {
				buf_printf(&c, "((%s)ret & (%s)0x%llxULL) != 0", ct, ct, (unsigned long long)x);
				continue;
			}
			buf_printf(&c, "(%s)ret %s ", ct, ma->op == OP_GT ? ">" : ma->op == OP_LT ? "<" : "==");
			c_int_const(&c, t, x);
		}
		if (!ma->nvalues)
			buf_puts(&c, "0");
		emit_break_if(b, ops[ma->op].negated, c.s);
		buf_free(&c);
	}
}

/* ---- bodies ---- */

static void emit_hook_comment(struct buf *b, const struct hook_plan *hp, const char *what)
{
	char *d = hook_describe(hp->h, hp->site);
	buf_printf(b, "\n// hook %d: %s ", hp->id, what);
	comment_text(b, d);
	buf_printf(b, " (line %d)\n", hp->h->pos.line);
	if (strstr(what, "checks") && !strstr(what, "return"))
		buf_printf(b, "// (its checks: about %ld BPF instructions, plan.c allows %d)\n", hp->check_insns,
			   TPC_CHECK_INSNS_MAX);
	free(d);
}

/* What a matching selector sets: the selector, its actions, and the
 * parameters of the actions this hook has. */
static void emit_action_locals(struct buf *b, const struct hook_plan *hp)
{
	buf_puts(b, "\t__u16 sel = 0;\n\t__u32 act = 0;\n");
	if (hp->uses_sig)
		buf_puts(b, "\tint sig = 0;\n");
	if (hp->uses_override)
		buf_puts(b, "\tlong override_err = 0;\n");
	if (hp->uses_rate)
		buf_puts(b, "\t__u64 rate_ns = 0;\n\tint rate_scope = 0;\n");
	if (hp->uses_notify)
		buf_puts(b, "\tlong notify_err = 0;\n\tint notify_sig = 0;\n");
}

/* Locals a hook body starts with: who is calling and the config when the
 * checks need them before a selector matches (the miss path is every
 * call that is not reported), then the lazily read values. */
static void emit_prologue(struct buf *b, const struct hook_plan *hp)
{
	if (hp->need_pid)
		buf_puts(b, "\t__u32 pid = bpf_get_current_pid_tgid() >> 32;\n");
	if (hp->need_cfg)
		buf_puts(b, "\tstruct tpc_config *cfg = tpc_cfg();\n");
	emit_action_locals(b, hp);
	emit_str_locals(b, hp);
	emit_process_locals(b, hp);
}

/* Actions, then the event: header, then each declared arg. */
static void emit_post(struct buf *b, const struct hook_plan *hp, bool with_ret)
{
	const struct hook *h = hp->h;
	/* tp-load's own calls are never acted on or reported; checked only
	 * once a selector matched, off the miss path */
	buf_puts(b, "\tif (tpc_is_loader())\n\t\treturn 0;\n");
	/* a sleepable hook's strings are all in before anything per-CPU is
	 * touched (copying one may sleep), and before a signal is sent (a
	 * task with SIGKILL pending cannot fault a page in) */
	emit_preloads(b, hp, with_ret);
	if (hook_has_action(h, ACT_SIGKILL))
		buf_puts(b, "\tif (act & TPC_ACT_SIGKILL)\n\t\tbpf_send_signal(9);\n");
	if (hp->uses_sig)
		buf_puts(b, "\tif (act & TPC_ACT_SIGNAL)\n\t\tbpf_send_signal(sig);\n");
	/* a verdict for this thread's next enforcer call (tpc_enforcer.bpf.h) */
	if (hp->uses_notify)
		buf_puts(b, "\tif (act & TPC_ACT_NOTIFYENFORCER)\n\t\ttpc_enforcer_notify(notify_err, notify_sig);\n");
	if (hp->uses_cleanup)
		buf_puts(b, "\tif (act & TPC_ACT_CLEANUPENFORCERNOTIFICATION)\n\t\ttpc_enforcer_cleanup();\n");
	/* an lsm program overrides by what it returns: the hook's verdict */
	const char *ret0 = h->kind == HOOK_LSM && hp->uses_override && !with_ret ? "verdict" : "0";
	if (hp->uses_override && !with_ret && h->kind == HOOK_LSM)
		buf_puts(b, "\tint verdict = (act & TPC_ACT_OVERRIDE) ? (int)override_err : 0;\n");
	else if (hp->uses_override && !with_ret)
		/* origin is a constant after inlining: the twin, which cannot
		 * override (tp-load refuses to attach it), has no such call */
		buf_puts(b, "\tif ((act & TPC_ACT_OVERRIDE) && origin == TPC_ORIGIN_KPROBE)\n"
			    "\t\tbpf_override_return(ctx, override_err);\n");
	if (hook_has_action(h, ACT_NOPOST))
		buf_printf(b, "\tif (act & TPC_ACT_NOPOST)\n\t\treturn %s;\n", ret0);
	buf_printf(b, "\tstruct tpc_scratch *sc = tpc_scratch();\n\tif (!sc)\n\t\treturn %s;\n", ret0);
	buf_printf(b, "\t__u32 off = tpc_event_begin(sc, %d, sel, act, %d, origin);\n", hp->id, h->nargs);
	if (hp->sock_owners) { /* a tracked sock's event is its owner's: the first arg's that is */
		struct buf c = {0};
		int n = 0;
		for (int i = 0; i < h->nargs; i++) {
			const struct arg *a = &h->args[i];
			if (a->type != AT_SOCK && a->type != AT_SOCKET)
				continue;
			emit_value_eval(b, hp, a, "\t");
			buf_printf(&c, "%stpc_event_as_owner(sc, &off, tpc_sock_addr(", n++ ? " ||\n\t       " : "");
			emit_value_c(&c, hp, a);
			buf_printf(&c, ", %s))", a->type == AT_SOCKET ? "true" : "false");
		}
		if (n == 1)
			buf_printf(b, "\t(void)%s;\n", c.s);
		else if (n)
			buf_printf(b, "\t(void)(%s);\n", c.s);
		buf_free(&c);
	}
	if (hp->uses_stacks) /* ids of the stacks: tp-load symbolises them */
		buf_puts(b, "\ttpc_get_stacks(ctx, sc, act);\n");
	if (hp->uses_rate)
		buf_puts(b, "\t__u32 args_at = off;\n");
	if (with_ret)
		buf_puts(b, "\t((struct tpc_event *)sc->ev)->retval = ret;\n");
	for (int i = 0; i < h->nargs; i++)
		emit_output_arg(b, hp, &h->args[i], with_ret);
	if (with_ret)
		emit_return_record(b, hp);
	if (hp->uses_rate)
		buf_printf(b,
			   "\tif (rate_ns && tpc_rate_limited(sc, args_at, off, %d, %d, sel, rate_scope, rate_ns))\n\t\treturn %s;\n",
			   h->nargs, hp->id, ret0);
	buf_printf(b, "\ttpc_event_submit(sc, off);\n\treturn %s;\n", ret0);
}

static void emit_body(struct buf *b, const struct plan *pl, const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	emit_hook_comment(b, hp, "the checks and actions of");
	if (hp->late)
		buf_printf(b, "static __always_inline int tpc_h%d_checks(void *ctx, __u64 *a, __u16 origin, bool at_exit)\n{\n",
			   hp->id);
	else
		buf_printf(b, "static __always_inline int tpc_h%d(void *ctx, __u64 *a, __u16 origin)\n{\n", hp->id);
	emit_prologue(b, hp);
	if (hp->late)
		buf_puts(b, "\tbool faulted = false; /* a user-memory read failed: the page is not present yet */\n");
	if (h->nselectors == 0) {
		buf_puts(b, "\t/* no selectors: every call is reported */\n\tact = TPC_ACT_POST;\n");
	} else {
		for (int s = 0; s < h->nselectors; s++)
			emit_selector(b, pl, hp, s);
		if (hp->late)
			buf_printf(b, "\tif (!sel) {\n"
				      "\t\t/* the kernel faults the page in and the call goes on: check again at its exit */\n"
				      "\t\tif (faulted && !at_exit)\n"
				      "\t\t\ttpc_stash_put(%d, a, TPC_H%d_NA, 1);\n"
				      "\t\treturn 0;\n\t}\n",
				   hp->id, hp->id);
		else
			buf_puts(b, "\tif (!sel)\n\t\treturn 0;\n");
	}
	emit_post(b, hp, false);
	buf_puts(b, "}\n");
	if (!hp->late)
		return;
	buf_printf(b, "\nstatic __always_inline int tpc_h%d(void *ctx, __u64 *a, __u16 origin)\n{\n"
		      "\treturn tpc_h%d_checks(ctx, a, origin, false);\n}\n",
		   hp->id, hp->id);
	buf_printf(b, "\n// hook %d at the syscall's exit: the checks again, with the args kept at entry,\n"
		      "// when a read failed there (the event says so: TPC_ORIGIN_LATE)\n"
		      "static __always_inline int tpc_h%d_late(void *ctx, __s64 ret, __u16 origin)\n{\n"
		      "\t__u64 a[TPC_H%d_NA];\n"
		      "\tif (!tpc_stash_take(%d, a, TPC_H%d_NA))\n\t\treturn 0;\n"
		      "\treturn tpc_h%d_checks(ctx, a, origin | TPC_ORIGIN_LATE, true);\n}\n",
		   hp->id, hp->id, hp->id, hp->id, hp->id, hp->id);
}

/* A hook that reports at return: the entry half runs each selector's entry
 * checks and, when any passed, stashes the raw args and the mask of
 * passing selectors for this thread; the return half takes them back, runs
 * the return checks of those selectors in order, and posts. */
static void emit_return_body(struct buf *b, const struct plan *pl, const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	emit_hook_comment(b, hp, "entry checks of");
	buf_printf(b, "static __always_inline int tpc_h%d_entry(void *ctx, __u64 *a, __u16 origin)\n{\n", hp->id);
	if (hp->need_pid)
		buf_puts(b, "\t__u32 pid = bpf_get_current_pid_tgid() >> 32;\n");
	if (hp->need_cfg)
		buf_puts(b, "\tstruct tpc_config *cfg = tpc_cfg();\n");
	emit_str_locals(b, hp);
	emit_process_locals(b, hp);
	buf_puts(b, "\t__u64 mask = 0;\n");
	if (h->nselectors == 0) {
		buf_puts(b, "\tmask = 1;\n");
	} else {
		for (int si = 0; si < h->nselectors; si++) {
			buf_printf(b, "\t/* selector %d (line %d) */\n\tdo {\n", si + 1, h->selectors[si].pos.line);
			char matched[64];
			snprintf(matched, sizeof(matched), "\t\tmask |= 1ULL << %d;\n", si);
			emit_entry_checks(b, pl, hp, si, matched);
			buf_puts(b, "\t} while (0);\n");
		}
	}
	buf_printf(b, "\tif (mask)\n\t\ttpc_stash_put(%d, a, TPC_H%d_NA, mask);\n\treturn 0;\n}\n", hp->id, hp->id);

	emit_hook_comment(b, hp, "return checks and actions of");
	buf_printf(b, "static __always_inline int tpc_h%d_return(void *ctx, __s64 ret, __u16 origin)\n{\n", hp->id);
	buf_printf(b, "\t__u64 a[TPC_H%d_NA];\n\t__u64 mask = tpc_stash_take(%d, a, TPC_H%d_NA);\n", hp->id, hp->id, hp->id);
	buf_puts(b, "\tif (!mask)\n\t\treturn 0;\n");
	emit_action_locals(b, hp);
	emit_str_locals(b, hp);
	emit_return_locals(b, hp);
	if (h->nselectors == 0) {
		buf_puts(b, "\tact = TPC_ACT_POST;\n");
	} else {
		for (int si = 0; si < h->nselectors; si++) {
			const struct selector *s = &h->selectors[si];
			buf_printf(b, "\t/* selector %d (line %d) */\n\tif (!sel && (mask & (1ULL << %d))) do {\n", si + 1,
				   s->pos.line, si);
			emit_return_checks(b, hp, s);
			emit_selector_actions(b, h, s, si);
			emit_fd_actions(b, hp, s, true);
			buf_puts(b, "\t} while (0);\n");
		}
		buf_puts(b, "\tif (!sel)\n\t\treturn 0;\n");
	}
	if (h->return_arg_action == ACT_TRACKSOCK || h->return_arg_action == ACT_UNTRACKSOCK)
		buf_printf(b, "\t/* returnArgAction %s: the returned sock, owned by the caller */\n\ttpc_%s_sock((__u64)ret);\n",
			   actions[h->return_arg_action].name, h->return_arg_action == ACT_TRACKSOCK ? "track" : "untrack");
	emit_post(b, hp, true);
	buf_puts(b, "}\n");
}

/* An enforcer's programs (hook_plan_enforcer): each applies the calling
 * thread's pending verdict at the call's entry. A kprobe overrides the
 * return value with bpf_override_return (the function is then skipped);
 * an fmod_ret program's non-zero return does the same. */
static void emit_enforcer(struct buf *b, const struct hook_plan *hp)
{
	buf_printf(b, "\n// hook %d: enforcer on %s (spec.enforcers, line %d): applies NotifyEnforcer's verdict\n", hp->id,
		   hp->function, hp->h->pos.line);
	for (int i = 0; i < hp->nprogs; i++) {
		const struct prog_plan *p = &hp->progs[i];
		if (p->variant == TPC_VARIANT_KPROBE)
			buf_printf(b, "SEC(\"%s\")\nint %s(struct pt_regs *ctx)\n{\n\tlong err = tpc_enforcer_take();\n"
				      "\tif (err)\n\t\tbpf_override_return(ctx, err);\n\treturn 0;\n}\n",
				   p->section, p->name);
		else
			buf_printf(b, "SEC(\"%s\")\nint %s(unsigned long long *ctx)\n{\n\treturn (int)tpc_enforcer_take();\n}\n",
				   p->section, p->name);
	}
}

/* The hook's programs, each from its template. */
static void emit_programs(struct buf *b, const struct hook_plan *hp)
{
	char id[16];
	snprintf(id, sizeof(id), "%d", hp->id);
	for (int i = 0; i < hp->nprogs; i++) {
		const struct prog_plan *p = &hp->progs[i];
		struct buf fill = {0};
		char *body = xasprintf("tpc_h%d%s", hp->id, hp->at_return ? "_entry" : "");
		char *exit = xasprintf("tpc_h%d_%s", hp->id, hp->at_return ? "return" : "late");
		const char *exit_what = hp->at_return ? "the return half" : "the exit re-check of a faulted read";
		char *ctx = p->role == PROG_ENTRY ? hook_ctx_type(hp, i) : xstrdup("");
		if (p->role == PROG_ENTRY)
			hook_emit_fill(&fill, hp, i);
		if (fill.len && fill.s[fill.len - 1] == '\n')
			fill.s[--fill.len] = 0; /* the template ends the line */
		const char *target = p->target ? p->target : strchr(p->section, '/') ? strchr(p->section, '/') + 1 : p->section;
		const char *kv[] = {"HOOK", id, "NAME", p->name, "SECTION", p->section, "TARGET", target, "FILL",
				    fill.s ? fill.s : "", "BODY", body, "CTX", ctx, "EXIT", exit, "EXIT_WHAT", exit_what, NULL};
		buf_puts(b, "\n");
		tmpl_fill(b, p->tmpl, kv);
		buf_free(&fill);
		free(body);
		free(exit);
		free(ctx);
	}
}

char *emit_policy_c(const struct plan *pl)
{
	const struct policy *p = pl->p;
	struct buf b = {0};
	char *manifest = manifest_build(pl);
	struct buf lit = {0};
	asm_manifest(&lit, manifest);
	if (lit.len && lit.s[lit.len - 1] == '\n')
		lit.s[--lit.len] = 0; /* the template ends the line */
	struct buf pname = {0};
	comment_text(&pname, p->name ? p->name : "");
	const char *kv[] = {"VERSION", TPC_VERSION, "POLICY", pname.s ? pname.s : "", "ARCH", pl->t->arch, "MANIFEST", lit.s,
			    NULL};
	tmpl_fill(&b, "prologue.c.tmpl", kv);
	if (pl->preload)
		buf_puts(&b, "\n// Uprobes that read user strings copy them first, faulting pages in: per-thread buffers.\n"
			     "#include \"tpc_preload.bpf.h\"\n");
	if (pl->stacks)
		buf_puts(&b, "\n// kernelStackTrace/userStackTrace: the stacks' map; events carry their ids.\n"
			     "#include \"tpc_stacks.bpf.h\"\n");
	if (policy_tracks_socks(p))
		buf_puts(&b, "\n// TrackSock/UntrackSock: owners of socks, and events of tracked socks made theirs.\n"
			     "#include \"tpc_socktrack.bpf.h\"\n");
	buf_free(&lit);
	buf_free(&pname);
	free(manifest);
	emit_access_types(&b, pl);

	if (pl->enforcer)
		buf_puts(&b, "\n// spec.enforcers / NotifyEnforcer: each thread's pending verdict.\n"
			     "#include \"tpc_enforcer.bpf.h\"\n");
	for (int i = 0; i < pl->nhooks; i++) {
		const struct hook_plan *hp = &pl->hooks[i];
		if (hp->h->enforcer) {
			emit_enforcer(&b, hp);
			continue;
		}
		buf_printf(&b, "\n#define TPC_H%d_NA %d /* raw values the hook reads: a[0..%d] */\n", hp->id, hp->na,
			   hp->na - 1);
		hook_emit_decls(&b, hp);
		emit_valuesets(&b, hp);
		emit_addrtables(&b, hp);
		emit_substr_fns(&b, hp);
		emit_value_fns(&b, hp);
		if (hp->at_return)
			emit_return_body(&b, pl, hp);
		else
			emit_body(&b, pl, hp);
		emit_programs(&b, hp);
	}
	buf_puts(&b, "\n");
	/* the runtime programs (tpc_procs.bpf.h) are not in this unit: cc.c
	 * links them, compiled once, with it */
	emit_fork_follow(&b, pl);
	return b.s;
}
