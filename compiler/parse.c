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
#include <yaml.h>

struct pctx {
	yaml_document_t *doc;
	const char *file;
	struct diags *d;
};

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
	default: return "empty";
	}
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

/* Integers as Kubernetes YAML writes them: decimal, 0x hex, 0 octal, sign. */
bool parse_integer_text(const char *s, long long *out)
{
	if (!s || !*s)
		return false;
	errno = 0;
	char *end;
	long long v;
	if (s[0] == '-')
		v = strtoll(s, &end, 0);
	else {
		unsigned long long u = strtoull(s, &end, 0);
		v = (long long)u;
	}
	if (errno || *end)
		return false;
	*out = v;
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

/* ---- key tables ---- */

enum key_role { K_IMPL, K_UNSUPPORTED, K_IGNORED };

struct key_spec {
	const char *key;
	enum key_role role;
	const char *feature; /* for K_UNSUPPORTED: what to call it */
};

/* Looks key up; reports unknown and unsupported keys. Returns the index
 * of an implemented key, or -1 when the caller should skip the pair. */
static int lookup_key(struct pctx *c, yaml_node_t *k, const struct key_spec *spec, const char *where)
{
	const char *name = scalar_text(k);
	if (!name) {
		diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "wrong-type", "keys of %s must be scalars", where);
		return -1;
	}
	for (int i = 0; spec[i].key; i++) {
		if (strcmp(name, spec[i].key))
			continue;
		if (spec[i].role == K_UNSUPPORTED)
			diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "unsupported", "unsupported: %s",
				 spec[i].feature ? spec[i].feature : name);
		return spec[i].role == K_IMPL ? i : -1;
	}
	const char *cands[64];
	int n = 0;
	for (int i = 0; spec[i].key && n < 63; i++)
		cands[n++] = spec[i].key;
	cands[n] = NULL;
	const char *s = suggest(name, cands);
	if (s)
		diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "unknown-key", "unknown key '%s' in %s; did you mean '%s'?",
			 name, where, s);
	else
		diag_add(c->d, c->file, node_pos(k), SEV_ERROR, "unknown-key", "unknown key '%s' in %s", name, where);
	return -1;
}

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

/* ---- args ---- */

static const struct key_spec arg_keys[] = {
	{"index", K_IMPL, 0},
	{"type", K_IMPL, 0},
	{"sizeArgIndex", K_IMPL, 0},
	{"returnCopy", K_IMPL, 0},
	{"maxData", K_IMPL, 0},
	{"label", K_IMPL, 0},
	{"btfType", K_UNSUPPORTED, "args.btfType"},
	{"btfTypeModule", K_UNSUPPORTED, "args.btfTypeModule"},
	{"resolve", K_UNSUPPORTED, "args.resolve"},
	{"source", K_UNSUPPORTED, "args.source"},
	{NULL, 0, 0},
};

static void parse_arg(struct pctx *c, yaml_node_t *n, struct arg *a)
{
	a->pos = node_pos(n);
	a->index = -1;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "an arg"))
		return;
	bool has_index = false, has_type = false;
	FOR_PAIRS(c, n, k, v)
	{
		int i = lookup_key(c, k, arg_keys, "an arg");
		long long x;
		switch (i) {
		case 0:
			a->index_pos = node_pos(v);
			has_index = true;
			if (get_int(c, v, "index", 0, 255, &x))
				a->index = (int)x;
			break;
		case 1:
			a->type_pos = node_pos(v);
			has_type = true;
			if (get_string(c, v, "type", &a->type_name)) {
				a->type = arg_type_from_name(a->type_name);
				if (a->type == AT_UNKNOWN) {
					const char *s = suggest(a->type_name, arg_type_names);
					if (s)
						diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum",
							 "unknown arg type '%s'; did you mean '%s'?", a->type_name, s);
					else
						diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum",
							 "unknown arg type '%s'", a->type_name);
				} else if (a->type == AT_OTHER) {
					diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "unsupported",
						 "unsupported: arg type '%s'", a->type_name);
				}
			}
			break;
		case 2:
			a->size_pos = node_pos(v);
			if (get_int(c, v, "sizeArgIndex", 0, 256, &x))
				a->size_arg_index = (int)x;
			break;
		case 3: get_bool(c, v, "returnCopy", &a->return_copy); break;
		case 4: {
			bool md = false;
			if (get_bool(c, v, "maxData", &md)) /* a boolean in the CRD */
				a->max_data = md;
			break;
		}
		case 5: get_string(c, v, "label", &a->label); break;
		}
	}
	if (!has_index)
		diag_add(c->d, c->file, a->pos, SEV_ERROR, "missing-key", "arg is missing 'index'");
	if (!has_type)
		diag_add(c->d, c->file, a->pos, SEV_ERROR, "missing-key", "arg is missing 'type'");
}

