/* parse.c: TracingPolicy YAML to the typed model.
 *
 * libyaml's document API gives a node tree with a start mark per node; we
 * walk it with one function per mapping kind of the CRD. Each mapping has a
 * table of its keys: a key tpc implements is parsed into the model, a key
 * the CRD has but tpc does not implement is refused as "unsupported: ...",
 * any other key is an error with a "did you mean" suggestion. Nothing stops
 * at the first problem: every problem of the file is reported. */
#include "tpc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

/* A list of spec.lists, expanded when parsed: its members are what a
 * hook with call "list:NAME" becomes, one hook each. */
enum list_type { LIST_FUNCS, LIST_SYSCALLS, LIST_GEN_SYSCALLS, LIST_GEN_FTRACE };
struct plist {
	char *name;
	enum list_type type;
	char **members;     /* kernel symbols, or sys_X for the syscall types */
	struct pos *mpos;   /* where each was written (generated: the list's type) */
	int n;
	bool refused;       /* an error was reported: hooks using it say nothing more */
};

struct pctx {
	yaml_document_t *doc;
	const char *file;
	struct diags *d;
	struct plist *lists;   /* spec.lists, parsed before the hooks */
	int nlists;
	yaml_node_t *macros;   /* spec.selectorsMacros (a mapping), or NULL */
	bool in_macro;         /* parsing a macro's body */
};

static const struct target *parse_target;
static int (*parse_syscall_lister)(const struct target *, const char *, char ***, const char **);

void parse_set_target(const struct target *t)
{
	parse_target = t;
}

void parse_set_syscall_lister(int (*fn)(const struct target *t, const char *prefix, char ***names, const char **err))
{
	parse_syscall_lister = fn;
}

static const char *target_arch(void)
{
	return parse_target && parse_target->arch ? parse_target->arch : "x86";
}

/* "; did you mean 'X'?" or `otherwise` */
#define DYM(word, cands, otherwise) did_you_mean(word, cands, otherwise, dym_, sizeof(dym_))

static struct pos node_pos(const yaml_node_t *n)
{
	struct pos p = {0, 0};
	if (n) {
		p.line = (int)n->start_mark.line + 1;
		p.col = (int)n->start_mark.column + 1;
	}
	return p;
}

static yaml_node_t *node_at(struct pctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static const char *scalar_text(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *node_kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_NO_NODE: break;
	}
	return "empty";
}

static bool expect_kind(struct pctx *c, yaml_node_t *n, yaml_node_type_t t, const char *what)
{
	if (n->type == t)
		return true;
	const char *want = t == YAML_SCALAR_NODE ? "a scalar" : t == YAML_SEQUENCE_NODE ? "a list" : "a mapping";
	diag_add(c->d, c->file, node_pos(n), SEV_ERROR, "wrong-type", "%s must be %s, not %s", what, want,
		 node_kind_name(n));
	return false;
}

/* A scalar that was written as a plain YAML null (`key:` or `~`). */
static bool scalar_is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static bool get_string(struct pctx *c, yaml_node_t *n, const char *what, char **out)
{
	if (!expect_kind(c, n, YAML_SCALAR_NODE, what))
		return false;
	free(*out);
	*out = xstrdup(scalar_text(n));
	return true;
}

/* A name that reaches generated C and attach targets (a kernel symbol,
 * a tracepoint subsystem or event): letters, digits, '_' and, for
 * symbols, '.' (GCC's "foo.isra.0"), whatever BTF says, so a policy
 * cannot inject code into the object or a path into tracefs. */
static bool get_name(struct pctx *c, yaml_node_t *n, const char *what, bool symbol, char **out)
{
	if (!expect_kind(c, n, YAML_SCALAR_NODE, what))
		return false;
	const char *s = scalar_text(n);
	size_t len = n->data.scalar.length;
	const char *bad = NULL;
	if (strlen(s) != len)
		bad = "a NUL byte";
	else if (!len)
		bad = "nothing";
	else if (len > 255)
		bad = "more than 255 bytes";
	for (const char *p = s; !bad && *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      (symbol && *p == '.')))
			bad = "characters no kernel name has";
	if (bad) {
		struct buf shown = {0};
		for (size_t i = 0; i < len && i < 64; i++) {
			unsigned char ch = (unsigned char)s[i];
			if (ch >= 32 && ch < 127 && ch != '\'')
				buf_printf(&shown, "%c", ch);
			else
				buf_printf(&shown, "\\x%02x", ch);
		}
		diag_add(c->d, c->file, node_pos(n), SEV_ERROR, "bad-name", "%s '%s%s' holds %s (letters, digits, '_'%s)",
			 what, shown.s ? shown.s : "", len > 64 ? "..." : "", bad, symbol ? " and '.'" : "");
		buf_free(&shown);
		return false;
	}
	free(*out);
	*out = xstrdup(s);
	return true;
}

static bool get_int(struct pctx *c, yaml_node_t *n, const char *what, long long lo, long long hi,
		    long long *out)
{
	if (!expect_kind(c, n, YAML_SCALAR_NODE, what))
		return false;
	long long v;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !parse_integer_text(scalar_text(n), &v)) {
		diag_add(c->d, c->file, node_pos(n), SEV_ERROR, "wrong-type", "%s must be an integer, not '%s'",
			 what, scalar_text(n));
		return false;
	}
	if (v < lo || v > hi) {
		diag_add(c->d, c->file, node_pos(n), SEV_ERROR, "out-of-range", "%s %lld is out of range [%lld, %lld]",
			 what, v, lo, hi);
		return false;
	}
	*out = v;
	return true;
}

static bool get_bool(struct pctx *c, yaml_node_t *n, const char *what, bool *out)
{
	if (!expect_kind(c, n, YAML_SCALAR_NODE, what))
		return false;
	const char *s = scalar_text(n);
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
			*out = true;
			return true;
		}
		if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
			*out = false;
			return true;
		}
	}
	diag_add(c->d, c->file, node_pos(n), SEV_ERROR, "wrong-type", "%s must be true or false, not '%s'", what, s);
	return false;
}

/* ---- key tables ----
 *
 * Each mapping kind of the CRD has an enum of its keys and a table indexed
 * by it (designated initializers): parse functions switch on the enum. A
 * key tpc implements is parsed into the model, a key the CRD has but tpc
 * does not implement is refused as "unsupported: ...", a key tpc accepts
 * and ignores (metadata.labels) is skipped. */

enum key_role { K_IMPL, K_UNSUPPORTED, K_IGNORED };

struct key_spec {
	const char *key;
	enum key_role role;
	const char *feature; /* for K_UNSUPPORTED: what to call it */
};

#define NKEYS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* Looks key up in spec[0..n); reports unknown and unsupported keys.
 * Returns the index of an implemented key, or -1 when the caller should
 * skip the pair. */
static int lookup_key(struct pctx *c, yaml_node_t *k, const struct key_spec *spec, int n, const char *where)
{
	const char *name = scalar_text(k);
	if (!name) {
		diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "wrong-type", "keys of %s must be scalars", where);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (!spec[i].key || strcmp(name, spec[i].key))
			continue;
		if (spec[i].role == K_UNSUPPORTED)
			diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "unsupported", "unsupported: %s",
				 spec[i].feature ? spec[i].feature : name);
		return spec[i].role == K_IMPL ? i : -1;
	}
	const char *cands[64];
	int m = 0;
	for (int i = 0; i < n && m < 63; i++)
		if (spec[i].key)
			cands[m++] = spec[i].key;
	cands[m] = NULL;
	char dym_[128];
	diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "unknown-key", "unknown key '%s' in %s%s", name, where,
		 DYM(name, cands, ""));
	return -1;
}

#define LOOKUP(c, k, table, where) lookup_key(c, k, table, NKEYS(table), where)

/* libyaml accepts a key written twice in one mapping; the first counts,
 * a later one is an error (and is skipped: parsing it again would grow
 * arrays sized for the first). */
static bool duplicate_key(struct pctx *c, yaml_node_t *map, yaml_node_pair_t *pair)
{
	const char *name = scalar_text(node_at(c, pair->key));
	if (!name)
		return false;
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pair; q++) {
		yaml_node_t *qk = node_at(c, q->key);
		if (scalar_text(qk) && !strcmp(scalar_text(qk), name)) {
			diag_add(c->d, c->file, node_pos(node_at(c, pair->key)), SEV_ERROR, "duplicate-key",
				 "key '%s' appears twice in this mapping (first at line %d)", name, node_pos(qk).line);
			return true;
		}
	}
	return false;
}

#define FOR_PAIRS(c, map, pk, pv)                                                                      \
	for (yaml_node_pair_t *pair_ = (map)->data.mapping.pairs.start; pair_ < (map)->data.mapping.pairs.top; \
	     pair_++)                                                                                      \
		if (!duplicate_key(c, map, pair_))                                                         \
			for (yaml_node_t *pk = node_at(c, pair_->key), *pv = node_at(c, pair_->value); pk && pv; pk = NULL)

#define FOR_ITEMS(c, seq, item)                                                                        \
	for (yaml_node_item_t *it_ = (seq)->data.sequence.items.start; it_ < (seq)->data.sequence.items.top; \
	     it_++)                                                                                        \
		for (yaml_node_t *item = node_at(c, *it_); item; item = NULL)

static int seq_len(yaml_node_t *n)
{
	return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* ---- values ---- */

static void parse_values(struct pctx *c, yaml_node_t *n, struct value **out, int *nout, bool *has)
{
	*has = true;
	if (!expect_kind(c, n, YAML_SEQUENCE_NODE, "values"))
		return;
	*out = xcalloc((size_t)seq_len(n), sizeof(struct value));
	FOR_ITEMS(c, n, item)
	{
		if (!expect_kind(c, item, YAML_SCALAR_NODE, "a value"))
			continue;
		/* a trailing "\0" (the spec's Override example writes one) is the
		 * C string's own end; a NUL inside would cut the value */
		size_t len = item->data.scalar.length;
		const char *text = scalar_text(item);
		while (len && !text[len - 1])
			len--;
		if (memchr(text, 0, len)) {
			diag_add(c->d, c->file, node_pos(item), SEV_ERROR, "bad-value",
				 "value contains a NUL byte before its end");
			continue;
		}
		struct value *v = &(*out)[(*nout)++];
		v->s = strndup(text, len);
		v->len = len;
		v->pos = node_pos(item);
		v->is_int = parse_integer_text(v->s, &v->i);
	}
}

/* ---- args ---- */

enum arg_key {
	ARG_INDEX,
	ARG_TYPE,
	ARG_SIZE_ARG_INDEX,
	ARG_RETURN_COPY,
	ARG_MAX_DATA,
	ARG_LABEL,
	ARG_BTF_TYPE,
	ARG_BTF_TYPE_MODULE,
	ARG_RESOLVE,
	ARG_SOURCE,
};
static const struct key_spec arg_keys[] = {
	[ARG_INDEX] = {"index", K_IMPL, 0},
	[ARG_TYPE] = {"type", K_IMPL, 0},
	[ARG_SIZE_ARG_INDEX] = {"sizeArgIndex", K_IMPL, 0},
	[ARG_RETURN_COPY] = {"returnCopy", K_IMPL, 0},
	[ARG_MAX_DATA] = {"maxData", K_IMPL, 0},
	[ARG_LABEL] = {"label", K_IMPL, 0},
	[ARG_BTF_TYPE] = {"btfType", K_IMPL, 0},
	[ARG_BTF_TYPE_MODULE] = {"btfTypeModule", K_IMPL, 0},
	[ARG_RESOLVE] = {"resolve", K_IMPL, 0},
	[ARG_SOURCE] = {"source", K_IMPL, 0},
};

/* The column of a one-line scalar's first character, so that a problem
 * in its n-th byte can be pointed at; 0 when it spans lines or is a
 * block scalar. */
static int scalar_text_col(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->start_mark.line != n->end_mark.line)
		return 0;
	switch (n->data.scalar.style) {
	case YAML_PLAIN_SCALAR_STYLE: return (int)n->start_mark.column + 1;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return (int)n->start_mark.column + 2;
	case YAML_ANY_SCALAR_STYLE:
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE: break;
	}
	return 0;
}

static void parse_source(struct pctx *c, yaml_node_t *v, struct arg *a)
{
	static const char *const sources[] = {"current_task", "pt_regs", NULL};
	char dym_[128];
	a->source_pos = node_pos(v);
	if (!get_string(c, v, "source", &a->source_name))
		return;
	if (!strcmp(a->source_name, "current_task"))
		a->source = SRC_CURRENT_TASK;
	else if (!strcmp(a->source_name, "pt_regs"))
		a->source = SRC_PT_REGS;
	else {
		a->source = SRC_OTHER;
		diag_add(c->d, c->file, a->source_pos, SEV_ERROR, "bad-enum",
			 "unknown data source '%s' (current_task or pt_regs)%s", a->source_name,
			 DYM(a->source_name, sources, ""));
	}
}

static void parse_arg_type(struct pctx *c, yaml_node_t *v, struct arg *a)
{
	char dym_[128];
	if (!get_string(c, v, "type", &a->type_name))
		return;
	a->type = arg_type_from_name(a->type_name);
	if (a->type == AT_UNKNOWN)
		diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum", "unknown arg type '%s'%s", a->type_name,
			 DYM(a->type_name, arg_type_names, ""));
	else if (a->type == AT_OTHER)
		diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "unsupported", "unsupported: arg type '%s'",
			 a->type_name);
	else if (a->type == AT_CONST_BUF) /* as Tetragon: it stands for an array field */
		diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum",
			 "arg type const_buf cannot be written (Tetragon: const_buf type cannot be user-defined): leave "
			 "the type out of an array field's arg and auto makes it one");
}

