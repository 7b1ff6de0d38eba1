/* emit_args.c: the declared args in generated code: their lazy reads, the
 * matchArgs checks on them, and their event records.
 *
 * Names are by slot (the arg's position in the hook's args, data entries
 * after them), since two args may read one parameter. An arg's raw value
 * is a[index]; an arg with a resolve path or a data source has its value
 * computed once, lazily, by its own function (emit_access.c) into v<s>,
 * with e<s> its status (TPC_UNREAD until computed, then 0, or the depth of
 * the failed dereference + 1: a filter on it fails, its record says so).
 * Each byte-valued arg is read at most once per event, into w<s> (n<s>
 * holds the length read, TPC_UNREAD until then), and only as far as its
 * checks need (plan.c). The event record of an arg that a check read is
 * made from those same bytes, then the rest of the value if the check
 * read only its beginning: what is reported is what was compared. */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

void c_int_const(struct buf *b, enum arg_type t, long long x)
{
	const char *ct = arg_types[t].ctype ? arg_types[t].ctype : "__u64";
	if (x == INT64_MIN)
		buf_printf(b, "(%s)(-9223372036854775807LL - 1)", ct);
	else if (x < 0)
		buf_printf(b, "(%s)%lldLL", ct, x);
	else
		buf_printf(b, "(%s)%lluULL", ct, (unsigned long long)x);
}

static const char *bool_c(bool v)
{
	return v ? "true" : "false";
}

/* The index of a char_buf's size arg, or -1. */
static int size_index(const struct arg *a)
{
	return a->size_arg_index ? a->size_arg_index - 1 : -1;
}

/* The C expression of an arg's value: a[index], or v<slot>; the
 * returnArg's is the value returned. */
static void value_expr(char *out, size_t len, const struct hook_plan *hp, const struct arg *a)
{
	if (a == &hp->h->return_arg)
		snprintf(out, len, "(__u64)ret");
	else if (arg_has_value_fn(hp->h, a))
		snprintf(out, len, "v%d", a->slot);
	else
		snprintf(out, len, "a[%d]", a->index);
}

/* The C expression of a char_buf's size: its size arg, the return value
 * for a returnCopy at return, or TPC_BUF_MAX bytes without a size arg. */
static void buf_size_expr(char *size, size_t len, const struct arg *a, bool at_return)
{
	if (size_index(a) >= 0 && a->return_copy && at_return) /* returnCopy: the call filled ret bytes */
		snprintf(size, len, "ret >= 0 && (__u64)ret < a[%d] ? (__u64)ret : a[%d]", size_index(a), size_index(a));
	else if (size_index(a) >= 0)
		snprintf(size, len, "a[%d]", size_index(a));
	else
		snprintf(size, len, "%d", TPC_BUF_MAX);
}

/* A pre-loaded arg of a sleepable hook: copied whole into its per-thread
 * buffer (tpc_preload.bpf.h), faulting its pages in. */
static void emit_preload(struct buf *b, const struct hook_plan *hp, const struct arg *a, const struct str_plan *sp, const char *indent,
			 bool at_return)
{
	int i = a->slot;
	char v[32];
	value_expr(v, sizeof(v), hp, a);
	/* the buffers are this thread's, made on first use: a call that no
	 * check reads a string of costs no lookup and no memory */
	buf_printf(b,
		   "%sif (n%d == TPC_UNREAD) {\n"
		   "%s\tif (!pre && !(pre = tpc_preload()))\n%s\t\treturn 0;\n"
		   "%s\tw%d = (__u64 *)pre->str[%d];\n"
		   "%s\tn%d = ",
		   indent, i, indent, indent, indent, i, sp->pslot, indent, i);
	if (sp->is_buf) {
		char size[96];
		buf_size_expr(size, sizeof(size), a, at_return);
		buf_printf(b, "tpc_preload_buf(w%d, %s, %s);\n", i, v, size);
	} else {
		buf_printf(b, "tpc_preload_str(w%d, %s);\n", i, v);
	}
	buf_printf(b, "%s}\n", indent);
}

void emit_preloads(struct buf *b, const struct hook_plan *hp, bool at_return)
{
	for (int k = 0; k < hp->h->nargs; k++) {
		const struct str_plan *sp = plan_str(hp, hp->h->args[k].slot);
		if (sp && sp->preload)
			emit_preload(b, hp, &hp->h->args[k], sp, "\t", at_return);
	}
}

void emit_value_c(struct buf *b, const struct hook_plan *hp, const struct arg *a)
{
	char v[32];
	value_expr(v, sizeof(v), hp, a);
	buf_puts(b, v);
}

void emit_value_eval(struct buf *b, const struct hook_plan *hp, const struct arg *a, const char *indent)
{
	if (arg_has_value_fn(hp->h, a))
		buf_printf(b, "%sif (e%d == TPC_UNREAD)\n%s\te%d = tpc_h%d_v%d(ctx, a, &v%d);\n", indent, a->slot, indent,
			   a->slot, hp->id, a->slot, a->slot);
}

