/* emit.c: plan and generate the BPF C of one policy.
 *
 * For each hook: a body function with the selectors unrolled into constant
 * checks, then entry programs (kprobe, syscall tracepoint twin, or policy
 * tracepoint) that gather the raw argument values and call the body. The
 * codegen rules of DESIGN.md section 3 apply:
 *  - no selector data at run time: values become constants in the code;
 *  - integer checks before string checks (cheapest first);
 *  - each string argument is read at most once per event, lazily, and only
 *    as many bytes as its checks need (Equal: longest + 2 so that a longer
 *    string is told apart; Prefix: longest + 1; Postfix: the bounded whole);
 *  - string checks group Equal values by length, then compare 8-byte words
 *    of the zero-padded buffer against constants. */
#include "emit.h"
#include "tpc_abi.h"

#include <stdlib.h>
#include <string.h>

/* Check buffers up to this size live on the BPF stack; larger ones (and
 * Postfix) use a per-CPU scratch slot. */
#define STACK_STR_MAX 128

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
		bool replaced = false;
		if (end) {
			for (int i = 0; kv[i]; i += 2) {
				size_t kl = strlen(kv[i]);
				if ((size_t)(end - at - 1) == kl && !strncmp(at + 1, kv[i], kl)) {
					char *chunk = strndup(t, (size_t)(at - t));
					buf_puts(out, chunk);
					free(chunk);
					buf_puts(out, kv[i + 1]);
					t = end + 1;
					replaced = true;
					break;
				}
			}
		}
		if (!replaced) {
			char *chunk = strndup(t, (size_t)(at - t) + 1);
			buf_puts(out, chunk);
			free(chunk);
			t = at + 1;
		}
	}
}

/* C string literal of arbitrary bytes. */
static void c_string(struct buf *b, const char *s, size_t n)
{
	buf_puts(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_puts(b, "\\n\"\n\t\"");
		else if (c < 32 || c >= 127)
			buf_printf(b, "\\%03o", c);
		else
			buf_printf(b, "%c", c);
	}
	buf_puts(b, "\"");
}

/* A comment-safe copy of user text (no "*" "/" sequences, no newlines). */
static void comment_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r')
			buf_puts(b, " ");
		else if (*s == '*' && s[1] == '/')
			buf_puts(b, "*\\");
		else
			buf_printf(b, "%c", *s);
	}
}

static const char *xfmt_flags(int i);
static const char *xfmt_arg(int i);

/* ---- per-hook planning ---- */


static struct str_plan *str_plan_for(struct hook_plan *hp, int index)
{
	for (int i = 0; i < hp->nstrs; i++)
		if (hp->strs[i].index == index)
			return &hp->strs[i];
	if (hp->nstrs == (int)(sizeof(hp->strs) / sizeof(hp->strs[0])))
		return NULL;
	struct str_plan *sp = &hp->strs[hp->nstrs++];
	memset(sp, 0, sizeof(*sp));
	sp->index = index;
	sp->slot = -1;
	return sp;
}

static int round8(int n)
{
	return (n + 7) & ~7;
}

static void plan_hook(struct hook_plan *hp, const struct hook *h, int id)
{
	memset(hp, 0, sizeof(*hp));
	hp->h = h;
	hp->id = id;
	hp->user_mem = h->kind == HOOK_KPROBE ? h->syscall : !strcmp(h->subsystem, "syscalls");
	int na = 1;
	for (int i = 0; i < h->nargs; i++) {
		if (h->args[i].index + 1 > na)
			na = h->args[i].index + 1;
		if (h->args[i].size_arg_index > na)
			na = h->args[i].size_arg_index;
	}
	hp->na = na;
	int slots = 0;
	/* every path-like arg is resolved into a slot, for checks and output */
	for (int i = 0; i < h->nargs; i++) {
		if (!arg_type_is_path(h->args[i].type))
			continue;
		struct str_plan *sp = str_plan_for(hp, h->args[i].index);
		if (sp)
			sp->is_path = sp->postfix = true;
	}
	/* FollowFD takes its name from an arg: read it whole */
	for (int s = 0; s < h->nselectors; s++)
		for (int k = 0; k < h->selectors[s].nactions; k++) {
			const struct action *ac = &h->selectors[s].actions[k];
			const struct arg *a = ac->kind == ACT_FOLLOWFD ? hook_find_arg(h, ac->arg_name) : NULL;
			struct str_plan *sp = a && arg_type_is_bytes(a->type) ? str_plan_for(hp, a->index) : NULL;
			if (sp) {
				sp->postfix = true;
				sp->is_buf = a->type == AT_CHAR_BUF;
			}
		}
	for (int s = 0; s < h->nselectors; s++) {
		const struct selector *sel = &h->selectors[s];
		for (int m = 0; m < sel->nmatch_args; m++) {
			const struct match_arg *ma = &sel->match_args[m];
			const struct arg *a = hook_find_arg(h, ma->index);
			if (!a || !match_arg_on_bytes(a, ma))
				continue;
			struct str_plan *sp = str_plan_for(hp, a->index);
			if (!sp)
				continue;
			sp->used = true;
			sp->is_buf = a->type == AT_CHAR_BUF;
			for (int v = 0; v < ma->nvalues; v++) {
				int len = (int)strlen(ma->values[v].s), need = 0;
				switch (ma->op) {
				case OP_EQUAL:
				case OP_NOTEQUAL: need = len + 2; break;
				case OP_PREFIX:
				case OP_NOTPREFIX: need = len + 1; break;
				default: sp->postfix = true; break;
				}
				if (need > sp->size)
					sp->size = need;
			}
		}
	}
	plan_process(hp);
	for (int i = 0; i < hp->nstrs; i++) {
		struct str_plan *sp = &hp->strs[i];
		sp->size = round8(sp->size < 8 ? 8 : sp->size);
		if (sp->postfix || sp->size > STACK_STR_MAX) {
			sp->size = TPC_STR_MAX;
			sp->slot = slots++;
		}
	}
}