static void parse_args(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, "args"))
		return;
	h->args = xcalloc((size_t)seq_len(n), sizeof(struct arg));
	FOR_ITEMS(c, n, item) parse_arg(c, item, &h->args[h->nargs++]);
}

/* ---- selectors ---- */

static void parse_values(struct pctx *c, yaml_node_t *n, struct scalar **out, int *nout)
{
	if (!expect_kind(c, n, YAML_SEQUENCE_NODE, "values"))
		return;
	*out = xcalloc((size_t)seq_len(n), sizeof(struct scalar));
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
		struct scalar *s = &(*out)[(*nout)++];
		s->s = xstrdup(text);
		s->pos = node_pos(item);
	}
}

static const struct key_spec match_arg_keys[] = {
	{"index", K_IMPL, 0},
	{"operator", K_IMPL, 0},
	{"values", K_IMPL, 0},
	{"args", K_UNSUPPORTED, "matchArgs.args"},
	{NULL, 0, 0},
};

static void parse_match_arg(struct pctx *c, yaml_node_t *n, struct match_arg *m)
{
	m->pos = node_pos(n);
	m->index = -1;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a matchArgs entry"))
		return;
	bool has_op = false;
	FOR_PAIRS(c, n, k, v)
	{
		long long x;
		switch (lookup_key(c, k, match_arg_keys, "a matchArgs entry")) {
		case 0:
			m->index_pos = node_pos(v);
			if (get_int(c, v, "index", 0, 255, &x))
				m->index = (int)x;
			break;
		case 1: {
			char *op = NULL;
			m->op_pos = node_pos(v);
			has_op = true;
			if (!get_string(c, v, "operator", &op))
				break;
			m->op = op_from_name(op);
			if (m->op == OP_UNKNOWN || m->op == OP_IN || m->op == OP_NOTIN) {
				m->op = OP_UNKNOWN;
				bool known = false;
				for (int i = 0; op_names[i]; i++)
					known |= !strcmp(op, op_names[i]);
				const char *s = known ? NULL : suggest(op, op_names);
				if (known)
					diag_add(c->d, c->file, m->op_pos, SEV_ERROR, "unsupported",
						 "unsupported: matchArgs operator '%s'", op);
				else if (s)
					diag_add(c->d, c->file, m->op_pos, SEV_ERROR, "bad-enum",
						 "unknown operator '%s'; did you mean '%s'?", op, s);
				else
					diag_add(c->d, c->file, m->op_pos, SEV_ERROR, "bad-enum", "unknown operator '%s'", op);
			}
			free(op);
			break;
		}
		case 2: parse_values(c, v, &m->values, &m->nvalues); break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchArgs entry is missing 'operator'");
	if (m->index < 0 && !m->index_pos.line)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchArgs entry is missing 'index'");
}


/* An operator restricted to `allowed`; reports unknown names with a
 * suggestion among them. Returns OP_UNKNOWN on any problem. */
static enum op parse_op(struct pctx *c, yaml_node_t *v, const char *const *allowed, const char *where,
			struct pos *pos)
{
	char *name = NULL;
	*pos = node_pos(v);
	if (!get_string(c, v, "operator", &name))
		return OP_UNKNOWN;
	for (int i = 0; allowed[i]; i++)
		if (!strcmp(name, allowed[i])) {
			enum op o = op_from_name(name);
			free(name);
			return o;
		}
	const char *s = suggest(name, allowed);
	struct buf list = {0};
	for (int i = 0; allowed[i]; i++)
		buf_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
	if (s)
		diag_add(c->d, c->file, *pos, SEV_ERROR, "bad-enum", "unknown %s operator '%s'; did you mean '%s'?", where,
			 name, s);
	else
		diag_add(c->d, c->file, *pos, SEV_ERROR, "bad-enum", "unknown %s operator '%s' (one of %s)", where, name,
			 list.s);
	buf_free(&list);
	free(name);
	return OP_UNKNOWN;
}

static const char *const in_notin_ops[] = {"In", "NotIn", NULL};
static const char *const binary_ops[] = {"In", "NotIn", "Prefix", "NotPrefix", "Postfix", "NotPostfix", NULL};
static const char *const return_ops[] = {"Equal", "NotEqual", "GT", "LT", "GreaterThan", "LessThan", "Mask", NULL};

static const struct key_spec pids_keys[] = {
	{"operator", K_IMPL, 0}, {"values", K_IMPL, 0}, {"followForks", K_IMPL, 0}, {"isNamespacePID", K_IMPL, 0},
	{NULL, 0, 0},
};

static const struct key_spec binaries_keys[] = {
	{"operator", K_IMPL, 0}, {"values", K_IMPL, 0}, {"followChildren", K_IMPL, 0}, {NULL, 0, 0},
};

/* matchPIDs (pids=true) or matchBinaries entries */
static void parse_match_proc(struct pctx *c, yaml_node_t *n, struct match_proc *m, bool pids)
{
	const char *what = pids ? "a matchPIDs entry" : "a matchBinaries entry";
	m->pos = node_pos(n);
	m->follow_bit = -1;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, what))
		return;
	bool has_op = false, has_values = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch (lookup_key(c, k, pids ? pids_keys : binaries_keys, what)) {
		case 0:
			has_op = true;
			m->op = parse_op(c, v, pids ? in_notin_ops : binary_ops, pids ? "matchPIDs" : "matchBinaries",
					 &m->op_pos);
			break;
		case 1:
			has_values = true;
			parse_values(c, v, &m->values, &m->nvalues);
			break;
		case 2: get_bool(c, v, pids ? "followForks" : "followChildren", &m->follow); break;
		case 3: get_bool(c, v, "isNamespacePID", &m->ns_pid); break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'operator'", what + 2);
	if (!has_values)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'values'", what + 2);
}

static const struct key_spec ns_keys[] = {
	{"namespace", K_IMPL, 0}, {"operator", K_IMPL, 0}, {"values", K_IMPL, 0}, {NULL, 0, 0},
};

static void parse_match_ns(struct pctx *c, yaml_node_t *n, struct match_ns *m)
{
	m->pos = node_pos(n);
	m->ns = NS_COUNT;
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a matchNamespaces entry"))
		return;
	bool has_ns = false, has_op = false, has_values = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch (lookup_key(c, k, ns_keys, "a matchNamespaces entry")) {
		case 0: {
			char *name = NULL;
			has_ns = true;
			m->ns_pos = node_pos(v);
			if (!get_string(c, v, "namespace", &name))
				break;
			int ns = ns_from_name(name);
			if (ns < 0) {
				const char *s = suggest(name, ns_names);
				diag_add(c->d, c->file, m->ns_pos, SEV_ERROR, "bad-enum", "unknown namespace '%s'%s%s%s", name,
					 s ? "; did you mean '" : " (Uts, Ipc, Mnt, Pid, PidForChildren, Net, Time, TimeForChildren, Cgroup or User)",
					 s ? s : "", s ? "'?" : "");
			} else {
				m->ns = (enum ns_kind)ns;
			}
			free(name);
			break;
		}
		case 1:
			has_op = true;
			m->op = parse_op(c, v, in_notin_ops, "matchNamespaces", &m->op_pos);
			break;
		case 2:
			has_values = true;
			parse_values(c, v, &m->values, &m->nvalues);
			break;
		}
	}
	if (!has_ns)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaces entry is missing 'namespace'");
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaces entry is missing 'operator'");
	if (!has_values)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaces entry is missing 'values'");
}

