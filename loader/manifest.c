/* manifest.c: read and validate the ".tpc.manifest" section (grammar in
 * tpc_abi.h).  Everything here treats its input as hostile: no assumption
 * on lengths, NUL bytes, order of records, or numbers. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hooks.h"
#include "manifest.h"
#include "safefile.h"

#define MAX_FIELDS 64
#define MAX_NAME 255

struct field {
	const char *key; /* NUL-terminated, inside the line copy */
	const char *raw; /* still percent-encoded */
};

struct line {
	int no;
	int nfields;
	struct field f[MAX_FIELDS];
};

/* An arg record, kept until all hooks are known. */
struct pending_arg {
	int line, hook, pos, index;
	char *type, *label;
};

/* A prog record, the same. */
struct pending_prog {
	int line, hook;
	struct tpc_mprog p;
};

struct parser {
	struct tpc_manifest *m;
	struct pending_arg *args;
	int nargs, args_cap;
	struct pending_prog *progs;
	int nprogs, progs_cap;
	int hooks_cap, actions_cap, retactions_cap, follows_cap;
	int have_policy, have_tpc;
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(p->err, p->errlen, "manifest line %d: %s", line, msg);
	else
		snprintf(p->err, p->errlen, "manifest: %s", msg);
	return -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode raw[0..n) into a new string; NULL on a malformed escape
 * or an encoded NUL (values are C strings). */
static char *decode_n(const char *raw, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (raw[i] != '%') {
			out[o++] = raw[i];
			continue;
		}
		if (n - i < 3) { /* need '%' and two hex digits */
			free(out);
			return NULL;
		}
		int hi = hexval((unsigned char)raw[i + 1]);
		int lo = hexval((unsigned char)raw[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return out;
}

static const char *get(const struct line *l, const char *key)
{
	for (int i = 0; i < l->nfields; i++)
		if (strcmp(l->f[i].key, key) == 0)
			return l->f[i].raw;
	return NULL;
}

/* A decoded copy of field key; *out stays NULL when the field is absent
 * and optional. */
static int get_str(struct parser *p, const struct line *l, const char *key,
		   int required, char **out)
{
	const char *raw = get(l, key);

	*out = NULL;
	if (!raw) {
		if (required)
			return fail(p, l->no, "missing field %s=", key);
		return 0;
	}
	*out = decode_n(raw, strlen(raw));
	if (!*out)
		return fail(p, l->no, "%s=: bad percent-encoding", key);
	return 0;
}

static int get_uint(struct parser *p, const struct line *l, const char *key,
		    long max, int *out)
{
	const char *raw = get(l, key);
	long v = 0;

	if (!raw)
		return fail(p, l->no, "missing field %s=", key);
	if (!*raw)
		return fail(p, l->no, "%s=: empty number", key);
	for (const char *s = raw; *s; s++) {
		if (*s < '0' || *s > '9')
			return fail(p, l->no, "%s=%.40s: not a number", key, raw);
		v = v * 10 + (*s - '0');
		if (v > max)
			return fail(p, l->no, "%s=%.40s: out of range (max %ld)",
				    key, raw, max);
	}
	*out = (int)v;
	return 0;
}

static int name_chars(const char *s, const char *extra)
{
	size_t n = strlen(s);

	if (n == 0 || n > MAX_NAME)
		return 0;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (c && strchr(extra, c))))
			return 0;
	}
	return 1;
}

int tpc_is_ident(const char *s)
{
	return name_chars(s, "") && !(s[0] >= '0' && s[0] <= '9');
}

int tpc_is_symbol(const char *s)
{
	return name_chars(s, ".") && !(s[0] >= '0' && s[0] <= '9') && s[0] != '.';
}

/* "subsys/event": two tracefs names, no path tricks. */
int tpc_is_tp_name(const char *s)
{
	const char *slash = strchr(s, '/');
	size_t n = strlen(s);

	if (!slash || strchr(slash + 1, '/') || n > 2 * MAX_NAME)
		return 0;
	if (slash == s || slash[1] == '\0' || s[0] == '.' || slash[1] == '.')
		return 0;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.' || c == '/'))
			return 0;
	}
	return 1;
}