/* ---- expressions ---- */

static const char *int_ctype(enum arg_type t)
{
	switch (t) {
	case AT_INT:
	case AT_FD: return "__s32";
	case AT_UINT32: return "__u32";
	case AT_INT64: return "__s64";
	case AT_UINT64: return "__u64";
	case AT_INT16: return "__s16";
	case AT_UINT16: return "__u16";
	case AT_INT8: return "__s8";
	case AT_UINT8: return "__u8";
	default: return "__u64";
	}
}

/* Little-endian 8-byte word k of s, zero-padded; mask covers `bytes` bytes. */
static unsigned long long word_of(const char *s, size_t len, int k, int *bytes)
{
	unsigned long long w = 0;
	int n = 0;
	for (int i = 0; i < 8; i++) {
		size_t at = (size_t)k * 8 + (size_t)i;
		if (at < len) {
			w |= (unsigned long long)(unsigned char)s[at] << (8 * i);
			n = i + 1;
		}
	}
	*bytes = n;
	return w;
}

/* Condition: the first strlen(v) bytes of the buffer are v. Bytes past
 * them are never looked at (a scratch slot holds stale data there), so
 * Equal is this plus a length compare that puts the NUL in place. */
void cond_words_prefix(struct buf *b, const char *w, const char *v)
{
	size_t len = strlen(v);
	buf_puts(b, "(");
	for (int k = 0; (size_t)k * 8 < len; k++) {
		int nb;
		unsigned long long x = word_of(v, len, k, &nb);
		if (nb == 8)
			buf_printf(b, "%s%s[%d] == 0x%llxULL", k ? " && " : "", w, k, x);
		else
			buf_printf(b, "%s(%s[%d] & 0x%llxULL) == 0x%llxULL", k ? " && " : "", w, k,
				   (1ULL << (8 * nb)) - 1, x);
	}
	if (len == 0)
		buf_puts(b, "1");
	buf_puts(b, ")");
}

/* Condition: the string of length-with-NUL `n` in scratch slot `p` ends
 * with v. Bytes are loaded at masked offsets the verifier can bound. */
static void cond_postfix(struct buf *b, const char *p, const char *n, const char *v)
{
	size_t len = strlen(v);
	buf_printf(b, "(%s - 1 >= %zu", n, len);
	for (size_t k = 0; k < len; k++)
		buf_printf(b, " && %s[(%s - 1 - %zu) & %d] == %d", p, n, len - k, TPC_STR_MAX - 1,
			   (int)(unsigned char)v[k]);
	buf_puts(b, ")");
}

static const struct str_plan *plan_of(const struct hook_plan *hp, int index)
{
	for (int i = 0; i < hp->nstrs; i++)
		if (hp->strs[i].index == index)
			return &hp->strs[i];
	return NULL;
}

/* The lazy read of an arg's bytes into w<i>, shared by its checks, its
 * output and FollowFD: n<i> becomes the length with the NUL (strings,
 * paths) or the bytes read (buffers), negative on fault. */
static void emit_resolve(struct buf *b, const struct hook_plan *hp, const struct arg *a, const struct str_plan *sp,
			 const char *indent)
{
	int i = a->index;
	if (sp->is_path) {
		const char *fn = a->type == AT_FILE ? "file" : a->type == AT_PATH ? "path" : a->type == AT_DENTRY ? "dentry" : "fd";
		buf_printf(b,
			   "%sif (n%d == TPC_UNREAD) {\n"
			   "%s\tstruct tpc_pathres r = tpc_path_of_%s(a[%d], (char *)w%d);\n"
			   "%s\tn%d = r.len < 0 ? -1 : r.len + 1;\n"
			   "%s\tf%d = r.flags;\n"
			   "%s}\n",
			   indent, i, indent, fn, i, i, indent, i, indent, i, indent);
		return;
	}
	buf_puts(b, indent);
	if (sp->is_buf) {
		int sz = a->size_arg_index ? a->size_arg_index - 1 : -1;
		if (sz >= 0)
			buf_printf(b, "if (n%d == TPC_UNREAD) n%d = tpc_read_buf(w%d, %d, a[%d], a[%d], %s);\n", i, i, i,
				   sp->size, i, sz, hp->user_mem ? "true" : "false");
		else
			buf_printf(b, "if (n%d == TPC_UNREAD) n%d = tpc_read_buf(w%d, %d, a[%d], %d, %s);\n", i, i, i,
				   sp->size, i, TPC_BUF_MAX, hp->user_mem ? "true" : "false");
	} else {
		buf_printf(b, "if (n%d == TPC_UNREAD) n%d = tpc_read_str(w%d, %d, a[%d], %s);\n", i, i, i, sp->size, i,
			   hp->user_mem ? "true" : "false");
	}
}