static void parse_arg(struct pctx *c, yaml_node_t *n, struct arg *a)
{
	a->pos = node_pos(n);
	a->index = -1;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "an arg"))
		return;
	bool has_index = false, has_type = false;
	FOR_PAIRS(c, n, k, v)
	{
		long long x;
		switch ((enum arg_key)LOOKUP(c, k, arg_keys, "an arg")) {
		case ARG_INDEX:
			a->index_pos = node_pos(v);
			has_index = true;
			if (get_int(c, v, "index", 0, 255, &x))
				a->index = (int)x;
			break;
		case ARG_TYPE:
			a->type_pos = node_pos(v);
			has_type = true;
			parse_arg_type(c, v, a);
			break;
		case ARG_SIZE_ARG_INDEX:
			a->size_pos = node_pos(v);
			if (get_int(c, v, "sizeArgIndex", 0, 256, &x))
				a->size_arg_index = (int)x;
			break;
		case ARG_RETURN_COPY: get_bool(c, v, "returnCopy", &a->return_copy); break;
		case ARG_MAX_DATA:
			a->max_data_pos = node_pos(k);
			get_bool(c, v, "maxData", &a->max_data); /* a boolean in the CRD */
			break;
		case ARG_LABEL: get_string(c, v, "label", &a->label); break;
		case ARG_BTF_TYPE:
			a->btf_type_pos = node_pos(v);
			get_name(c, v, "btfType", false, &a->btf_type); /* it reaches generated C */
			break;
		case ARG_BTF_TYPE_MODULE:
			a->btf_type_module_pos = node_pos(v);
			get_name(c, v, "btfTypeModule", false, &a->btf_type_module);
			break;
		case ARG_RESOLVE:
			a->resolve_pos = node_pos(v);
			if (get_string(c, v, "resolve", &a->resolve))
				a->resolve_col = scalar_text_col(v);
			break;
		case ARG_SOURCE: parse_source(c, v, a); break;
		}
	}
	if (!has_index)
		diag_add(c->d, c->file, a->pos, SEV_ERROR, "missing-key", "arg is missing 'index'");
	if (!has_type) { /* the CRD's default: derived from the kernel's types (typing.c) */
		a->type = AT_AUTO;
		a->type_name = xstrdup("auto");
	}
}

static void parse_args(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, "args"))
		return;
	h->args = xcalloc((size_t)seq_len(n), sizeof(struct arg));
	FOR_ITEMS(c, n, item) parse_arg(c, item, &h->args[h->nargs++]);
}

/* ---- selectors ---- */

/* An operator allowed in `where` (model.c's table); reports unknown names
 * with a suggestion among the allowed ones and CRD operators tpc does not
 * implement there as unsupported. Returns OP_UNKNOWN on any problem. */
static enum op parse_op(struct pctx *c, yaml_node_t *v, enum op_where where, const char *what, struct pos *pos)
{
	char *name = NULL;
	char dym_[128];
	*pos = node_pos(v);
	if (!get_string(c, v, "operator", &name))
		return OP_UNKNOWN;
	enum op o = op_from_name(name);
	if (o != OP_UNKNOWN && o != OP_OTHER && (ops[o].where & where)) {
		free(name);
		return o;
	}
	const char *const *allowed = op_names_where(where);
	if (where == OPW_ARGS || where == OPW_RETURN) {
		bool crd = false; /* an operator of the CRD tpc does not implement here */
		for (int i = 0; op_names[i]; i++)
			crd |= !strcmp(name, op_names[i]);
		if (!crd)
			diag_add(c->d, c->file, *pos, SEV_ERROR, "bad-enum", "unknown operator '%s'%s", name,
				 DYM(name, where == OPW_ARGS ? op_names : allowed, ""));
		else if (where == OPW_ARGS)
			diag_add(c->d, c->file, *pos, SEV_ERROR, "unsupported", "unsupported: matchArgs operator '%s'", name);
		else
			diag_add(c->d, c->file, *pos, SEV_ERROR, "unsupported",
				 "unsupported: matchReturnArgs operator '%s' (tpc compares return values as integers: "
				 "Equal, NotEqual, GT, LT, Mask)",
				 name);
	} else {
		struct buf list = {0};
		for (int i = 0; allowed[i]; i++)
			buf_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
		char *otherwise = xasprintf(" (one of %s)", list.s);
		diag_add(c->d, c->file, *pos, SEV_ERROR, "bad-enum", "unknown %s operator '%s'%s", what, name,
			 DYM(name, allowed, otherwise));
		free(otherwise);
		buf_free(&list);
	}
	free(name);
	return OP_UNKNOWN;
}

enum match_arg_key { MA_INDEX, MA_OPERATOR, MA_VALUES, MA_ARGS };
static const struct key_spec match_arg_keys[] = {
	[MA_INDEX] = {"index", K_IMPL, 0},
	[MA_OPERATOR] = {"operator", K_IMPL, 0},
	[MA_VALUES] = {"values", K_IMPL, 0},
	[MA_ARGS] = {"args", K_IMPL, 0},
};

/* args: [N]: the slot the entry filters (only CapabilitiesGained, which
 * tpc does not implement, reads a second one). */
static void parse_match_slots(struct pctx *c, yaml_node_t *v, struct match_arg *m, const char *what)
{
	m->args_pos = node_pos(v);
	if (!expect_kind(c, v, YAML_SEQUENCE_NODE, "args"))
		return;
	int n = 0;
	FOR_ITEMS(c, v, item)
	{
		long long x;
		if (n++ == 0) {
			if (get_int(c, item, "an args slot", 0, 255, &x))
				m->args_slot = (int)x;
		} else if (n == 2) {
			if (get_int(c, item, "an args slot", 0, 255, &x))
				m->args_slot2 = (int)x;
		}
	}
	m->nargs_slots = n;
	if (!n)
		diag_add(c->d, c->file, m->args_pos, SEV_ERROR, "no-values", "%s args is empty", what);
}

static void parse_match_arg_in(struct pctx *c, yaml_node_t *n, struct match_arg *m, bool data)
{
	const char *what = data ? "a matchData entry" : "a matchArgs entry";
	m->pos = node_pos(n);
	m->index = -1;
	m->args_slot = -1;
	m->args_slot2 = -1;
	m->data = data;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, what))
		return;
	bool has_op = false;
	FOR_PAIRS(c, n, k, v)
	{
		long long x;
		switch ((enum match_arg_key)LOOKUP(c, k, match_arg_keys, what)) {
		case MA_INDEX:
			m->index_pos = node_pos(v);
			if (get_int(c, v, "index", 0, 255, &x))
				m->index = (int)x;
			break;
		case MA_OPERATOR:
			has_op = true;
			m->op = parse_op(c, v, OPW_ARGS, data ? "matchData" : "matchArgs", &m->op_pos);
			break;
		case MA_VALUES: parse_values(c, v, &m->values, &m->nvalues, &m->has_values); break;
		case MA_ARGS: parse_match_slots(c, v, m, data ? "matchData" : "matchArgs"); break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'operator'", what + 2);
	/* "list:NAME" in InMap/NotInMap: the syscall numbers of the list's
	 * members (in the target's ABI), in its place */
	for (int i = 0; (m->op == OP_INMAP || m->op == OP_NOTINMAP) && i < m->nvalues; i++) {
		if (strncmp(m->values[i].s, "list:", 5))
			continue;
		struct value lv = m->values[i];
		memmove(&m->values[i], &m->values[i + 1], sizeof(*m->values) * (size_t)(m->nvalues - i - 1));
		m->nvalues--;
		i--;
		const struct plist *l = NULL;
		for (int j = 0; j < c->nlists; j++)
			if (c->lists[j].name && !strcmp(c->lists[j].name, lv.s + 5))
				l = &c->lists[j];
		if (!l) {
			diag_add(c->d, c->file, lv.pos, SEV_ERROR, "unknown-list", "list '%s' not found", lv.s);
		} else if (l->type != LIST_SYSCALLS && l->type != LIST_GEN_SYSCALLS) {
			diag_add(c->d, c->file, lv.pos, SEV_ERROR, "bad-list", "list '%s' is not syscall type", l->name);
		} else if (!l->refused) {
			m->list_pos = lv.pos;
			m->values = xrealloc(m->values, sizeof(*m->values) * (size_t)(m->nvalues + l->n + 1));
			for (int k = 0; k < l->n; k++) {
				int nr = syscall_number(target_arch(), l->members[k] + 4);
				if (nr < 0) {
					diag_add(c->d, c->file, l->mpos[k], SEV_ERROR, "bad-list",
						 "syscall '%s' of list '%s' has no number in the %s ABI", l->members[k], l->name,
						 !strcmp(target_arch(), "arm64") ? "arm64" : "x64");
					continue;
				}
				struct value *v = &m->values[m->nvalues++];
				memset(v, 0, sizeof(*v));
				v->s = xasprintf("%d", nr);
				v->len = strlen(v->s);
				v->pos = lv.pos;
				v->is_int = true;
				v->i = nr;
			}
		}
		free(lv.s);
	}
	if (m->op != OP_CELEXPR && m->index < 0 && !m->index_pos.line && !m->args_pos.line)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'index' (or 'args')", what + 2);
}

static void parse_match_arg(struct pctx *c, yaml_node_t *n, struct match_arg *m)
{
	parse_match_arg_in(c, n, m, false);
}

enum proc_key { PROC_OPERATOR, PROC_VALUES, PROC_FOLLOW, PROC_NS_PID };
static const struct key_spec pids_keys[] = {
	[PROC_OPERATOR] = {"operator", K_IMPL, 0},
	[PROC_VALUES] = {"values", K_IMPL, 0},
	[PROC_FOLLOW] = {"followForks", K_IMPL, 0},
	[PROC_NS_PID] = {"isNamespacePID", K_IMPL, 0},
};
static const struct key_spec binaries_keys[] = {
	[PROC_OPERATOR] = {"operator", K_IMPL, 0},
	[PROC_VALUES] = {"values", K_IMPL, 0},
	[PROC_FOLLOW] = {"followChildren", K_IMPL, 0},
};

/* matchPIDs (pids=true) or matchBinaries entries */
static void parse_match_proc(struct pctx *c, yaml_node_t *n, struct match_proc *m, bool pids)
{
	const char *what = pids ? "a matchPIDs entry" : "a matchBinaries entry";
	m->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, what))
		return;
	bool has_op = false;
	FOR_PAIRS(c, n, k, v)
	{
		int key = pids ? LOOKUP(c, k, pids_keys, what) : LOOKUP(c, k, binaries_keys, what);
		switch ((enum proc_key)key) {
		case PROC_OPERATOR:
			has_op = true;
			m->op = parse_op(c, v, pids ? OPW_PIDS : OPW_BINARIES, pids ? "matchPIDs" : "matchBinaries",
					 &m->op_pos);
			break;
		case PROC_VALUES: parse_values(c, v, &m->values, &m->nvalues, &m->has_values); break;
		case PROC_FOLLOW: get_bool(c, v, pids ? "followForks" : "followChildren", &m->follow); break;
		case PROC_NS_PID: get_bool(c, v, "isNamespacePID", &m->ns_pid); break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'operator'", what + 2);
	if (!m->has_values)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'values'", what + 2);
}

enum ns_key { NSK_NAMESPACE, NSK_OPERATOR, NSK_VALUES };
static const struct key_spec ns_keys[] = {
	[NSK_NAMESPACE] = {"namespace", K_IMPL, 0},
	[NSK_OPERATOR] = {"operator", K_IMPL, 0},
	[NSK_VALUES] = {"values", K_IMPL, 0},
};

/* A namespace kind by name; reports unknown names. -1 on a problem. */
static int parse_ns_name(struct pctx *c, const char *name, struct pos pos, const char *otherwise)
{
	char dym_[128];
	int ns = ns_from_name(name);
	if (ns < 0)
		diag_add(c->d, c->file, pos, SEV_ERROR, "bad-enum", "unknown namespace '%s'%s", name,
			 DYM(name, ns_names, otherwise));
	return ns;
}

static void parse_match_ns(struct pctx *c, yaml_node_t *n, struct match_ns *m)
{
	m->pos = node_pos(n);
	m->ns = NS_COUNT;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a matchNamespaces entry"))
		return;
	bool has_ns = false, has_op = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum ns_key)LOOKUP(c, k, ns_keys, "a matchNamespaces entry")) {
		case NSK_NAMESPACE: {
			char *name = NULL;
			has_ns = true;
			m->ns_pos = node_pos(v);
			if (!get_string(c, v, "namespace", &name))
				break;
			int ns = parse_ns_name(c, name, m->ns_pos,
					       " (Uts, Ipc, Mnt, Pid, PidForChildren, Net, Time, TimeForChildren, Cgroup or User)");
			if (ns >= 0)
				m->ns = (enum ns_kind)ns;
			free(name);
			break;
		}
		case NSK_OPERATOR:
			has_op = true;
			m->op = parse_op(c, v, OPW_NAMESPACES, "matchNamespaces", &m->op_pos);
			break;
		case NSK_VALUES: parse_values(c, v, &m->values, &m->nvalues, &m->has_values); break;
		}
	}
	if (!has_ns)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaces entry is missing 'namespace'");
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaces entry is missing 'operator'");
	if (!m->has_values)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaces entry is missing 'values'");
}

enum caps_key { CAPK_TYPE, CAPK_OPERATOR, CAPK_VALUES, CAPK_NS_CAP };
static const struct key_spec caps_keys[] = {
	[CAPK_TYPE] = {"type", K_IMPL, 0},
	[CAPK_OPERATOR] = {"operator", K_IMPL, 0},
	[CAPK_VALUES] = {"values", K_IMPL, 0},
	[CAPK_NS_CAP] = {"isNamespaceCapability", K_IMPL, 0},
};

/* Capability names to their bits; reports unknown names. */
static void caps_mask(struct pctx *c, struct match_caps *m)
{
	char dym_[128];
	for (int i = 0; i < m->nvalues; i++) {
		const char *name = m->values[i].s;
		int cap = cap_from_name(name);
		if (cap >= 0) {
			m->mask |= 1ULL << cap;
			continue;
		}
		/* "chown" or "CHOWN" for "CAP_CHOWN" is a near miss too */
		char up[64];
		snprintf(up, sizeof(up), "%s%s", strncasecmp(name, "CAP_", 4) ? "CAP_" : "", name);
		for (char *p = up; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		if (cap_from_name(up) >= 0)
			diag_add(c->d, c->file, m->values[i].pos, SEV_ERROR, "bad-enum",
				 "unknown capability '%s'; did you mean '%s'?", name, up);
		else
			diag_add(c->d, c->file, m->values[i].pos, SEV_ERROR, "bad-enum", "unknown capability '%s'%s", name,
				 DYM(name, cap_names, " (names as in linux/capability.h, e.g. CAP_SYS_ADMIN)"));
	}
}

static void parse_match_caps(struct pctx *c, yaml_node_t *n, struct match_caps *m, const char *what)
{
	char dym_[128];
	m->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, what))
		return;
	bool has_op = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum caps_key)LOOKUP(c, k, caps_keys, what)) {
		case CAPK_TYPE: {
			char *name = NULL;
			if (!get_string(c, v, "type", &name))
				break;
			int i;
			for (i = 0; cap_set_names[i] && strcmp(cap_set_names[i], name); i++)
				;
			if (!cap_set_names[i])
				diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum", "unknown capability set '%s'%s", name,
					 DYM(name, cap_set_names, " (Effective, Inheritable or Permitted)"));
			else
				m->set = (enum cap_set)i;
			free(name);
			break;
		}
		case CAPK_OPERATOR:
			has_op = true;
			m->op = parse_op(c, v, OPW_NAMESPACES, "capability", &m->op_pos);
			break;
		case CAPK_VALUES:
			parse_values(c, v, &m->values, &m->nvalues, &m->has_values);
			caps_mask(c, m);
			break;
		case CAPK_NS_CAP: get_bool(c, v, "isNamespaceCapability", &m->ns_cap); break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'operator'", what + 2);
	if (!m->has_values)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'values'", what + 2);
}

