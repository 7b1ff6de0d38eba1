/* minbtf.c: see minbtf.h.
 *
 * libbpf (relo_core.c) relocates a field access root:a:b:c by taking as
 * candidates every target type whose name up to any "___flavour" and
 * whose kind (any enum for an enum) are the root's, and walking each: a
 * named local member is looked for among the target's members in order,
 * descending into anonymous struct/union members; the first member of
 * that name at a level decides that level (compatible: found; not: that
 * level gives up and its parent goes on). Only members of the name, and
 * the anonymous members that hold them, take part in a decision: those
 * are kept (with their offsets, their struct's size), for every
 * candidate and every relocation, whatever the walk decides. The result
 * is a superset of what libbpf looks at, in the kernel's order, so each
 * decision and each offset comes out the same. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/bpf.h>

#include "minbtf.h"

#define SPEC_MAX 64 /* libbpf's BPF_CORE_SPEC_MAX_LEN */
#define SET_MAX 64  /* target types one accessor step can reach (per candidate) */

struct gen {
	const struct btf *k; /* vmlinux */
	const struct btf *l; /* the object's */
	__u32 n;
	unsigned char *keep;  /* per kernel type: 1 kept, 2 kept with what pointers reach */
	__u32 *mbase;         /* per composite: its first member's index in mkeep */
	unsigned char *mkeep; /* per member of every composite: kept */
	char *why;
	size_t whylen;
};

static int decline(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int decline(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->why, g->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct btf_type *skip_mods(const struct btf *b, __u32 id, __u32 *res)
{
	const struct btf_type *t = btf__type_by_id(b, id);
	for (int i = 0; t && i < 64 && (btf_is_mod(t) || btf_is_typedef(t)); i++) {
		id = t->type;
		t = btf__type_by_id(b, id);
	}
	if (t && (btf_is_mod(t) || btf_is_typedef(t)))
		return NULL;
	if (res)
		*res = id;
	return t;
}

/* libbpf's bpf_core_essential_name_len: the name without "___flavour" */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);
	for (int i = (int)n - 5; i >= 0; i--)
		if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
			return (size_t)i + 1;
	return n;
}

static int kind_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) || (btf_is_any_enum(a) && btf_is_any_enum(b));
}

/* Keep type id and what deciding and sizing it needs: through typedefs,
 * modifiers, arrays (element and index), function prototypes; through
 * pointers only when deep (type relocations compare what a pointer points
 * to; field relocations never do). A struct or union keeps its size, its
 * members only as marked one by one. */
static void mark_type(struct gen *g, __u32 id, int deep)
{
	for (int guard = 0; id && id < g->n && guard < 1024; guard++) {
		unsigned char want = deep ? 3 : 1;
		if ((g->keep[id] & want) == want)
			return;
		g->keep[id] |= want;
		const struct btf_type *t = btf__type_by_id(g->k, id);
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_PTR:
			if (!deep)
				return;
			id = t->type;
			continue;
		case BTF_KIND_ARRAY:
			mark_type(g, btf_array(t)->index_type, deep);
			id = btf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *p = btf_params(t);
			for (int i = 0; i < btf_vlen(t); i++)
				mark_type(g, p[i].type, deep);
			id = t->type;
			continue;
		}
		default:
			return;
		}
	}
}

static void mark_member(struct gen *g, __u32 sid, int idx)
{
	g->keep[sid] |= 1;
	g->mkeep[g->mbase[sid] + (__u32)idx] = 1;
}

/* Every member named name in composite sid, inside anonymous members too:
 * kept with the anonymous members holding it; their types go to next[].
 * Returns how many were found, or -1 (declined). */