void emit_resolve(struct buf *b, const struct hook_plan *hp, const struct arg *a, const struct str_plan *sp,
		  const char *indent)
{
	int i = a->slot;
	char v[32];
	value_expr(v, sizeof(v), hp, a);
	if (sp->preload) {
		emit_preload(b, hp, a, sp, indent, false);
		return;
	}
	if (sp->is_path) {
		const char *fn = arg_types[a->type].reader;
		buf_printf(b,
			   "%sif (n%d == TPC_UNREAD) {\n"
			   "%s\tstruct tpc_pathres r = tpc_path_of_%s(%s, (char *)w%d);\n"
			   "%s\tn%d = r.len < 0 ? -1 : r.len + 1;\n"
			   "%s\tf%d = r.flags;\n"
			   "%s}\n",
			   indent, i, indent, fn, v, i, indent, i, indent, i, indent);
		return;
	}
	bool user = arg_user_memory(hp, a);
	buf_printf(b, "%sif (n%d == TPC_UNREAD)\n%s\tn%d = ", indent, i, indent, i);
	if (sp->is_buf && size_index(a) >= 0)
		buf_printf(b, "tpc_read_buf(w%d, %d, %s, a[%d], %s);\n", i, sp->size, v, size_index(a), bool_c(user));
	else if (sp->is_buf)
		buf_printf(b, "tpc_read_buf(w%d, %d, %s, %d, %s);\n", i, sp->size, v, TPC_BUF_MAX, bool_c(user));
	else if (sockaddr_len_index(hp->h, a) >= 0) /* an abstract name ends at the call's length */
		buf_printf(b, "tpc_read_unpath(w%d, %d, %s, a[%d], a[%d], %s);\n", i, sp->size, v, a->index,
			   sockaddr_len_index(hp->h, a), bool_c(user));
	else
		buf_printf(b, "tpc_read_str(w%d, %d, %s, %s);\n", i, sp->size, v, bool_c(user));
}

/* SubString/SubStringIgnCase: one bpf_loop step function per value,
 * named after its place in the hook (selector, filter, value). */
static void substr_name(char *out, size_t len, const struct hook_plan *hp, const struct match_arg *ma, int v)
{
	const struct hook *h = hp->h;
	for (int s = 0; s < h->nselectors; s++) {
		const struct selector *sel = &h->selectors[s];
		if (ma >= sel->match_args && ma < sel->match_args + sel->nmatch_args) {
			snprintf(out, len, "tpc_h%d_sub_s%d_m%d_v%d", hp->id, s, (int)(ma - sel->match_args), v);
			return;
		}
	}
	snprintf(out, len, "tpc_h%d_sub_unknown", hp->id);
}

void emit_substr_fns(struct buf *b, const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	for (int s = 0; s < h->nselectors; s++) {
		const struct selector *sel = &h->selectors[s];
		for (int m = 0; m < sel->nmatch_args; m++) {
			const struct match_arg *ma = &sel->match_args[m];
			if (ma->op != OP_SUBSTRING && ma->op != OP_SUBSTRING_IGN)
				continue;
			bool ign = ma->op == OP_SUBSTRING_IGN;
			for (int v = 0; v < ma->nvalues; v++) {
				const struct value *val = &ma->values[v];
				char name[96];
				substr_name(name, sizeof(name), hp, ma, v);
				buf_printf(b, "\n// %s ", op_name(ma->op));
				comment_value(b, val);
				buf_printf(b, " (line %d): is it at position i?\n", val->pos.line);
				buf_printf(b,
					   "static long %s(__u32 i, void *ctx)\n{\n\tstruct tpc_substr *st = ctx;\n\n"
					   "\tif ((long)i > st->n - %zu)\n\t\treturn 1; /* no room left: not found */\n\tif (",
					   name, val->len);
				for (size_t k = 0; k < val->len; k++) {
					unsigned char ch = (unsigned char)val->s[k];
					bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
					if (k)
						buf_puts(b, k % 4 ? " && " : " &&\n\t    ");
					if (ign && letter) { /* only the two cases of a letter give it with bit 5 set */
						buf_printf(b, "(TPC_SUB_BYTE(st, i, %zu) | 0x20) == ", k);
						c_byte(b, (unsigned char)(ch | 0x20));
					} else {
						buf_printf(b, "TPC_SUB_BYTE(st, i, %zu) == ", k);
						c_byte(b, ch);
					}
				}
				buf_puts(b, ") {\n\t\tst->found = 1;\n\t\treturn 1;\n\t}\n\treturn 0;\n}\n");
			}
		}
	}
}

/* Equal/NotEqual values grouped by length: one length compare selects a
 * group, then each value of that length is word compares. */
static void cond_equal(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma, const char *w,
		       const char *lenexpr, bool is_buf)
{
	bool first = true;
	bool *done = xcalloc((size_t)ma->nvalues, sizeof(bool));
	for (int v = 0; v < ma->nvalues; v++) {
		if (done[v])
			continue;
		size_t len = ma->values[v].len;
		buf_printf(b, "%s(%s == %zu && (", first ? "" : " ||\n\t\t    ", lenexpr, is_buf ? len : len + 1);
		first = false;
		const struct valueset *vs = plan_valueset(hp, ma, len);
		if (vs) { /* many values of this length: one hashed lookup */
			for (int u = v; u < ma->nvalues; u++)
				done[u] |= ma->values[u].len == len;
			cond_in_set(b, hp, vs, w);
			buf_printf(b, " /* %d values */))", vs->n);
			continue;
		}
		bool f2 = true;
		for (int u = v; u < ma->nvalues; u++) {
			if (done[u] || ma->values[u].len != len)
				continue;
			done[u] = true;
			if (!f2)
				buf_puts(b, " ||\n\t\t      ");
			f2 = false;
			cond_words_prefix(b, w, &ma->values[u]);
		}
		buf_puts(b, "))");
	}
	free(done);
}