static void emit_string_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma,
			      const struct arg *a, const struct str_plan *sp)
{
	int i = a->index;
	char w[32], n[32], p[32];
	snprintf(w, sizeof(w), "w%d", i);
	snprintf(n, sizeof(n), "n%d", i);
	snprintf(p, sizeof(p), "((const unsigned char *)w%d)", i);
	emit_resolve(b, hp, a, sp, "\t\t");
	/* the byte count a value of length L must show: strings count the
	 * NUL, buffers are compared by their size argument */
	const char *lenexpr = n;
	char szexpr[32];
	if (sp->is_buf) {
		snprintf(szexpr, sizeof(szexpr), "a[%d]", a->size_arg_index ? a->size_arg_index - 1 : 0);
		lenexpr = a->size_arg_index ? szexpr : n;
	}
	bool neg = ma->op == OP_NOTEQUAL || ma->op == OP_NOTPREFIX || ma->op == OP_NOTPOSTFIX;
	buf_printf(b, "\t\tif (n%d < 0 || %s(", i, neg ? "" : "!");
	switch (ma->op) {
	case OP_EQUAL:
	case OP_NOTEQUAL: {
		/* group values by length: one length compare selects the group */
		bool first = true;
		bool *done = xcalloc((size_t)ma->nvalues, sizeof(bool));
		for (int v = 0; v < ma->nvalues; v++) {
			if (done[v])
				continue;
			size_t len = strlen(ma->values[v].s);
			buf_printf(b, "%s(%s == %zu && (", first ? "" : " ||\n\t\t    ", lenexpr,
				   sp->is_buf ? len : len + 1);
			first = false;
			bool f2 = true;
			for (int u = v; u < ma->nvalues; u++) {
				if (done[u] || strlen(ma->values[u].s) != len)
					continue;
				done[u] = true;
				if (!f2)
					buf_puts(b, " ||\n\t\t      ");
				f2 = false;
				cond_words_prefix(b, w, ma->values[u].s);
			}
			buf_puts(b, "))");
		}
		free(done);
		break;
	}
	case OP_PREFIX:
	case OP_NOTPREFIX:
		for (int v = 0; v < ma->nvalues; v++) {
			if (v)
				buf_puts(b, " ||\n\t\t    ");
			if (sp->is_buf)
				buf_printf(b, "(%s >= %zu && ", lenexpr, strlen(ma->values[v].s));
			cond_words_prefix(b, w, ma->values[v].s);
			if (sp->is_buf)
				buf_puts(b, ")");
		}
		break;
	default:
		for (int v = 0; v < ma->nvalues; v++) {
			if (v)
				buf_puts(b, " ||\n\t\t    ");
			cond_postfix(b, p, n, ma->values[v].s);
		}
		break;
	}
	buf_puts(b, "))\n\t\t\tbreak;\n");
}

static void emit_int_check(struct buf *b, const struct match_arg *ma, const struct arg *a)
{
	const char *ct = int_ctype(a->type);
	bool neg = ma->op == OP_NOTEQUAL;
	buf_printf(b, "\t\tif (%s(", neg ? "" : "!");
	for (int v = 0; v < ma->nvalues; v++) {
		long long x = 0;
		parse_integer_text(ma->values[v].s, &x);
		const char *cop = ma->op == OP_GT ? ">" : ma->op == OP_LT ? "<" : "==";
		if (v)
			buf_puts(b, " || ");
		if (ma->op == OP_MASK)
			buf_printf(b, "((%s)a[%d] & (%s)0x%llxULL) != 0", ct, a->index, ct, (unsigned long long)x);
		else
			buf_printf(b, "(%s)a[%d] %s (%s)0x%llxULL", ct, a->index, cop, ct, (unsigned long long)x);
	}
	buf_puts(b, "))\n\t\t\tbreak;\n");
}