enum ns_changes_key { NSC_OPERATOR, NSC_VALUES };
static const struct key_spec ns_changes_keys[] = {
	[NSC_OPERATOR] = {"operator", K_IMPL, 0},
	[NSC_VALUES] = {"values", K_IMPL, 0},
};

static void parse_match_ns_changes(struct pctx *c, yaml_node_t *n, struct match_ns_changes *m)
{
	m->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a matchNamespaceChanges entry"))
		return;
	bool has_op = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum ns_changes_key)LOOKUP(c, k, ns_changes_keys, "a matchNamespaceChanges entry")) {
		case NSC_OPERATOR:
			has_op = true;
			m->op = parse_op(c, v, OPW_NAMESPACES, "matchNamespaceChanges", &m->op_pos);
			break;
		case NSC_VALUES:
			parse_values(c, v, &m->values, &m->nvalues, &m->has_values);
			for (int i = 0; i < m->nvalues; i++) {
				int ns = parse_ns_name(c, m->values[i].s, m->values[i].pos, "");
				if (ns >= 0)
					m->mask |= 1u << ns;
			}
			break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaceChanges entry is missing 'operator'");
	if (!m->has_values)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaceChanges entry is missing 'values'");
}

enum return_arg_key { RA_INDEX, RA_OPERATOR, RA_VALUES, RA_ARGS };
static const struct key_spec return_arg_keys[] = {
	[RA_INDEX] = {"index", K_IGNORED, 0},
	[RA_OPERATOR] = {"operator", K_IMPL, 0},
	[RA_VALUES] = {"values", K_IMPL, 0},
	[RA_ARGS] = {"args", K_UNSUPPORTED, "matchReturnArgs.args"},
};

static void parse_match_return_arg(struct pctx *c, yaml_node_t *n, struct match_arg *m)
{
	m->pos = node_pos(n);
	m->index = 0;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a matchReturnArgs entry"))
		return;
	bool has_op = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum return_arg_key)LOOKUP(c, k, return_arg_keys, "a matchReturnArgs entry")) {
		case RA_OPERATOR:
			has_op = true;
			m->op = parse_op(c, v, OPW_RETURN, "matchReturnArgs", &m->op_pos);
			break;
		case RA_VALUES: parse_values(c, v, &m->values, &m->nvalues, &m->has_values); break;
		case RA_INDEX:
		case RA_ARGS: break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchReturnArgs entry is missing 'operator'");
}

/* Grows *arr by the sequence v's length and parses each item with the
 * statement that follows (it sees `item` and the new element `at`). */
#define PARSE_LIST(c, v, arr, count, what, stmt)                                                     \
	do {                                                                                         \
		if (scalar_is_null(v) || !expect_kind(c, v, YAML_SEQUENCE_NODE, what))                 \
			break;                                                                       \
		arr = xrealloc(arr, sizeof(*(arr)) * (size_t)((count) + seq_len(v)));                 \
		FOR_ITEMS(c, v, item)                                                                \
		{                                                                                    \
			__typeof__(arr) at = &(arr)[count];                                            \
			memset(at, 0, sizeof(*at));                                                    \
			stmt;                                                                        \
			(count)++;                                                                   \
		}                                                                                    \
	} while (0)

/* "30s", "1m", "2h", "500ms" or a plain number of seconds, as the CRD's
 * rateLimit is written. */
static bool parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v <= 0 || v > 1e9)
		return false;
	double mul = !*end || !strcmp(end, "s") ? 1e9 : !strcmp(end, "ms") ? 1e6 : !strcmp(end, "m") ? 60e9
		   : !strcmp(end, "h") ? 3600e9 : 0;
	if (!mul)
		return false;
	*ns = (uint64_t)(v * mul);
	return *ns > 0;
}

enum action_key {
	AK_ACTION,
	AK_ARG_ERROR,
	AK_ARG_SIG,
	AK_ARG_FD,
	AK_ARG_NAME,
	AK_ARG_URL,
	AK_ARG_FQDN,
	AK_ARG_INDEX,
	AK_ARG_NEW_ADDR,
	AK_ARG_NEW_OFFSET,
	AK_ARG_NEW_SYMBOL,
	AK_ARG_REGS,
	AK_ARG_SOCK,
	AK_ARG_VALUE,
	AK_IMA_HASH,
	AK_KERNEL_STACK,
	AK_USER_STACK,
	AK_RATE_LIMIT,
	AK_RATE_LIMIT_SCOPE,
};
static const struct key_spec action_keys[] = {
	[AK_ACTION] = {"action", K_IMPL, 0},
	[AK_ARG_ERROR] = {"argError", K_IMPL, 0},
	[AK_ARG_SIG] = {"argSig", K_IMPL, 0},
	[AK_ARG_FD] = {"argFd", K_IMPL, 0},
	[AK_ARG_NAME] = {"argName", K_IMPL, 0},
	[AK_ARG_URL] = {"argUrl", K_IMPL, 0},
	[AK_ARG_FQDN] = {"argFqdn", K_IMPL, 0},
	[AK_ARG_INDEX] = {"argIndex", K_UNSUPPORTED, "matchActions.argIndex"},
	[AK_ARG_NEW_ADDR] = {"argNewAddr", K_UNSUPPORTED, "matchActions.argNewAddr"},
	[AK_ARG_NEW_OFFSET] = {"argNewOffset", K_UNSUPPORTED, "matchActions.argNewOffset"},
	[AK_ARG_NEW_SYMBOL] = {"argNewSymbol", K_UNSUPPORTED, "matchActions.argNewSymbol"},
	[AK_ARG_REGS] = {"argRegs", K_UNSUPPORTED, "matchActions.argRegs"},
	[AK_ARG_SOCK] = {"argSock", K_IMPL, 0},
	[AK_ARG_VALUE] = {"argValue", K_UNSUPPORTED, "matchActions.argValue"},
	[AK_IMA_HASH] = {"imaHash", K_UNSUPPORTED, "matchActions.imaHash"},
	[AK_KERNEL_STACK] = {"kernelStackTrace", K_IMPL, 0},
	[AK_USER_STACK] = {"userStackTrace", K_IMPL, 0},
	[AK_RATE_LIMIT] = {"rateLimit", K_IMPL, 0},
	[AK_RATE_LIMIT_SCOPE] = {"rateLimitScope", K_IMPL, 0},
};

static void parse_action_name(struct pctx *c, yaml_node_t *v, struct action *a)
{
	char dym_[128];
	a->kind_pos = node_pos(v);
	if (!get_string(c, v, "action", &a->name))
		return;
	a->kind = action_from_name(a->name);
	if (a->kind == ACT_UNKNOWN)
		diag_add(c->d, c->file, a->kind_pos, SEV_ERROR, "bad-enum", "unknown action '%s'%s", a->name,
			 DYM(a->name, action_names, ""));
	else if (a->kind == ACT_OTHER && !strcmp(a->name, "Set"))
		diag_add(c->d, c->file, a->kind_pos, SEV_ERROR, "unsupported",
			 "unsupported: action 'Set' (it writes into the traced process with bpf_probe_write_user, "
			 "which kernels in lockdown refuse; tpc does not write into processes)");
	else if (a->kind == ACT_OTHER)
		diag_add(c->d, c->file, a->kind_pos, SEV_ERROR, "unsupported", "unsupported: action '%s'", a->name);
}

static void parse_rate_limit_scope(struct pctx *c, yaml_node_t *v, struct action *a)
{
	static const char *const scopes[] = {"thread", "process", "global", NULL};
	char dym_[128];
	char *sc = NULL;
	if (!get_string(c, v, "rateLimitScope", &sc))
		return;
	int k;
	for (k = 0; scopes[k] && strcmp(scopes[k], sc); k++)
		;
	if (scopes[k])
		a->rate_limit_scope = k;
	else
		diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum", "unknown rateLimitScope '%s'%s", sc,
			 DYM(sc, scopes, " (thread, process or global)"));
	free(sc);
}

/* An entry of matchActions, or of matchReturnActions when at_return. */
static void parse_action(struct pctx *c, yaml_node_t *n, struct action *a, bool at_return)
{
	const char *entry = at_return ? "a matchReturnActions entry" : "a matchActions entry";
	a->pos = node_pos(n);
	a->at_return = at_return;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, entry))
		return;
	bool has_action = false;
	FOR_PAIRS(c, n, k, v)
	{
		long long x;
		switch ((enum action_key)LOOKUP(c, k, action_keys, entry)) {
		case AK_ACTION:
			has_action = true;
			parse_action_name(c, v, a);
			break;
		case AK_ARG_ERROR:
			if (get_int(c, v, "argError", INT_MIN, INT_MAX, &x)) {
				a->arg_error = x;
				a->has_arg_error = true;
			}
			break;
		case AK_ARG_SIG:
			if (get_int(c, v, "argSig", 0, 64, &x)) {
				a->arg_sig = x;
				a->has_arg_sig = true;
			}
			break;
		case AK_ARG_FD:
			if (get_int(c, v, "argFd", 0, 255, &x)) {
				a->arg_fd = (int)x;
				a->has_arg_fd = true;
			}
			break;
		case AK_ARG_NAME:
			if (get_int(c, v, "argName", 0, 255, &x)) {
				a->arg_name = (int)x;
				a->has_arg_name = true;
			}
			break;
		case AK_ARG_SOCK:
			if (get_int(c, v, "argSock", 0, 255, &x)) {
				a->arg_sock = (int)x;
				a->has_arg_sock = true;
			}
			break;
		case AK_ARG_URL: get_string(c, v, "argUrl", &a->arg_url); break;
		case AK_ARG_FQDN: get_string(c, v, "argFqdn", &a->arg_fqdn); break;
		case AK_RATE_LIMIT: {
			char *rl = NULL;
			a->rate_pos = node_pos(v);
			if (get_string(c, v, "rateLimit", &rl) && !parse_duration(rl, &a->rate_limit_ns))
				diag_add(c->d, c->file, a->rate_pos, SEV_ERROR, "bad-value",
					 "rateLimit '%s' is not a duration (a number with s, m or h, e.g. 30s, 1m)", rl);
			free(rl);
			break;
		}
		case AK_RATE_LIMIT_SCOPE: parse_rate_limit_scope(c, v, a); break;
		case AK_ARG_INDEX:
		case AK_ARG_NEW_ADDR:
		case AK_ARG_NEW_OFFSET:
		case AK_ARG_NEW_SYMBOL:
		case AK_ARG_REGS:
		case AK_ARG_VALUE:
		case AK_IMA_HASH: break;
		case AK_KERNEL_STACK:
			if (get_bool(c, v, "kernelStackTrace", &a->kernel_stack) && a->kernel_stack && !a->user_stack)
				a->stack_pos = node_pos(k);
			break;
		case AK_USER_STACK:
			if (get_bool(c, v, "userStackTrace", &a->user_stack) && a->user_stack && !a->kernel_stack)
				a->stack_pos = node_pos(k);
			break;
		}
	}
	if (!has_action)
		diag_add(c->d, c->file, a->pos, SEV_ERROR, "missing-key", "%s entry is missing 'action'",
			 at_return ? "matchReturnActions" : "matchActions");
}

enum selector_key {
	SK_MATCH_ARGS,
	SK_MATCH_ACTIONS,
	SK_MATCH_PIDS,
	SK_MATCH_BINARIES,
	SK_MATCH_NAMESPACES,
	SK_MATCH_CAPABILITIES,
	SK_MATCH_NAMESPACE_CHANGES,
	SK_MATCH_CAPABILITY_CHANGES,
	SK_MATCH_RETURN_ARGS,
	SK_MATCH_RETURN_ACTIONS,
	SK_MATCH_DATA,
	SK_MATCH_PARENT_BINARIES,
	SK_MATCH_WORKLOADS,
	SK_MACROS,
	SK_LABEL,
};
static const struct key_spec selector_keys[] = {
	[SK_MATCH_ARGS] = {"matchArgs", K_IMPL, 0},
	[SK_MATCH_ACTIONS] = {"matchActions", K_IMPL, 0},
	[SK_MATCH_PIDS] = {"matchPIDs", K_IMPL, 0},
	[SK_MATCH_BINARIES] = {"matchBinaries", K_IMPL, 0},
	[SK_MATCH_NAMESPACES] = {"matchNamespaces", K_IMPL, 0},
	[SK_MATCH_CAPABILITIES] = {"matchCapabilities", K_IMPL, 0},
	[SK_MATCH_NAMESPACE_CHANGES] = {"matchNamespaceChanges", K_IMPL, 0},
	[SK_MATCH_CAPABILITY_CHANGES] = {"matchCapabilityChanges", K_IMPL, 0},
	[SK_MATCH_RETURN_ARGS] = {"matchReturnArgs", K_IMPL, 0},
	[SK_MATCH_RETURN_ACTIONS] = {"matchReturnActions", K_IMPL, 0},
	[SK_MATCH_DATA] = {"matchData", K_IMPL, 0},
	[SK_MATCH_PARENT_BINARIES] = {"matchParentBinaries", K_IMPL, 0},
	[SK_MATCH_WORKLOADS] = {"matchWorkloads", K_IMPL, 0},
	[SK_MACROS] = {"macros", K_IMPL, 0},
	/* not matched and not in events (Tetragon reports it in policy status) */
	[SK_LABEL] = {"label", K_IGNORED, 0},
};

/* ---- workload selectors (BEYOND-THE-SEED 7e) ----
 *
 * podSelector, containerSelector and hostSelector select by Kubernetes
 * metadata (pod labels, container names and images, which cgroup is
 * whose) that a node learns from Kubernetes and its runtime, not by
 * itself. What tpc can honour exactly is the combination that filters
 * nothing: all three null, or all three {} (after a null container
 * selector beside a pod selector, or the reverse, becomes {}). Any other
 * is refused at the selector that makes it select, saying what it needs. */
