/* yaml.c: a policy model back to TracingPolicy YAML, leaving out the parts
 * a shrinker asked to omit. Every omittable part has an id built from its
 * place: "h<i>" a hook, "h<i>.arg<k>" an arg, "h<i>.s<j>" a selector,
 * "h<i>.s<j>.<filter><k>" one entry of a filter list (args, ret, pids,
 * bins, ns, caps, nsch, capch, act) and "...v<m>" one of its values. */
#include "model.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

bool omit_has(const struct omit *o, const char *id)
{
	for (int i = 0; o && i < o->n; i++)
		if (!strcmp(o->ids[i], id))
			return true;
	return false;
}

void omit_add(struct omit *o, const char *id)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 32;
		o->ids = xrealloc(o->ids, (size_t)o->cap * sizeof(char *));
	}
	o->ids[o->n++] = xstrdup(id);
}

void omit_remove_last(struct omit *o)
{
	if (o->n)
		free(o->ids[--o->n]);
}

static void seen_clear(struct omit *o)
{
	for (int i = 0; i < o->nseen; i++)
		free(o->seen[i]);
	o->nseen = 0;
}

static void seen_add(struct omit *o, const char *id)
{
	if (o->nseen == o->capseen) {
		o->capseen = o->capseen ? 2 * o->capseen : 64;
		o->seen = xrealloc(o->seen, (size_t)o->capseen * sizeof(char *));
	}
	o->seen[o->nseen++] = xstrdup(id);
}

void omit_free(struct omit *o)
{
	for (int i = 0; i < o->n; i++)
		free(o->ids[i]);
	free(o->ids);
	seen_clear(o);
	free(o->seen);
	memset(o, 0, sizeof(*o));
}

/* Is the part `id` kept? Records it as seen. */
static bool keep(struct omit *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool keep(struct omit *o, const char *fmt, ...)
{
	char id[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(id, sizeof(id), fmt, ap);
	va_end(ap);
	if (!o)
		return true;
	if (omit_has(o, id))
		return false;
	seen_add(o, id);
	return true;
}

/* Bytes of one well-formed 2- or 3-byte UTF-8 character at s, else 0. */
static int utf8_char(const unsigned char *s)
{
	bool cont1 = (s[1] & 0xc0) == 0x80;
	if (s[0] >= 0xc2 && s[0] <= 0xdf && cont1)
		return 2;
	if (((s[0] >= 0xe1 && s[0] <= 0xec) || s[0] == 0xee || s[0] == 0xef) && cont1 && (s[2] & 0xc0) == 0x80)
		return 3;
	return 0;
}

/* A double-quoted YAML scalar. YAML text is UTF-8: a well-formed
 * character is written as it is (a parsed policy's values round-trip);
 * any other byte as \xNN, which YAML reads as U+00NN (two bytes). */
static void quoted(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int n = c >= 0x80 ? utf8_char((const unsigned char *)s) : 0;
		if (n) {
			buf_printf(b, "%.*s", n, s);
			s += n - 1;
		} else if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 32 || c >= 127)
			buf_printf(b, "\\x%02x", c);
		else
			buf_printf(b, "%c", c);
	}
	buf_puts(b, "\"");
}

static void values(struct buf *b, struct omit *o, const char *id, const struct value *v, int n, const char *ind)
{
	buf_printf(b, "%svalues:\n", ind);
	for (int i = 0; i < n; i++) {
		if (!keep(o, "%s.v%d", id, i))
			continue;
		buf_printf(b, "%s- ", ind);
		quoted(b, v[i].s);
		buf_puts(b, "\n");
	}
}

/* Starts a filter list the first time one of its entries is kept. */
static void list_head(struct buf *b, bool *started, const char *name)
{
	if (!*started)
		buf_printf(b, "      %s:\n", name);
	*started = true;
}