static unsigned action_bits(const struct selector *s, long long *sig)
{
	unsigned bits = 0;
	*sig = 0;
	for (int i = 0; i < s->nactions; i++) {
		switch (s->actions[i].kind) {
		case ACT_POST: bits |= TPC_ACT_POST; break;
		case ACT_SIGKILL: bits |= TPC_ACT_SIGKILL; break;
		case ACT_SIGNAL:
			bits |= TPC_ACT_SIGNAL;
			*sig = s->actions[i].arg_sig;
			break;
		case ACT_NOPOST: bits |= TPC_ACT_NOPOST; break;
		case ACT_OVERRIDE: bits |= TPC_ACT_OVERRIDE; break;
		case ACT_GETURL: bits |= TPC_ACT_GETURL; break;
		case ACT_FOLLOWFD: bits |= TPC_ACT_FOLLOWFD; break;
		case ACT_UNFOLLOWFD: bits |= TPC_ACT_UNFOLLOWFD; break;
		case ACT_COPYFD: bits |= TPC_ACT_COPYFD; break;
		case ACT_DNSLOOKUP: bits |= TPC_ACT_DNSLOOKUP; break;
		default: break;
		}
	}
	if (!(bits & TPC_ACT_NOPOST))
		bits |= TPC_ACT_POST; /* Post is implicit (the spec) */
	return bits;
}

/* Does hook h report at return? return: true, or a returnCopy arg (read
 * at return, where the call has filled the buffer). */
bool hook_reports_at_return(const struct hook *h)
{
	if (h->kind != HOOK_KPROBE)
		return false;
	if (h->is_return)
		return true;
	for (int i = 0; i < h->nargs; i++)
		if (h->args[i].return_copy)
			return true;
	return false;
}

/* The checks of one selector at entry, cheapest first: pid, namespaces,
 * capabilities, binary (a table lookup), integer args, strings, Postfix
 * (a whole string). `matched` is the statement run when all pass. */
static void emit_entry_checks(struct buf *b, const struct hook_plan *hp, int si, const char *matched)
{
	const struct hook *h = hp->h;
	const struct selector *s = &h->selectors[si];
	for (int pass = 0; pass < 4; pass++)
		emit_process_checks(b, hp, s, pass);
	for (int pass = 0; pass < 3; pass++) {
		for (int m = 0; m < s->nmatch_args; m++) {
			const struct match_arg *ma = &s->match_args[m];
			const struct arg *a = hook_find_arg(h, ma->index);
			if (!a)
				continue;
			bool is_int = !match_arg_on_bytes(a, ma);
			bool postfix = ma->op == OP_POSTFIX || ma->op == OP_NOTPOSTFIX;
			int want = is_int ? 0 : postfix || arg_type_is_path(a->type) ? 2 : 1;
			if (want != pass)
				continue;
			buf_printf(b, "\t\t/* matchArgs index %d %s (line %d) */\n", ma->index, op_name(ma->op), ma->pos.line);
			if (is_int) {
				emit_int_check(b, ma, a);
			} else {
				const struct str_plan *sp = plan_of(hp, a->index);
				if (sp)
					emit_string_check(b, hp, ma, a, sp);
			}
		}
	}
	buf_printf(b, "%s", matched);
}

static void emit_selector_actions(struct buf *b, const struct selector *s, int si)
{
	long long sig;
	unsigned bits = action_bits(s, &sig);
	buf_printf(b, "\t\tsel = %d;\n\t\tact = 0x%x;\n", si + 1, bits);
	if (bits & TPC_ACT_SIGNAL)
		buf_printf(b, "\t\tsig = %lld;\n", sig);
	for (int i = 0; i < s->nactions; i++) {
		const struct action *a = &s->actions[i];
		if (a->kind == ACT_OVERRIDE)
			buf_printf(b, "\t\toverride_err = %lld;\n", a->arg_error);
		if (a->rate_limit_ns)
			buf_printf(b, "\t\trate_ns = %lluULL; /* rateLimit */\n\t\trate_scope = %d;\n",
				   (unsigned long long)a->rate_limit_ns, a->rate_limit_scope);
	}
}

/* The value of arg index k where an action names it (argFd, argName): in
 * the return half of a hook, the index of returnArg (when no arg has it)
 * is the return value: FollowFD at openat's return takes the new fd. */
static const char *action_value(const struct hook_plan *hp, int k, bool in_return)
{
	static char s[2][32];
	static int which;
	const struct hook *h = hp->h;
	which ^= 1;
	if (in_return && h->has_return_arg && h->return_arg.index == k && !hook_find_arg(h, k))
		return "(__u64)ret";
	snprintf(s[which], sizeof(s[which]), "a[%d]", k);
	return s[which];
}