static const struct key_spec caps_keys[] = {
	{"type", K_IMPL, 0}, {"operator", K_IMPL, 0}, {"values", K_IMPL, 0}, {"isNamespaceCapability", K_IMPL, 0},
	{NULL, 0, 0},
};

/* A capability name to its bit; reports unknown names. */
static void caps_mask(struct pctx *c, struct match_caps *m)
{
	for (int i = 0; i < m->nvalues; i++) {
		const char *name = m->values[i].s;
		int cap = cap_from_name(name);
		if (cap < 0) {
			/* "chown" or "CHOWN" for "CAP_CHOWN" is a near miss too */
			char up[64];
			snprintf(up, sizeof(up), "%s%s", strncasecmp(name, "CAP_", 4) ? "CAP_" : "", name);
			for (char *p = up; *p; p++)
				*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
			const char *s = cap_from_name(up) >= 0 ? up : suggest(name, cap_names);
			if (s)
				diag_add(c->d, c->file, m->values[i].pos, SEV_ERROR, "bad-enum",
					 "unknown capability '%s'; did you mean '%s'?", name, s);
			else
				diag_add(c->d, c->file, m->values[i].pos, SEV_ERROR, "bad-enum",
					 "unknown capability '%s' (names as in linux/capability.h, e.g. CAP_SYS_ADMIN)", name);
			continue;
		}
		m->mask |= 1ULL << cap;
	}
}