static int grow(void **arr, int *cap, int need, size_t elem)
{
	if (need <= *cap)
		return 0;
	int ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*arr, (size_t)ncap * elem);
	if (!n)
		return -1;
	memset((char *)n + (size_t)*cap * elem, 0,
	       (size_t)(ncap - *cap) * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

/* tags=<t1,t2>: the comma separates tags; a comma inside a tag is %2C. */
static int parse_tags(struct parser *p, const struct line *l,
		      struct tpc_hook *h)
{
	const char *raw = get(l, "tags");
	int cap = 0;

	if (!raw || !*raw)
		return 0;
	while (1) {
		const char *end = strchr(raw, ',');
		size_t n = end ? (size_t)(end - raw) : strlen(raw);

		if (h->ntags >= 256)
			return fail(p, l->no, "tags=: more than 256 tags");
		if (grow((void **)&h->tags, &cap, h->ntags + 1, sizeof(char *)))
			return fail(p, l->no, "out of memory");
		h->tags[h->ntags] = decode_n(raw, n);
		if (!h->tags[h->ntags])
			return fail(p, l->no, "tags=: bad percent-encoding");
		h->ntags++;
		if (!end)
			return 0;
		raw = end + 1;
	}
}

/* get_uint of an optional 0|1 field */
static int get_flag(struct parser *p, const struct line *l, const char *key, int *out)
{
	*out = 0;
	return get(l, key) ? get_uint(p, l, key, 1, out) : 0;
}

struct tpc_record {
	struct parser *p;
	const struct line *l;
};

int tpc_record_str(struct tpc_record *r, const char *key, int required, char **out)
{
	return get_str(r->p, r->l, key, required, out);
}

int tpc_record_flag(struct tpc_record *r, const char *key, int *out)
{
	return get_flag(r->p, r->l, key, out);
}

int tpc_record_u64(struct tpc_record *r, const char *key, unsigned long long *out, int *present)
{
	const char *raw = get(r->l, key);
	unsigned long long v = 0;

	*out = 0;
	*present = raw != NULL;
	if (!raw)
		return 0;
	if (!*raw)
		return fail(r->p, r->l->no, "%s=: empty number", key);
	for (const char *s = raw; *s; s++) {
		if (*s < '0' || *s > '9')
			return fail(r->p, r->l->no, "%s=%.40s: not a number", key, raw);
		if (v > (~0ULL - (unsigned)(*s - '0')) / 10)
			return fail(r->p, r->l->no, "%s=%.40s: out of range", key, raw);
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 0;
}

int tpc_record_fail(struct tpc_record *r, const char *problem)
{
	return fail(r->p, r->l->no, "%s", problem);
}

static int parse_hook(struct parser *p, const struct line *l)
{
	struct tpc_manifest *m = p->m;
	struct tpc_record rec = { p, l };
	char *kind = NULL;
	int id, k, rc = -1;

	if (get_uint(p, l, "id", INT_MAX, &id))
		return -1;
	if (id != m->nhooks)
		return fail(p, l->no, "hook id=%d out of order (expected %d)",
			    id, m->nhooks);
	if (m->nhooks >= TPL_MAX_HOOKS)
		return fail(p, l->no, "more than %d hooks", TPL_MAX_HOOKS);
	if (grow((void **)&m->hooks, &p->hooks_cap, m->nhooks + 1,
		 sizeof(*m->hooks)))
		return fail(p, l->no, "out of memory");
	/* Count the hook now so that tpc_manifest_free frees what we fill. */
	struct tpc_hook *h = &m->hooks[m->nhooks++];

	if (get_str(p, l, "kind", 1, &kind) ||
	    get_uint(p, l, "nargs", TPL_MAX_ARGS, &h->nargs) ||
	    get_str(p, l, "message", 0, &h->message) ||
	    get_str(p, l, "policy", 0, &h->policy) || parse_tags(p, l, h) ||
	    get_flag(p, l, "return", &h->ret) ||
	    get_str(p, l, "return_type", 0, &h->return_type) ||
	    get_flag(p, l, "override", &h->override) ||
	    get_flag(p, l, "enforcer", &h->enforcer) ||
	    get_flag(p, l, "optional", &h->optional))
		goto out;
	if (h->return_type && !tpc_is_ident(h->return_type)) {
		fail(p, l->no, "return_type=: not a type name");
		goto out;
	}
	k = tpl_hook_kind_from_name(kind);
	if (k < 0) {
		fail(p, l->no, "hook kind=%.40s unknown (%s)", kind,
		     tpl_hook_kind_names());
		goto out;
	}
	h->kind = k;
	rc = tpl_hook_parse(&rec, h);
out:
	free(kind);
	return rc;
}

static int parse_prog(struct parser *p, const struct line *l)
{
	struct pending_prog pp = { .line = l->no };
	char *variant = NULL, *role = NULL;
	int v, r, rc = -1;

	if (get_uint(p, l, "hook", TPL_MAX_HOOKS, &pp.hook))
		return -1;
	if (grow((void **)&p->progs, &p->progs_cap, p->nprogs + 1, sizeof(pp)))
		return fail(p, l->no, "out of memory");
	if (get_str(p, l, "name", 1, &pp.p.name) ||
	    get_str(p, l, "variant", 1, &variant) ||
	    get_str(p, l, "role", 1, &role) ||
	    get_flag(p, l, "override", &pp.p.override))
		goto out;
	if (!tpc_is_ident(pp.p.name)) {
		fail(p, l->no, "name=: not a program name");
		goto out;
	}
	v = tpl_variant_from_name(variant);
	if (v < 0) {
		fail(p, l->no, "prog variant=%.40s unknown (%s)", variant,
		     tpl_variant_names());
		goto out;
	}
	r = tpl_role_from_name(role);
	if (r < 0) {
		fail(p, l->no, "prog role=%.40s unknown (entry, return)", role);
		goto out;
	}
	pp.p.variant = v;
	pp.p.role = r;
	p->progs[p->nprogs++] = pp;
	pp.p.name = NULL; /* moved */
	rc = 0;
out:
	free(pp.p.name);
	free(variant);
	free(role);
	return rc;
}

static int parse_arg(struct parser *p, const struct line *l)
{
	struct pending_arg a = { .line = l->no };

	if (get_uint(p, l, "hook", TPL_MAX_HOOKS, &a.hook) ||
	    get_uint(p, l, "pos", TPL_MAX_ARGS, &a.pos) ||
	    get_uint(p, l, "index", 1 << 20, &a.index))
		return -1;
	if (grow((void **)&p->args, &p->args_cap, p->nargs + 1, sizeof(a)))
		return fail(p, l->no, "out of memory");
	if (get_str(p, l, "type", 1, &a.type) ||
	    get_str(p, l, "label", 0, &a.label)) {
		free(a.type);
		return -1;
	}
	p->args[p->nargs++] = a;
	if (!tpc_is_ident(a.type))
		return fail(p, l->no, "type=: not a type name");
	return 0;
}

/* "a,b,c" (each percent-encoded) into decoded strings. */
static int split_values(struct parser *p, const struct line *l, const char *raw,
			struct tpc_mfollow *f)
{
	size_t n = 1;
	for (const char *c = raw; *c; c++)
		n += *c == ',';
	if (n > 1u << 16)
		return fail(p, l->no, "too many values");
	f->values = calloc(n, sizeof(char *));
	if (!f->values)
		return fail(p, l->no, "out of memory");
	const char *start = raw;
	for (;;) {
		const char *end = strchr(start, ',');
		size_t len = end ? (size_t)(end - start) : strlen(start);
		f->values[f->nvalues] = decode_n(start, len);
		if (!f->values[f->nvalues])
			return fail(p, l->no, "values=: bad percent-encoding");
		f->nvalues++;
		if (!end)
			return 0;
		start = end + 1;
	}
}

static int parse_follow(struct parser *p, const struct line *l)
{
	struct tpc_manifest *m = p->m;
	struct tpc_mfollow *f;
	char *kind = NULL, *op = NULL;
	const char *raw;
	int rc = -1;

	if (grow((void **)&m->follows, &p->follows_cap, m->nfollows + 1, sizeof(*f)))
		return fail(p, l->no, "out of memory");
	f = &m->follows[m->nfollows++];
	memset(f, 0, sizeof(*f));
	if (get_uint(p, l, "bit", 63, &f->bit) || get_str(p, l, "kind", 1, &kind) ||
	    get_str(p, l, "op", 0, &op))
		goto out;
	raw = get(l, "values");
	if (!raw) {
		fail(p, l->no, "missing field values=");
		goto out;
	}
	if (!strcmp(kind, "pid")) {
		f->kind = TPC_FOLLOW_PID;
		if (get_uint(p, l, "ns", 1, &f->ns))
			goto out;
	} else if (!strcmp(kind, "binary")) {
		f->kind = TPC_FOLLOW_BINARY;
		f->op = !op || !strcmp(op, "In") ? TPC_FOLLOW_IN :
			!strcmp(op, "Prefix")	 ? TPC_FOLLOW_PREFIX :
			!strcmp(op, "Postfix")	 ? TPC_FOLLOW_POSTFIX : 0;
		if (!f->op) {
			fail(p, l->no, "follow op=%.40s unknown (In, Prefix, Postfix)", op);
			goto out;
		}
	} else {
		fail(p, l->no, "follow kind=%.40s unknown (pid, binary)", kind);
		goto out;
	}
	rc = split_values(p, l, raw, f);
out:
	free(kind);
	free(op);
	return rc;
}

static int parse_action(struct parser *p, const struct line *l)
{
	struct tpc_manifest *m = p->m;
	struct tpc_maction a = { 0 };

	if (get_uint(p, l, "hook", TPL_MAX_HOOKS, &a.hook) ||
	    get_uint(p, l, "selector", 1 << 20, &a.selector))
		return -1;
	if (grow((void **)&m->actions, &p->actions_cap, m->nactions + 1,
		 sizeof(a)))
		return fail(p, l->no, "out of memory");
	if (get_str(p, l, "kind", 1, &a.kind) ||
	    get_str(p, l, "value", 1, &a.value)) {
		free(a.kind);
		return -1;
	}
	m->actions[m->nactions++] = a;
	if (strcmp(a.kind, "GetUrl") && strcmp(a.kind, "DnsLookup"))
		return fail(p, l->no, "action kind=%.40s unknown (GetUrl, DnsLookup)",
			    a.kind);
	return 0;
}

static int parse_retaction(struct parser *p, const struct line *l)
{
	struct tpc_manifest *m = p->m;
	struct tpc_mretaction r = { 0 };

	if (get_uint(p, l, "hook", TPL_MAX_HOOKS, &r.hook) ||
	    get_uint(p, l, "selector", 1 << 20, &r.selector) ||
	    get_uint(p, l, "entry", 0xffff, &r.entry) ||
	    get_uint(p, l, "return", 0xffff, &r.ret))
		return -1;
	if (grow((void **)&m->retactions, &p->retactions_cap,
		 m->nretactions + 1, sizeof(r)))
		return fail(p, l->no, "out of memory");
	m->retactions[m->nretactions++] = r;
	return 0;
}

/* arch= is one of TPC_ARCHES (whether it is this machine's, attach.c
 * decides: the manifest alone is valid anywhere). */
static int check_arch(struct parser *p, const struct line *l, const char *arch)
{
#define ARCH_NAME(name, tpc, machine) name,
#define ARCH_LIST(name, tpc, machine) ", " name
	static const char *const known[] = { TPC_ARCHES(ARCH_NAME) };
	static const char list[] = TPC_ARCHES(ARCH_LIST);
#undef ARCH_NAME
#undef ARCH_LIST

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(arch, known[i]) == 0)
			return 0;
	return fail(p, l->no, "arch=%.40s unknown (%s)", arch, list + 2);
}

static int parse_record(struct parser *p, const char *kind,
			const struct line *l)
{
	struct tpc_manifest *m = p->m;

	if (strcmp(kind, "tpc") == 0) {
		if (p->have_tpc)
			return fail(p, l->no, "second tpc record");
		p->have_tpc = 1;
		if (get_str(p, l, "version", 0, &m->tpc_version) ||
		    get_str(p, l, "arch", 1, &m->arch))
			return -1;
		return check_arch(p, l, m->arch);
	}
	if (strcmp(kind, "policy") == 0) {
		if (p->have_policy)
			return fail(p, l->no, "second policy record");
		p->have_policy = 1;
		const char *seed = get(l, "seed");
		m->seed_procs = seed && !strncmp(seed, "procs", 5);
		m->seed_exec_state = seed && strstr(seed, "exec-state") != NULL;
		const char *stacks = get(l, "stacks");
		m->kernel_stacks = stacks && !strncmp(stacks, "kernel", 6);
		return get_str(p, l, "name", 1, &m->policy);
	}
	if (strcmp(kind, "hook") == 0)
		return parse_hook(p, l);
	if (strcmp(kind, "prog") == 0)
		return parse_prog(p, l);
	if (strcmp(kind, "arg") == 0)
		return parse_arg(p, l);
	if (strcmp(kind, "action") == 0)
		return parse_action(p, l);
	if (strcmp(kind, "retaction") == 0)
		return parse_retaction(p, l);
	if (strcmp(kind, "follow") == 0)
		return parse_follow(p, l);
	return fail(p, l->no, "unknown record \"%.40s\"", kind);
}

/* Split a line copy in place into "kind" and key=value fields. */
static int split_fields(struct parser *p, char *s, char **kind,
			struct line *l)
{
	char *tok, *save = NULL;

	*kind = strtok_r(s, " ", &save);
	l->nfields = 0;
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok)
			return fail(p, l->no, "field \"%.40s\" is not key=value",
				    tok);
		*eq = '\0';
		for (int i = 0; i < l->nfields; i++)
			if (strcmp(l->f[i].key, tok) == 0)
				return fail(p, l->no, "field %.40s= given twice",
					    tok);
		if (l->nfields >= MAX_FIELDS)
			return fail(p, l->no, "more than %d fields", MAX_FIELDS);
		l->f[l->nfields].key = tok;
		l->f[l->nfields].raw = eq + 1;
		l->nfields++;
	}
	return 0;
}