/* Prefix values: those of a length with a set (plan.c) are one hashed
 * lookup of the string's first bytes, the rest word compares. A string's
 * NUL, within the first bytes of any longer string's, matches no value;
 * a buffer's bytes are counted by its size argument. */
static void cond_prefix(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma, const char *w,
			const char *lenexpr, bool is_buf)
{
	bool first = true;
	bool *done = xcalloc((size_t)ma->nvalues, sizeof(bool));
	for (int v = 0; v < ma->nvalues; v++) {
		if (done[v])
			continue;
		const struct value *val = &ma->values[v];
		const struct valueset *vs = prefix_in_set(val) ? plan_valueset(hp, ma, val->len) : NULL;
		if (!first)
			buf_puts(b, " ||\n\t\t    ");
		first = false;
		if (is_buf)
			buf_printf(b, "(%s >= %zu && ", lenexpr, val->len);
		if (vs) {
			for (int u = v; u < ma->nvalues; u++)
				done[u] |= ma->values[u].len == val->len && prefix_in_set(&ma->values[u]);
			cond_in_set(b, hp, vs, w);
			buf_printf(b, " /* %d prefixes of %zu bytes */", vs->n, vs->len);
		} else {
			cond_words_prefix(b, w, val);
		}
		if (is_buf)
			buf_puts(b, ")");
	}
	free(done);
}

static void emit_string_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma,
			      const struct arg *a, const struct str_plan *sp)
{
	int i = a->slot;
	char w[32], n[32], at_end[48], len[32], szexpr[32];
	snprintf(w, sizeof(w), "w%d", i);
	snprintf(n, sizeof(n), "n%d", i);
	snprintf(at_end, sizeof(at_end), "TPC_END_BYTE(w%d, n%d", i, i);
	snprintf(len, sizeof(len), "n%d - 1", i);
	emit_resolve(b, hp, a, sp, "\t\t");
	/* the byte count a value of length L must show: strings count the
	 * NUL, buffers are compared by their size argument */
	const char *lenexpr = n;
	if (sp->is_buf && size_index(a) >= 0) {
		snprintf(szexpr, sizeof(szexpr), "a[%d]", size_index(a));
		lenexpr = szexpr;
	}
	if (hp->late && !sp->is_path) /* a fault here is retried at the syscall's exit */
		buf_printf(b, "\t\tif (n%d < 0) {\n\t\t\tfaulted = true;\n\t\t\tbreak;\n\t\t}\n\t\tif (%s(", i,
			   ops[ma->op].negated ? "" : "!");
	else
		buf_printf(b, "\t\tif (n%d < 0 || %s(", i, ops[ma->op].negated ? "" : "!");
	switch (ops[ma->op].positive) {
	case OP_EQUAL: cond_equal(b, hp, ma, w, lenexpr, sp->is_buf); break;
	case OP_PREFIX: cond_prefix(b, hp, ma, w, lenexpr, sp->is_buf); break;
	case OP_POSTFIX:
		for (int v = 0; v < ma->nvalues; v++) {
			if (v)
				buf_puts(b, " ||\n\t\t    ");
			cond_postfix(b, at_end, len, &ma->values[v], "\t\t");
		}
		break;
	case OP_SUBSTRING:
	case OP_SUBSTRING_IGN:
		/* the bytes searched: a string's without its NUL, a buffer's
		 * as read (at most its check buffer) */
		for (int v = 0; v < ma->nvalues; v++) {
			char fn[96];
			substr_name(fn, sizeof(fn), hp, ma, v);
			if (v)
				buf_puts(b, " ||\n\t\t    ");
			buf_printf(b, "({ struct tpc_substr st_ = {w%d, %s, 0}; bpf_loop(TPC_STR_MAX, %s, &st_, 0); st_.found; })",
				   i, sp->is_buf ? n : len, fn);
		}
		break;
	case OP_UNKNOWN:
	case OP_NOTEQUAL:
	case OP_NOTPREFIX:
	case OP_NOTPOSTFIX:
	case OP_GT:
	case OP_LT:
	case OP_MASK:
	case OP_IN:
	case OP_NOTIN:
	OP_NET_CASES:
	case OP_INRANGE:
	case OP_NOTINRANGE:
	case OP_INMAP:
	case OP_NOTINMAP:
	case OP_FILETYPE:
	case OP_NOTFILETYPE:
	case OP_CELEXPR:
	case OP_CAPS_GAINED:
	case OP_OTHER:
	case OP_COUNT: buf_puts(b, "0"); break;
	}
	buf_puts(b, "))\n\t\t\tbreak;\n");
}