/* FollowFD, UnfollowFD and CopyFD of a selector that matched. */
static void emit_fd_actions(struct buf *b, const struct hook_plan *hp, const struct selector *s, bool in_return)
{
	for (int k = 0; k < s->nactions; k++) {
		const struct action *ac = &s->actions[k];
		switch (ac->kind) {
		case ACT_FOLLOWFD: {
			const struct arg *a = hook_find_arg(hp->h, ac->arg_name);
			const struct str_plan *sp = a ? plan_of(hp, a->index) : NULL;
			if (!sp)
				break;
			buf_printf(b, "\t\t/* FollowFD argFd %d argName %d (line %d) */\n", ac->arg_fd, ac->arg_name,
				   ac->pos.line);
			emit_resolve(b, hp, a, sp, "\t\t");
			buf_printf(b, "\t\ttpc_follow_fd(%s, (const char *)w%d, n%d - %d, %s);\n",
				   action_value(hp, ac->arg_fd, in_return), a->index, a->index, sp->is_buf ? 0 : 1,
				   sp->is_path ? xfmt_flags(a->index) : "0");
			break;
		}
		case ACT_UNFOLLOWFD:
			buf_printf(b, "\t\t/* UnfollowFD argFd %d (line %d) */\n\t\ttpc_unfollow_fd(%s);\n", ac->arg_fd,
				   ac->pos.line, action_value(hp, ac->arg_fd, in_return));
			break;
		case ACT_COPYFD:
			buf_printf(b, "\t\t/* CopyFD argFd %d argName %d (line %d) */\n\t\ttpc_copy_fd(%s, %s);\n",
				   ac->arg_fd, ac->arg_name, ac->pos.line, action_value(hp, ac->arg_fd, in_return),
				   action_value(hp, ac->arg_name, in_return));
			break;
		default: break;
		}
	}
}

static void emit_selector(struct buf *b, const struct hook_plan *hp, int si)
{
	const struct selector *s = &hp->h->selectors[si];
	buf_printf(b, "\t/* selector %d (line %d) */\n\tif (!sel) do {\n", si + 1, s->pos.line);
	struct buf m = {0};
	emit_selector_actions(&m, s, si);
	emit_fd_actions(&m, hp, s, false);
	emit_entry_checks(b, hp, si, m.s);
	buf_free(&m);
	buf_puts(b, "\t} while (0);\n");
}

/* matchReturnArgs on the return value, typed by returnArg (default int). */
static void emit_return_checks(struct buf *b, const struct hook *h, const struct selector *s)
{
	enum arg_type t = h->has_return_arg && arg_type_is_int(h->return_arg.type) ? h->return_arg.type : AT_INT64;
	const char *ct = int_ctype(t);
	for (int m = 0; m < s->nmatch_return_args; m++) {
		const struct match_arg *ma = &s->match_return_args[m];
		buf_printf(b, "\t\t/* matchReturnArgs %s (line %d) */\n", op_name(ma->op), ma->pos.line);
		buf_printf(b, "\t\tif (%s(", ma->op == OP_NOTEQUAL ? "" : "!");
		for (int v = 0; v < ma->nvalues; v++) {
			long long x = 0;
			parse_integer_text(ma->values[v].s, &x);
			const char *cop = ma->op == OP_GT ? ">" : ma->op == OP_LT ? "<" : "==";
			if (v)
				buf_puts(b, " || ");
			if (ma->op == OP_MASK)
				buf_printf(b, "((%s)ret & (%s)0x%llxULL) != 0", ct, ct, (unsigned long long)x);
			else
				buf_printf(b, "(%s)ret %s (%s)0x%llxULL", ct, cop, ct, (unsigned long long)x);
		}
		if (!ma->nvalues)
			buf_puts(b, "0");
		buf_puts(b, "))\n\t\t\tbreak;\n");
	}
}

/* "f<i>": the flags of a resolved path */
static const char *xfmt_flags(int i)
{
	static char s[16];
	snprintf(s, sizeof(s), "f%d", i);
	return s;
}

/* "(__u64)(__s32)a[i]": an fd's number, for its record's value */
static const char *xfmt_arg(int i)
{
	static char s[48];
	snprintf(s, sizeof(s), "(__u64)(__s64)(__s32)a[%d]", i);
	return s;
}

static void emit_output_arg(struct buf *b, const struct hook_plan *hp, const struct arg *a, bool at_return)
{
	const char *user = hp->user_mem ? "true" : "false";
	const struct hook *h = hp->h;
	bool in_record = false;
	if (h->kind == HOOK_TRACEPOINT && a->index < h->nfields) {
		const struct tp_field *f = &h->fields[a->index];
		in_record = f->data_loc || (strchr(f->ctype, '[') != NULL);
	}
	if (in_record)
		user = "false";
	const struct str_plan *sp = plan_of(hp, a->index);
	if (sp && sp->is_path) {
		emit_resolve(b, hp, a, sp, "\t");
		buf_printf(b, "\toff = tpc_put_kbytes(sc, off, (const char *)w%d, n%d - 1, f%d, %s);\n", a->index, a->index,
			   a->index, a->type == AT_FD ? xfmt_arg(a->index) : "0");
		return;
	}
	switch (a->type) {
	case AT_CHAR_IOVEC:
		buf_printf(b, "\toff = tpc_put_iovec(sc, off, a[%d], a[%d], %s);\n", a->index,
			   a->size_arg_index ? a->size_arg_index - 1 : a->index, user);
		break;
	case AT_STRING: buf_printf(b, "\toff = tpc_put_str(sc, off, a[%d], %s);\n", a->index, user); break;
	case AT_CHAR_BUF:
		if (a->size_arg_index && a->return_copy && at_return)
			/* returnCopy: the call filled ret bytes (sys_read) */
			buf_printf(b,
				   "\toff = tpc_put_buf(sc, off, a[%d], ret >= 0 && (__u64)ret < a[%d] ? (__u64)ret : a[%d], %s);\n",
				   a->index, a->size_arg_index - 1, a->size_arg_index - 1, user);
		else if (a->size_arg_index)
			buf_printf(b, "\toff = tpc_put_buf(sc, off, a[%d], a[%d], %s);\n", a->index, a->size_arg_index - 1,
				   user);
		else
			buf_printf(b, "\toff = tpc_put_buf(sc, off, a[%d], %d, %s);\n", a->index, TPC_BUF_MAX, user);
		break;
	default:
		buf_printf(b, "\toff = tpc_put_int(sc, off, (__u64)(__s64)(%s)a[%d]);\n", int_ctype(a->type), a->index);
		break;
	}
}