static void parse_match_caps(struct pctx *c, yaml_node_t *n, struct match_caps *m, const char *what)
{
	m->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, what))
		return;
	bool has_op = false, has_values = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch (lookup_key(c, k, caps_keys, what)) {
		case 0: {
			char *name = NULL;
			if (!get_string(c, v, "type", &name))
				break;
			int i;
			for (i = 0; cap_set_names[i] && strcmp(cap_set_names[i], name); i++)
				;
			if (!cap_set_names[i]) {
				const char *s = suggest(name, cap_set_names);
				diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum", "unknown capability set '%s'%s%s%s",
					 name, s ? "; did you mean '" : " (Effective, Inheritable or Permitted)", s ? s : "",
					 s ? "'?" : "");
			} else {
				m->set = (enum cap_set)i;
			}
			free(name);
			break;
		}
		case 1:
			has_op = true;
			m->op = parse_op(c, v, in_notin_ops, "capability", &m->op_pos);
			break;
		case 2:
			has_values = true;
			parse_values(c, v, &m->values, &m->nvalues);
			caps_mask(c, m);
			break;
		case 3: get_bool(c, v, "isNamespaceCapability", &m->ns_cap); break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'operator'", what + 2);
	if (!has_values)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "%s is missing 'values'", what + 2);
}

static const struct key_spec ns_changes_keys[] = {
	{"operator", K_IMPL, 0}, {"values", K_IMPL, 0}, {NULL, 0, 0},
};

