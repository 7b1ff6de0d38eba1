/* cel.c: CelExpr values compiled to C at build time (BEYOND-THE-SEED 3).
 *
 * The subset Tetragon accepts: bool, int and uint literals (7, 7u, 0x1f),
 * the slots arg0..arg4, && || ! == != < <= > >= + - (unary - too), the
 * functions and(a,b) or(a,b) xor(a,b) not(a), and the casts int32(<int>)
 * and uint32(<uint>). Slot types: int/int32/sint32 are s32, uint32 u32,
 * int64/long/sint64 CEL int, uint64/ulong CEL uint. Both operands of every
 * operator have one type; arithmetic wraps at its width; && and ||
 * evaluate both sides. The result is one C expression of constants and
 * the slots' values, checked by check (cel-expr diagnostics) and written
 * by emit; nothing is interpreted at run time. */
#include "tpc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum cel_type { CT_BAD, CT_BOOL, CT_S32, CT_U32, CT_INT, CT_UINT };

static const char *cel_type_name(enum cel_type t)
{
	switch (t) {
	case CT_BOOL: return "bool";
	case CT_S32: return "int32";
	case CT_U32: return "uint32";
	case CT_INT: return "int";
	case CT_UINT: return "uint";
	case CT_BAD: break;
	}
	return "?";
}

static const char *cel_ctype(enum cel_type t)
{
	switch (t) {
	case CT_S32: return "__s32";
	case CT_U32: return "__u32";
	case CT_INT: return "__s64";
	case CT_UINT: return "__u64";
	case CT_BOOL:
	case CT_BAD: break;
	}
	return "int";
}

/* the unsigned type arithmetic wraps in */
static const char *cel_utype(enum cel_type t)
{
	return t == CT_S32 || t == CT_U32 ? "__u32" : "__u64";
}

struct cel {
	const char *s;
	size_t i;
	const struct hook *h;
	const char *const *slot_expr; /* C of each slot's value */
	unsigned used;                /* slots referenced */
	char *err;
	size_t errlen;
	int err_off;
	bool failed;
};

struct node {
	enum cel_type t;
	struct buf c;
};

static void fail(struct cel *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct cel *p, size_t at, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	p->err_off = (int)at;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct cel *p)
{
	while (p->s[p->i] && isspace((unsigned char)p->s[p->i]))
		p->i++;
}

static bool eat(struct cel *p, const char *tok)
{
	skip_ws(p);
	size_t n = strlen(tok);
	if (strncmp(p->s + p->i, tok, n))
		return false;
	/* "=" is not "==", "<" must not eat "<=" */
	if ((!strcmp(tok, "<") || !strcmp(tok, ">") || !strcmp(tok, "!")) && p->s[p->i + 1] == '=')
		return false;
	p->i += n;
	return true;
}

static void node_free(struct node *n)
{
	buf_free(&n->c);
}

static struct node expr_or(struct cel *p);

static struct node bad(void)
{
	struct node n = {CT_BAD, {0}};
	return n;
}