static int find_members(struct gen *g, __u32 sid, const char *name, __u32 *next, int *nnext, int depth)
{
	const struct btf_type *t = btf__type_by_id(g->k, sid);
	const struct btf_member *m = btf_members(t);
	int found = 0, vlen = btf_vlen(t);

	if (depth > SPEC_MAX)
		return decline(g, "members nested deeper than %d", SPEC_MAX);
	for (int i = 0; i < vlen; i++, m++) {
		const char *mn = btf__name_by_offset(g->k, m->name_off);
		__u32 mid;
		const struct btf_type *mt = skip_mods(g->k, m->type, &mid);
		if (!mt)
			return decline(g, "a member type that cannot be resolved");
		if (!mn || !*mn) {
			if (!btf_is_composite(mt))
				continue;
			int f = find_members(g, mid, name, next, nnext, depth + 1);
			if (f < 0)
				return -1;
			if (f) {
				mark_member(g, sid, i);
				mark_type(g, m->type, 0);
				found += f;
			}
			continue;
		}
		if (strcmp(mn, name))
			continue;
		mark_member(g, sid, i);
		mark_type(g, m->type, 0);
		/* a zero-length array is flexible only as the last member:
		 * keep the last one, so that it stays last or not */
		if (btf_is_array(mt) && btf_array(mt)->nelems == 0) {
			mark_member(g, sid, vlen - 1);
			mark_type(g, btf_members(t)[vlen - 1].type, 0);
		}
		if (*nnext == SET_MAX)
			return decline(g, "more than %d members named %s", SET_MAX, name);
		next[(*nnext)++] = m->type;
		found++;
	}
	return found;
}

/* One field relocation against one candidate: the members its access
 * string names, kept. */
static int walk_field(struct gen *g, __u32 lroot, const char *access, __u32 cand, int sign)
{
	__u32 idx[SPEC_MAX], cur[SET_MAX], next[SET_MAX];
	int n = 0, ncur = 1, nnext;
	const char *p = access;

	while (*p) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p || n == SPEC_MAX || v > 0xffffffffUL)
			return decline(g, "access string %.40s", access);
		idx[n++] = (__u32)v;
		p = *end == ':' ? end + 1 : end;
		if (*end && *end != ':')
			return decline(g, "access string %.40s", access);
	}
	if (!n)
		return decline(g, "empty access string");
	cur[0] = cand;
	__u32 lid = lroot;
	const struct btf_type *lt = skip_mods(g->l, lid, &lid);
	if (!lt)
		return decline(g, "a local type that cannot be resolved");
	/* idx[0] indexes an array of roots: sized by the root, kept */
	for (int i = 1; i < n; i++) {
		nnext = 0;
		lt = skip_mods(g->l, lid, &lid);
		if (!lt)
			return decline(g, "a local type that cannot be resolved");
		if (btf_is_composite(lt)) {
			if (idx[i] >= btf_vlen(lt))
				return decline(g, "access string %.40s out of its type", access);
			const struct btf_member *lm = btf_members(lt) + idx[i];
			lid = lm->type;
			if (!lm->name_off)
				continue; /* an anonymous local member: no accessor */
			const char *name = btf__name_by_offset(g->l, lm->name_off);
			if (!name || !*name)
				return decline(g, "a local member without a name");
			for (int c = 0; c < ncur; c++) {
				__u32 tid;
				const struct btf_type *tt = skip_mods(g->k, cur[c], &tid);
				if (!tt)
					return decline(g, "a kernel type that cannot be resolved");
				if (btf_is_composite(tt) && find_members(g, tid, name, next, &nnext, 0) < 0)
					return -1;
			}
		} else if (btf_is_array(lt)) {
			lid = btf_array(lt)->type;
			for (int c = 0; c < ncur; c++) {
				__u32 tid;
				const struct btf_type *tt = skip_mods(g->k, cur[c], &tid);
				if (!tt)
					return decline(g, "a kernel type that cannot be resolved");
				if (!btf_is_array(tt))
					continue;
				if (nnext == SET_MAX)
					return decline(g, "too many types at one step of %.40s", access);
				next[nnext++] = btf_array(tt)->type;
			}
		} else {
			return decline(g, "access string %.40s goes through a type with no members", access);
		}
		memcpy(cur, next, sizeof(__u32) * (size_t)nnext);
		ncur = nnext;
	}
	/* the sign of anything but an integer or an enum libbpf reads from
	 * the bytes after the type, which differ here: not modelled */
	for (int c = 0; sign && c < ncur; c++) {
		const struct btf_type *tt = skip_mods(g->k, cur[c], NULL);
		if (!tt || (!btf_is_int(tt) && !btf_is_any_enum(tt)))
			return decline(g, "the sign of a field that is no integer or enum");
	}
	return 0;
}