static void match_args(struct buf *b, struct omit *o, const char *sid, const char *key, const char *name,
		       const struct match_arg *m, int n, bool with_index)
{
	bool started = false;
	char id[96];
	for (int k = 0; k < n; k++) {
		snprintf(id, sizeof(id), "%s.%s%d", sid, key, k);
		if (!keep(o, "%s", id))
			continue;
		list_head(b, &started, name);
		if (with_index)
			buf_printf(b, "      - index: %d\n        operator: \"%s\"\n", m[k].index, op_name(m[k].op));
		else
			buf_printf(b, "      - operator: \"%s\"\n", op_name(m[k].op));
		values(b, o, id, m[k].values, m[k].nvalues, "        ");
	}
}

static void match_procs(struct buf *b, struct omit *o, const char *sid, bool pids, const struct match_proc *m, int n)
{
	bool started = false;
	char id[96];
	for (int k = 0; k < n; k++) {
		snprintf(id, sizeof(id), "%s.%s%d", sid, pids ? "pids" : "bins", k);
		if (!keep(o, "%s", id))
			continue;
		list_head(b, &started, pids ? "matchPIDs" : "matchBinaries");
		buf_printf(b, "      - operator: \"%s\"\n", op_name(m[k].op));
		if (m[k].follow)
			buf_printf(b, "        %s: true\n", pids ? "followForks" : "followChildren");
		if (pids && m[k].ns_pid)
			buf_puts(b, "        isNamespacePID: true\n");
		values(b, o, id, m[k].values, m[k].nvalues, "        ");
	}
}

static void match_caps(struct buf *b, struct omit *o, const char *sid, bool changes, const struct match_caps *m, int n)
{
	bool started = false;
	char id[96];
	for (int k = 0; k < n; k++) {
		snprintf(id, sizeof(id), "%s.%s%d", sid, changes ? "capch" : "caps", k);
		if (!keep(o, "%s", id))
			continue;
		list_head(b, &started, changes ? "matchCapabilityChanges" : "matchCapabilities");
		buf_printf(b, "      - type: \"%s\"\n        operator: \"%s\"\n", cap_set_names[m[k].set], op_name(m[k].op));
		if (m[k].ns_cap)
			buf_puts(b, "        isNamespaceCapability: true\n");
		values(b, o, id, m[k].values, m[k].nvalues, "        ");
	}
}

static void selector(struct buf *b, struct omit *o, int hi, int si, const struct selector *s)
{
	char sid[48];
	snprintf(sid, sizeof(sid), "h%d.s%d", hi, si);
	size_t before = b->len;
	buf_puts(b, "    - ");
	size_t body = b->len;
	match_args(b, o, sid, "args", "matchArgs", s->match_args, s->nmatch_args, true);
	match_args(b, o, sid, "ret", "matchReturnArgs", s->match_return_args, s->nmatch_return_args, false);
	match_procs(b, o, sid, true, s->match_pids, s->nmatch_pids);
	match_procs(b, o, sid, false, s->match_binaries, s->nmatch_binaries);
	bool started = false;
	for (int k = 0; k < s->nmatch_namespaces; k++) {
		const struct match_ns *m = &s->match_namespaces[k];
		char id[96];
		snprintf(id, sizeof(id), "%s.ns%d", sid, k);
		if (!keep(o, "%s", id))
			continue;
		list_head(b, &started, "matchNamespaces");
		buf_printf(b, "      - namespace: \"%s\"\n        operator: \"%s\"\n", ns_names[m->ns], op_name(m->op));
		values(b, o, id, m->values, m->nvalues, "        ");
	}
	started = false;
	for (int k = 0; k < s->nmatch_ns_changes; k++) {
		const struct match_ns_changes *m = &s->match_ns_changes[k];
		char id[96];
		snprintf(id, sizeof(id), "%s.nsch%d", sid, k);
		if (!keep(o, "%s", id))
			continue;
		list_head(b, &started, "matchNamespaceChanges");
		buf_printf(b, "      - operator: \"%s\"\n", op_name(m->op));
		values(b, o, id, m->values, m->nvalues, "        ");
	}
	match_caps(b, o, sid, false, s->match_caps, s->nmatch_caps);
	match_caps(b, o, sid, true, s->match_cap_changes, s->nmatch_cap_changes);
	started = false;
	for (int k = 0; k < s->nactions; k++) {
		const struct action *a = &s->actions[k];
		if (!keep(o, "%s.act%d", sid, k))
			continue;
		list_head(b, &started, "matchActions");
		buf_printf(b, "      - action: \"%s\"\n", a->name);
		if (a->has_arg_sig)
			buf_printf(b, "        argSig: %lld\n", a->arg_sig);
		if (a->arg_url) {
			buf_puts(b, "        argUrl: ");
			quoted(b, a->arg_url);
			buf_puts(b, "\n");
		}
		if (a->arg_fqdn) {
			buf_puts(b, "        argFqdn: ");
			quoted(b, a->arg_fqdn);
			buf_puts(b, "\n");
		}
	}
	if (b->len == body) {
		buf_puts(b, "{}\n"); /* a selector without filters */
		return;
	}
	/* the first filter's key goes on the "- " line */
	memmove(b->s + body, b->s + body + 6, b->len - body - 6 + 1);
	b->len -= 6;
	(void)before;
}

