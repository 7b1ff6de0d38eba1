/* shrink.c: after the parts of a failing case have been left out, make
 * what remains short: string values of matchArgs and matchBinaries, the
 * event's string args, file and fd paths and binaries, each halved from either end
 * and then trimmed a byte at a time, for as long as the case still fails. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trim {
	bool (*fails)(void *ctx);
	void *ctx;
	int budget; /* reproductions left */
	/* after *slot changes: make the event see it (NULL: it already does) */
	void (*sync)(struct trim *t, const char *text);
	struct dev_event *e;
	int k;      /* the string arg's slot */
	char *arr;  /* a binary's array */
};

static void sync_string_arg(struct trim *t, const char *text)
{
	t->e->mem[t->k] = (unsigned char *)text;
	t->e->memlen[t->k] = strlen(text) + 1;
	t->e->raw[t->k] = (uint64_t)(uintptr_t)text;
}

static void sync_kpath(struct trim *t, const char *text)
{
	t->e->raw[t->k] = (uint64_t)(uintptr_t)text;
}

static void sync_bin(struct trim *t, const char *text)
{
	snprintf(t->arr, TPC_BIN_MAX, "%s", text);
}

/* Sets *slot to text and keeps it when the case still fails. */
static bool try_text(struct trim *t, char **slot, char *text)
{
	if (t->budget <= 0) {
		free(text);
		return false;
	}
	t->budget--;
	char *old = *slot;
	*slot = text;
	if (t->sync)
		t->sync(t, text);
	if (t->fails(t->ctx)) {
		free(old);
		return true;
	}
	*slot = old;
	if (t->sync)
		t->sync(t, old);
	free(text);
	return false;
}

static void trim_text(struct trim *t, char **slot)
{
	for (;;) {
		size_t n = strlen(*slot);
		if (n <= 1)
			return;
		if (try_text(t, slot, xstrdup(*slot + n / 2)) || try_text(t, slot, xstrndup_len(*slot, n - n / 2)) ||
		    try_text(t, slot, xstrdup(*slot + 1)) || try_text(t, slot, xstrndup_len(*slot, n - 1)))
			continue;
		return;
	}
}

static struct value *value_of(struct policy *p, const char *id)
{
	int h, s, f, v;
	char kind[8];
	if (sscanf(id, "h%d.s%d.%4[a-z]%d.v%d", &h, &s, kind, &f, &v) != 5 || h >= p->nhooks ||
	    s >= p->hooks[h].nselectors)
		return NULL;
	struct selector *sel = &p->hooks[h].selectors[s];
	if (!strcmp(kind, "args") && f < sel->nmatch_args && v < sel->match_args[f].nvalues) {
		long long x;
		struct value *sc = &sel->match_args[f].values[v];
		return parse_integer_text(sc->s, &x) ? NULL : sc; /* numbers stay as they are */
	}
	if (!strcmp(kind, "bins") && f < sel->nmatch_binaries && v < sel->match_binaries[f].nvalues)
		return &sel->match_binaries[f].values[v];
	return NULL;
}

int shrink_strings(struct policy *gp, const struct omit *om, struct dev_event *e, bool (*fails)(void *ctx), void *ctx,
		   int budget)
{
	struct trim t = {fails, ctx, budget, NULL, e, 0, NULL};
	/* the policy's string values */
	for (int i = 0; i < om->nseen; i++) {
		struct value *sc = value_of(gp, om->seen[i]);
		if (sc)
			trim_text(&t, &sc->s);
	}
	/* the event's string args (as text while trimmed) */
	const struct hook *h = &gp->hooks[e->hook];
	for (int i = 0; i < h->nargs; i++) {
		int k = dev_slot(h, h->args[i].index);
		if (k < 0 || h->args[i].type != AT_STRING || !e->mem[k] || e->raw[k] != (uint64_t)(uintptr_t)e->mem[k] ||
		    !memchr(e->mem[k], 0, e->memlen[k]))
			continue;
		char *text = xstrdup((const char *)e->mem[k]);
		free(e->mem[k]);
		t.sync = sync_string_arg;
		t.k = k;
		sync_string_arg(&t, text);
		trim_text(&t, &text); /* the event owns text from here on */
	}
	/* file/path args: the register holds the object's address */
	t.sync = sync_kpath;
	for (int k = 0; k < 6; k++)
		if (e->kpath[k] && e->raw[k] == (uint64_t)(uintptr_t)e->kpath[k]) {
			t.k = k;
			trim_text(&t, &e->kpath[k]);
		}
	/* fd paths: the event reads the slot itself */
	t.sync = NULL;
	for (int i = 0; i < e->nfds; i++)
		if (e->fdpath[i])
			trim_text(&t, &e->fdpath[i]);
	/* binaries live in arrays: a heap copy is trimmed, the array follows */
	t.sync = sync_bin;
	for (int i = -1; i < e->nanc; i++) {
		t.arr = i < 0 ? e->bin : e->anc[i].bin;
		char *text = xstrdup(t.arr);
		trim_text(&t, &text);
		sync_bin(&t, text);
		free(text);
	}
	return budget - t.budget;
}