static void emit_hook_comment(struct buf *b, const struct hook_plan *hp, const char *what)
{
	const struct hook *h = hp->h;
	buf_printf(b, "\n// hook %d: %s ", hp->id, what);
	if (h->kind == HOOK_KPROBE) {
		buf_puts(b, "kprobe ");
		comment_text(b, h->call);
	} else {
		buf_puts(b, "tracepoint ");
		comment_text(b, h->subsystem);
		buf_puts(b, "/");
		comment_text(b, h->event);
	}
	buf_printf(b, " (line %d)\n", h->pos.line);
}

static void emit_slot_locals(struct buf *b, const struct hook_plan *hp);

/* Locals every hook body starts with: who is calling, the config, the
 * lazily read check buffers and process values. */
static void emit_prologue(struct buf *b, const struct hook_plan *hp)
{
	/* only what the checks need before a selector matches: the miss
	 * path is every call that is not reported */
	if (hp->need_pid)
		buf_puts(b, "\t__u32 pid = bpf_get_current_pid_tgid() >> 32;\n");
	if (hp->need_cfg)
		buf_puts(b, "\tstruct tpc_config *cfg = tpc_cfg();\n");
	buf_puts(b, "\t__u16 sel = 0;\n\t__u32 act = 0;\n\tint sig = 0;\n"
		    "\tlong override_err = 0;\n\t__u64 rate_ns = 0;\n\tint rate_scope = 0;\n");
	emit_slot_locals(b, hp);
	emit_process_locals(b, hp);
}

/* Check buffers and lazy-read state of the args that have them. */
static void emit_slot_locals(struct buf *b, const struct hook_plan *hp)
{
	bool any_slot = false;
	for (int i = 0; i < hp->nstrs; i++)
		any_slot |= hp->strs[i].slot >= 0;
	if (any_slot)
		buf_puts(b, "\tstruct tpc_slots *chk = tpc_slots();\n\tif (!chk)\n\t\treturn 0;\n");
	for (int i = 0; i < hp->nstrs; i++) {
		const struct str_plan *sp = &hp->strs[i];
		if (sp->slot >= 0)
			buf_printf(b, "\t__u64 *w%d = (__u64 *)chk->str[%d];\n", sp->index, sp->slot);
		else
			buf_printf(b, "\t__u64 w%d[%d];\n", sp->index, sp->size / 8);
		buf_printf(b, "\tlong n%d = TPC_UNREAD;\n", sp->index);
		if (sp->is_path)
			buf_printf(b, "\t__u32 f%d = 0;\n", sp->index);
	}
}

static bool hook_has_override(const struct hook *h)
{
	for (int i = 0; i < h->nselectors; i++)
		for (int k = 0; k < h->selectors[i].nactions; k++)
			if (h->selectors[i].actions[k].kind == ACT_OVERRIDE)
				return true;
	return false;
}

/* Actions, then the event: header, then each declared arg. */
static void emit_post(struct buf *b, const struct hook_plan *hp, bool with_ret)
{
	const struct hook *h = hp->h;
	/* tp-load's own calls are never acted on or reported; checked only
	 * once a selector matched, off the miss path */
	buf_puts(b, "\tif (tpc_is_loader())\n\t\treturn 0;\n");
	buf_puts(b, "\tif (act & TPC_ACT_SIGKILL)\n\t\tbpf_send_signal(9);\n");
	buf_puts(b, "\tif (act & TPC_ACT_SIGNAL)\n\t\tbpf_send_signal(sig);\n");
	if (hook_has_override(h) && !with_ret)
		/* origin is a constant after inlining: the twin, which cannot
		 * override (tp-load refuses to attach it), has no such call */
		buf_puts(b, "\tif ((act & TPC_ACT_OVERRIDE) && origin == TPC_ORIGIN_KPROBE)\n"
			    "\t\tbpf_override_return(ctx, override_err);\n");
	buf_puts(b, "\tif (act & TPC_ACT_NOPOST)\n\t\treturn 0;\n");
	buf_puts(b, "\tstruct tpc_scratch *sc = tpc_scratch();\n\tif (!sc)\n\t\treturn 0;\n");
	buf_printf(b, "\t__u32 off = tpc_event_begin(sc, %d, sel, act, %d, origin);\n", hp->id, h->nargs);
	buf_puts(b, "\t__u32 args_at = off;\n");
	if (with_ret)
		buf_puts(b, "\t((struct tpc_event *)sc->ev)->retval = ret;\n");
	for (int i = 0; i < h->nargs; i++)
		emit_output_arg(b, hp, &h->args[i], with_ret);
	buf_printf(b, "\tif (rate_ns && tpc_rate_limited(sc, args_at, off, %d, sel, rate_scope, rate_ns))\n\t\treturn 0;\n",
		   hp->id);
	buf_puts(b, "\ttpc_event_submit(sc, off);\n\treturn 0;\n");
}