enum wl_state { WL_NULL, WL_ALL, WL_SOME };

static bool node_empty(struct pctx *c, yaml_node_t *n)
{
	if (!n || scalar_is_null(n))
		return true;
	if (n->type == YAML_SEQUENCE_NODE)
		return n->data.sequence.items.top == n->data.sequence.items.start;
	if (n->type != YAML_MAPPING_NODE)
		return false;
	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++)
		if (!node_empty(c, node_at(c, q->value)))
			return false;
	return true;
}

/* null, {} (a label selector with no labels and no expressions: every
 * workload), or one that selects */
static enum wl_state wl_state_of(struct pctx *c, yaml_node_t *n)
{
	if (!n || scalar_is_null(n))
		return WL_NULL;
	return node_empty(c, n) ? WL_ALL : WL_SOME;
}

struct workloads {
	yaml_node_t *pod, *container, *host; /* values, NULL when absent */
	struct pos pod_at, container_at, host_at;
};

static const char WL_POD_NEEDS[] = "it needs the pods' labels and their containers' cgroup ids, which a node learns "
				   "from Kubernetes; Tetragon outside Kubernetes refuses it too";
static const char WL_CONTAINER_NEEDS[] = "it needs container names and images per cgroup, which a node learns from "
					 "Kubernetes and its runtime";
static const char WL_HOST_NEEDS[] = "it limits the hooks to processes outside pod containers, which needs the pods' "
				    "cgroups from Kubernetes";

/* Refuses what w selects unless it filters nothing; `where` is
 * "" (spec) or "matchWorkloads." */
static void check_workloads(struct pctx *c, const struct workloads *w, const char *where)
{
	enum wl_state pod = wl_state_of(c, w->pod), ct = wl_state_of(c, w->container), host = wl_state_of(c, w->host);
	if (host == WL_SOME) {
		diag_add(c->d, c->file, w->host_at, SEV_ERROR, "bad-value",
			 "%shostSelector must be null or {} (Tetragon rejects any other)", where);
		return;
	}
	if (pod != WL_NULL && ct == WL_NULL)
		ct = WL_ALL;
	if (ct != WL_NULL && pod == WL_NULL)
		pod = WL_ALL;
	if ((pod == WL_NULL && host == WL_NULL) || (pod == WL_ALL && ct == WL_ALL && host == WL_ALL))
		return; /* no filtering, exactly as Tetragon */
	if (w->pod && pod != WL_NULL)
		diag_add(c->d, c->file, w->pod_at, SEV_ERROR, "unsupported", "unsupported: %spodSelector (%s)", where,
			 WL_POD_NEEDS);
	else if (w->container && ct != WL_NULL)
		diag_add(c->d, c->file, w->container_at, SEV_ERROR, "unsupported", "unsupported: %scontainerSelector (%s)",
			 where, WL_CONTAINER_NEEDS);
	else
		diag_add(c->d, c->file, w->host_at, SEV_ERROR, "unsupported",
			 "unsupported: %shostSelector {} (%s)%s", where, WL_HOST_NEEDS,
			 pod == WL_NULL ? "; leave it out to trace every process" : "; with pod and container selectors "
										 "{} too it filters nothing");
}

enum workload_key { WK_POD, WK_CONTAINER, WK_HOST };
static const struct key_spec workload_keys[] = {
	[WK_POD] = {"podSelector", K_IMPL, 0},
	[WK_CONTAINER] = {"containerSelector", K_IMPL, 0},
	[WK_HOST] = {"hostSelector", K_IMPL, 0},
};

/* A selector's matchWorkloads: in a macro it is ignored, as Tetragon
 * ignores it there (a Quirk: tpc warns). */
static void parse_match_workloads(struct pctx *c, yaml_node_t *k, yaml_node_t *v)
{
	if (c->in_macro) {
		diag_add(c->d, c->file, node_pos(k), SEV_WARNING, "macro",
			 "matchWorkloads in a macro is ignored (as Tetragon ignores it there)");
		return;
	}
	if (scalar_is_null(v) || !expect_kind(c, v, YAML_MAPPING_NODE, "matchWorkloads"))
		return;
	struct workloads w = {0};
	FOR_PAIRS(c, v, wk, wv)
	{
		switch ((enum workload_key)LOOKUP(c, wk, workload_keys, "matchWorkloads")) {
		case WK_POD: w.pod = wv, w.pod_at = node_pos(wk); break;
		case WK_CONTAINER: w.container = wv, w.container_at = node_pos(wk); break;
		case WK_HOST: w.host = wv, w.host_at = node_pos(wv); break;
		}
	}
	check_workloads(c, &w, "matchWorkloads.");
}

static void selector_free(struct selector *s);

/* The keys of one selector body: the selector's own, or a macro's merged
 * into it. seen: the fields set so far (1 << selector_key); a field a
 * second source sets is refused at `conflict_at` (the macro's name in the
 * selector's macros list) through `outer`. Returns the selector's macros
 * list node, if any. */
static yaml_node_t *parse_selector_body(struct pctx *c, yaml_node_t *n, struct selector *s, unsigned *seen,
					struct pctx *outer, const char *macro, struct pos conflict_at)
{
	yaml_node_t *macros = NULL;
	FOR_PAIRS(c, n, k, v)
	{
		int key = LOOKUP(c, k, selector_keys, c->in_macro ? "a selector macro" : "a selector");
		if (key >= 0 && key != SK_MACROS && key != SK_LABEL) {
			if (*seen & (1u << key)) {
				diag_add(outer->d, outer->file, conflict_at, SEV_ERROR, "macro",
					 "%s: field is defined in multiple macros and/or policy selectors (macro '%s' sets it "
					 "again)",
					 selector_keys[key].key, macro ? macro : "?");
				continue;
			}
			*seen |= 1u << key;
		}
		switch ((enum selector_key)key) {
		case SK_MATCH_ARGS:
			PARSE_LIST(c, v, s->match_args, s->nmatch_args, "matchArgs", parse_match_arg(c, item, at));
			break;
		case SK_MATCH_ACTIONS:
			PARSE_LIST(c, v, s->actions, s->nactions, "matchActions", parse_action(c, item, at, false));
			break;
		case SK_MATCH_RETURN_ACTIONS: /* the same list, each marked to run at return */
			PARSE_LIST(c, v, s->actions, s->nactions, "matchReturnActions", parse_action(c, item, at, true));
			break;
		case SK_MATCH_PIDS:
			PARSE_LIST(c, v, s->match_pids, s->nmatch_pids, "matchPIDs", parse_match_proc(c, item, at, true));
			break;
		case SK_MATCH_BINARIES:
			PARSE_LIST(c, v, s->match_binaries, s->nmatch_binaries, "matchBinaries",
				   parse_match_proc(c, item, at, false));
			break;
		case SK_MATCH_NAMESPACES:
			PARSE_LIST(c, v, s->match_namespaces, s->nmatch_namespaces, "matchNamespaces",
				   parse_match_ns(c, item, at));
			break;
		case SK_MATCH_CAPABILITIES:
			PARSE_LIST(c, v, s->match_caps, s->nmatch_caps, "matchCapabilities",
				   parse_match_caps(c, item, at, "a matchCapabilities entry"));
			break;
		case SK_MATCH_NAMESPACE_CHANGES:
			PARSE_LIST(c, v, s->match_ns_changes, s->nmatch_ns_changes, "matchNamespaceChanges",
				   parse_match_ns_changes(c, item, at));
			break;
		case SK_MATCH_CAPABILITY_CHANGES:
			PARSE_LIST(c, v, s->match_cap_changes, s->nmatch_cap_changes, "matchCapabilityChanges",
				   parse_match_caps(c, item, at, "a matchCapabilityChanges entry"));
			break;
		case SK_MATCH_RETURN_ARGS:
			PARSE_LIST(c, v, s->match_return_args, s->nmatch_return_args, "matchReturnArgs",
				   parse_match_return_arg(c, item, at));
			break;
		case SK_MATCH_DATA: /* filters on data entries: matchArgs entries that count them */
			PARSE_LIST(c, v, s->match_args, s->nmatch_args, "matchData",
				   parse_match_arg_in(c, item, at, true));
			break;
		case SK_MACROS:
			if (c->in_macro)
				diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "macro",
					 "macro definition cannot use other macros");
			else
				macros = v;
			break;
		case SK_MATCH_PARENT_BINARIES:
			PARSE_LIST(c, v, s->match_parent_binaries, s->nmatch_parent_binaries, "matchParentBinaries",
				   parse_match_proc(c, item, at, false));
			for (int i = 0; i < s->nmatch_parent_binaries; i++)
				if (s->match_parent_binaries[i].follow) {
					/* it would need the ancestors' matches kept per process */
					diag_add(c->d, c->file, s->match_parent_binaries[i].pos, SEV_ERROR, "unsupported",
						 "unsupported: followChildren in matchParentBinaries (tpc matches the parent's "
						 "executable only)");
					s->match_parent_binaries[i].follow = false;
				}
			break;
		case SK_MATCH_WORKLOADS: parse_match_workloads(c, k, v); break;
		case SK_LABEL: break;
		}
	}
	return macros;
}

/* The body of macro `name` in spec.selectorsMacros, or NULL. */
static yaml_node_t *find_macro(struct pctx *c, const char *name)
{
	if (!c->macros)
		return NULL;
	for (yaml_node_pair_t *q = c->macros->data.mapping.pairs.start; q < c->macros->data.mapping.pairs.top; q++) {
		const char *k = scalar_text(node_at(c, q->key));
		if (k && !strcmp(k, name))
			return node_at(c, q->value);
	}
	return NULL;
}

/* A selector, with the bodies of its macros merged in (BEYOND-THE-SEED
 * 7b): each field comes from one source, the selector or one macro. A
 * macro's body was checked once where it is defined; here it is parsed
 * quietly, as often as it is used. */
static void parse_selector(struct pctx *c, yaml_node_t *n, struct selector *s)
{
	s->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a selector"))
		return;
	unsigned seen = 0;
	yaml_node_t *macros = parse_selector_body(c, n, s, &seen, c, NULL, s->pos);
	if (!macros || scalar_is_null(macros) || !expect_kind(c, macros, YAML_SEQUENCE_NODE, "macros"))
		return;
	struct diags quiet = {0};
	FOR_ITEMS(c, macros, item)
	{
		if (!expect_kind(c, item, YAML_SCALAR_NODE, "a macro name"))
			continue;
		const char *name = scalar_text(item);
		yaml_node_t *body = find_macro(c, name);
		if (!body) {
			const char *names[65];
			int m = 0;
			for (yaml_node_pair_t *q = c->macros ? c->macros->data.mapping.pairs.start : NULL;
			     c->macros && q < c->macros->data.mapping.pairs.top && m < 64; q++)
				if (scalar_text(node_at(c, q->key)))
					names[m++] = scalar_text(node_at(c, q->key));
			names[m] = NULL;
			char dym_[128];
			diag_add(c->d, c->file, node_pos(item), SEV_ERROR, "macro", "undefined macro '%s'%s", name,
				 DYM(name, names, c->macros ? "" : " (the policy has no selectorsMacros)"));
			continue;
		}
		if (body->type != YAML_MAPPING_NODE)
			continue; /* said where it is defined */
		struct pctx cm = *c;
		cm.d = &quiet;
		cm.in_macro = true;
		parse_selector_body(&cm, body, s, &seen, c, name, node_pos(item));
	}
	diags_free(&quiet);
}

/* spec.selectorsMacros: name -> selector body. Each body is checked here,
 * once, at its own lines; selectors merge them in as they use them. */
static void parse_macros(struct pctx *c, yaml_node_t *n)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_MAPPING_NODE, "selectorsMacros"))
		return;
	c->macros = n;
	FOR_PAIRS(c, n, k, v)
	{
		if (!scalar_text(k)) {
			diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "wrong-type", "a macro name must be a scalar");
			continue;
		}
		if (!expect_kind(c, v, YAML_MAPPING_NODE, "a selector macro"))
			continue;
		struct selector tmp = {0};
		unsigned seen = 0;
		struct pctx cm = *c;
		cm.in_macro = true;
		parse_selector_body(&cm, v, &tmp, &seen, c, scalar_text(k), node_pos(k));
		selector_free(&tmp);
	}
}

static void parse_selectors(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, "selectors"))
		return;
	h->selectors = xcalloc((size_t)seq_len(n), sizeof(struct selector));
	FOR_ITEMS(c, n, item) parse_selector(c, item, &h->selectors[h->nselectors++]);
}

static void parse_tags(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	if (!expect_kind(c, n, YAML_SEQUENCE_NODE, "tags"))
		return;
	h->tags = xcalloc((size_t)seq_len(n), sizeof(char *));
	FOR_ITEMS(c, n, item)
	{
		if (expect_kind(c, item, YAML_SCALAR_NODE, "a tag"))
			h->tags[h->ntags++] = xstrdup(scalar_text(item));
	}
}

/* ---- hooks ---- */

enum kprobe_key {
	KP_CALL,
	KP_SYSCALL,
	KP_ARGS,
	KP_SELECTORS,
	KP_MESSAGE,
	KP_TAGS,
	KP_RETURN,
	KP_RETURN_ARG,
	KP_RETURN_ARG_ACTION,
	KP_DATA,
	KP_IGNORE,
};
static const struct key_spec kprobe_keys[] = {
	[KP_CALL] = {"call", K_IMPL, 0},
	[KP_SYSCALL] = {"syscall", K_IMPL, 0},
	[KP_ARGS] = {"args", K_IMPL, 0},
	[KP_SELECTORS] = {"selectors", K_IMPL, 0},
	[KP_MESSAGE] = {"message", K_IMPL, 0},
	[KP_TAGS] = {"tags", K_IMPL, 0},
	[KP_RETURN] = {"return", K_IMPL, 0},
	[KP_RETURN_ARG] = {"returnArg", K_IMPL, 0},
	[KP_RETURN_ARG_ACTION] = {"returnArgAction", K_IMPL, 0},
	[KP_DATA] = {"data", K_IMPL, 0},
	[KP_IGNORE] = {"ignore", K_IMPL, 0},
};

enum ignore_key { IG_CALL_NOT_FOUND };
static const struct key_spec ignore_keys[] = {
	[IG_CALL_NOT_FOUND] = {"callNotFound", K_IMPL, 0},
};

