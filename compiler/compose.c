/* compose.c: libyaml's events to one yaml_document_t, within limits.
 *
 * libyaml's own composer (yaml_parser_load) would do, but for input no
 * one controls it does too little: an alias costs one node in its
 * document, but parse.c walks what the alias names once per alias, so
 * a few hundred bytes of aliases of aliases stand for billions of nodes
 * (a 1.8 KB policy made `tpc lint` use 4 GB); it looks anchors up by
 * walking all of them, once per alias; and nothing bounds nesting, whose
 * cost libyaml's scanner pays on every token (400 KB of '[' took a
 * minute). So tpc composes the document itself, in one pass over the
 * events, with an anchor table searched by hash, and stops at the event
 * that runs past a limit:
 *
 *   - TPC_YAML_MAX_DEPTH levels of lists and mappings;
 *   - TPC_YAML_MAX_NODES nodes in a document once its aliases are
 *     expanded: every node counts once, and an alias counts as many
 *     nodes as the node it names holds (aliases in that node included);
 *   - an alias names a node that is complete: an alias inside the node
 *     its anchor names would make a cycle.
 *
 * The input size is bounded before parsing (parse.c). Positions are the
 * events' marks, so parse.c's diagnostics are what libyaml's composer
 * gave. */
#include "tpc.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* An anchor of the document: the node it names and how many nodes that
 * node expands to (0 while the node is still open). */
struct anchor {
	char *name;
	int node;
	uint64_t size;
	struct pos pos;
};

struct anchors {
	struct anchor *v;
	int n;
	int *slots; /* open addressing over v: index + 1, 0 = empty */
	int nslots;
};

/* An open list or mapping. */
struct frame {
	int node;
	int key;          /* a mapping's key waiting for its value, or 0 */
	int anchor;       /* index in anchors, or -1 */
	uint64_t counted; /* nodes counted when it opened */
};