int dev_kind_rank(enum hook_kind k)
{
	switch (k) {
	case HOOK_KPROBE: return 0;
	case HOOK_FENTRY: return 1;
	case HOOK_LSM: return 2;
	case HOOK_TRACEPOINT:
	case HOOK_RAW_TRACEPOINT:
	case HOOK_KIND_COUNT: break;
	}
	return 3;
}

const char *dev_kind_list(enum hook_kind k)
{
	static const char *const lists[] = {"kprobes", "fentries", "lsmhooks", "tracepoints"};
	return lists[dev_kind_rank(k)];
}

static void hook(struct buf *b, struct omit *o, int hi, const struct hook *h)
{
	if (h->kind == HOOK_LSM) {
		buf_printf(b, "  - hook: \"%s\"\n", h->call);
	} else if (h->kind == HOOK_KPROBE || h->kind == HOOK_FENTRY) {
		buf_printf(b, "  - call: \"%s\"\n    syscall: %s\n", h->call, h->syscall ? "true" : "false");
		if (h->is_return)
			buf_puts(b, "    return: true\n");
		if (h->has_return_arg)
			buf_printf(b, "    returnArg:\n      index: %d\n      type: \"%s\"\n", h->return_arg.index,
				   h->return_arg.type_name);
	} else {
		buf_printf(b, "  - subsystem: \"%s\"\n    event: \"%s\"\n", h->subsystem, h->event);
	}
	bool any = false;
	for (int k = 0; k < h->nargs; k++) {
		const struct arg *a = &h->args[k];
		if (!keep(o, "h%d.arg%d", hi, k))
			continue;
		if (!any)
			buf_puts(b, "    args:\n");
		any = true;
		buf_printf(b, "    - index: %d\n      type: \"%s\"\n", a->index, a->type_name);
		if (a->size_arg_index)
			buf_printf(b, "      sizeArgIndex: %d\n", a->size_arg_index);
	}
	bool sels = false;
	for (int s = 0; s < h->nselectors; s++) {
		if (!keep(o, "h%d.s%d", hi, s))
			continue;
		if (!sels)
			buf_puts(b, "    selectors:\n");
		sels = true;
		selector(b, o, hi, s, &h->selectors[s]);
	}
}

char *yaml_of_policy(const struct policy *p, struct omit *o)
{
	struct buf b = {0};
	if (o)
		seen_clear(o);
	buf_printf(&b, "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: \"%s\"\nspec:\n", p->name);
	for (int pass = 0; pass < 4; pass++) {
		bool started = false;
		for (int i = 0; i < p->nhooks; i++) {
			const struct hook *h = &p->hooks[i];
			if (dev_kind_rank(h->kind) != pass)
				continue;
			if (!keep(o, "h%d", i))
				continue;
			if (!started)
				buf_printf(&b, "  %s:\n", dev_kind_list(h->kind));
			started = true;
			hook(&b, o, i, h);
		}
	}
	return b.s;
}