/* First line: "tpc-manifest <version>". */
static int parse_header(struct parser *p, const char *s)
{
	const char *magic = "tpc-manifest ";
	long v = 0;

	if (strncmp(s, magic, strlen(magic)) != 0)
		return fail(p, 1, "expected \"tpc-manifest %d\"", TPC_ABI_VERSION);
	s += strlen(magic);
	if (!*s)
		return fail(p, 1, "expected \"tpc-manifest %d\"", TPC_ABI_VERSION);
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1000000)
			return fail(p, 1, "expected \"tpc-manifest %d\"",
				    TPC_ABI_VERSION);
		v = v * 10 + (*s - '0');
	}
	if (v != TPC_ABI_VERSION) {
		snprintf(p->err, p->errlen,
			 "manifest version %ld not supported by this tp-load (knows %d)",
			 v, TPC_ABI_VERSION);
		return -1;
	}
	p->m->version = (int)v;
	return 0;
}

static int by_name_then_line(const void *a, const void *b)
{
	const struct pending_prog *x = *(const struct pending_prog *const *)a;
	const struct pending_prog *y = *(const struct pending_prog *const *)b;
	int c = strcmp(x->p.name, y->p.name);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* No program is named by two prog records: each is attached once. */
static int progs_unique(struct parser *p)
{
	struct pending_prog **v;
	int rc = 0;

	if (p->nprogs < 2)
		return 0;
	v = malloc((size_t)p->nprogs * sizeof(*v));
	if (!v)
		return fail(p, 0, "out of memory");
	for (int i = 0; i < p->nprogs; i++)
		v[i] = &p->progs[i];
	qsort(v, p->nprogs, sizeof(*v), by_name_then_line);
	for (int i = 1; i < p->nprogs && !rc; i++)
		if (strcmp(v[i - 1]->p.name, v[i]->p.name) == 0)
			rc = fail(p, v[i]->line, "program %s named twice (line %d)",
				  v[i]->p.name, v[i - 1]->line);
	free(v);
	return rc;
}

/* The prog records into their hooks: per hook and variant, one entry
 * program and, with return=1, one return program. */
static int place_progs(struct parser *p)
{
	struct tpc_manifest *m = p->m;
	const int most = TPC_VARIANT_COUNT * TPC_ROLE_COUNT;

	if (progs_unique(p))
		return -1;
	for (int i = 0; i < m->nhooks; i++) {
		m->hooks[i].progs = calloc(most, sizeof(struct tpc_mprog));
		if (!m->hooks[i].progs)
			return fail(p, 0, "out of memory");
	}
	for (int i = 0; i < p->nprogs; i++) {
		struct pending_prog *pp = &p->progs[i];
		if (pp->hook >= m->nhooks)
			return fail(p, pp->line, "prog of hook %d, which does not exist",
				    pp->hook);
		struct tpc_hook *h = &m->hooks[pp->hook];
		for (int k = 0; k < h->nprogs; k++)
			if (h->progs[k].variant == pp->p.variant &&
			    h->progs[k].role == pp->p.role)
				return fail(p, pp->line, "hook %d: second %s %s program",
					    pp->hook, tpl_variant_name(pp->p.variant),
					    tpl_role_name(pp->p.role));
		h->progs[h->nprogs++] = pp->p; /* fewer than `most`: no two alike */
		pp->p.name = NULL; /* moved */
	}
	for (int i = 0; i < m->nhooks; i++) {
		const struct tpc_hook *h = &m->hooks[i];
		if (h->nprogs == 0)
			return fail(p, 0, "hook %d: no prog record", i);
		for (int k = 0; k < h->nprogs; k++) {
			int entry = 0, ret = 0;
			for (int j = 0; j < h->nprogs; j++) {
				if (h->progs[j].variant != h->progs[k].variant)
					continue;
				entry |= h->progs[j].role == TPC_ROLE_ENTRY;
				ret |= h->progs[j].role == TPC_ROLE_RETURN;
			}
			const char *v = tpl_variant_name(h->progs[k].variant);
			if (!entry)
				return fail(p, 0, "hook %d: no entry program of variant %s", i, v);
			if (h->ret && !ret)
				return fail(p, 0, "hook %d: return=1 but no return program of variant %s",
					    i, v);
		}
	}
	return 0;
}

/* After "end": place arg and prog records into their hooks, check
 * completeness. */
static int finish(struct parser *p)
{
	struct tpc_manifest *m = p->m;
	int i;

	if (!p->have_tpc)
		return fail(p, 0, "no tpc record");
	if (!p->have_policy)
		return fail(p, 0, "no policy record");
	for (i = 0; i < m->nhooks; i++) {
		struct tpc_hook *h = &m->hooks[i];
		if (h->nargs == 0)
			continue;
		h->args = calloc(h->nargs, sizeof(*h->args));
		if (!h->args)
			return fail(p, 0, "out of memory");
	}
	for (i = 0; i < p->nargs; i++) {
		struct pending_arg *a = &p->args[i];
		if (a->hook >= m->nhooks)
			return fail(p, a->line, "arg of hook %d, which does not exist",
				    a->hook);
		struct tpc_hook *h = &m->hooks[a->hook];
		if (a->pos >= h->nargs)
			return fail(p, a->line, "arg pos=%d but hook %d has nargs=%d",
				    a->pos, a->hook, h->nargs);
		if (h->args[a->pos].type)
			return fail(p, a->line, "second arg pos=%d of hook %d",
				    a->pos, a->hook);
		h->args[a->pos].index = a->index;
		h->args[a->pos].type = a->type;
		h->args[a->pos].label = a->label;
		a->type = a->label = NULL; /* moved */
	}
	for (i = 0; i < m->nhooks; i++)
		for (int k = 0; k < m->hooks[i].nargs; k++)
			if (!m->hooks[i].args[k].type)
				return fail(p, 0, "hook %d: no arg record for pos=%d",
					    i, k);
	if (place_progs(p))
		return -1;
	for (i = 0; i < m->nactions; i++)
		if (m->actions[i].hook >= m->nhooks)
			return fail(p, 0, "action of hook %d, which does not exist",
				    m->actions[i].hook);
	for (i = 0; i < m->nretactions; i++)
		if (m->retactions[i].hook >= m->nhooks)
			return fail(p, 0, "retaction of hook %d, which does not exist",
				    m->retactions[i].hook);
	for (i = 0; i < m->nhooks; i++) {
		m->hooks[i].retactions = m->retactions;
		m->hooks[i].nretactions = m->nretactions;
	}
	return 0;
}

static int parse_lines(struct parser *p, const char *buf, size_t len)
{
	size_t off = 0;
	int no = 0, ended = 0;
	struct line l;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		char *kind, *s;
		int rc;

		no++;
		if (no > 10 * 1000 * 1000)
			return fail(p, no, "too many lines");
		for (size_t i = 0; i < n; i++) {
			unsigned char c = buf[off + i];
			if (c < 0x20 || c == 0x7f)
				return fail(p, no, "control byte 0x%02x", c);
		}
		s = malloc(n + 1);
		if (!s)
			return fail(p, no, "out of memory");
		memcpy(s, buf + off, n);
		s[n] = '\0';
		off += n + (nl ? 1 : 0);

		if (no == 1) {
			rc = parse_header(p, s);
		} else if (ended) {
			rc = n ? fail(p, no, "text after \"end\"") : 0;
		} else if (strcmp(s, "end") == 0) {
			ended = 1;
			rc = 0;
		} else {
			l.no = no;
			rc = split_fields(p, s, &kind, &l);
			if (rc == 0 && kind)
				rc = parse_record(p, kind, &l);
			/* a line of spaces only: kind == NULL, ignored */
		}
		free(s);
		if (rc)
			return -1;
	}
	if (no == 0)
		return fail(p, 0, "empty");
	if (!ended)
		return fail(p, 0, "no \"end\" line (truncated?)");
	return finish(p);
}