static void emit_int_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma, const struct arg *a)
{
	const char *ct = arg_types[a->type].ctype;
	struct buf c = {0};
	char val[32];
	value_expr(val, sizeof(val), hp, a);
	const struct valueset *vs = plan_valueset(hp, ma, 8);
	bool first = true;
	if (vs) { /* the numbers (InMap: not its ranges) */
		char key[64];
		snprintf(key, sizeof(key), "(__u64)(__s64)(%s)%s", ct, val);
		cond_in_set(&c, hp, vs, key);
		buf_printf(&c, " /* %d values */", vs->n);
		first = false;
	}
	for (int v = 0; v < ma->nvalues; v++) {
		long long x = 0;
		bool map_range = value_is_map_range(ma, &ma->values[v]);
		if (vs && !map_range)
			continue;
		value_as_int(a, &ma->values[v], &x);
		if (!first)
			buf_puts(&c, " || ");
		first = false;
		if (map_range) { /* inclusive; reversed bounds swapped (as Tetragon expands them) */
			long long lo = 0, hi = 0;
			value_range(&ma->values[v], &lo, &hi);
			if (arg_types[a->type].is_signed ? lo > hi : (unsigned long long)lo > (unsigned long long)hi) {
				long long t = lo;
				lo = hi;
				hi = t;
			}
			buf_printf(&c, "((%s)%s >= ", ct, val);
			c_int_const(&c, a->type, lo);
			buf_printf(&c, " && (%s)%s <= ", ct, val);
			c_int_const(&c, a->type, hi);
			buf_puts(&c, ")");
			continue;
		}
		if (ma->op == OP_MASK) {
			buf_printf(&c, "((%s)%s & (%s)0x%llxULL) != 0", ct, val, ct, (unsigned long long)x);
			continue;
		}
		if (ops[ma->op].positive == OP_INRANGE) { /* inclusive, in the arg's type and sign */
			long long lo = 0, hi = 0;
			value_range(&ma->values[v], &lo, &hi);
			buf_printf(&c, "((%s)%s >= ", ct, val);
			c_int_const(&c, a->type, lo);
			buf_printf(&c, " && (%s)%s <= ", ct, val);
			c_int_const(&c, a->type, hi);
			buf_puts(&c, ")");
			continue;
		}
		const char *cop = ma->op == OP_GT ? ">" : ma->op == OP_LT ? "<" : "==";
		buf_printf(&c, "(%s)%s %s ", ct, val, cop);
		c_int_const(&c, a->type, x);
	}
	if (first)
		buf_puts(&c, "0");
	emit_break_if(b, ops[ma->op].negated, c.s);
	buf_free(&c);
}


/* ---- network args ---- */

/* An arg some network operator of the hook compares: its tuple is read
 * once, by the first such check, into k<slot> (kr<slot> its status:
 * TPC_UNREAD, 0, or -1 when it could not be read), and its record is
 * made from that same tuple. */
static bool net_filtered(const struct hook_plan *hp, const struct arg *a)
{
	const struct hook *h = hp->h;
	if (!arg_type_is_net(a->type) && a->type != AT_SOCKADDR_UN)
		return false;
	for (int s = 0; s < h->nselectors; s++)
		for (int m = 0; m < h->selectors[s].nmatch_args; m++) {
			const struct match_arg *ma = &h->selectors[s].match_args[m];
			if (ops[ma->op].net && match_target(h, ma) == a)
				return true;
		}
	return false;
}

/* The number in the names of an arg's tuple (k<n>, kr<n>): its slot; the
 * returned sock's is the one past the last slot. */
static int net_id(const struct hook_plan *hp, const struct arg *a)
{
	return a == &hp->h->return_arg ? hp->h->nargs : a->slot;
}

/* A network operator of some selector's matchReturnArgs compares the
 * returned sock: its tuple is read once, as an arg's is. */
static bool return_net_filtered(const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	if (!h->has_return_arg || !arg_type_is_net(h->return_arg.type))
		return false;
	for (int s = 0; s < h->nselectors; s++)
		for (int m = 0; m < h->selectors[s].nmatch_return_args; m++)
			if (ops[h->selectors[s].match_return_args[m].op].net)
				return true;
	return false;
}

static void net_read_call(struct buf *b, const struct hook_plan *hp, const struct arg *a)
{
	char v[32];
	value_expr(v, sizeof(v), hp, a);
	if (a->type == AT_SOCKADDR_UN) /* Family: the sockaddr itself, not the path it loads */
		snprintf(v, sizeof(v), "a[%d]", a->index);
	buf_printf(b, "tpc_net_%s(&k%d, %s", a->type == AT_SOCKADDR_UN ? "sockaddr" : arg_types[a->type].reader,
		   net_id(hp, a), v);
	if (a->type == AT_SOCKADDR || a->type == AT_SOCKADDR_UN)
		buf_printf(b, ", %s", bool_c(arg_user_memory(hp, a)));
	buf_puts(b, ")");
}

/* value in [lo, hi] */
static void cond_range(struct buf *c, const char *field, const struct net_value *nv, const char *text)
{
	if (nv->lo == nv->hi)
		buf_printf(c, "%s == %lld", field, nv->lo);
	else
		buf_printf(c, "(%s >= %lld && %s <= %lld)", field, nv->lo, field, nv->hi);
	char num[48];
	snprintf(num, sizeof(num), "%lld", nv->lo);
	if (strcmp(text, num)) { /* a name, a range: as the policy wrote it */
		buf_puts(c, " /* \"");
		comment_text(c, text);
		buf_puts(c, "\" */");
	}
}

/* The address in field under nv's prefix: a masked compare per 32-bit
 * word (in host order, so the constants read as the address does). */