static void emit_body(struct buf *b, const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	buf_printf(b, "#define TPC_H%d_NA %d\n", hp->id, hp->na);
	emit_hook_comment(b, hp, "the checks and actions of");
	buf_printf(b, "static __always_inline int tpc_h%d(void *ctx, __u64 *a, __u16 origin)\n{\n", hp->id);
	emit_prologue(b, hp);
	if (h->nselectors == 0) {
		buf_puts(b, "\t/* no selectors: every call is reported */\n\tact = TPC_ACT_POST;\n");
	} else {
		for (int s = 0; s < h->nselectors; s++)
			emit_selector(b, hp, s);
		buf_puts(b, "\tif (!sel)\n\t\treturn 0;\n");
	}
	emit_post(b, hp, false);
	buf_puts(b, "}\n\n");
}

/* A hook that reports at return: the entry half runs each selector's entry
 * checks and, when any passed, stashes the raw args and the mask of
 * passing selectors for this thread; the return half takes them back, runs
 * the return checks of those selectors in order, and posts. */
static void emit_return_body(struct buf *b, const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	buf_printf(b, "#define TPC_H%d_NA %d\n", hp->id, hp->na);
	emit_hook_comment(b, hp, "entry checks of");
	buf_printf(b, "static __always_inline int tpc_h%d_entry(void *ctx, __u64 *a, __u16 origin)\n{\n", hp->id);
	emit_prologue(b, hp);
	buf_puts(b, "\t__u64 mask = 0;\n");
	if (h->nselectors == 0) {
		buf_puts(b, "\tmask = 1;\n");
	} else {
		for (int si = 0; si < h->nselectors; si++) {
			buf_printf(b, "\t/* selector %d (line %d) */\n\tdo {\n", si + 1, h->selectors[si].pos.line);
			char matched[64];
			snprintf(matched, sizeof(matched), "\t\tmask |= 1ULL << %d;\n", si);
			emit_entry_checks(b, hp, si, matched);
			buf_puts(b, "\t} while (0);\n");
		}
	}
	buf_printf(b, "\tif (mask)\n\t\ttpc_stash_put(%d, a, TPC_H%d_NA, mask);\n\treturn 0;\n}\n", hp->id, hp->id);

	emit_hook_comment(b, hp, "return checks and actions of");
	buf_printf(b, "static __always_inline int tpc_h%d_return(void *ctx, __s64 ret, __u16 origin)\n{\n", hp->id);
	buf_printf(b, "\t__u64 a[TPC_H%d_NA];\n\t__u64 mask = tpc_stash_take(%d, a, TPC_H%d_NA);\n", hp->id, hp->id, hp->id);
	buf_puts(b, "\tif (!mask)\n\t\treturn 0;\n\t__u16 sel = 0;\n\t__u32 act = 0;\n\tint sig = 0;\n"
		    "\tlong override_err = 0;\n\t__u64 rate_ns = 0;\n\tint rate_scope = 0;\n");
	emit_slot_locals(b, hp);
	if (h->nselectors == 0) {
		buf_puts(b, "\tact = TPC_ACT_POST;\n");
	} else {
		for (int si = 0; si < h->nselectors; si++) {
			const struct selector *s = &h->selectors[si];
			buf_printf(b, "\t/* selector %d (line %d) */\n\tif (!sel && (mask & (1ULL << %d))) do {\n", si + 1,
				   s->pos.line, si);
			emit_return_checks(b, h, s);
			emit_selector_actions(b, s, si);
			emit_fd_actions(b, hp, s, true);
			buf_puts(b, "\t} while (0);\n");
		}
		buf_puts(b, "\tif (!sel)\n\t\treturn 0;\n");
	}
	emit_post(b, hp, true);
	buf_puts(b, "}\n\n");
}

/* Which raw values a hook's entry must gather: declared args and the size
 * args of char_bufs. */
static bool slot_needed(const struct hook *h, int i)
{
	for (int k = 0; k < h->nargs; k++)
		if (h->args[k].index == i || h->args[k].size_arg_index - 1 == i)
			return true;
	return false;
}