/* ignore: {callNotFound: true}: a call missing from the kernel is
 * skipped rather than refused (check warns, tp-load skips the hook on a
 * node without it), so one policy serves kernels that renamed a function. */
static void parse_ignore(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_MAPPING_NODE, "ignore"))
		return;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum ignore_key)LOOKUP(c, k, ignore_keys, "ignore")) {
		case IG_CALL_NOT_FOUND: get_bool(c, v, "callNotFound", &h->call_not_found); break;
		}
	}
}

/* data: entries parsed like args, kept after them in h->args (the slots
 * after the args', as Tetragon numbers them). */
static void parse_data(struct pctx *c, yaml_node_t *n, struct arg **data, int *ndata)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, "data"))
		return;
	*data = xrealloc(*data, sizeof(**data) * (size_t)(*ndata + seq_len(n)));
	FOR_ITEMS(c, n, item)
	{
		struct arg *a = &(*data)[(*ndata)++];
		memset(a, 0, sizeof(*a));
		parse_arg(c, item, a);
		a->is_data = true;
	}
}

/* args then data, with their slot numbers */
static void append_data(struct hook *h, struct arg *data, int ndata)
{
	if (ndata) {
		h->args = xrealloc(h->args, sizeof(*h->args) * (size_t)(h->nargs + ndata));
		memcpy(&h->args[h->nargs], data, sizeof(*data) * (size_t)ndata);
		h->nargs += ndata;
		h->ndata = ndata;
	}
	free(data);
	for (int i = 0; i < h->nargs; i++)
		h->args[i].slot = i;
}

/* syscall left out: the CRD's default is true. For a syscall (sys_X or a
 * prefixed wrapper) that is what tpc does; for a kernel function it would
 * read the arguments from a syscall's register frame, which is never what
 * the writer meant (the seed's prose treats it as a function): tpc probes
 * the function and warns, so the object does not change and the policy
 * can say syscall: false for Tetragon too. */
static void syscall_default(struct pctx *c, struct hook *h, const char *call, struct pos at)
{
	if (syscall_name(call)) {
		h->syscall = true;
		return;
	}
	diag_add(c->d, c->file, at, SEV_WARNING, "syscall-default",
		 "syscall is not set, and defaults to true (the CRD): Tetragon would read the arguments of '%s', "
		 "not a syscall, from a syscall's register frame; tpc probes it as a kernel function: write "
		 "syscall: false",
		 call);
}

/* kprobes and fentries: the same keys (kind says which) */
static void parse_kprobe(struct pctx *c, yaml_node_t *n, struct hook *h, enum hook_kind kind)
{
	const char *what = kind == HOOK_FENTRY ? "a fentry" : "a kprobe";
	h->kind = kind;
	h->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, what))
		return;
	bool has_call = false;
	struct arg *data = NULL;
	int ndata = 0;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum kprobe_key)LOOKUP(c, k, kprobe_keys, what)) {
		case KP_CALL: {
			has_call = true;
			h->call_pos = node_pos(v);
			const char *t = scalar_text(v);
			if (t && !strncmp(t, "list:", 5)) /* a policy list: refused as unsupported by check */
				get_string(c, v, "call", &h->call);
			else
				get_name(c, v, "call", true, &h->call);
			break;
		}
		case KP_SYSCALL:
			h->syscall_set = true;
			get_bool(c, v, "syscall", &h->syscall);
			break;
		case KP_ARGS: parse_args(c, v, h); break;
		case KP_SELECTORS: parse_selectors(c, v, h); break;
		case KP_MESSAGE: get_string(c, v, "message", &h->message); break;
		case KP_TAGS: parse_tags(c, v, h); break;
		case KP_RETURN: get_bool(c, v, "return", &h->is_return); break;
		case KP_RETURN_ARG:
			h->has_return_arg = true;
			h->return_pos = node_pos(k);
			parse_arg(c, v, &h->return_arg);
			break;
		case KP_DATA: parse_data(c, v, &data, &ndata); break;
		case KP_RETURN_ARG_ACTION: {
			char *ra = NULL;
			h->return_arg_action_pos = node_pos(v);
			if (!get_string(c, v, "returnArgAction", &ra))
				break;
			if (!strcmp(ra, "TrackSock"))
				h->return_arg_action = ACT_TRACKSOCK;
			else if (!strcmp(ra, "UntrackSock"))
				h->return_arg_action = ACT_UNTRACKSOCK;
			else /* Tetragon's words */
				diag_add(c->d, c->file, h->return_arg_action_pos, SEV_ERROR, "bad-enum",
					 "ReturnArgAction type '%s' unsupported; omit returnArgAction or use "
					 "'TrackSock'/'UntrackSock'",
					 ra);
			free(ra);
			break;
		}
		case KP_IGNORE: parse_ignore(c, v, h); break;
		}
	}
	append_data(h, data, ndata);
	if (!has_call)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "%s is missing 'call'", what + 2);
	else if (!h->syscall_set && h->call && strncmp(h->call, "list:", 5))
		syscall_default(c, h, h->call, h->call_pos);
}

enum lsm_key { LSM_HOOK, LSM_ARGS, LSM_SELECTORS, LSM_MESSAGE, LSM_TAGS };
static const struct key_spec lsm_keys[] = {
	[LSM_HOOK] = {"hook", K_IMPL, 0},
	[LSM_ARGS] = {"args", K_IMPL, 0},
	[LSM_SELECTORS] = {"selectors", K_IMPL, 0},
	[LSM_MESSAGE] = {"message", K_IMPL, 0},
	[LSM_TAGS] = {"tags", K_IMPL, 0},
};

/* lsmhooks: the hook is the bare LSM hook name (file_open), kept in call */
static void parse_lsmhook(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	h->kind = HOOK_LSM;
	h->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "an lsm hook"))
		return;
	bool has_hook = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum lsm_key)LOOKUP(c, k, lsm_keys, "an lsm hook")) {
		case LSM_HOOK:
			has_hook = true;
			h->call_pos = node_pos(v);
			get_name(c, v, "hook", false, &h->call);
			break;
		case LSM_ARGS: parse_args(c, v, h); break;
		case LSM_SELECTORS: parse_selectors(c, v, h); break;
		case LSM_MESSAGE: get_string(c, v, "message", &h->message); break;
		case LSM_TAGS: parse_tags(c, v, h); break;
		}
	}
	append_data(h, NULL, 0);
	if (!has_hook)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "lsm hook is missing 'hook'");
}

enum tracepoint_key { TP_SUBSYSTEM, TP_EVENT, TP_ARGS, TP_SELECTORS, TP_MESSAGE, TP_TAGS, TP_RAW };
static const struct key_spec tracepoint_keys[] = {
	[TP_SUBSYSTEM] = {"subsystem", K_IMPL, 0},
	[TP_EVENT] = {"event", K_IMPL, 0},
	[TP_ARGS] = {"args", K_IMPL, 0},
	[TP_SELECTORS] = {"selectors", K_IMPL, 0},
	[TP_MESSAGE] = {"message", K_IMPL, 0},
	[TP_TAGS] = {"tags", K_IMPL, 0},
	[TP_RAW] = {"raw", K_IMPL, 0},
};

static void parse_tracepoint(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	h->kind = HOOK_TRACEPOINT;
	h->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a tracepoint"))
		return;
	bool has_subsystem = false, has_event = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum tracepoint_key)LOOKUP(c, k, tracepoint_keys, "a tracepoint")) {
		case TP_SUBSYSTEM:
			has_subsystem = true;
			h->call_pos = node_pos(v);
			get_name(c, v, "subsystem", false, &h->subsystem);
			break;
		case TP_EVENT:
			has_event = true;
			get_name(c, v, "event", false, &h->event);
			break;
		case TP_ARGS: parse_args(c, v, h); break;
		case TP_SELECTORS: parse_selectors(c, v, h); break;
		case TP_MESSAGE: get_string(c, v, "message", &h->message); break;
		case TP_TAGS: parse_tags(c, v, h); break;
		case TP_RAW: {
			bool raw = false;
			/* raw: args are the TP_PROTO parameters, not the record */
			if (get_bool(c, v, "raw", &raw) && raw)
				h->kind = HOOK_RAW_TRACEPOINT;
			break;
		}
		}
	}
	append_data(h, NULL, 0);
	if (!has_subsystem)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "tracepoint is missing 'subsystem'");
	if (!has_event)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "tracepoint is missing 'event'");
}

/* A list of non-negative integers (offsets, addresses): *out grows by its
 * length; returns the number read. */
static int parse_u64_list(struct pctx *c, yaml_node_t *n, const char *what, uint64_t **out, struct probe_site **sites,
			  int *nsites)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, what))
		return 0;
	int k = 0;
	if (sites)
		*sites = xrealloc(*sites, sizeof(**sites) * (size_t)(*nsites + seq_len(n)));
	else
		*out = xrealloc(*out, sizeof(**out) * (size_t)(*nsites + seq_len(n)));
	FOR_ITEMS(c, n, item)
	{
		long long x;
		if (!get_int(c, item, what, 0, LLONG_MAX, &x))
			continue;
		if (sites)
			(*sites)[*nsites] = (struct probe_site){NULL, (uint64_t)x, node_pos(item)};
		else
			(*out)[*nsites] = (uint64_t)x;
		(*nsites)++;
		k++;
	}
	return k;
}

/* uprobe symbols: "name" or "name+off"; the name reaches attach targets
 * and messages, never generated C, but is checked like a kernel symbol's
 * (letters, digits, '_', '.', and the "+off" part: elfbin_split_symbol) */
static void parse_symbols(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, "symbols"))
		return;
	h->sites = xrealloc(h->sites, sizeof(*h->sites) * (size_t)(h->nsites + seq_len(n)));
	FOR_ITEMS(c, n, item)
	{
		const char *t = scalar_text(item);
		const char *plus = t ? strchr(t, '+') : NULL;
		char *name = NULL;
		if (!expect_kind(c, item, YAML_SCALAR_NODE, "a symbol"))
			continue;
		if (plus) { /* check the name part alone */
			yaml_node_t part = *item;
			char *head = strndup(t, (size_t)(plus - t));
			part.data.scalar.value = (yaml_char_t *)head;
			part.data.scalar.length = strlen(head);
			bool ok = get_name(c, &part, "symbol", true, &name);
			free(head);
			if (!ok)
				continue;
			free(name);
			name = xstrdup(t);
		} else if (!get_name(c, item, "symbol", true, &name)) {
			continue;
		}
		h->sites[h->nsites++] = (struct probe_site){name, 0, node_pos(item)};
	}
}

/* binaryDigests: "<algo>:<hex>", checked by check_probe.c */
static void parse_digests(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	bool has;
	h->digests_pos = node_pos(n);
	parse_values(c, n, &h->digests, &h->ndigests, &has);
}

enum uprobe_key {
	UP_PATH,
	UP_SYMBOLS,
	UP_OFFSETS,
	UP_ADDRS,
	UP_REF_CTR_OFFSETS,
	UP_ARGS,
	UP_SELECTORS,
	UP_MESSAGE,
	UP_TAGS,
	UP_RETURN,
	UP_RETURN_ARG,
	UP_BINARY_DIGESTS,
	UP_BTF_PATH,
	UP_DATA,
	UP_IGNORE,
};
static const struct key_spec uprobe_keys[] = {
	[UP_PATH] = {"path", K_IMPL, 0},
	[UP_SYMBOLS] = {"symbols", K_IMPL, 0},
	[UP_OFFSETS] = {"offsets", K_IMPL, 0},
	[UP_ADDRS] = {"addrs", K_IMPL, 0},
	[UP_REF_CTR_OFFSETS] = {"refCtrOffsets", K_IMPL, 0},
	[UP_ARGS] = {"args", K_IMPL, 0},
	[UP_SELECTORS] = {"selectors", K_IMPL, 0},
	[UP_MESSAGE] = {"message", K_IMPL, 0},
	[UP_TAGS] = {"tags", K_IMPL, 0},
	[UP_RETURN] = {"return", K_IMPL, 0},
	[UP_RETURN_ARG] = {"returnArg", K_IMPL, 0},
	[UP_BINARY_DIGESTS] = {"binaryDigests", K_IMPL, 0},
	[UP_BTF_PATH] = {"btfPath", K_UNSUPPORTED,
			 "uprobe 'btfPath' (args.resolve over the binary's own types is not implemented)"},
	[UP_DATA] = {"data", K_UNSUPPORTED, "uprobe 'data'"},
	[UP_IGNORE] = {"ignore", K_UNSUPPORTED, "uprobe 'ignore' (a digest that does not match always refuses the policy)"},
};

static void parse_uprobe(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	h->kind = HOOK_UPROBE;
	h->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a uprobe"))
		return;
	bool has_path = false;
	FOR_PAIRS(c, n, k, v)
	{
		enum uprobe_key key = (enum uprobe_key)LOOKUP(c, k, uprobe_keys, "a uprobe");
		switch (key) {
		case UP_PATH:
			has_path = true;
			h->path_pos = h->call_pos = node_pos(v);
			get_string(c, v, "path", &h->path);
			break;
		case UP_SYMBOLS:
		case UP_OFFSETS:
		case UP_ADDRS: {
			h->nby++;
			if (h->nby > 1) /* check_probe.c says which; the first list counts */
				break;
			h->by_pos = node_pos(k);
			if (key == UP_SYMBOLS) {
				h->by = PROBE_BY_SYMBOL;
				parse_symbols(c, v, h);
			} else {
				h->by = key == UP_OFFSETS ? PROBE_BY_OFFSET : PROBE_BY_ADDR;
				parse_u64_list(c, v, key == UP_OFFSETS ? "an offset" : "an address", NULL, &h->sites, &h->nsites);
			}
			break;
		}
		case UP_REF_CTR_OFFSETS:
			h->has_ref_ctr = true;
			h->ref_ctr_pos = node_pos(k);
			parse_u64_list(c, v, "a refCtrOffsets entry", &h->ref_ctr, NULL, &h->nref_ctr);
			break;
		case UP_ARGS: parse_args(c, v, h); break;
		case UP_SELECTORS: parse_selectors(c, v, h); break;
		case UP_MESSAGE: get_string(c, v, "message", &h->message); break;
		case UP_TAGS: parse_tags(c, v, h); break;
		case UP_RETURN: get_bool(c, v, "return", &h->is_return); break;
		case UP_RETURN_ARG:
			h->has_return_arg = true;
			h->return_pos = node_pos(k);
			parse_arg(c, v, &h->return_arg);
			break;
		case UP_BINARY_DIGESTS: parse_digests(c, v, h); break;
		case UP_BTF_PATH:
		case UP_DATA:
		case UP_IGNORE: break;
		}
	}
	append_data(h, NULL, 0); /* numbers the args' slots */
	if (!has_path)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "uprobe is missing 'path'");
}