static void cond_addr(struct buf *c, const char *field, const struct net_value *nv)
{
	bool any = false;
	buf_puts(c, "(");
	for (int w = 0; w < nv->alen / 4; w++) {
		int bits = nv->prefix - 32 * w;
		if (bits <= 0)
			break;
		if (bits > 32)
			bits = 32;
		unsigned mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
		unsigned word = ((unsigned)nv->addr[4 * w] << 24 | (unsigned)nv->addr[4 * w + 1] << 16 |
				 (unsigned)nv->addr[4 * w + 2] << 8 | nv->addr[4 * w + 3]) & mask;
		if (bits == 32)
			buf_printf(c, "%stpc_net_word(%s, %d) == 0x%08xU", any ? " && " : "", field, w, word);
		else
			buf_printf(c, "%s(tpc_net_word(%s, %d) & 0x%08xU) == 0x%08xU", any ? " && " : "", field, w, mask, word);
		any = true;
	}
	buf_printf(c, "%s)", any ? "" : "1 /* /0 */");
}

static void emit_net_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma, const struct arg *a)
{
	int i = net_id(hp, a);
	char field[48];
	struct buf c = {0};
	buf_printf(b, "\t\tif (kr%d == TPC_UNREAD)\n\t\t\tkr%d = ", i, i);
	net_read_call(b, hp, a);
	if (hp->late && (a->type == AT_SOCKADDR || a->type == AT_SOCKADDR_UN) && arg_user_memory(hp, a))
		/* a sockaddr in a page not present yet: retried at the syscall's exit */
		buf_printf(b, ";\n\t\tif (kr%d) {\n\t\t\tfaulted = true;\n\t\t\tbreak;\n\t\t}\n", i);
	else
		buf_printf(b, ";\n\t\tif (kr%d)\n\t\t\tbreak;\n", i);
	enum op p = ops[ma->op].positive;
	bool dest = net_op_is_dest(ma->op);
	if (net_op_is_addr(ma->op)) {
		snprintf(field, sizeof(field), "k%d.%s", i, dest ? "daddr" : "saddr");
		/* neither IPv4 nor IPv6: no address, every address filter fails */
		buf_printf(b, "\t\tif (k%d.family != TPC_AF_INET && k%d.family != TPC_AF_INET6)\n\t\t\tbreak;\n", i, i);
		for (int fam = 4; fam <= 16; fam += 12) {
			bool first = true;
			const struct addrtable *at = plan_addrtable(hp, ma, fam);
			if (at) { /* every value of the family: one search of their ranges */
				buf_printf(&c, "%sk%d.family == %s && tpc_h%d_at%d_has(%s) /* %d CIDRs, %d ranges */)",
					   c.s && *c.s ? " ||\n\t\t    (" : "(", i, fam == 4 ? "TPC_AF_INET" : "TPC_AF_INET6",
					   hp->id, at->id, field, at->n, at->nranges);
				continue;
			}
			for (int v = 0; v < ma->nvalues; v++) {
				struct net_value nv;
				char why[160];
				if (!net_value_parse(ma->op, ma->values[v].s, &nv, why, sizeof(why)) || nv.alen != fam)
					continue;
				int g = net_v4_group(ma, v);
				const struct valueset *vs = g >= 0 ? plan_valueset(hp, &ma->values[g], 8) : NULL;
				if (g >= 0 && (g != v || !vs))
					continue; /* in its group's set, written at the group's first value */
				buf_printf(&c, "%s", first ? (c.s && *c.s ? " ||\n\t\t    (" : "(") : " || ");
				if (first)
					buf_printf(&c, "k%d.family == %s && (", i, fam == 4 ? "TPC_AF_INET" : "TPC_AF_INET6");
				first = false;
				if (vs) { /* the /prefix addresses of this filter: one lookup */
					unsigned mask = nv.prefix >= 32 ? 0xffffffffu : nv.prefix ? ~(0xffffffffu >> nv.prefix) : 0;
					char key[96];
					snprintf(key, sizeof(key), "(__u64)(tpc_net_word(%s, 0) & 0x%08xU)", field, mask);
					cond_in_set(&c, hp, vs, key);
					buf_printf(&c, " /* %d addresses /%d */", vs->n, nv.prefix);
					continue;
				}
				cond_addr(&c, field, &nv);
				buf_puts(&c, " /* \"");
				comment_text(&c, ma->values[v].s);
				buf_puts(&c, "\" */");
			}
			if (!first)
				buf_puts(&c, "))");
		}
		if (!c.s || !*c.s)
			buf_puts(&c, "0");
	} else if (net_op_is_priv(ma->op)) {
		buf_printf(&c, "k%d.%s < 1024", i, dest ? "dport" : "sport");
	} else {
		const char *f = net_op_is_port(ma->op) ? (dest ? "dport" : "sport")
			      : p == OP_PROTOCOL	? "protocol"
			      : p == OP_FAMILY		? "family"
						: "state";
		snprintf(field, sizeof(field), "k%d.%s", i, f);
		const struct valueset *vs = plan_valueset(hp, ma, 8);
		if (vs) { /* many numbers: one hashed lookup */
			char key[64];
			snprintf(key, sizeof(key), "(__u64)%s", field);
			cond_in_set(&c, hp, vs, key);
			buf_printf(&c, " /* %d values */", vs->n);
		}
		for (int v = 0; v < ma->nvalues && !vs; v++) {
			struct net_value nv;
			char why[160];
			if (!net_value_parse(ma->op, ma->values[v].s, &nv, why, sizeof(why)))
				continue;
			if (c.s && *c.s)
				buf_puts(&c, " || ");
			cond_range(&c, field, &nv, ma->values[v].s);
		}
		if (!c.s || !*c.s)
			buf_puts(&c, "0");
	}
	emit_break_if(b, ops[ma->op].negated, c.s);
	buf_free(&c);
}