static void parse_match_ns_changes(struct pctx *c, yaml_node_t *n, struct match_ns_changes *m)
{
	m->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a matchNamespaceChanges entry"))
		return;
	bool has_op = false, has_values = false;
	FOR_PAIRS(c, n, k, v)
	{
		switch (lookup_key(c, k, ns_changes_keys, "a matchNamespaceChanges entry")) {
		case 0:
			has_op = true;
			m->op = parse_op(c, v, in_notin_ops, "matchNamespaceChanges", &m->op_pos);
			break;
		case 1:
			has_values = true;
			parse_values(c, v, &m->values, &m->nvalues);
			for (int i = 0; i < m->nvalues; i++) {
				int ns = ns_from_name(m->values[i].s);
				if (ns < 0) {
					const char *s = suggest(m->values[i].s, ns_names);
					diag_add(c->d, c->file, m->values[i].pos, SEV_ERROR, "bad-enum", "unknown namespace '%s'%s%s%s",
						 m->values[i].s, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
				} else {
					m->mask |= 1u << ns;
				}
			}
			break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaceChanges entry is missing 'operator'");
	if (!has_values)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchNamespaceChanges entry is missing 'values'");
}

static const struct key_spec return_arg_keys[] = {
	{"index", K_IGNORED, 0}, {"operator", K_IMPL, 0}, {"values", K_IMPL, 0},
	{"args", K_UNSUPPORTED, "matchReturnArgs.args"}, {NULL, 0, 0},
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
		switch (lookup_key(c, k, return_arg_keys, "a matchReturnArgs entry")) {
		case 1:
			has_op = true;
			m->op = parse_op(c, v, return_ops, "matchReturnArgs", &m->op_pos);
			break;
		case 2: parse_values(c, v, &m->values, &m->nvalues); break;
		}
	}
	if (!has_op)
		diag_add(c->d, c->file, m->pos, SEV_ERROR, "missing-key", "matchReturnArgs entry is missing 'operator'");
}

/* Grows *arr by the sequence n's length and parses each item with fn. */
#define PARSE_LIST(c, v, arr, count, what, ...)                                                        \
	do {                                                                                             \
		if (scalar_is_null(v) || !expect_kind(c, v, YAML_SEQUENCE_NODE, what))                     \
			break;                                                                           \
		arr = xrealloc(arr, sizeof(*(arr)) * (size_t)((count) + seq_len(v)));                     \
		FOR_ITEMS(c, v, item)                                                                    \
		{                                                                                        \
			memset(&(arr)[count], 0, sizeof(*(arr)));                                          \
			__VA_ARGS__;                                                                     \
			(count)++;                                                                       \
		}                                                                                        \
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

static const struct key_spec action_keys[] = {
	{"action", K_IMPL, 0},
	{"argError", K_IMPL, 0},
	{"argSig", K_IMPL, 0},
	{"argFd", K_IMPL, 0},
	{"argName", K_IMPL, 0},
	{"argUrl", K_IMPL, 0},
	{"argFqdn", K_IMPL, 0},
	{"argIndex", K_UNSUPPORTED, "matchActions.argIndex"},
	{"argNewAddr", K_UNSUPPORTED, "matchActions.argNewAddr"},
	{"argNewOffset", K_UNSUPPORTED, "matchActions.argNewOffset"},
	{"argNewSymbol", K_UNSUPPORTED, "matchActions.argNewSymbol"},
	{"argRegs", K_UNSUPPORTED, "matchActions.argRegs"},
	{"argSock", K_UNSUPPORTED, "matchActions.argSock"},
	{"argValue", K_UNSUPPORTED, "matchActions.argValue"},
	{"imaHash", K_UNSUPPORTED, "matchActions.imaHash"},
	{"kernelStackTrace", K_UNSUPPORTED, "matchActions.kernelStackTrace"},
	{"userStackTrace", K_UNSUPPORTED, "matchActions.userStackTrace"},
	{"rateLimit", K_IMPL, 0},
	{"rateLimitScope", K_IMPL, 0},
	{NULL, 0, 0},
};

static void parse_action(struct pctx *c, yaml_node_t *n, struct action *a)
{
	a->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a matchActions entry"))
		return;
	bool has_action = false;
	FOR_PAIRS(c, n, k, v)
	{
		long long x;
		switch (lookup_key(c, k, action_keys, "a matchActions entry")) {
		case 0:
			a->kind_pos = node_pos(v);
			has_action = true;
			if (!get_string(c, v, "action", &a->name))
				break;
			a->kind = action_from_name(a->name);
			if (a->kind == ACT_UNKNOWN) {
				const char *s = suggest(a->name, action_names);
				if (s)
					diag_add(c->d, c->file, a->kind_pos, SEV_ERROR, "bad-enum",
						 "unknown action '%s'; did you mean '%s'?", a->name, s);
				else
					diag_add(c->d, c->file, a->kind_pos, SEV_ERROR, "bad-enum", "unknown action '%s'",
						 a->name);
			} else if (a->kind == ACT_OTHER) {
				diag_add(c->d, c->file, a->kind_pos, SEV_ERROR, "unsupported", "unsupported: action '%s'",
					 a->name);
			}
			break;
		case 1:
			if (get_int(c, v, "argError", INT_MIN, INT_MAX, &x)) {
				a->arg_error = x;
				a->has_arg_error = true;
			}
			break;
		case 2:
			if (get_int(c, v, "argSig", 0, 64, &x)) {
				a->arg_sig = x;
				a->has_arg_sig = true;
			}
			break;
		case 3:
			if (get_int(c, v, "argFd", 0, 255, &x)) {
				a->arg_fd = (int)x;
				a->has_arg_fd = true;
			}
			break;
		case 4:
			if (get_int(c, v, "argName", 0, 255, &x)) {
				a->arg_name = (int)x;
				a->has_arg_name = true;
			}
			break;
		case 5: get_string(c, v, "argUrl", &a->arg_url); break;
		case 6: get_string(c, v, "argFqdn", &a->arg_fqdn); break;
		case 17: {
			char *rl = NULL;
			a->rate_pos = node_pos(v);
			if (get_string(c, v, "rateLimit", &rl) && !parse_duration(rl, &a->rate_limit_ns))
				diag_add(c->d, c->file, a->rate_pos, SEV_ERROR, "bad-value",
					 "rateLimit '%s' is not a duration (a number with s, m or h, e.g. 30s, 1m)", rl);
			free(rl);
			break;
		}
		case 18: {
			char *sc = NULL;
			static const char *const scopes[] = {"thread", "process", "global", NULL};
			if (!get_string(c, v, "rateLimitScope", &sc))
				break;
			int k;
			for (k = 0; scopes[k] && strcmp(scopes[k], sc); k++)
				;
			if (scopes[k])
				a->rate_limit_scope = k;
			else {
				const char *sg = suggest(sc, scopes);
				diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum", "unknown rateLimitScope '%s'%s%s%s", sc,
					 sg ? "; did you mean '" : " (thread, process or global)", sg ? sg : "", sg ? "'?" : "");
			}
			free(sc);
			break;
		}
		}
	}
	if (!has_action)
		diag_add(c->d, c->file, a->pos, SEV_ERROR, "missing-key", "matchActions entry is missing 'action'");
}

static const struct key_spec selector_keys[] = {
	{"matchArgs", K_IMPL, 0},
	{"matchActions", K_IMPL, 0},
	{"matchPIDs", K_IMPL, 0},
	{"matchBinaries", K_IMPL, 0},
	{"matchNamespaces", K_IMPL, 0},
	{"matchCapabilities", K_IMPL, 0},
	{"matchNamespaceChanges", K_IMPL, 0},
	{"matchCapabilityChanges", K_IMPL, 0},
	{"matchReturnArgs", K_IMPL, 0},
	{"matchReturnActions", K_UNSUPPORTED, "matchReturnActions"},
	{"matchData", K_UNSUPPORTED, "matchData"},
	{"matchParentBinaries", K_UNSUPPORTED, "matchParentBinaries"},
	{"matchWorkloads", K_UNSUPPORTED, "matchWorkloads"},
	{"macros", K_UNSUPPORTED, "selector macros"},
	{"label", K_IGNORED, 0},
	{NULL, 0, 0},
};

static void parse_selector(struct pctx *c, yaml_node_t *n, struct selector *s)
{
	s->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a selector"))
		return;
	FOR_PAIRS(c, n, k, v)
	{
		switch (lookup_key(c, k, selector_keys, "a selector")) {
		case 0:
			if (scalar_is_null(v) || !expect_kind(c, v, YAML_SEQUENCE_NODE, "matchArgs"))
				break;
			s->match_args = xrealloc(s->match_args,
						 sizeof(struct match_arg) * (size_t)(s->nmatch_args + seq_len(v)));
			FOR_ITEMS(c, v, item)
			{
				struct match_arg *m = &s->match_args[s->nmatch_args++];
				memset(m, 0, sizeof(*m));
				parse_match_arg(c, item, m);
			}
			break;
		case 1:
			if (scalar_is_null(v) || !expect_kind(c, v, YAML_SEQUENCE_NODE, "matchActions"))
				break;
			s->actions = xrealloc(s->actions, sizeof(struct action) * (size_t)(s->nactions + seq_len(v)));
			FOR_ITEMS(c, v, item)
			{
				struct action *a = &s->actions[s->nactions++];
				memset(a, 0, sizeof(*a));
				parse_action(c, item, a);
			}
			break;
		case 2:
			PARSE_LIST(c, v, s->match_pids, s->nmatch_pids, "matchPIDs",
				   parse_match_proc(c, item, &s->match_pids[s->nmatch_pids], true));
			break;
		case 3:
			PARSE_LIST(c, v, s->match_binaries, s->nmatch_binaries, "matchBinaries",
				   parse_match_proc(c, item, &s->match_binaries[s->nmatch_binaries], false));
			break;
		case 4:
			PARSE_LIST(c, v, s->match_namespaces, s->nmatch_namespaces, "matchNamespaces",
				   parse_match_ns(c, item, &s->match_namespaces[s->nmatch_namespaces]));
			break;
		case 5:
			PARSE_LIST(c, v, s->match_caps, s->nmatch_caps, "matchCapabilities",
				   parse_match_caps(c, item, &s->match_caps[s->nmatch_caps], "a matchCapabilities entry"));
			break;
		case 6:
			PARSE_LIST(c, v, s->match_ns_changes, s->nmatch_ns_changes, "matchNamespaceChanges",
				   parse_match_ns_changes(c, item, &s->match_ns_changes[s->nmatch_ns_changes]));
			break;
		case 7:
			PARSE_LIST(c, v, s->match_cap_changes, s->nmatch_cap_changes, "matchCapabilityChanges",
				   parse_match_caps(c, item, &s->match_cap_changes[s->nmatch_cap_changes],
						    "a matchCapabilityChanges entry"));
			break;
		case 8:
			PARSE_LIST(c, v, s->match_return_args, s->nmatch_return_args, "matchReturnArgs",
				   parse_match_return_arg(c, item, &s->match_return_args[s->nmatch_return_args]));
			break;
		}
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

static const struct key_spec kprobe_keys[] = {
	{"call", K_IMPL, 0},
	{"syscall", K_IMPL, 0},
	{"args", K_IMPL, 0},
	{"selectors", K_IMPL, 0},
	{"message", K_IMPL, 0},
	{"tags", K_IMPL, 0},
	{"return", K_IMPL, 0},
	{"returnArg", K_IMPL, 0},
	{"returnArgAction", K_UNSUPPORTED, "returnArgAction"},
	{"data", K_UNSUPPORTED, "kprobe 'data'"},
	{"ignore", K_UNSUPPORTED, "kprobe 'ignore'"},
	{NULL, 0, 0},
};

static void parse_kprobe(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	h->kind = HOOK_KPROBE;
	h->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a kprobe"))
		return;
	FOR_PAIRS(c, n, k, v)
	{
		switch (lookup_key(c, k, kprobe_keys, "a kprobe")) {
		case 0:
			h->call_pos = node_pos(v);
			get_string(c, v, "call", &h->call);
			break;
		case 1: get_bool(c, v, "syscall", &h->syscall); break;
		case 2: parse_args(c, v, h); break;
		case 3: parse_selectors(c, v, h); break;
		case 4: get_string(c, v, "message", &h->message); break;
		case 5: parse_tags(c, v, h); break;
		case 6: get_bool(c, v, "return", &h->is_return); break;
		case 7:
			h->has_return_arg = true;
			h->return_pos = node_pos(k);
			parse_arg(c, v, &h->return_arg);
			break;
		}
	}
	if (!h->call)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "kprobe is missing 'call'");
}

static const struct key_spec tracepoint_keys[] = {
	{"subsystem", K_IMPL, 0},
	{"event", K_IMPL, 0},
	{"args", K_IMPL, 0},
	{"selectors", K_IMPL, 0},
	{"message", K_IMPL, 0},
	{"tags", K_IMPL, 0},
	{"raw", K_UNSUPPORTED, "raw tracepoints"},
	{NULL, 0, 0},
};

static void parse_tracepoint(struct pctx *c, yaml_node_t *n, struct hook *h)
{
	h->kind = HOOK_TRACEPOINT;
	h->pos = node_pos(n);
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "a tracepoint"))
		return;
	FOR_PAIRS(c, n, k, v)
	{
		switch (lookup_key(c, k, tracepoint_keys, "a tracepoint")) {
		case 0:
			h->call_pos = node_pos(v);
			get_string(c, v, "subsystem", &h->subsystem);
			break;
		case 1: get_string(c, v, "event", &h->event); break;
		case 2: parse_args(c, v, h); break;
		case 3: parse_selectors(c, v, h); break;
		case 4: get_string(c, v, "message", &h->message); break;
		case 5: parse_tags(c, v, h); break;
		}
	}
	if (!h->subsystem)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "tracepoint is missing 'subsystem'");
	if (!h->event)
		diag_add(c->d, c->file, h->pos, SEV_ERROR, "missing-key", "tracepoint is missing 'event'");
}