int tpc_manifest_parse(const char *buf, size_t len, struct tpc_manifest *m,
		       char *err, size_t errlen)
{
	struct parser p = { .m = m, .err = err, .errlen = errlen };
	int rc;

	memset(m, 0, sizeof(*m));
	if (errlen)
		err[0] = '\0';
	/* The section is usually a C string: drop its NUL terminator(s). */
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	if (len > TPL_MAX_MANIFEST)
		rc = fail(&p, 0, "larger than %u bytes", TPL_MAX_MANIFEST);
	else
		rc = parse_lines(&p, buf, len);
	for (int i = 0; i < p.nargs; i++) {
		free(p.args[i].type);
		free(p.args[i].label);
	}
	free(p.args);
	for (int i = 0; i < p.nprogs; i++)
		free(p.progs[i].p.name);
	free(p.progs);
	if (rc)
		tpc_manifest_free(m);
	return rc;
}

void tpc_manifest_free(struct tpc_manifest *m)
{
	for (int i = 0; i < m->nhooks; i++) {
		struct tpc_hook *h = &m->hooks[i];
		if (h->args)
			for (int k = 0; k < h->nargs; k++) {
				free(h->args[k].type);
				free(h->args[k].label);
			}
		free(h->args);
		for (int k = 0; k < h->ntags; k++)
			free(h->tags[k]);
		free(h->tags);
		free(h->message);
		free(h->policy);
		for (int k = 0; k < h->nprogs; k++)
			free(h->progs[k].name);
		free(h->progs);
		free(h->return_type);
		tpl_hook_free(h); /* zeroed fields when its kind was not read */
	}
	free(m->hooks);
	for (int i = 0; i < m->nactions; i++) {
		free(m->actions[i].kind);
		free(m->actions[i].value);
	}
	free(m->actions);
	free(m->retactions);
	for (int i = 0; i < m->nfollows; i++) {
		for (int k = 0; k < m->follows[i].nvalues; k++)
			free(m->follows[i].values[k]);
		free(m->follows[i].values);
	}
	free(m->follows);
	free(m->tpc_version);
	free(m->arch);
	free(m->policy);
	memset(m, 0, sizeof(*m));
}