/* The first integer libbpf would size pointers by (determine_ptr_size) */
static void mark_long(struct gen *g)
{
	static const char *const longs[] = { "long", "long int", "int long", "unsigned long", "long unsigned",
					     "unsigned long int", "unsigned int long", "long unsigned int",
					     "long int unsigned", "int unsigned long", "int long unsigned" };
	for (__u32 i = 1; i < g->n; i++) {
		const struct btf_type *t = btf__type_by_id(g->k, i);
		if (!btf_is_int(t) || (t->size != 4 && t->size != 8))
			continue;
		const char *name = btf__name_by_offset(g->k, t->name_off);
		for (size_t j = 0; name && j < sizeof(longs) / sizeof(longs[0]); j++)
			if (strcmp(name, longs[j]) == 0) {
				g->keep[i] |= 1;
				return;
			}
	}
}

/* The object's .BTF and .BTF.ext section bytes. */
static int sections(struct gen *g, const void *image, size_t len, Elf_Data **btf, Elf_Data **ext, Elf **elfp)
{
	elf_version(EV_CURRENT);
	Elf *elf = elf_memory((char *)image, len);
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	*btf = *ext = NULL;
	*elfp = elf;
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx))
		return decline(g, "not an ELF object");
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return decline(g, "an unreadable section header");
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || sh.sh_type == SHT_NOBITS)
			continue;
		if (strcmp(name, ".BTF") == 0)
			*btf = elf_getdata(scn, NULL);
		else if (strcmp(name, ".BTF.ext") == 0)
			*ext = elf_getdata(scn, NULL);
	}
	if (!*btf || !*ext || !(*btf)->d_buf || !(*ext)->d_buf)
		return decline(g, "no .BTF or .BTF.ext");
	return 0;
}

struct root {
	__u32 lid;          /* the local root type */
	const char *name;
	size_t elen;
	const struct btf_type *t;
	__u32 *cands;
	int ncands, cap;
};

static struct root *root_of(struct root **roots, int *nroots, __u32 lid)
{
	for (int i = 0; i < *nroots; i++)
		if ((*roots)[i].lid == lid)
			return &(*roots)[i];
	struct root *r = realloc(*roots, sizeof(**roots) * (size_t)(*nroots + 1));
	if (!r)
		return NULL;
	*roots = r;
	r = &r[(*nroots)++];
	memset(r, 0, sizeof(*r));
	r->lid = lid;
	return r;
}

/* Every kernel type libbpf would take as a candidate for each root (one
 * pass over the kernel's types for all roots). */
static int find_candidates(struct gen *g, struct root *roots, int nroots)
{
	for (__u32 i = 1; i < g->n; i++) {
		const struct btf_type *t = btf__type_by_id(g->k, i);
		const char *name = btf__name_by_offset(g->k, t->name_off);
		if (!name || !*name)
			continue;
		size_t elen = 0;
		for (int r = 0; r < nroots; r++) {
			if (name[0] != roots[r].name[0] || !kind_compat(t, roots[r].t) ||
			    strncmp(name, roots[r].name, roots[r].elen))
				continue;
			if (!elen)
				elen = essential_len(name);
			if (elen != roots[r].elen)
				continue;
			if (roots[r].ncands == roots[r].cap) {
				int cap = roots[r].cap ? roots[r].cap * 2 : 4;
				__u32 *c = realloc(roots[r].cands, sizeof(*c) * (size_t)cap);
				if (!c)
					return decline(g, "out of memory");
				roots[r].cands = c;
				roots[r].cap = cap;
			}
			roots[r].cands[roots[r].ncands++] = i;
		}
	}
	for (int r = 0; r < nroots; r++)
		if (!roots[r].ncands) /* libbpf would go on to the modules' BTF */
			return decline(g, "no kernel type %s", roots[r].name);
	return 0;
}

/* The relocations (.BTF.ext's CO-RE part), each against every candidate
 * of its root. */