/* matchReturnArgs with a network operator: on the returned sock's tuple. */
void emit_return_net_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma)
{
	buf_printf(b, "\t\t/* matchReturnArgs %s on the returned %s (line %d) */\n", op_name(ma->op),
		   hp->h->return_arg.type_name, ma->pos.line);
	emit_net_check(b, hp, ma, &hp->h->return_arg);
}

/* The return half's locals: the returned sock's tuple when a filter reads it. */
void emit_return_locals(struct buf *b, const struct hook_plan *hp)
{
	if (return_net_filtered(hp))
		buf_printf(b, "\tstruct tpc_rec_net k%d; /* the returned sock's */\n\tint kr%d = TPC_UNREAD;\n",
			   hp->h->nargs, hp->h->nargs);
}

/* After the args, the record of a returnArg that is a kernel struct (a
 * returned sock): the tuple its filters compared, or read now. */
void emit_return_record(struct buf *b, const struct hook_plan *hp)
{
	const struct arg *a = &hp->h->return_arg;
	if (!hp->h->has_return_arg || !arg_type_is_net(a->type))
		return;
	int i = hp->h->nargs;
	buf_printf(b, "\t/* returnArg %s: its record follows the args' */\n", a->type_name);
	if (return_net_filtered(hp))
		buf_printf(b, "\toff = kr%d != TPC_UNREAD ? tpc_put_net(sc, off, &k%d, kr%d)\n\t\t\t\t : ", i, i, i);
	else
		buf_puts(b, "\toff = ");
	buf_printf(b, "tpc_put_%s(sc, off, (__u64)ret);\n", arg_types[a->type].reader);
}

void emit_cel_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma)
{
	const struct hook *h = hp->h;
	char exprs[5][32];
	const char *slot_expr[5];
	for (int i = 0; i < 5; i++) {
		snprintf(exprs[i], sizeof(exprs[i]), "0");
		if (i < h->nargs)
			value_expr(exprs[i], sizeof(exprs[i]), hp, &h->args[i]);
		slot_expr[i] = exprs[i];
	}
	struct buf c = {0};
	unsigned used = 0;
	char err[256];
	if (ma->nvalues != 1 || !cel_compile(ma->values[0].s, h, slot_expr, &c, &used, NULL, err, sizeof(err))) {
		buf_free(&c);
		return; /* check reported it */
	}
	buf_printf(b, "\t\t/* matchArgs CelExpr (line %d): ", ma->pos.line);
	comment_text(b, ma->values[0].s);
	buf_puts(b, " */\n");
	for (int i = 0; i < 5 && i < h->nargs; i++) /* a slot that cannot be read fails the selector */
		if ((used >> i & 1) && arg_has_value_fn(h, &h->args[i])) {
			emit_value_eval(b, hp, &h->args[i], "\t\t");
			buf_printf(b, "\t\tif (e%d)\n\t\t\tbreak;\n", h->args[i].slot);
		}
	emit_break_if(b, false, c.s);
	buf_free(&c);
}

void emit_arg_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma, const struct arg *a)
{
	if (ma->args_slot >= 0)
		buf_printf(b, "\t\t/* %s args [%d] %s (line %d) */\n", ma->data ? "matchData" : "matchArgs", ma->args_slot,
			   op_name(ma->op), ma->pos.line);
	else
		buf_printf(b, "\t\t/* %s index %d %s (line %d) */\n", ma->data ? "matchData" : "matchArgs", ma->index,
			   op_name(ma->op), ma->pos.line);
	if (arg_has_value_fn(hp->h, a)) { /* a path that cannot be followed fails the filter */
		emit_value_eval(b, hp, a, "\t\t");
		buf_printf(b, "\t\tif (e%d)\n\t\t\tbreak;\n", a->slot);
	}
	if (ops[ma->op].net) {
		emit_net_check(b, hp, ma, a);
		return;
	}
	if (ma->op == OP_CAPS_GAINED) { /* a bit of new that old lacks */
		const struct arg *nw = ma->args_slot2 >= 0 && ma->args_slot2 < hp->h->nargs ? &hp->h->args[ma->args_slot2] : NULL;
		if (!nw)
			return;
		if (arg_has_value_fn(hp->h, nw)) {
			emit_value_eval(b, hp, nw, "\t\t");
			buf_printf(b, "\t\tif (e%d)\n\t\t\tbreak;\n", nw->slot);
		}
		char o[32], n[32];
		value_expr(o, sizeof(o), hp, a);
		value_expr(n, sizeof(n), hp, nw);
		char *c = xasprintf("(((__u64)%s ^ (__u64)%s) & (__u64)%s) != 0", o, n, n);
		emit_break_if(b, false, c);
		free(c);
		return;
	}
	if (ops[ma->op].positive == OP_FILETYPE) { /* the type bits of the inode it names */
		char val[32];
		struct buf c = {0};
		value_expr(val, sizeof(val), hp, a);
		const char *reader = a->type == AT_FD ? "fd" : a->type == AT_PATH ? "path" : a->type == AT_DENTRY ? "dentry" : "file";
		buf_printf(b, "\t\t{\n\t\t__u64 mode = tpc_mode_of_%s(%s) & 0170000;\n", reader, val);
		for (int v = 0; v < ma->nvalues; v++)
			buf_printf(&c, "%smode == 0%o /* %s */", v ? " || " : "", file_type_bits(ma->values[v].s),
				   ma->values[v].s);
		if (!ma->nvalues)
			buf_puts(&c, "0");
		emit_break_if(b, ops[ma->op].negated, c.s);
		buf_puts(b, "\t\t}\n");
		buf_free(&c);
		return;
	}
	if (!match_arg_on_bytes(a, ma)) {
		emit_int_check(b, hp, ma, a);
		return;
	}
	const struct str_plan *sp = plan_str(hp, a->slot);
	if (sp)
		emit_string_check(b, hp, ma, a, sp);
}