enum usdt_key { US_PATH, US_PROVIDER, US_NAME, US_ARGS, US_SELECTORS, US_MESSAGE, US_TAGS, US_BTF_PATH };
static const struct key_spec usdt_keys[] = {
	[US_PATH] = {"path", K_IMPL, 0},
	[US_PROVIDER] = {"provider", K_IMPL, 0},
	[US_NAME] = {"name", K_IMPL, 0},
	[US_ARGS] = {"args", K_IMPL, 0},
	[US_SELECTORS] = {"selectors", K_IMPL, 0},
	[US_MESSAGE] = {"message", K_IMPL, 0},
	[US_TAGS] = {"tags", K_IMPL, 0},
	[US_BTF_PATH] = {"btfPath", K_UNSUPPORTED,
			 "usdt 'btfPath' (args.resolve over the binary's own types is not implemented)"},
};

static void parse_usdt(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	h->kind = HOOK_USDT;
	h->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a usdt"))
		return;
	bool has_path = false, has_provider = false, has_name = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum usdt_key)LOOKUP(c, k, usdt_keys, "a usdt")) {
		case US_PATH:
			has_path = true;
			h->path_pos = node_pos(v);
			get_string(c, v, "path", &h->path);
			break;
		case US_PROVIDER:
			has_provider = true;
			h->call_pos = node_pos(v);
			get_name(c, v, "provider", false, &h->provider);
			break;
		case US_NAME:
			has_name = true;
			h->probe_pos = node_pos(v);
			get_name(c, v, "name", false, &h->probe);
			break;
		case US_ARGS: parse_args(c, v, h); break;
		case US_SELECTORS: parse_selectors(c, v, h); break;
		case US_MESSAGE: get_string(c, v, "message", &h->message); break;
		case US_TAGS: parse_tags(c, v, h); break;
		case US_BTF_PATH: break;
		}
	}
	append_data(h, NULL, 0); /* numbers the args' slots */
	if (!has_path)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "usdt is missing 'path'");
	if (!has_provider)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "usdt is missing 'provider'");
	if (!has_name)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "usdt is missing 'name'");
}

static void parse_hook(struct pctx *c, yaml_node_t *n, struct hook *h, enum hook_kind kind)
{
	switch (kind) {
	case HOOK_KPROBE:
	case HOOK_FENTRY: parse_kprobe(c, n, h, kind); return;
	case HOOK_TRACEPOINT:
	case HOOK_RAW_TRACEPOINT: parse_tracepoint(c, n, h); return;
	case HOOK_LSM: parse_lsmhook(c, n, h); return;
	case HOOK_UPROBE: parse_uprobe(c, n, h); return;
	case HOOK_USDT: parse_usdt(c, n, h); return;
	case HOOK_KIND_COUNT: return;
	}
}

/* ---- lists (BEYOND-THE-SEED section 6) ---- */

static void list_add(struct plist *l, const char *member, struct pos at)
{
	l->members = xrealloc(l->members, sizeof(*l->members) * (size_t)(l->n + 1));
	l->mpos = xrealloc(l->mpos, sizeof(*l->mpos) * (size_t)(l->n + 1));
	l->members[l->n] = xstrdup(member);
	l->mpos[l->n++] = at;
}


/* A syscalls list element, "[abi/]name" with name sys_X or a prefixed
 * symbol, to "sys_X" (the hook's syscall: true probes the target's
 * wrapper and its sys_enter_X twin). */
static void list_syscall(struct pctx *c, struct plist *l, const char *s, struct pos at)
{
	bool arm = !strcmp(target_arch(), "arm64");
	const char *arch = arm ? "arm64" : "x86_64";
	const char *slash = strchr(s, '/');
	char abi[32] = "";
	const char *name = s;
	if (slash) {
		snprintf(abi, sizeof(abi), "%.*s", (int)(slash - s) < 31 ? (int)(slash - s) : 31, s);
		name = slash + 1;
		bool ok = arm ? (!strcmp(abi, "arm64") || !strcmp(abi, "arm32")) : (!strcmp(abi, "x64") || !strcmp(abi, "i386"));
		if (!ok) {
			diag_add(c->d, c->file, at, SEV_ERROR, "bad-list", "invalid ABI (%s) for arch (%s) in list '%s'", abi, arch,
				 l->name);
			l->refused = true;
			return;
		}
	}
	static const struct {
		const char *prefix, *abi;
		bool arm;
	} prefixes[] = {{"__x64_", "x64", false}, {"__ia32_", "i386", false}, {"__arm64_", "arm64", true}};
	const char *own = NULL; /* the ABI the prefix says */
	const char *sys = name;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (!strncmp(name, prefixes[i].prefix, n)) {
			if (prefixes[i].arm != arm) {
				diag_add(c->d, c->file, at, SEV_ERROR, "bad-list", "invalid ABI (%s) for arch (%s) in list '%s'",
					 prefixes[i].abi, arch, l->name);
				l->refused = true;
				return;
			}
			own = prefixes[i].abi;
			sys = name + n;
			break;
		}
	}
	bool bad = strncmp(sys, "sys_", 4) || !sys[4];
	for (const char *q = sys; !bad && *q; q++)
		bad = !(*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'));
	if (bad) {
		diag_add(c->d, c->file, at, SEV_ERROR, "bad-list",
			 "invalid syscall list element '%s' in list '%s' (write sys_NAME, optionally with an ABI: x64/sys_NAME)",
			 s, l->name);
		l->refused = true;
		return;
	}
	if (own && *abi && strcmp(own, abi) && !(arm && !strcmp(abi, "arm32") && !strcmp(own, "arm64"))) {
		diag_add(c->d, c->file, at, SEV_ERROR, "bad-list", "invalid ABI (%s) for arch (%s): '%s' is a %s symbol", abi,
			 arch, s, own);
		l->refused = true;
		return;
	}
	const char *use = *abi ? abi : own ? own : arm ? "arm64" : "x64";
	if (!strcmp(use, "i386") || !strcmp(use, "arm32")) {
		/* compat calls enter through other wrappers, and the syscalls/
		 * sys_enter_X tracepoints tpc's twins attach to do not fire for
		 * them: only a kprobe on the compat wrapper would see them */
		diag_add(c->d, c->file, at, SEV_ERROR, "unsupported",
			 "unsupported: %s syscall '%s' in list '%s' (tpc probes the 64-bit wrapper and its sys_enter "
			 "tracepoint twin, which do not see 32-bit compat calls)",
			 use, s, l->name);
		l->refused = true;
		return;
	}
	list_add(l, sys, at);
}

/* generated_syscalls: every syscall whose wrapper is in the target's BTF */
static void list_generate_syscalls(struct pctx *c, struct plist *l, struct pos at)
{
	bool arm = !strcmp(target_arch(), "arm64");
	const char *prefix = arm ? "__arm64_sys_" : "__x64_sys_";
	const char *err = NULL;
	char **names = NULL;
	int n = parse_target && parse_syscall_lister ? parse_syscall_lister(parse_target, prefix, &names, &err) : -1;
	if (n < 0) {
		diag_add(c->d, c->file, at, SEV_ERROR, "bad-list",
			 "list '%s' of type generated_syscalls needs the target kernel's BTF to know its syscalls (%s)",
			 l->name, err ? err : "none: give --btf FILE");
		l->refused = true;
		return;
	}
	/* BTF also has the wrappers of syscalls the kernel leaves out of this
	 * ABI's table (cond_syscall stubs: chown16, *_time32, ...); a syscall
	 * the kernel defines has a syscalls/sys_enter_X event, so where the
	 * target's tracefs is readable it decides */
	const char *tracefs = parse_target && parse_target->tracefs ? parse_target->tracefs : "/sys/kernel/tracing";
	char *probe = xasprintf("%s/events/syscalls/sys_enter_openat/format", tracefs);
	bool use_tracefs = !access(probe, R_OK);
	free(probe);
	for (int i = 0; i < n; i++) {
		bool keep = strcmp(names[i], "ni_syscall"); /* the "not implemented" stub is no syscall */
		if (keep && use_tracefs) {
			char *f = xasprintf("%s/events/syscalls/sys_enter_%s/format", tracefs, names[i]);
			keep = !access(f, R_OK);
			free(f);
		}
		if (keep) {
			char *sys = xasprintf("sys_%s", names[i]);
			list_add(l, sys, at);
			free(sys);
		}
		free(names[i]);
	}
	free(names);
}

enum list_key { LK_NAME, LK_TYPE, LK_VALUES, LK_PATTERN, LK_VALIDATED };
static const struct key_spec list_keys[] = {
	[LK_NAME] = {"name", K_IMPL, 0},
	[LK_TYPE] = {"type", K_IMPL, 0},
	[LK_VALUES] = {"values", K_IMPL, 0},
	[LK_PATTERN] = {"pattern", K_IMPL, 0},
	[LK_VALIDATED] = {"validated", K_IMPL, 0},
};

static void parse_list(struct pctx *c, yaml_node_t *n, struct plist *l)
{
	static const char *const types[] = {"syscalls", "generated_syscalls", "generated_ftrace", NULL};
	char dym_[128];
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a list")) {
		l->refused = true;
		return;
	}
	yaml_node_t *values = NULL, *type_node = NULL;
	char *pattern = NULL;
	bool validated = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum list_key)LOOKUP(c, k, list_keys, "a list")) {
		case LK_NAME: get_string(c, v, "list name", &l->name); break;
		case LK_TYPE: {
			type_node = v;
			const char *t = scalar_text(v);
			if (!expect_kind(c, v, YAML_SCALAR_NODE, "list type"))
				l->refused = true;
			else if (!*t)
				l->type = LIST_FUNCS;
			else if (!strcmp(t, "syscalls"))
				l->type = LIST_SYSCALLS;
			else if (!strcmp(t, "generated_syscalls"))
				l->type = LIST_GEN_SYSCALLS;
			else if (!strcmp(t, "generated_ftrace"))
				l->type = LIST_GEN_FTRACE;
			else {
				diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum", "invalid list type '%s'%s", t,
					 DYM(t, types, " (syscalls, generated_syscalls or generated_ftrace; none for kernel functions)"));
				l->refused = true;
			}
			break;
		}
		case LK_VALUES: values = v; break;
		case LK_PATTERN: get_string(c, v, "list pattern", &pattern); break;
		case LK_VALIDATED: get_bool(c, v, "validated", &validated); break;
		}
	}
	if (!l->name) {
		diag_add(c->d, c->file, node_pos(n), SEV_ERROR, "missing-key", "list is missing 'name'");
		l->name = xstrdup("");
		l->refused = true;
	}
	struct pos tpos = type_node ? node_pos(type_node) : node_pos(n);
	bool generated = l->type == LIST_GEN_SYSCALLS || l->type == LIST_GEN_FTRACE;
	if (values && !scalar_is_null(values) && expect_kind(c, values, YAML_SEQUENCE_NODE, "list values")) {
		if (generated && seq_len(values)) {
			diag_add(c->d, c->file, node_pos(values), SEV_ERROR, "bad-list", "generated list '%s' has values",
				 l->name);
			l->refused = true;
		}
	}
	if (l->refused)
		goto out;
	switch (l->type) {
	case LIST_FUNCS:
	case LIST_SYSCALLS:
		if (!values || scalar_is_null(values) || values->type != YAML_SEQUENCE_NODE)
			break;
		FOR_ITEMS(c, values, item)
		{
			char *name = NULL;
			if (l->type == LIST_FUNCS ? !get_name(c, item, "a list value", true, &name)
						  : !get_string(c, item, "a list value", &name)) {
				l->refused = true;
				continue;
			}
			if (l->type == LIST_SYSCALLS)
				list_syscall(c, l, name, node_pos(item));
			else
				list_add(l, name, node_pos(item));
			free(name);
		}
		break;
	case LIST_GEN_SYSCALLS: list_generate_syscalls(c, l, tpos); break;
	case LIST_GEN_FTRACE:
		if (!pattern || !*pattern) {
			diag_add(c->d, c->file, tpos, SEV_ERROR, "bad-list", "generated_ftrace list '%s' must specify pattern",
				 l->name);
		} else {
			/* the functions ftrace can probe are those of the kernel
			 * (and modules) tpc would read at build time: the build
			 * host's, not the node's, and they change with every
			 * kernel build and module load */
			diag_add(c->d, c->file, tpos, SEV_ERROR, "unsupported",
				 "unsupported: list type generated_ftrace (its members come from a node's tracefs "
				 "available_filter_functions, which a compiler on a build host does not have and which "
				 "changes with every kernel and module; list the functions in a list without type)");
		}
		l->refused = true;
		break;
	}
out:
	(void)validated; /* true only says Tetragon expanded it already: tpc expands either way */
	free(pattern);
}

static void parse_lists(struct pctx *c, yaml_node_t *n)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, "lists"))
		return;
	c->lists = xcalloc((size_t)seq_len(n), sizeof(*c->lists));
	FOR_ITEMS(c, n, item)
	{
		struct plist *l = &c->lists[c->nlists];
		parse_list(c, item, l);
		for (int i = 0; i < c->nlists; i++)
			if (l->name && *l->name && c->lists[i].name && !strcmp(c->lists[i].name, l->name)) {
				diag_add(c->d, c->file, node_pos(item), SEV_ERROR, "bad-list", "list '%s' is defined twice",
					 l->name);
				l->refused = true;
			}
		c->nlists++;
	}
}

static void free_lists(struct pctx *c)
{
	for (int i = 0; i < c->nlists; i++) {
		for (int j = 0; j < c->lists[i].n; j++)
			free(c->lists[i].members[j]);
		free(c->lists[i].members);
		free(c->lists[i].mpos);
		free(c->lists[i].name);
	}
	free(c->lists);
	c->lists = NULL;
	c->nlists = 0;
}

/* The "list:NAME" a kprobe or fentry calls, or NULL. */
static yaml_node_t *list_call(struct pctx *c, yaml_node_t *n)
{
	if (n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++) {
		const char *k = scalar_text(node_at(c, q->key));
		yaml_node_t *v = node_at(c, q->value);
		if (k && !strcmp(k, "call") && scalar_text(v) && !strncmp(scalar_text(v), "list:", 5))
			return v;
	}
	return NULL;
}