static void parse_hook_list(struct pctx *c, yaml_node_t *n, struct policy *p, bool kprobes)
{
	if (scalar_is_null(n) || !expect_kind(c, n, YAML_SEQUENCE_NODE, kprobes ? "kprobes" : "tracepoints"))
		return;
	p->hooks = xrealloc(p->hooks, sizeof(struct hook) * (size_t)(p->nhooks + seq_len(n)));
	FOR_ITEMS(c, n, item)
	{
		struct hook *h = &p->hooks[p->nhooks++];
		memset(h, 0, sizeof(*h));
		if (kprobes)
			parse_kprobe(c, item, h);
		else
			parse_tracepoint(c, item, h);
	}
}

static const struct key_spec spec_keys[] = {
	{"kprobes", K_IMPL, 0},
	{"tracepoints", K_IMPL, 0},
	{"uprobes", K_UNSUPPORTED, "uprobes"},
	{"lsmhooks", K_UNSUPPORTED, "lsmhooks"},
	{"usdts", K_UNSUPPORTED, "usdts"},
	{"fentries", K_UNSUPPORTED, "fentries"},
	{"lists", K_UNSUPPORTED, "lists"},
	{"options", K_UNSUPPORTED, "options"},
	{"enforcers", K_UNSUPPORTED, "enforcers"},
	{"loader", K_UNSUPPORTED, "loader"},
	{"podSelector", K_UNSUPPORTED, "podSelector"},
	{"containerSelector", K_UNSUPPORTED, "containerSelector"},
	{"hostSelector", K_UNSUPPORTED, "hostSelector"},
	{"nodeSelector", K_UNSUPPORTED, "nodeSelector"},
	{"selectorsMacros", K_UNSUPPORTED, "selectorsMacros"},
	{NULL, 0, 0},
};