static int walk_relos(struct gen *g, const Elf_Data *ext)
{
	const unsigned char *d = ext->d_buf;
	size_t len = ext->d_size;
	__u32 hdr_len, off, rlen, rec;
	struct root *roots = NULL;
	int nroots = 0, rc = -1, any = 0;

	if (len < 32 || *(const __u16 *)d != 0xeB9F)
		return decline(g, "a malformed .BTF.ext");
	memcpy(&hdr_len, d + 4, 4);
	if (hdr_len < 32 || hdr_len > len)
		return decline(g, "no CO-RE relocations");
	memcpy(&off, d + 24, 4);
	memcpy(&rlen, d + 28, 4);
	if (!rlen)
		return decline(g, "no CO-RE relocations");
	if ((size_t)hdr_len + off + rlen > len || rlen < 4)
		return decline(g, "a malformed .BTF.ext");
	const unsigned char *p = d + hdr_len + off, *end = p + rlen;
	memcpy(&rec, p, 4);
	p += 4;
	if (rec < sizeof(struct bpf_core_relo))
		return decline(g, "a malformed .BTF.ext");

	/* two passes: the roots first (their candidates in one sweep), then
	 * the walks */
	for (int pass = 0; pass < 2; pass++) {
		const unsigned char *q = p;
		while (q < end) {
			__u32 nrec;
			if ((size_t)(end - q) < 8)
				goto malformed;
			memcpy(&nrec, q + 4, 4);
			q += 8;
			if (nrec > (size_t)(end - q) / rec)
				goto malformed;
			for (__u32 j = 0; j < nrec; j++, q += rec) {
				struct bpf_core_relo r;
				memcpy(&r, q, sizeof(r));
				if (r.kind == BPF_CORE_TYPE_ID_LOCAL)
					continue; /* no kernel type in it */
				any = 1;
				if (r.kind == BPF_CORE_TYPE_ID_TARGET) {
					decline(g, "a relocation to a kernel type id");
					goto out;
				}
				if (r.kind > BPF_CORE_ENUMVAL_VALUE) {
					decline(g, "relocation kind %u", (unsigned)r.kind);
					goto out;
				}
				const struct btf_type *lt = btf__type_by_id(g->l, r.type_id);
				const char *name = lt ? btf__name_by_offset(g->l, lt->name_off) : NULL;
				const char *access = btf__name_by_offset(g->l, r.access_str_off);
				if (!lt || !name || !*name || !access) {
					decline(g, "a relocation of an anonymous or unknown type");
					goto out;
				}
				if (btf_is_func(lt) || btf_is_var(lt) || btf_is_datasec(lt) || btf_is_decl_tag(lt)) {
					decline(g, "a relocation of %s, which is no data type", name);
					goto out;
				}
				struct root *ro = root_of(&roots, &nroots, r.type_id);
				if (!ro) {
					decline(g, "out of memory");
					goto out;
				}
				if (pass == 0) {
					ro->name = name;
					ro->elen = essential_len(name);
					ro->t = lt;
					continue;
				}
				for (int c = 0; c < ro->ncands; c++) {
					__u32 cand = ro->cands[c];
					mark_type(g, cand, 0);
					if (r.kind == BPF_CORE_TYPE_EXISTS || r.kind == BPF_CORE_TYPE_SIZE)
						mark_type(g, cand, 1);
					else if (r.kind == BPF_CORE_ENUMVAL_EXISTS || r.kind == BPF_CORE_ENUMVAL_VALUE)
						; /* enums are kept whole */
					else if (walk_field(g, r.type_id, access, cand, r.kind == BPF_CORE_FIELD_SIGNED))
						goto out;
				}
			}
		}
		if (pass == 0 && (!any || find_candidates(g, roots, nroots))) {
			if (!any)
				decline(g, "no CO-RE relocations");
			goto out;
		}
	}
	rc = 0;
	goto out;
malformed:
	decline(g, "a malformed .BTF.ext");
out:
	for (int i = 0; i < nroots; i++)
		free(roots[i].cands);
	free(roots);
	return rc;
}

/* The kept types as a new BTF, in the kernel's order (candidates keep
 * their order; ids are renumbered, an id not kept becomes void). */
static struct btf *emit(struct gen *g)
{
	__u32 *newid = calloc(g->n, sizeof(*newid)), cnt = 0;
	struct btf *out = btf__new_empty();