/* A kprobe or fentry with call "list:NAME": one hook per member, each the
 * hook as written with the member as its call. The first is parsed with
 * the file's diagnostics, the others quietly (the same node says the same
 * things). */
static void parse_list_hook(struct pctx *c, yaml_node_t *item, yaml_node_t *call, struct policy *p, enum hook_kind kind)
{
	const char *name = scalar_text(call) + 5;
	struct plist *l = NULL;
	for (int i = 0; i < c->nlists; i++) /* a list without a name (reported) matches no call */
		if (c->lists[i].name && !strcmp(c->lists[i].name, name))
			l = &c->lists[i];
	if (!l) {
		const char *names[65];
		int m = 0;
		for (int i = 0; i < c->nlists && m < 64; i++)
			if (c->lists[i].name)
				names[m++] = c->lists[i].name;
		names[m] = NULL;
		char dym_[128];
		diag_add(c->d, c->file, node_pos(call), SEV_ERROR, "unknown-list", "list '%s' not found%s", scalar_text(call),
			 DYM(name, names, c->nlists ? "" : " (the policy has no spec.lists)"));
		return;
	}
	if (l->refused)
		return;
	if (!l->n) {
		diag_add(c->d, c->file, node_pos(call), SEV_WARNING, "bad-list",
			 "list '%s' has no members: this hook probes nothing", l->name);
		return;
	}
	p->hooks = xrealloc(p->hooks, sizeof(*p->hooks) * (size_t)(p->nhooks + l->n));
	struct diags quiet = {0};
	for (int i = 0; i < l->n; i++) {
		struct hook *h = &p->hooks[p->nhooks++];
		memset(h, 0, sizeof(*h));
		struct pctx ci = *c;
		if (i)
			ci.d = &quiet;
		parse_hook(&ci, item, h, kind);
		free(h->call);
		h->call = xstrdup(l->members[i]);
		h->call_pos = l->mpos[i];
		if (l->type == LIST_SYSCALLS || l->type == LIST_GEN_SYSCALLS)
			h->syscall = true; /* as Tetragon forces it */
		else if (!h->syscall_set && !i) /* once for the list */
			syscall_default(&ci, h, l->members[i], node_pos(call));
	}
	diags_free(&quiet);
}

/* The spec's list of a kind: kprobes, tracepoints, uprobes, usdts, lsmhooks, fentries */
static void parse_hook_list(struct pctx *c, yaml_node_t *n, struct policy *p, enum hook_kind kind, const char *what)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, what))
		return;
	FOR_ITEMS(c, n, item)
	{
		yaml_node_t *call = (kind == HOOK_KPROBE || kind == HOOK_FENTRY) ? list_call(c, item) : NULL;
		if (call) {
			parse_list_hook(c, item, call, p, kind);
			continue;
		}
		p->hooks = xrealloc(p->hooks, sizeof(*p->hooks) * (size_t)(p->nhooks + 1));
		struct hook *h = &p->hooks[p->nhooks];
		memset(h, 0, sizeof(*h));
		parse_hook(c, item, h, kind);
		p->nhooks++;
	}
}

enum spec_key {
	SPEC_KPROBES,
	SPEC_TRACEPOINTS,
	SPEC_UPROBES,
	SPEC_LSMHOOKS,
	SPEC_USDTS,
	SPEC_FENTRIES,
	SPEC_LISTS,
	SPEC_OPTIONS,
	SPEC_ENFORCERS,
	SPEC_LOADER,
	SPEC_POD_SELECTOR,
	SPEC_CONTAINER_SELECTOR,
	SPEC_HOST_SELECTOR,
	SPEC_NODE_SELECTOR,
	SPEC_SELECTORS_MACROS,
};
static const struct key_spec spec_keys[] = {
	[SPEC_KPROBES] = {"kprobes", K_IMPL, 0},
	[SPEC_TRACEPOINTS] = {"tracepoints", K_IMPL, 0},
	[SPEC_UPROBES] = {"uprobes", K_IMPL, 0},
	[SPEC_LSMHOOKS] = {"lsmhooks", K_IMPL, 0},
	[SPEC_USDTS] = {"usdts", K_IMPL, 0},
	[SPEC_FENTRIES] = {"fentries", K_IMPL, 0},
	[SPEC_LISTS] = {"lists", K_IMPL, 0},
	[SPEC_OPTIONS] = {"options", K_IMPL, 0},
	[SPEC_ENFORCERS] = {"enforcers", K_IMPL, 0},
	[SPEC_LOADER] = {"loader", K_UNSUPPORTED, "loader"},
	[SPEC_POD_SELECTOR] = {"podSelector", K_IMPL, 0},
	[SPEC_CONTAINER_SELECTOR] = {"containerSelector", K_IMPL, 0},
	[SPEC_HOST_SELECTOR] = {"hostSelector", K_IMPL, 0},
	[SPEC_NODE_SELECTOR] = {"nodeSelector", K_IMPL, 0},
	[SPEC_SELECTORS_MACROS] = {"selectorsMacros", K_IMPL, 0},
};

/* ---- options (BEYOND-THE-SEED 7a) ---- */

static bool option_bool(const char *s)
{
	static const char *const ok[] = {"1", "t", "T", "true", "TRUE", "True", "0", "f", "F", "false", "FALSE", "False", NULL};
	for (int i = 0; ok[i]; i++)
		if (!strcmp(s, ok[i]))
			return true;
	return false;
}

static bool policy_enforces(const struct policy *p)
{
	for (int i = 0; i < p->nhooks; i++)
		for (int j = 0; j < p->hooks[i].nselectors; j++)
			for (int k = 0; k < p->hooks[i].selectors[j].nactions; k++) {
				enum action_kind a = p->hooks[i].selectors[j].actions[k].kind;
				if (a == ACT_SIGKILL || a == ACT_SIGNAL || a == ACT_OVERRIDE || a == ACT_NOTIFYENFORCER)
					return true;
			}
	return false;
}

enum option_key { OK_NAME, OK_VALUE };
static const struct key_spec option_keys[] = {
	[OK_NAME] = {"name", K_IMPL, 0},
	[OK_VALUE] = {"value", K_IMPL, 0},
};

/* Each option Tetragon has, with what it means for tpc; unknown names
 * are ignored, as Tetragon ignores them (a warning says so), a bad value
 * refuses the policy as it does. */
static void parse_options(struct pctx *c, yaml_node_t *n, const struct policy *p, char **method, struct pos *method_at)
{
	static const char *const names[] = {"disable-kprobe-multi", "disable-uprobe-multi", "override-method",
					    "policy-mode", "sleepable-preload-size", NULL};
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, "options"))
		return;
	FOR_ITEMS(c, n, item)
	{
		if (!expect_kind(c, item, YAML_MAPPING_NODE, "an option"))
			continue;
		char *name = NULL, *value = NULL;
		yaml_node_t *vnode = item;
		FOR_PAIRS(c, item, k, v)
		{
			switch ((enum option_key)LOOKUP(c, k, option_keys, "an option")) {
			case OK_NAME: get_string(c, v, "option name", &name); break;
			case OK_VALUE:
				vnode = v;
				get_string(c, v, "option value", &value);
				break;
			}
		}
		if (!name) {
			diag_add(c->d, c->file, node_pos(item), SEV_ERROR, "missing-key", "option is missing 'name'");
			free(value);
			continue;
		}
		const char *v = value ? value : "";
		struct pos at = node_pos(vnode);
		char dym_[128];
		if (!strcmp(name, "disable-kprobe-multi") || !strcmp(name, "disable-uprobe-multi")) {
			/* tpc always attaches one program per symbol, probe and site */
			if (!option_bool(v))
				diag_add(c->d, c->file, at, SEV_ERROR, "option",
					 "failed to set option %s: '%s' is not a boolean (1, t, T, true, TRUE, True, 0, f, F, false, "
					 "FALSE, False)",
					 name, v);
		} else if (!strcmp(name, "override-method")) {
			/* the enforcers' method; Override actions always use
			 * bpf_override_return (kprobes) or the lsm verdict */
			if (strcmp(v, "fmod-ret") && strcmp(v, "override-return"))
				diag_add(c->d, c->file, at, SEV_ERROR, "option",
					 "failed to set option override-method: '%s' is not override-return or fmod-ret", v);
			else if (!*method) { /* without enforcers it has no effect, as in Tetragon */
				*method = xstrdup(v);
				*method_at = at;
			}
		} else if (!strcmp(name, "policy-mode")) {
			if (!strcmp(v, "monitor")) {
				/* a policy without enforcement is monitor-only anyway */
				if (policy_enforces(p))
					diag_add(c->d, c->file, at, SEV_ERROR, "unsupported",
						 "unsupported: policy-mode monitor on a policy with Sigkill, Signal, Override or "
						 "NotifyEnforcer "
						 "(tpc has no monitor mode: those actions would run)");
			} else if (strcmp(v, "enforce")) {
				diag_add(c->d, c->file, at, SEV_ERROR, "option",
					 "failed to set option policy-mode: '%s' is not enforce or monitor", v);
			}
		} else if (!strcmp(name, "sleepable-preload-size")) {
			/* tpc's sleepable hooks pre-load into per-thread buffers of
			 * their own: the size of Tetragon's shared map does not apply */
			long long x;
			if (!parse_integer_text(v, &x) || x <= 0)
				diag_add(c->d, c->file, at, SEV_ERROR, "option",
					 "failed to set option sleepable-preload-size: '%s' is not an integer > 0", v);
		} else {
			diag_add(c->d, c->file, node_pos(item), SEV_WARNING, "option", "unknown option '%s' is ignored%s", name,
				 DYM(name, names, " (as Tetragon ignores it)"));
		}
		free(name);
		free(value);
	}
}

/* ---- enforcers (BEYOND-THE-SEED 7i) ---- */

/* A call an enforcer may sit on: sys_X, a prefixed syscall wrapper, or a
 * security_* function (fmod_ret only). */
static bool enforcer_call_ok(const char *s, bool *syscall)
{
	static const char *const prefixes[] = {"__x64_", "__ia32_", "__arm64_", ""};
	*syscall = false;
	if (!strncmp(s, "security_", 9) && s[9])
		return true;
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(prefixes[i]);
		if (!strncmp(s, prefixes[i], n) && !strncmp(s + n, "sys_", 4) && s[n + 4])
			return *syscall = true;
	}
	return false;
}

static void enforcer_add(struct pctx *c, struct policy *p, const char *call, struct pos at)
{
	bool syscall;
	if (!enforcer_call_ok(call, &syscall)) {
		diag_add(c->d, c->file, at, SEV_ERROR, "enforcer",
			 "enforcer sensor requires either syscall or security_ functions: '%s' is neither (write sys_NAME, "
			 "a prefixed syscall symbol, security_NAME or list:NAME)",
			 call);
		return;
	}
	for (const char *q = call; *q; q++) /* it names a section and a program: an identifier */
		if (!(*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'))) {
			diag_add(c->d, c->file, at, SEV_ERROR, "enforcer", "enforcer call '%s' is not a symbol name", call);
			return;
		}
	p->enforcers = xrealloc(p->enforcers, sizeof(*p->enforcers) * (size_t)(p->nenforcers + 1));
	struct hook *h = &p->enforcers[p->nenforcers++];
	memset(h, 0, sizeof(*h));
	h->kind = HOOK_KPROBE; /* the method is chosen once options are read */
	h->call = xstrdup(call);
	h->syscall = syscall;
	h->pos = h->call_pos = at;
}

enum enforcer_key { EK_CALLS };
static const struct key_spec enforcer_keys[] = {
	[EK_CALLS] = {"calls", K_IMPL, 0},
};

static void parse_enforcers(struct pctx *c, yaml_node_t *n, struct policy *p)
{
	p->has_enforcers = true;
	p->enforcers_pos = node_pos(n);
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, "enforcers"))
		return;
	int k = 0;
	FOR_ITEMS(c, n, item)
	{
		if (k++) {
			diag_add(c->d, c->file, node_pos(item), SEV_ERROR, "enforcer",
				 "we support only single enforcer sensor (Tetragon's limit): put every call in the first "
				 "entry's calls");
			continue;
		}
		if (!expect_kind(c, item, YAML_MAPPING_NODE, "an enforcer"))
			continue;
		bool has_calls = false;
		FOR_PAIRS(c, item, ek, v)
		{
			switch ((enum enforcer_key)LOOKUP(c, ek, enforcer_keys, "an enforcer")) {
			case EK_CALLS:
				has_calls = true;
				if (!expect_kind(c, v, YAML_SEQUENCE_NODE, "enforcer calls"))
					break;
				FOR_ITEMS(c, v, call)
				{
					char *s = NULL;
					if (!get_string(c, call, "an enforcer call", &s))
						continue;
					if (strncmp(s, "list:", 5)) {
						enforcer_add(c, p, s, node_pos(call));
						free(s);
						continue;
					}
					const struct plist *l = NULL;
					for (int i = 0; i < c->nlists; i++)
						if (c->lists[i].name && !strcmp(c->lists[i].name, s + 5))
							l = &c->lists[i];
					if (!l)
						diag_add(c->d, c->file, node_pos(call), SEV_ERROR, "unknown-list", "list '%s' not found",
							 s);
					for (int i = 0; l && !l->refused && i < l->n; i++)
						enforcer_add(c, p, l->members[i], node_pos(call));
					free(s);
				}
				break;
			}
		}
		if (!has_calls)
			diag_add(c->d, c->file, node_pos(item), SEV_ERROR, "missing-key", "enforcer is missing 'calls'");
	}
}

/* The enforcers' attach methods (option override-method, at *method, or
 * its default: override-return where the kernel has it, else fmod-ret;
 * security_* functions have only fmod-ret, as in Tetragon). */
static void enforcer_methods(struct pctx *c, struct policy *p, const char *method, struct pos at)
{
	for (int i = 0; i < p->nenforcers; i++) {
		struct hook *h = &p->enforcers[i];
		bool security = !h->syscall;
		if (method && !strcmp(method, "override-return")) {
			if (security)
				diag_add(c->d, c->file, h->call_pos, SEV_ERROR, "enforcer",
					 "enforcer call '%s' needs override-method fmod-ret: bpf_override_return cannot change a "
					 "security_ function's result (option at line %d)",
					 h->call, at.line);
			h->enforcer = ENFORCE_OVERRIDE_RETURN;
		} else if (method && !strcmp(method, "fmod-ret")) {
			h->enforcer = ENFORCE_FMOD_RET;
		} else {
			h->enforcer = security ? ENFORCE_FMOD_RET : ENFORCE_OVERRIDE_RETURN | ENFORCE_FMOD_RET;
		}
		h->kind = h->enforcer & ENFORCE_OVERRIDE_RETURN ? HOOK_KPROBE : HOOK_FENTRY;
	}
}