static void parse_spec(struct pctx *c, yaml_node_t *n, struct policy *p)
{
	if (!expect_kind(c, n, YAML_MAPPING_NODE, "spec"))
		return;
	FOR_PAIRS(c, n, k, v)
	{
		switch (lookup_key(c, k, spec_keys, "spec")) {
		case 0: parse_hook_list(c, v, p, true); break;
		case 1: parse_hook_list(c, v, p, false); break;
		}
	}
}

static const struct key_spec metadata_keys[] = {
	{"name", K_IMPL, 0},
	{"namespace", K_IGNORED, 0},
	{"labels", K_IGNORED, 0},
	{"annotations", K_IGNORED, 0},
	{NULL, 0, 0},
};

static const struct key_spec top_keys[] = {
	{"apiVersion", K_IMPL, 0},
	{"kind", K_IMPL, 0},
	{"metadata", K_IMPL, 0},
	{"spec", K_IMPL, 0},
	{"status", K_IGNORED, 0},
	{NULL, 0, 0},
};

static void parse_document(struct pctx *c, yaml_node_t *root, struct policy *p)
{
	p->file = xstrdup(c->file);
	p->pos = node_pos(root);
	if (!expect_kind(c, root, YAML_MAPPING_NODE, "a TracingPolicy document"))
		return;
	bool has_spec = false;
	FOR_PAIRS(c, root, k, v)
	{
		switch (lookup_key(c, k, top_keys, "the document")) {
		case 0: {
			char *api = NULL;
			if (get_string(c, v, "apiVersion", &api) && strcmp(api, "cilium.io/v1alpha1"))
				diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum",
					 "apiVersion '%s' is not cilium.io/v1alpha1", api);
			free(api);
			break;
		}
		case 1:
			if (get_string(c, v, "kind", &p->kind) && strcmp(p->kind, "TracingPolicy") &&
			    strcmp(p->kind, "TracingPolicyNamespaced")) {
				static const char *const kinds[] = {"TracingPolicy", "TracingPolicyNamespaced", NULL};
				const char *s = suggest(p->kind, kinds);
				diag_add(c->d, c->file, node_pos(v), SEV_ERROR, "bad-enum",
					 "kind '%s' is not TracingPolicy or TracingPolicyNamespaced%s%s%s", p->kind,
					 s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
			}
			break;
		case 2:
			if (!expect_kind(c, v, YAML_MAPPING_NODE, "metadata"))
				break;
			FOR_PAIRS(c, v, mk, mv)
			{
				if (lookup_key(c, mk, metadata_keys, "metadata") == 0)
					get_string(c, mv, "metadata.name", &p->name);
			}
			break;
		case 3:
			has_spec = true;
			parse_spec(c, v, p);
			break;
		}
	}
	if (!p->kind)
		diag_add(c->d, c->file, p->pos, SEV_ERROR, "missing-key", "document is missing 'kind'");
	if (!p->name)
		diag_add(c->d, c->file, p->pos, SEV_ERROR, "missing-key", "document is missing 'metadata.name'");
	if (!has_spec)
		diag_add(c->d, c->file, p->pos, SEV_ERROR, "missing-key", "document is missing 'spec'");
}