#ifndef EM_BPF
#define EM_BPF 247
#endif

/* A BPF ELF whose every section lies inside the file: libelf reads lazily
 * and would otherwise report a cut file as one without a manifest. */
static int check_elf(Elf *elf, size_t size, const char *path, char *err,
		     size_t errlen)
{
	GElf_Ehdr eh;
	size_t nscn;
	Elf_Scn *scn = NULL;

	if (!gelf_getehdr(elf, &eh)) {
		snprintf(err, errlen, "%s: bad ELF header: %s", path,
			 elf_errmsg(-1));
		return -1;
	}
	unsigned long long fsize = (unsigned long long)size;
	/* libelf counts 0 sections when their headers do not fit: compare
	 * with the header's own count */
	if (eh.e_shnum)
		nscn = eh.e_shnum;
	else if (elf_getshdrnum(elf, &nscn))
		nscn = 0;
	if (eh.e_shoff == 0 || nscn == 0 || eh.e_shentsize == 0 ||
	    eh.e_shoff > fsize ||
	    nscn > (fsize - eh.e_shoff) / eh.e_shentsize) {
		snprintf(err, errlen,
			 "%s: truncated or corrupt ELF file: its section headers are not inside its %llu bytes",
			 path, fsize);
		return -1;
	}
	if (eh.e_machine != EM_BPF) {
		snprintf(err, errlen, "%s: not a BPF object (ELF machine %u, expected %u)",
			 path, (unsigned)eh.e_machine, EM_BPF);
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh)) {
			snprintf(err, errlen, "%s: bad ELF section header: %s",
				 path, elf_errmsg(-1));
			return -1;
		}
		if (sh.sh_type == SHT_NOBITS)
			continue;
		if (sh.sh_offset > fsize || sh.sh_size > fsize - sh.sh_offset) {
			snprintf(err, errlen,
				 "%s: truncated or corrupt ELF file: section %zu ends past its %llu bytes",
				 path, elf_ndxscn(scn), fsize);
			return -1;
		}
	}
	return 0;
}