/* Check buffers and lazy-read state of the args that have them. */
void emit_str_locals(struct buf *b, const struct hook_plan *hp)
{
	if (hp->nslots)
		buf_puts(b, "\tstruct tpc_slots *chk = tpc_slots();\n\tif (!chk)\n\t\treturn 0;\n");
	if (hp->npreload)
		buf_puts(b, "\tstruct tpc_preload *pre = NULL; /* this thread's pre-load buffers, on first use */\n");
	for (int i = 0; i < hp->nstrs; i++) {
		const struct str_plan *sp = &hp->strs[i];
		if (sp->preload)
			buf_printf(b, "\t__u64 *w%d = NULL;\n", sp->slot);
		else if (sp->buf >= 0)
			buf_printf(b, "\t__u64 *w%d = (__u64 *)chk->str[%d];\n", sp->slot, sp->buf);
		else
			buf_printf(b, "\t__u64 w%d[%d];\n", sp->slot, sp->size / 8);
		buf_printf(b, "\tlong n%d = TPC_UNREAD;\n", sp->slot);
		if (sp->is_path)
			buf_printf(b, "\t__u32 f%d = 0;\n", sp->slot);
	}
	for (int i = 0; i < hp->h->nargs; i++) {
		if (arg_has_value_fn(hp->h, &hp->h->args[i]))
			buf_printf(b, "\t__u64 v%d = 0;\n\tlong e%d = TPC_UNREAD;\n", i, i);
		if (net_filtered(hp, &hp->h->args[i]))
			buf_printf(b, "\tstruct tpc_rec_net k%d;\n\tint kr%d = TPC_UNREAD;\n", i, i);
	}
}

static void emit_output_value(struct buf *b, const struct hook_plan *hp, const struct arg *a, bool at_return);

/* The record of one arg: its value's, or, when its resolve path could
 * not be followed, a record that says at which depth. */
void emit_output_arg(struct buf *b, const struct hook_plan *hp, const struct arg *a, bool at_return)
{
	if (!arg_has_value_fn(hp->h, a)) {
		emit_output_value(b, hp, a, at_return);
		return;
	}
	emit_value_eval(b, hp, a, "\t");
	/* > 0: a resolve path stopped at depth e - 1; < 0: the read failed */
	if (a->access)
		buf_printf(b, "\tif (e%d > 0) {\n\t\toff = tpc_put_unresolved(sc, off, e%d - 1);\n\t} else if (e%d) {\n"
			      "\t\toff = tpc_put_fault(sc, off);\n\t} else {\n",
			   a->slot, a->slot, a->slot);
	else
		buf_printf(b, "\tif (e%d) {\n\t\toff = tpc_put_fault(sc, off);\n\t} else {\n", a->slot);
	struct buf inner = {0};
	emit_output_value(&inner, hp, a, at_return);
	for (char *line = inner.s; line && *line;) { /* one more tab */
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
		buf_printf(b, "\t%.*s", (int)n, line);
		line += n;
	}
	buf_free(&inner);
	buf_puts(b, "\t}\n");
}

/* Kernel or user memory: pointers of a syscall are the caller's; a
 * resolve path's ends and data from the task are the kernel's, and so
 * are the bytes inside a tracepoint record (a __data_loc string, an
 * array). */
bool arg_user_memory(const struct hook_plan *hp, const struct arg *a)
{
	if (a->access && (a->is_data || !hp->user_mem))
		return false;
	if (a->access) /* a path from a syscall's user pointer stays in the caller's memory */
		return true;
	int i = a->index;
	if (hp->tp && i >= 0 && i < hp->tp->nfields && (hp->tp->fields[i].data_loc || hp->tp->fields[i].is_array))
		return false;
	return hp->user_mem;
}