static void parse_spec(struct pctx *c, yaml_node_t *n, struct policy *p)
{
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "spec"))
		return;
	/* lists first: hooks anywhere in spec may use them */
	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++) {
		const char *k = scalar_text(node_at(c, q->key));
		if (k && !strcmp(k, "lists") && !c->lists)
			parse_lists(c, node_at(c, q->value));
		if (k && !strcmp(k, "selectorsMacros") && !c->macros)
			parse_macros(c, node_at(c, q->value));
	}
	yaml_node_t *options = NULL; /* after the hooks: policy-mode looks at their actions */
	struct workloads wl = {0};
	FOR_PAIRS(c, n, k, v)
	{
		switch ((enum spec_key)LOOKUP(c, k, spec_keys, "spec")) {
		case SPEC_KPROBES: parse_hook_list(c, v, p, HOOK_KPROBE, "kprobes"); break;
		case SPEC_TRACEPOINTS: parse_hook_list(c, v, p, HOOK_TRACEPOINT, "tracepoints"); break;
		case SPEC_UPROBES: parse_hook_list(c, v, p, HOOK_UPROBE, "uprobes"); break;
		case SPEC_USDTS: parse_hook_list(c, v, p, HOOK_USDT, "usdts"); break;
		case SPEC_LSMHOOKS: parse_hook_list(c, v, p, HOOK_LSM, "lsmhooks"); break;
		case SPEC_FENTRIES: parse_hook_list(c, v, p, HOOK_FENTRY, "fentries"); break;
		case SPEC_OPTIONS: options = v; break;
		case SPEC_ENFORCERS: parse_enforcers(c, v, p); break;
		case SPEC_HOST_SELECTOR: wl.host = v, wl.host_at = node_pos(v); break;
		case SPEC_POD_SELECTOR: wl.pod = v, wl.pod_at = node_pos(k); break;
		case SPEC_CONTAINER_SELECTOR: wl.container = v, wl.container_at = node_pos(k); break;
		case SPEC_NODE_SELECTOR:
			/* Tetragon evaluates it only for policies from the Kubernetes
			 * API; tp-load loads files */
			diag_add(c->d, c->file, node_pos(k), SEV_WARNING, "node-selector",
				 "nodeSelector is ignored: Tetragon applies it only to policies from the Kubernetes API, and "
				 "tp-load loads the object wherever it is run");
			break;
		case SPEC_LISTS: /* parsed before the hooks */
		case SPEC_SELECTORS_MACROS:
		case SPEC_LOADER: break;
		}
	}
	check_workloads(c, &wl, "");
	char *method = NULL;
	struct pos method_at = {0};
	if (options)
		parse_options(c, options, p, &method, &method_at);
	enforcer_methods(c, p, method, method_at);
	free(method);
}

/* metadata is a Kubernetes ObjectMeta: a policy copied from `kubectl get
 * -o yaml` carries what the API server filled in; only the name matters */
enum metadata_key {
	MD_NAME,
	MD_NAMESPACE,
	MD_LABELS,
	MD_ANNOTATIONS,
	MD_CREATION_TIMESTAMP,
	MD_UID,
	MD_RESOURCE_VERSION,
	MD_GENERATION,
	MD_MANAGED_FIELDS,
	MD_SELF_LINK,
	MD_GENERATE_NAME,
	MD_FINALIZERS,
	MD_OWNER_REFERENCES,
	MD_DELETION_TIMESTAMP,
	MD_DELETION_GRACE,
};
static const struct key_spec metadata_keys[] = {
	[MD_NAME] = {"name", K_IMPL, 0},
	[MD_NAMESPACE] = {"namespace", K_IGNORED, 0},
	[MD_LABELS] = {"labels", K_IGNORED, 0},
	[MD_ANNOTATIONS] = {"annotations", K_IGNORED, 0},
	[MD_CREATION_TIMESTAMP] = {"creationTimestamp", K_IGNORED, 0},
	[MD_UID] = {"uid", K_IGNORED, 0},
	[MD_RESOURCE_VERSION] = {"resourceVersion", K_IGNORED, 0},
	[MD_GENERATION] = {"generation", K_IGNORED, 0},
	[MD_MANAGED_FIELDS] = {"managedFields", K_IGNORED, 0},
	[MD_SELF_LINK] = {"selfLink", K_IGNORED, 0},
	[MD_GENERATE_NAME] = {"generateName", K_IGNORED, 0},
	[MD_FINALIZERS] = {"finalizers", K_IGNORED, 0},
	[MD_OWNER_REFERENCES] = {"ownerReferences", K_IGNORED, 0},
	[MD_DELETION_TIMESTAMP] = {"deletionTimestamp", K_IGNORED, 0},
	[MD_DELETION_GRACE] = {"deletionGracePeriodSeconds", K_IGNORED, 0},
};

enum top_key { TOP_API_VERSION, TOP_KIND, TOP_METADATA, TOP_SPEC, TOP_STATUS };
static const struct key_spec top_keys[] = {
	[TOP_API_VERSION] = {"apiVersion", K_IMPL, 0},
	[TOP_KIND] = {"kind", K_IMPL, 0},
	[TOP_METADATA] = {"metadata", K_IMPL, 0},
	[TOP_SPEC] = {"spec", K_IMPL, 0},
	[TOP_STATUS] = {"status", K_IGNORED, 0},
};

static void parse_kind(struct pctx *c, yaml_node_t *v, struct policy *p)
{
	static const char *const kinds[] = {"TracingPolicy", "TracingPolicyNamespaced", NULL};
	char dym_[128];
	p->kind_pos = node_pos(v);
	if (!get_string(c, v, "kind", &p->kind))
		return;
	if (!strcmp(p->kind, "TracingPolicyNamespaced"))
		/* its hooks would fire for every process of the node, Sigkill
		 * included: a policy meant for one namespace must not */
		diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "unsupported",
			 "unsupported: kind TracingPolicyNamespaced (tpc cannot yet confine a policy to one namespace's "
			 "pods: it would act on every process of the node); write kind TracingPolicy if that is meant");
	else if (strcmp(p->kind, "TracingPolicy"))
		diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum",
			 "kind '%s' is not TracingPolicy or TracingPolicyNamespaced%s", p->kind, DYM(p->kind, kinds, ""));
}

static void parse_document(struct pctx *c, yaml_node_t *root, struct policy *p)
{
	p->file = c->file;
	p->pos = node_pos(root);
	if (!expect_kind(c, root, YAML_MAPPING_NODE, "a TracingPolicy document"))
		return;
	bool has_spec = false;
	FOR_PAIRS(c, root, k, v)
	{
		switch ((enum top_key)LOOKUP(c, k, top_keys, "the document")) {
		case TOP_API_VERSION: {
			char *api = NULL;
			if (get_string(c, v, "apiVersion", &api) && strcmp(api, "cilium.io/v1alpha1"))
				diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum",
					 "apiVersion '%s' is not cilium.io/v1alpha1", api);
			free(api);
			break;
		}
		case TOP_KIND: parse_kind(c, v, p); break;
		case TOP_METADATA:
			if (!expect_kind(c, v, YAML_MAPPING_NODE, "metadata"))
				break;
			FOR_PAIRS(c, v, mk, mv)
			{
				if ((enum metadata_key)LOOKUP(c, mk, metadata_keys, "metadata") == MD_NAME)
					get_string(c, mv, "metadata.name", &p->name);
			}
			break;
		case TOP_SPEC:
			has_spec = true;
			parse_spec(c, v, p);
			break;
		case TOP_STATUS: break;
		}
	}
	if (!p->kind)
		diag_add(c->d, c->file, p->pos, SEV_ERROR, "missing-key", "document is missing 'kind'");
	if (!p->name)
		diag_add(c->d, c->file, p->pos, SEV_ERROR, "missing-key", "document is missing 'metadata.name'");
	if (!has_spec)
		diag_add(c->d, c->file, p->pos, SEV_ERROR, "missing-key", "document is missing 'spec'");
}

bool parse_policy_text(const char *file, const char *text, size_t len, struct policy_set *ps, struct diags *d)
{
	if (!ps->file)
		ps->file = file;
	if (len > TPC_YAML_MAX_BYTES) {
		/* reported where the limit falls, so a reader sees how far in */
		struct pos at = {1, 1};
		for (size_t i = 0; i < TPC_YAML_MAX_BYTES; i++)
			if (text[i] == '\n')
				at.line++, at.col = 1;
			else
				at.col++;
		diag_add(d, file, at, SEV_ERROR, "yaml-size", "the policy is longer than %d bytes (16 MiB), the most tpc reads",
			 TPC_YAML_MAX_BYTES);
		return false;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		diag_add(d, file, (struct pos){0, 0}, SEV_ERROR, "internal", "cannot initialise the YAML parser");
		return false;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	bool ok = true;
	for (;;) {
		yaml_document_t doc;
		int got = yaml_compose(&parser, &doc, file, d);
		if (got <= 0) {
			ok = got == 0;
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		/* an empty document between separators is not a policy */
		if (!scalar_is_null(root)) {
			ps->v = xrealloc(ps->v, sizeof(struct policy) * (size_t)(ps->n + 1));
			struct policy *p = &ps->v[ps->n++];
			memset(p, 0, sizeof(*p));
			struct pctx c = {.doc = &doc, .file = file, .d = d};
			parse_document(&c, root, p);
			free_lists(&c);
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (ok && ps->n == 0)
		diag_add(d, file, (struct pos){1, 1}, SEV_ERROR, "empty", "no TracingPolicy document in this file");
	return ok;
}

/* The whole file (or stdin), once: the digest, the parser and the source
 * lines quoted by diagnostics all use these bytes. */
static bool read_source(const char *file, struct policy_set *ps, struct diags *d)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
	if (!f) {
		diag_add(d, file, (struct pos){0, 0}, SEV_ERROR, "io", "cannot open: %s", strerror(errno));
		return false;
	}
	/* one byte past the limit tells a file that is too long (a huge or
	 * endless one is not read to its end) */
	size_t cap = 65536, n = 0, most = (size_t)TPC_YAML_MAX_BYTES + 1;
	char *b = xrealloc(NULL, cap);
	while (n < most) {
		if (n + 1 >= cap)
			b = xrealloc(b, cap *= 2);
		size_t want = cap - n - 1 < most - n ? cap - n - 1 : most - n;
		size_t r = fread(b + n, 1, want, f);
		if (!r)
			break;
		n += r;
	}
	bool rerr = ferror(f);
	if (f != stdin)
		fclose(f);
	b[n] = 0;
	if (rerr) {
		diag_add(d, file, (struct pos){0, 0}, SEV_ERROR, "io", "read error");
		free(b);
		return false;
	}
	if (n <= TPC_YAML_MAX_BYTES && memchr(b, 0, n)) { /* else too long, said below */
		diag_add(d, file, (struct pos){0, 0}, SEV_ERROR, "io", "binary file (contains NUL bytes)");
		free(b);
		return false;
	}
	ps->file = file;
	ps->text = b;
	ps->len = n;
	diags_add_source(d, file, b, n);
	return true;
}

bool parse_policy_file(const char *file, struct policy_set *ps, struct diags *d)
{
	if (!read_source(file, ps, d))
		return false;
	return parse_policy_text(file, ps->text, ps->len, ps, d);
}

static void free_values(struct value *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].s);
	free(v);
}

static void arg_free(struct arg *a)
{
	free(a->type_name);
	free(a->label);
	free(a->resolve);
	free(a->btf_type);
	free(a->btf_type_module);
	free(a->source_name);
	free(a->access);
}

static void hook_free(struct hook *h)
{
	free(h->call);
	free(h->subsystem);
	free(h->event);
	free(h->message);
	for (int i = 0; i < h->ntags; i++)
		free(h->tags[i]);
	free(h->tags);
	for (int i = 0; i < h->nargs; i++)
		arg_free(&h->args[i]);
	free(h->args);
	arg_free(&h->return_arg);
	for (int i = 0; i < h->nselectors; i++)
		selector_free(&h->selectors[i]);
	free(h->selectors);
	free(h->path);
	for (int i = 0; i < h->nsites; i++)
		free(h->sites[i].symbol);
	free(h->sites);
	free(h->ref_ctr);
	free_values(h->digests, h->ndigests);
	free(h->provider);
	free(h->probe);
}

static void selector_free(struct selector *s)
{
	{
#define FREE_FILTERS(arr, n)                                        \
	do {                                                        \
		for (int j = 0; j < (n); j++)                        \
			free_values((arr)[j].values, (arr)[j].nvalues); \
		free(arr);                                           \
	} while (0)
		FREE_FILTERS(s->match_args, s->nmatch_args);
		FREE_FILTERS(s->match_return_args, s->nmatch_return_args);
		FREE_FILTERS(s->match_pids, s->nmatch_pids);
		FREE_FILTERS(s->match_binaries, s->nmatch_binaries);
		FREE_FILTERS(s->match_parent_binaries, s->nmatch_parent_binaries);
		FREE_FILTERS(s->match_namespaces, s->nmatch_namespaces);
		FREE_FILTERS(s->match_caps, s->nmatch_caps);
		FREE_FILTERS(s->match_cap_changes, s->nmatch_cap_changes);
		FREE_FILTERS(s->match_ns_changes, s->nmatch_ns_changes);
#undef FREE_FILTERS
		for (int j = 0; j < s->nactions; j++) {
			free(s->actions[j].name);
			free(s->actions[j].arg_url);
			free(s->actions[j].arg_fqdn);
		}
		free(s->actions);
	}
}

void policy_set_free(struct policy_set *ps)
{
	for (int i = 0; i < ps->n; i++) {
		struct policy *p = &ps->v[i];
		for (int j = 0; j < p->nhooks; j++)
			hook_free(&p->hooks[j]);
		free(p->hooks);
		for (int j = 0; j < p->nenforcers; j++)
			hook_free(&p->enforcers[j]);
		free(p->enforcers);
		free(p->name);
		free(p->kind);
	}
	free(ps->v);
	free(ps->text);
	memset(ps, 0, sizeof(*ps));
}