/* Find the manifest section with libelf and copy its bytes out. */
/* The manifest section of the object image img[0..size). */
static int read_section(const void *img, size_t size, const char *path, char **out, size_t *outlen,
			char *err, size_t errlen)
{
	int rc = -1;
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "%s: libelf: %s", path, elf_errmsg(-1));
		return -1;
	}
	elf = elf_memory((char *)img, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		goto out;
	}
	if (check_elf(elf, size, path, err, errlen))
		goto out;
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		snprintf(err, errlen, "%s: bad ELF: %s", path, elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, TPC_MANIFEST_SECTION) != 0)
			continue;
		if (sh.sh_type == SHT_NOBITS) {
			snprintf(err, errlen, "%s: %s section is empty", path,
				 TPC_MANIFEST_SECTION);
			goto out;
		}
		if (sh.sh_size > TPL_MAX_MANIFEST) {
			snprintf(err, errlen,
				 "%s: %s section is too large (%llu bytes, at most %u)",
				 path, TPC_MANIFEST_SECTION,
				 (unsigned long long)sh.sh_size, TPL_MAX_MANIFEST);
			goto out;
		}
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || (d->d_size && !d->d_buf) || d->d_size > sh.sh_size) {
			snprintf(err, errlen, "%s: cannot read %s section: %s",
				 path, TPC_MANIFEST_SECTION, elf_errmsg(-1));
			goto out;
		}
		*out = malloc(d->d_size + 1);
		if (!*out) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
		if (d->d_size)
			memcpy(*out, d->d_buf, d->d_size);
		*outlen = d->d_size;
		rc = 0;
		goto out;
	}
	snprintf(err, errlen, "%s: not a tpc object (no %s section)", path,
		 TPC_MANIFEST_SECTION);