static void fill_syscall_regs(struct buf *b, const struct hook *h, const char *arch)
{
	static const char *const x86[] = {"di", "si", "dx", "r10", "r8", "r9"};
	for (int i = 0; i < 6; i++) {
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

static void fill_function_regs(struct buf *b, const struct hook *h)
{
	for (int i = 0; i < 5; i++)
		if (slot_needed(h, i))
			buf_printf(b, "\ta[%d] = PT_REGS_PARM%d(ctx);\n", i, i + 1);
}

static void fill_twin(struct buf *b, const struct hook *h)
{
	for (int i = 0; i < 6; i++)
		if (slot_needed(h, i))
			buf_printf(b, "\ta[%d] = ctx->args[%d];\n", i, i);
}

static void fill_tracepoint(struct buf *b, const struct hook *h)
{
	for (int i = 0; i < h->nfields; i++) {
		if (!slot_needed(h, i))
			continue;
		const struct tp_field *f = &h->fields[i];
		buf_printf(b, "\t/* field %d: %s %s, offset %d, size %d */\n", i, f->ctype, f->name, f->offset, f->size);
		if (f->data_loc) {
			buf_printf(b, "\ta[%d] = (__u64)ctx + (*(__u32 *)((char *)ctx + %d) & 0xffff);\n", i, f->offset);
		} else if (strchr(f->ctype, '[')) {
			buf_printf(b, "\ta[%d] = (__u64)ctx + %d;\n", i, f->offset);
		} else {
			const char *t = f->size == 1 ? "8" : f->size == 2 ? "16" : f->size == 4 ? "32" : "64";
			buf_printf(b, "\ta[%d] = (__u64)(%s)*(__%c%s *)((char *)ctx + %d);\n", i,
				   f->is_signed ? "__s64" : "__u64", f->is_signed ? 's' : 'u', t, f->offset);
		}
	}
}

static char *kernel_symbol(const struct hook *h, const char *arch)
{
	if (!h->syscall)
		return xstrdup(h->call);
	return xasprintf("%s_sys_%s", !strcmp(arch, "arm64") ? "__arm64" : "__x64", syscall_name(h->call));
}

char *emit_policy_c(struct policy *p, const struct emit_opts *o)
{
	const char *arch = o && o->arch ? o->arch : "x86";
	struct buf b = {0};
	assign_follow_bits(p);
	char *manifest = manifest_build(p);
	struct buf lit = {0};
	buf_puts(&lit, "\t");
	c_string(&lit, manifest, strlen(manifest));
	struct buf pname = {0};
	comment_text(&pname, p->name ? p->name : "");
	const char *kv[] = {"VERSION", TPC_VERSION, "POLICY", pname.s ? pname.s : "", "ARCH", arch, "MANIFEST", lit.s,
			    NULL};
	tmpl_fill(&b, "prologue.c.tmpl", kv);
	buf_free(&lit);
	buf_free(&pname);
	free(manifest);
	buf_puts(&b, "#define TPC_UNREAD (-1000)\n\n");

	for (int i = 0; i < p->nhooks; i++) {
		const struct hook *h = &p->hooks[i];
		struct hook_plan hp;
		bool at_return = hook_reports_at_return(h);
		plan_hook(&hp, h, i);
		if (at_return)
			emit_return_body(&b, &hp);
		else
			emit_body(&b, &hp);
		char id[16];
		snprintf(id, sizeof(id), "%d", i);
		const char *suffix = at_return ? "_entry" : "";
		struct buf fill = {0};
		if (h->kind == HOOK_KPROBE) {
			char *sym = kernel_symbol(h, arch);
			if (h->syscall)
				fill_syscall_regs(&fill, h, arch);
			else
				fill_function_regs(&fill, h);
			const char *kv2[] = {"HOOK", id, "SYMBOL", sym, "FILL", fill.s ? fill.s : "", "SUFFIX", suffix, NULL};
			tmpl_fill(&b, h->syscall ? "kprobe_syscall.c.tmpl" : "kprobe.c.tmpl", kv2);
			buf_free(&fill);
			char *sc = h->syscall ? xstrdup(syscall_name(h->call)) : NULL;
			if (h->syscall) {
				char *ev = xasprintf("sys_enter_%s", sc);
				fill_twin(&fill, h);
				const char *kv3[] = {"HOOK", id, "EVENT", ev, "FILL", fill.s ? fill.s : "", "SUFFIX", suffix, NULL};
				tmpl_fill(&b, "twin.c.tmpl", kv3);
				free(ev);
			}
			if (at_return) {
				const char *kv5[] = {"HOOK", id, "SYMBOL", sym, NULL};
				tmpl_fill(&b, "kretprobe.c.tmpl", kv5);
				if (h->syscall) {
					char *ev = xasprintf("sys_exit_%s", sc);
					const char *kv6[] = {"HOOK", id, "EVENT", ev, NULL};
					tmpl_fill(&b, "twin_return.c.tmpl", kv6);
					free(ev);
				}
			}
			free(sc);
			free(sym);
		} else {
			fill_tracepoint(&fill, h);
			const char *kv4[] = {"HOOK",  id, "SUBSYS", h->subsystem, "EVENT", h->event, "FILL", fill.s ? fill.s : "",
					     NULL};
			tmpl_fill(&b, "tracepoint.c.tmpl", kv4);
		}
		buf_free(&fill);
	}
	emit_fork_follow(&b, p);
	buf_puts(&b, "#include \"tpc_procs.bpf.h\"\n");
	return b.s;
}