static struct node primary(struct cel *p)
{
	struct node n = {CT_BAD, {0}};
	skip_ws(p);
	size_t at = p->i;
	const char *s = p->s + p->i;
	if (eat(p, "(")) {
		n = expr_or(p);
		if (!eat(p, ")"))
			fail(p, p->i, "expected ')'");
		return n;
	}
	if (isdigit((unsigned char)*s)) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(s, &end, 0);
		if (errno) {
			fail(p, at, "integer literal out of range");
			return bad();
		}
		p->i += (size_t)(end - s);
		if (p->s[p->i] == 'u' || p->s[p->i] == 'U') {
			p->i++;
			n.t = CT_UINT;
			buf_printf(&n.c, "(__u64)%lluULL", v);
		} else {
			if (v > (unsigned long long)INT64_MAX) {
				fail(p, at, "int literal out of range (write %lluu for a uint)", v);
				return bad();
			}
			n.t = CT_INT;
			buf_printf(&n.c, "(__s64)%lldLL", (long long)v);
		}
		if (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '_' || p->s[p->i] == '.') {
			fail(p, p->i, "unexpected '%c' after a number", p->s[p->i]);
			return bad();
		}
		return n;
	}
	if (isalpha((unsigned char)*s) || *s == '_') {
		size_t len = 0;
		while (isalnum((unsigned char)s[len]) || s[len] == '_')
			len++;
		char id[32];
		snprintf(id, sizeof(id), "%.*s", (int)(len < 31 ? len : 31), s);
		p->i += len;
		if (!strcmp(id, "true") || !strcmp(id, "false")) {
			n.t = CT_BOOL;
			buf_puts(&n.c, id[0] == 't' ? "1" : "0");
			return n;
		}
		if (len == 4 && !strncmp(id, "arg", 3) && id[3] >= '0' && id[3] <= '4') {
			int slot = id[3] - '0';
			if (slot >= p->h->nargs) {
				fail(p, at, "%s names no slot: the hook has %d (args, then data)", id, p->h->nargs);
				return bad();
			}
			const struct arg *a = &p->h->args[slot];
			n.t = a->type == AT_INT	     ? CT_S32
			      : a->type == AT_UINT32 ? CT_U32
			      : a->type == AT_INT64  ? CT_INT
			      : a->type == AT_UINT64 ? CT_UINT
						     : CT_BAD;
			if (n.t == CT_BAD) {
				fail(p, at, "%s has unsupported type %s (CEL reads int, int32, uint32, int64, long, uint64, ulong)",
				     id, a->type_name ? a->type_name : arg_types[a->type].name);
				return bad();
			}
			p->used |= 1u << slot;
			buf_printf(&n.c, "((%s)%s)", cel_ctype(n.t), p->slot_expr ? p->slot_expr[slot] : "0");
			return n;
		}
		static const char *const fns[] = {"and", "or", "xor", "not", "int32", "uint32", NULL};
		int fn = -1;
		for (int k = 0; fns[k]; k++)
			if (!strcmp(id, fns[k]))
				fn = k;
		if (fn < 0) {
			fail(p, at, "'%s' is not in tpc's CEL subset (arg0..arg4, true, false, and, or, xor, not, int32, uint32)", id);
			return bad();
		}
		if (!eat(p, "(")) {
			fail(p, p->i, "expected '(' after %s", id);
			return bad();
		}
		struct node x = expr_or(p);
		struct node y = {CT_BAD, {0}};
		bool two = fn <= 2;
		if (two) {
			if (!eat(p, ",")) {
				fail(p, p->i, "%s takes two arguments", id);
				node_free(&x);
				return bad();
			}
			y = expr_or(p);
		}
		if (!eat(p, ")")) {
			fail(p, p->i, "expected ')' to close %s(", id);
			node_free(&x);
			node_free(&y);
			return bad();
		}
		if (p->failed) {
			node_free(&x);
			node_free(&y);
			return bad();
		}
		if (fn == 4 || fn == 5) { /* int32(<int>), uint32(<uint>) */
			enum cel_type want = fn == 4 ? CT_INT : CT_UINT;
			if (x.t != want)
				fail(p, at, "%s() takes %s, not %s", id, cel_type_name(want), cel_type_name(x.t));
			n.t = fn == 4 ? CT_S32 : CT_U32;
			buf_printf(&n.c, "((%s)%s)", cel_ctype(n.t), x.c.s);
		} else if (x.t == CT_BOOL || x.t == CT_BAD || (two && y.t != x.t)) {
			fail(p, at, "%s() takes two integers of one type, not %s and %s", id, cel_type_name(x.t),
			     two ? cel_type_name(y.t) : "-");
		} else {
			n.t = x.t;
			if (fn == 3)
				buf_printf(&n.c, "((%s)~%s)", cel_ctype(n.t), x.c.s);
			else
				buf_printf(&n.c, "((%s)(%s %s %s))", cel_ctype(n.t), x.c.s, fn == 0 ? "&" : fn == 1 ? "|" : "^",
					   y.c.s);
		}
		node_free(&x);
		node_free(&y);
		return n;
	}
	if (!*s)
		fail(p, at, "the expression ends too early");
	else
		fail(p, at, "unexpected '%c'", *s);
	return bad();
}