out:
	if (elf)
		elf_end(elf);
	return rc;
}

int tpc_manifest_read_mem(const void *img, size_t size, const char *path, struct tpc_manifest *m, char *err,
			  size_t errlen)
{
	char *buf, msg[512];
	size_t len = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if (read_section(img, size, path, &buf, &len, err, errlen))
		return -1;
	rc = tpc_manifest_parse(buf, len, m, msg, sizeof(msg));
	if (rc)
		snprintf(err, errlen, "%s: %s", path, msg);
	free(buf);
	return rc;
}

int tpc_file_read(const char *path, void **img, size_t *size, char *err, size_t errlen)
{
	/* not fopen: a FIFO would block it, a 16 GB sparse file would be read */
	int fd = tpl_open_file(-1, path);
	if (fd < 0) {
		*img = NULL;
		*size = 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = tpl_read_fd(fd, path, TPL_MAX_OBJECT, 0, img, size, err, errlen);
	close(fd);
	return rc;
}

int tpc_manifest_read(const char *path, struct tpc_manifest *m, char *err, size_t errlen)
{
	void *img;
	size_t size;

	memset(m, 0, sizeof(*m));
	if (tpc_file_read(path, &img, &size, err, errlen))
		return -1;
	int rc = tpc_manifest_read_mem(img, size, path, m, err, errlen);
	free(img);
	return rc;
}