struct composer {
	yaml_parser_t *parser;
	yaml_document_t *doc;
	const char *file;
	struct diags *d;
	struct anchors an;
	struct frame *stack;
	int depth, cap;
	uint64_t counted; /* nodes of the document so far, aliases expanded */
	bool root;        /* the document has its root node */
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int anchor_find(const struct anchors *an, const char *name)
{
	if (!an->nslots)
		return -1;
	for (uint64_t i = name_hash(name);; i++) {
		int at = an->slots[i & (uint64_t)(an->nslots - 1)];
		if (!at)
			return -1;
		if (!strcmp(an->v[at - 1].name, name))
			return at - 1;
	}
}

static void anchor_slot(struct anchors *an, int index)
{
	for (uint64_t i = name_hash(an->v[index].name);; i++) {
		int *at = &an->slots[i & (uint64_t)(an->nslots - 1)];
		if (!*at) {
			*at = index + 1;
			return;
		}
	}
}

static int anchor_add(struct anchors *an, const char *name, int node, struct pos pos)
{
	if (2 * (an->n + 1) > an->nslots) { /* at most half full */
		an->nslots = an->nslots ? 2 * an->nslots : 64;
		free(an->slots);
		an->slots = xcalloc((size_t)an->nslots, sizeof(int));
		for (int i = 0; i < an->n; i++)
			anchor_slot(an, i);
	}
	an->v = xrealloc(an->v, sizeof(*an->v) * (size_t)(an->n + 1));
	an->v[an->n] = (struct anchor){xstrdup(name), node, 0, pos};
	anchor_slot(an, an->n);
	return an->n++;
}

static void anchors_free(struct anchors *an)
{
	for (int i = 0; i < an->n; i++)
		free(an->v[i].name);
	free(an->v);
	free(an->slots);
	memset(an, 0, sizeof(*an));
}

static struct pos mark_pos(yaml_mark_t m)
{
	return (struct pos){(int)m.line + 1, (int)m.column + 1};
}

static void syntax_error(struct composer *cp)
{
	yaml_parser_t *p = cp->parser;
	struct pos at = mark_pos(p->problem_mark);
	if (p->context)
		diag_add(cp->d, cp->file, at, SEV_ERROR, "yaml-syntax", "invalid YAML: %s %s (started at line %d, column %d)",
			 p->problem ? p->problem : "error", p->context, (int)p->context_mark.line + 1,
			 (int)p->context_mark.column + 1);
	else
		diag_add(cp->d, cp->file, at, SEV_ERROR, "yaml-syntax", "invalid YAML: %s", p->problem ? p->problem : "error");
}

/* Counts n more nodes of the document; false (reported at pos) past the
 * limit. */
static bool count(struct composer *cp, uint64_t n, struct pos pos, const char *alias)
{
	cp->counted += n;
	if (cp->counted <= TPC_YAML_MAX_NODES)
		return true;
	if (alias)
		diag_add(cp->d, cp->file, pos, SEV_ERROR, "yaml-aliases",
			 "aliases expand this document past %d nodes here (*%s stands for %llu of them)",
			 TPC_YAML_MAX_NODES, alias, (unsigned long long)n);
	else
		diag_add(cp->d, cp->file, pos, SEV_ERROR, "yaml-aliases",
			 "this document has more than %d nodes, aliases expanded", TPC_YAML_MAX_NODES);
	return false;
}

/* Puts node into the open list or mapping, or makes it the root. */
static bool attach(struct composer *cp, int node)
{
	if (!cp->depth) {
		cp->root = true; /* the document's first node is its root */
		return true;
	}
	struct frame *f = &cp->stack[cp->depth - 1];
	yaml_node_t *parent = yaml_document_get_node(cp->doc, f->node);
	if (parent->type == YAML_SEQUENCE_NODE)
		return yaml_document_append_sequence_item(cp->doc, f->node, node);
	if (!f->key) {
		f->key = node;
		return true;
	}
	int key = f->key;
	f->key = 0;
	return yaml_document_append_mapping_pair(cp->doc, f->node, key, node);
}

static bool register_anchor(struct composer *cp, const yaml_char_t *name, int node, struct pos pos, int *index)
{
	*index = -1;
	if (!name)
		return true;
	int at = anchor_find(&cp->an, (const char *)name);
	if (at >= 0) { /* libyaml's composer refuses it too */
		diag_add(cp->d, cp->file, pos, SEV_ERROR, "yaml-syntax",
			 "invalid YAML: anchor &%s is defined twice (first at line %d)", (const char *)name,
			 cp->an.v[at].pos.line);
		return false;
	}
	*index = anchor_add(&cp->an, (const char *)name, node, pos);
	return true;
}

static bool open_collection(struct composer *cp, const yaml_event_t *ev)
{
	struct pos pos = mark_pos(ev->start_mark);
	if (cp->depth == TPC_YAML_MAX_DEPTH) {
		diag_add(cp->d, cp->file, pos, SEV_ERROR, "yaml-depth",
			 "lists and mappings nested deeper than %d levels", TPC_YAML_MAX_DEPTH);
		return false;
	}
	bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
	const yaml_char_t *anchor = seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
	int node = seq ? yaml_document_add_sequence(cp->doc, NULL, (yaml_sequence_style_t)ev->data.sequence_start.style)
		       : yaml_document_add_mapping(cp->doc, NULL, (yaml_mapping_style_t)ev->data.mapping_start.style);
	if (!node || !attach(cp, node))
		return false;
	yaml_document_get_node(cp->doc, node)->start_mark = ev->start_mark;
	if (!count(cp, 1, pos, NULL))
		return false;
	if (cp->depth == cp->cap) {
		cp->cap = cp->cap ? 2 * cp->cap : 16;
		cp->stack = xrealloc(cp->stack, sizeof(*cp->stack) * (size_t)cp->cap);
	}
	struct frame *f = &cp->stack[cp->depth++];
	*f = (struct frame){node, 0, -1, cp->counted - 1};
	return register_anchor(cp, anchor, node, pos, &f->anchor);
}

static void close_collection(struct composer *cp, const yaml_event_t *ev)
{
	struct frame *f = &cp->stack[--cp->depth];
	yaml_document_get_node(cp->doc, f->node)->end_mark = ev->end_mark;
	if (f->anchor >= 0)
		cp->an.v[f->anchor].size = cp->counted - f->counted;
}

static bool scalar(struct composer *cp, const yaml_event_t *ev)
{
	struct pos pos = mark_pos(ev->start_mark);
	int node = yaml_document_add_scalar(cp->doc, NULL, ev->data.scalar.value, (int)ev->data.scalar.length,
					    ev->data.scalar.style);
	if (!node) {
		diag_add(cp->d, cp->file, pos, SEV_ERROR, "yaml-syntax", "invalid YAML: a scalar that is not UTF-8");
		return false;
	}
	yaml_node_t *n = yaml_document_get_node(cp->doc, node);
	n->start_mark = ev->start_mark;
	n->end_mark = ev->end_mark;
	int index;
	if (!attach(cp, node) || !count(cp, 1, pos, NULL) ||
	    !register_anchor(cp, ev->data.scalar.anchor, node, pos, &index))
		return false;
	if (index >= 0)
		cp->an.v[index].size = 1;
	return true;
}

static bool alias(struct composer *cp, const yaml_event_t *ev)
{
	struct pos pos = mark_pos(ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	int at = anchor_find(&cp->an, name);
	if (at < 0) {
		diag_add(cp->d, cp->file, pos, SEV_ERROR, "yaml-syntax", "invalid YAML: alias *%s names no anchor before it",
			 name);
		return false;
	}
	const struct anchor *a = &cp->an.v[at];
	if (!a->size) {
		diag_add(cp->d, cp->file, pos, SEV_ERROR, "yaml-aliases",
			 "alias *%s is inside the node its anchor names (line %d): that is a cycle", name, a->pos.line);
		return false;
	}
	return attach(cp, a->node) && count(cp, a->size, pos, name);
}

/* Composes the stream's next document into doc: 1, or 0 at the end of
 * the stream, or -1 after reporting why not (doc is then deleted). */
int yaml_compose(yaml_parser_t *parser, yaml_document_t *doc, const char *file, struct diags *d)
{
	struct composer cp = {.parser = parser, .doc = doc, .file = file, .d = d};
	bool started = false, ok = true, done = false;
	int errors = d->errors;
	int rc = -1;
	memset(doc, 0, sizeof(*doc));
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(parser, &ev)) {
			syntax_error(&cp);
			break;
		}
		switch (ev.type) {
		case YAML_NO_EVENT:
		case YAML_STREAM_START_EVENT: break;
		case YAML_STREAM_END_EVENT:
			rc = 0;
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			ok = yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1);
			started = ok;
			break;
		case YAML_DOCUMENT_END_EVENT:
			rc = 1;
			done = true;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: ok = open_collection(&cp, &ev); break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: close_collection(&cp, &ev); break;
		case YAML_SCALAR_EVENT: ok = scalar(&cp, &ev); break;
		case YAML_ALIAS_EVENT: ok = alias(&cp, &ev); break;
		}
		yaml_event_delete(&ev);
	}
	if (rc == 1 && !cp.root) /* libyaml gives every document a root */
		rc = -1;
	if (rc < 0 && d->errors == errors) /* libyaml could not allocate */
		diag_add(d, file, mark_pos(parser->mark), SEV_ERROR, "internal", "cannot compose the YAML document");
	if (rc != 1 && started)
		yaml_document_delete(doc);
	anchors_free(&cp.an);
	free(cp.stack);
	return rc;
}