	if (!newid || !out)
		goto fail;
	for (__u32 i = 1; i < g->n; i++)
		if (g->keep[i])
			newid[i] = ++cnt;
	for (__u32 i = 1; i < g->n; i++) {
		if (!g->keep[i])
			continue;
		const struct btf_type *t = btf__type_by_id(g->k, i);
		int id;
		if (btf_is_composite(t)) {
			const char *name = btf__name_by_offset(g->k, t->name_off);
			if (name && !*name)
				name = NULL;
			id = btf_is_struct(t) ? btf__add_struct(out, name, t->size) : btf__add_union(out, name, t->size);
			const struct btf_member *m = btf_members(t);
			for (int j = 0; id > 0 && j < btf_vlen(t); j++, m++) {
				if (!g->mkeep[g->mbase[i] + (__u32)j])
					continue;
				const char *mn = btf__name_by_offset(g->k, m->name_off);
				if (btf__add_field(out, mn && *mn ? mn : NULL, (int)newid[m->type < g->n ? m->type : 0],
						   btf_member_bit_offset(t, (__u32)j), btf_member_bitfield_size(t, (__u32)j)))
					goto fail;
			}
		} else {
			id = btf__add_type(out, g->k, t);
			if (id > 0) {
				struct btf_type *c = (struct btf_type *)btf__type_by_id(out, (__u32)id);
				switch (btf_kind(c)) {
				case BTF_KIND_PTR:
				case BTF_KIND_TYPEDEF:
				case BTF_KIND_CONST:
				case BTF_KIND_VOLATILE:
				case BTF_KIND_RESTRICT:
				case BTF_KIND_TYPE_TAG:
				case BTF_KIND_FUNC:
				case BTF_KIND_VAR:
					c->type = c->type < g->n ? newid[c->type] : 0;
					break;
				case BTF_KIND_ARRAY: {
					struct btf_array *a = btf_array(c);
					a->type = a->type < g->n ? newid[a->type] : 0;
					a->index_type = a->index_type < g->n ? newid[a->index_type] : 0;
					break;
				}
				case BTF_KIND_FUNC_PROTO: {
					struct btf_param *p = btf_params(c);
					c->type = c->type < g->n ? newid[c->type] : 0;
					for (int j = 0; j < btf_vlen(c); j++)
						p[j].type = p[j].type < g->n ? newid[p[j].type] : 0;
					break;
				}
				case BTF_KIND_INT:
				case BTF_KIND_ENUM:
				case BTF_KIND_ENUM64:
				case BTF_KIND_FWD:
				case BTF_KIND_FLOAT:
					break;
				default:
					goto fail; /* datasec, decl tag: never marked */
				}
			}
		}
		if (id <= 0 || (__u32)id != newid[i])
			goto fail;
	}
	free(newid);
	return out;
fail:
	free(newid);
	btf__free(out);
	return NULL;
}

int tpl_min_btf(const void *image, size_t len, const struct btf *vmlinux, void **out, size_t *outlen,
		char *why, size_t whylen)
{
	struct gen g = { .k = vmlinux, .why = why, .whylen = whylen };
	Elf_Data *bd, *ed;
	Elf *elf = NULL;
	struct btf *local = NULL, *min = NULL;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (sections(&g, image, len, &bd, &ed, &elf))
		goto done;
	local = btf__new(bd->d_buf, (__u32)bd->d_size);
	if (!local) {
		decline(&g, "the object's .BTF does not parse");
		goto done;
	}
	g.l = local;
	g.n = btf__type_cnt(vmlinux);
	g.keep = calloc(g.n, 1);
	g.mbase = calloc(g.n, sizeof(*g.mbase));
	if (!g.keep || !g.mbase) {
		decline(&g, "out of memory");
		goto done;
	}
	size_t nmembers = 0;
	for (__u32 i = 1; i < g.n; i++) {
		const struct btf_type *t = btf__type_by_id(vmlinux, i);
		if (btf_is_composite(t)) {
			g.mbase[i] = (__u32)nmembers;
			nmembers += btf_vlen(t);
		}
	}
	g.mkeep = calloc(nmembers ? nmembers : 1, 1);
	if (!g.mkeep) {
		decline(&g, "out of memory");
		goto done;
	}
	if (walk_relos(&g, ed))
		goto done;
	mark_long(&g);
	min = emit(&g);
	if (!min) {
		decline(&g, "the types could not be written");
		goto done;
	}
	__u32 sz;
	const void *raw = btf__raw_data(min, &sz);
	if (!raw || !(*out = malloc(sz))) {
		decline(&g, "out of memory");
		goto done;
	}
	memcpy(*out, raw, sz);
	*outlen = sz;
	rc = 0;
done:
	btf__free(min);
	btf__free(local);
	if (elf)
		elf_end(elf);
	free(g.keep);
	free(g.mbase);
	free(g.mkeep);
	return rc;
}