bool parse_policy_text(const char *file, const char *text, size_t len, struct policy_set *out,
		       struct diags *d)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		diag_add(d, file, (struct pos){0, 0}, SEV_ERROR, "internal", "cannot initialise the YAML parser");
		return false;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	bool ok = true;
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc)) {
			struct pos p = {(int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1};
			if (parser.context)
				diag_add(d, file, p, SEV_ERROR, "yaml-syntax", "invalid YAML: %s %s (started at line %d, column %d)",
					 parser.problem ? parser.problem : "error", parser.context,
					 (int)parser.context_mark.line + 1, (int)parser.context_mark.column + 1);
			else
				diag_add(d, file, p, SEV_ERROR, "yaml-syntax", "invalid YAML: %s",
					 parser.problem ? parser.problem : "error");
			ok = false;
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) { /* end of stream */
			yaml_document_delete(&doc);
			break;
		}
		/* an empty document between separators is not a policy */
		if (!scalar_is_null(root)) {
			out->v = xrealloc(out->v, sizeof(struct policy) * (size_t)(out->n + 1));
			struct policy *p = &out->v[out->n++];
			memset(p, 0, sizeof(*p));
			struct pctx c = {&doc, file, d};
			parse_document(&c, root, p);
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (ok && out->n == 0)
		diag_add(d, file, (struct pos){1, 1}, SEV_ERROR, "empty", "no TracingPolicy document in this file");
	return ok;
}

bool parse_policy_file(const char *file, struct policy_set *out, struct diags *d)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
	if (!f) {
		diag_add(d, file, (struct pos){0, 0}, SEV_ERROR, "io", "cannot open: %s", strerror(errno));
		return false;
	}
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk) - 1, f)) > 0) {
		chunk[n] = 0;
		if (memchr(chunk, 0, n)) {
			diag_add(d, file, (struct pos){0, 0}, SEV_ERROR, "io", "binary file (contains NUL bytes)");
			if (f != stdin)
				fclose(f);
			buf_free(&b);
			return false;
		}
		buf_puts(&b, chunk);
	}
	bool rerr = ferror(f);
	if (f != stdin)
		fclose(f);
	if (rerr) {
		diag_add(d, file, (struct pos){0, 0}, SEV_ERROR, "io", "read error");
		buf_free(&b);
		return false;
	}
	bool ok = parse_policy_text(file, b.s ? b.s : "", b.len, out, d);
	buf_free(&b);
	return ok;
}

static void free_values(struct scalar *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].s);
	free(v);
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
	for (int i = 0; i < h->nargs; i++) {
		free(h->args[i].type_name);
		free(h->args[i].label);
	}
	free(h->args);
	free(h->return_arg.type_name);
	free(h->return_arg.label);
	for (int i = 0; i < h->nselectors; i++) {
		struct selector *s = &h->selectors[i];
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
	free(h->selectors);
	tp_fields_free(h->fields, h->nfields);
}

void policy_set_free(struct policy_set *ps)
{
	for (int i = 0; i < ps->n; i++) {
		struct policy *p = &ps->v[i];
		for (int j = 0; j < p->nhooks; j++)
			hook_free(&p->hooks[j]);
		free(p->hooks);
		free(p->file);
		free(p->name);
		free(p->kind);
	}
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}