static void emit_output_value(struct buf *b, const struct hook_plan *hp, const struct arg *a, bool at_return)
{
	int i = a->slot;
	char v[32];
	value_expr(v, sizeof(v), hp, a);
	bool user = arg_user_memory(hp, a);
	const struct str_plan *sp = plan_str(hp, i);
	if (sp && sp->preload) { /* read by emit_preloads, before the event began */
		if (sp->is_buf) {
			char size[96];
			buf_size_expr(size, sizeof(size), a, at_return);
			buf_printf(b, "\toff = tpc_put_preloaded(sc, off, w%d, n%d, false, %s);\n", i, i, size);
		} else {
			buf_printf(b, "\toff = tpc_put_preloaded(sc, off, w%d, n%d, true, 0);\n", i, i);
		}
		return;
	}
	if (sp && sp->is_path) {
		emit_resolve(b, hp, a, sp, "\t");
		if (a->type == AT_FD)
			buf_printf(b, "\toff = tpc_put_kbytes(sc, off, (const char *)w%d, n%d - 1, f%d, (__u64)(__s64)(__s32)%s);\n",
				   i, i, i, v);
		else if (a->type == AT_LINUX_BINPRM || a->type == AT_KIOCB) /* with the file's mode */
			buf_printf(b, "\toff = tpc_put_kbytes(sc, off, (const char *)w%d, n%d - 1, f%d, tpc_file_mode(tpc_%s_file(%s)));\n",
				   i, i, i, arg_types[a->type].reader, v);
		else
			buf_printf(b, "\toff = tpc_put_kbytes(sc, off, (const char *)w%d, n%d - 1, f%d, 0);\n", i, i, i);
		return;
	}
	switch (arg_types[a->type].cls) {
	case AC_IOVEC:
		buf_printf(b, "\toff = tpc_put_iovec(sc, off, %s, a[%d], %s);\n", v, size_index(a) >= 0 ? size_index(a) : a->index,
			   bool_c(user));
		return;
	case AC_STRING:
		if (sp)
			buf_printf(b,
				   "\toff = n%d == TPC_UNREAD ? tpc_put_str(sc, off, %s, %s)\n"
				   "\t\t\t\t : tpc_put_read_str(sc, off, w%d, n%d, %d, %s, %s);\n",
				   i, v, bool_c(user), i, i, sp->size, v, bool_c(user));
		else
			buf_printf(b, "\toff = tpc_put_str(sc, off, %s, %s);\n", v, bool_c(user));
		return;
	case AC_BUF: {
		char size[96];
		buf_size_expr(size, sizeof(size), a, at_return);
		if (sp)
			buf_printf(b,
				   "\toff = n%d == TPC_UNREAD ? tpc_put_buf(sc, off, %s, %s, %s)\n"
				   "\t\t\t\t : tpc_put_read_buf(sc, off, w%d, n%d, %s, %s, %s);\n",
				   i, v, size, bool_c(user), i, i, v, size, bool_c(user));
		else
			buf_printf(b, "\toff = tpc_put_buf(sc, off, %s, %s, %s);\n", v, size, bool_c(user));
		return;
	}
	case AC_CONST_BUF: {
		/* an array in a tracepoint record: its bytes, with the size of
		 * one element for tp-load to decode them */
		int k = a->index;
		const struct tp_field *f = hp->tp && k >= 0 && k < hp->tp->nfields ? &hp->tp->fields[k] : NULL;
		int size = f ? f->size : 0, n = f && strchr(f->ctype, '[') ? atoi(strchr(f->ctype, '[') + 1) : 0;
		buf_printf(b, "\toff = tpc_put_array(sc, off, %s, %d, %d);\n", v, size, n > 0 ? size / n : 1);
		return;
	}
	case AC_KSTRUCT:
		if (a->type == AT_SOCKADDR_UN) /* its family and path, from the sockaddr itself */
		{
			int li = sockaddr_len_index(hp->h, a);
			if (li >= 0) /* the length the call passes bounds the path */
				buf_printf(b, "\toff = tpc_put_sockaddr_un(sc, off, a[%d], a[%d], %s);\n", a->index, li, bool_c(user));
			else
				buf_printf(b, "\toff = tpc_put_sockaddr_un(sc, off, a[%d], 0, %s);\n", a->index, bool_c(user));
		}
		else if (net_filtered(hp, a)) { /* the tuple a filter read, if one did */
			buf_printf(b, "\toff = kr%d != TPC_UNREAD ? tpc_put_net(sc, off, &k%d, kr%d)\n\t\t\t\t : ", i, i, i);
			if (a->type == AT_SOCKADDR)
				buf_printf(b, "tpc_put_sockaddr(sc, off, %s, %s);\n", v, bool_c(user));
			else
				buf_printf(b, "tpc_put_%s(sc, off, %s);\n", arg_types[a->type].reader, v);
		} else if (a->type == AT_BPF_ATTR || a->type == AT_SOCKADDR) /* a syscall passes them from the caller's memory */
			buf_printf(b, "\toff = tpc_put_%s(sc, off, %s, %s);\n", arg_types[a->type].reader, v, bool_c(user));
		else
			buf_printf(b, "\toff = tpc_put_%s(sc, off, %s);\n", arg_types[a->type].reader, v);
		return;
	case AC_NOP: buf_puts(b, "\toff = tpc_put_int(sc, off, 0); /* nop: a slot, nothing read */\n"); return;
	case AC_INT:
	case AC_FD:
	case AC_PATH:
	case AC_NONE:
		buf_printf(b, "\toff = tpc_put_int(sc, off, (__u64)(__s64)(%s)%s);\n",
			   arg_types[a->type].ctype ? arg_types[a->type].ctype : "__u64", v);
		return;
	}
}