static struct node unary(struct cel *p)
{
	skip_ws(p);
	size_t at = p->i;
	if (eat(p, "!")) {
		struct node x = unary(p);
		struct node n = {CT_BOOL, {0}};
		if (x.t != CT_BOOL && !p->failed)
			fail(p, at, "'!' takes a bool, not %s", cel_type_name(x.t));
		buf_printf(&n.c, "(!%s)", x.c.s ? x.c.s : "0");
		node_free(&x);
		return n;
	}
	if (eat(p, "-")) {
		struct node x = unary(p);
		struct node n = {x.t, {0}};
		if (x.t != CT_INT && x.t != CT_S32 && !p->failed)
			fail(p, at, "unary '-' takes int or int32, not %s", cel_type_name(x.t));
		buf_printf(&n.c, "((%s)(0 - (%s)%s))", cel_ctype(x.t), cel_utype(x.t), x.c.s ? x.c.s : "0");
		node_free(&x);
		return n;
	}
	return primary(p);
}

static struct node additive(struct cel *p)
{
	struct node l = unary(p);
	for (;;) {
		skip_ws(p);
		size_t at = p->i;
		const char *op = eat(p, "+") ? "+" : eat(p, "-") ? "-" : NULL;
		if (!op)
			return l;
		struct node r = unary(p);
		struct node n = {l.t, {0}};
		if (!p->failed && (l.t != r.t || l.t == CT_BOOL))
			fail(p, at, "'%s' needs two integers of one type, not %s and %s", op, cel_type_name(l.t),
			     cel_type_name(r.t));
		/* wraps at the operands' width */
		buf_printf(&n.c, "((%s)((%s)%s %s (%s)%s))", cel_ctype(l.t), cel_utype(l.t), l.c.s ? l.c.s : "0", op,
			   cel_utype(l.t), r.c.s ? r.c.s : "0");
		node_free(&l);
		node_free(&r);
		l = n;
	}
}

static struct node relation(struct cel *p)
{
	struct node l = additive(p);
	skip_ws(p);
	size_t at = p->i;
	static const char *const rel[] = {"==", "!=", "<=", ">=", "<", ">", NULL};
	const char *op = NULL;
	for (int k = 0; rel[k] && !op; k++)
		if (eat(p, rel[k]))
			op = rel[k];
	if (!op)
		return l;
	struct node r = additive(p);
	struct node n = {CT_BOOL, {0}};
	if (!p->failed && l.t != r.t)
		fail(p, at, "'%s' compares %s with %s: both sides need one type (write int32(...) or uint32(...), or "
		     "a literal with u)", op, cel_type_name(l.t), cel_type_name(r.t));
	else if (!p->failed && l.t == CT_BOOL && op[0] != '=' && op[0] != '!')
		fail(p, at, "'%s' does not order bools", op);
	buf_printf(&n.c, "(%s %s %s)", l.c.s ? l.c.s : "0", op, r.c.s ? r.c.s : "0");
	node_free(&l);
	node_free(&r);
	return n;
}

static struct node logical(struct cel *p, int level)
{
	struct node l = level ? relation(p) : logical(p, 1);
	for (;;) {
		skip_ws(p);
		size_t at = p->i;
		if (!eat(p, level ? "&&" : "||"))
			return l;
		struct node r = level ? relation(p) : logical(p, 1);
		struct node n = {CT_BOOL, {0}};
		if (!p->failed && (l.t != CT_BOOL || r.t != CT_BOOL))
			fail(p, at, "'%s' takes bools, not %s and %s", level ? "&&" : "||", cel_type_name(l.t),
			     cel_type_name(r.t));
		/* both sides are evaluated, as in Tetragon */
		buf_printf(&n.c, "(!!%s %s !!%s)", l.c.s ? l.c.s : "0", level ? "&" : "|", r.c.s ? r.c.s : "0");
		node_free(&l);
		node_free(&r);
		l = n;
	}
}

static struct node expr_or(struct cel *p)
{
	return logical(p, 0);
}

bool cel_compile(const char *expr, const struct hook *h, const char *const *slot_expr, struct buf *out,
		 unsigned *used, int *err_off, char *err, size_t errlen)
{
	struct cel p = {.s = expr, .h = h, .slot_expr = slot_expr, .err = err, .errlen = errlen};
	struct node n = expr_or(&p);
	skip_ws(&p);
	if (!p.failed && p.s[p.i])
		fail(&p, p.i, "unexpected '%c'", p.s[p.i]);
	if (!p.failed && n.t != CT_BOOL)
		fail(&p, 0, "expecting CEL expression to return bool, not %s", cel_type_name(n.t));
	if (!p.failed && out)
		buf_puts(out, n.c.s);
	node_free(&n);
	if (used)
		*used = p.used;
	if (err_off)
		*err_off = p.err_off;
	return !p.failed;
}
