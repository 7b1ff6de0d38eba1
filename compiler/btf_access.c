/* btf_access.c: resolve paths ("mm.owner.real_parent.tgid", "fd[2].f_path")
 * walked against a kernel BTF, as Tetragon walks them: a pointer
 * parameter is dereferenced first (unless the path starts with [N], which
 * subscripts through it); every pointer on the way is dereferenced (a
 * pointer to a pointer with an implicit [0] hop); typedefs and qualifiers
 * are looked through; members of anonymous structs and unions are found
 * as if they were the outer struct's; fixed arrays are bounds-checked,
 * flexible ones not; at most ACCESS_MAX elements, hops included. The path
 * ends on a pointer (its value), an integer or enum (its value) or a
 * struct or array (its address).
 *
 * The walk fills a struct access: segments, each one CO-RE read from a
 * pointer, with the local struct declarations the code generator emits
 * (only the members used, named <struct>___tpc so that libbpf matches
 * them to the kernel's by name whatever their layout there). */
#include "tpc.h"

#include <bpf/btf.h>
#include <stdlib.h>
#include <string.h>

/* ---- the path ---- */

int resolve_parse(const char *path, struct resolve_elem *out, int max, char *why, size_t len, int *bad_off)
{
	const char *s = path;
	int n = 0;
	*bad_off = 0;
	if (!*s) {
		snprintf(why, len, "invalid format for resolve path: it is empty");
		return -1;
	}
	while (*s) {
		const char *start = s;
		if (*s != '[') { /* a member name */
			while (*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
				s++;
			if (s == start || (*start >= '0' && *start <= '9') || s - start >= 64) {
				*bad_off = (int)(start - path);
				snprintf(why, len, "invalid format for resolve path: %s at byte %d",
					 s == start ? "a member name expected" : "not a member name", *bad_off + 1);
				return -1;
			}
			if (n == max)
				goto too_long;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].name, sizeof(out[n].name), "%.*s", (int)(s - start), start);
			out[n++].off = (int)(start - path);
		}
		while (*s == '[') { /* subscripts */
			const char *open = s++;
			long long v = 0;
			const char *digits = s;
			while (*s >= '0' && *s <= '9' && v < 1000000)
				v = v * 10 + (*s++ - '0');
			if (s == digits || *s != ']') {
				*bad_off = (int)(open - path);
				snprintf(why, len, "invalid format for resolve path: a subscript [N] expected at byte %d",
					 *bad_off + 1);
				return -1;
			}
			s++;
			if (n == max)
				goto too_long;
			memset(&out[n], 0, sizeof(out[n]));
			out[n].subscript = true;
			out[n].index = (int)v;
			out[n++].off = (int)(open - path);
		}
		if (*s == '.' && s[1] && s[1] != '.' && s[1] != '[') {
			s++;
			continue;
		}
		if (*s) {
			*bad_off = (int)(s - path);
			snprintf(why, len, "invalid format for resolve path: unexpected '%c' at byte %d", *s, *bad_off + 1);
			return -1;
		}
	}
	return n;
too_long:
	snprintf(why, len, "The maximum depth allowed is %d", ACCESS_MAX);
	*bad_off = (int)(s - path);
	return -1;
}

/* ---- the walk ---- */

struct walk {
	const struct btf *btf;
	struct access *acc;
	char *why;
	size_t len;
};

/* Through typedefs and qualifiers; a forward declaration becomes the
 * struct of that name when the BTF has one (a BTF not deduplicated, as
 * clang writes it, declares structs only reached through pointers so). */
static const struct btf_type *skip(const struct btf *btf, __u32 id, __u32 *out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	for (int guard = 0; t && guard < 32 && (btf_is_mod(t) || btf_is_typedef(t) || btf_is_type_tag(t)); guard++) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (t && btf_is_fwd(t)) {
		int full = btf__find_by_name_kind(btf, btf__name_by_offset(btf, t->name_off),
						  btf_kflag(t) ? BTF_KIND_UNION : BTF_KIND_STRUCT);
		if (full > 0) {
			id = (__u32)full;
			t = btf__type_by_id(btf, id);
		}
	}
	if (out)
		*out = id;
	return t;
}

/* The C spelling of type id, for messages. */
static void type_text(const struct btf *btf, __u32 id, char *out, size_t len)
{
	char td[64] = "";
	const struct btf_type *t = btf__type_by_id(btf, id);
	for (int guard = 0; t && guard < 32 && (btf_is_mod(t) || btf_is_typedef(t) || btf_is_type_tag(t)); guard++) {
		if (btf_is_typedef(t) && !td[0])
			snprintf(td, sizeof(td), "%s", btf__name_by_offset(btf, t->name_off));
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	if (!t || id == 0)
		snprintf(out, len, "void");
	else if (btf_is_ptr(t)) {
		char inner[80];
		type_text(btf, t->type, inner, sizeof(inner));
		snprintf(out, len, "%s *", inner);
	} else if (btf_is_composite(t) && name && *name)
		snprintf(out, len, "%s %s", btf_is_union(t) ? "union" : "struct", name);
	else if (btf_is_any_enum(t) && name && *name)
		snprintf(out, len, "enum %s", name);
	else if (btf_is_array(t)) {
		char inner[80];
		type_text(btf, btf_array(t)->type, inner, sizeof(inner));
		snprintf(out, len, "%s[%u]", inner, btf_array(t)->nelems);
	}
	else if (td[0])
		snprintf(out, len, "%s", td);
	else if (name && *name)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s", btf_is_composite(t) ? "an anonymous struct" : "a type");
}

/* The local name of composite (or enum) id: <name>___tpc; an anonymous
 * one is named after where it is met, tpc_<owner>_<member> (names matter
 * only where libbpf looks up a relocation's root, which is never
 * anonymous: see seg_root). */
static void local_name_in(const struct btf *btf, __u32 id, const char *owner, const char *member, char *out, size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	if (name && *name) {
		snprintf(out, len, "%s___tpc", name);
	} else {
		const char *end = strstr(owner, "___tpc");
		int n = end ? (int)(end - owner) : (int)strlen(owner);
		snprintf(out, len, "tpc_%.*s_%s", n, owner + (strncmp(owner, "tpc_", 4) ? 0 : 4), member);
	}
}

static void local_name(const struct btf *btf, __u32 id, char *out, size_t len)
{
	local_name_in(btf, id, "anon", "type", out, len);
}

/* The declaration of a member of type id named name ("void *file;"), and
 * the local struct or enum it needs declared first (embeds: "struct X" or
 * "enum X", else ""). bits: a bitfield's width, or 0. */
static bool member_decl(struct walk *w, __u32 id, const char *owner, const char *name, int bits, char *decl,
			size_t dlen, char *embeds, size_t elen)
{
	char dims[64] = "";
	__u32 tid;
	const struct btf_type *t = skip(w->btf, id, &tid);
	embeds[0] = 0;
	while (t && btf_is_array(t)) { /* int a[2][3]: dims in order */
		const struct btf_array *arr = btf_array(t);
		size_t dl = strlen(dims);
		snprintf(dims + dl, sizeof(dims) - dl, "[%u]", arr->nelems);
		t = skip(w->btf, arr->type, &tid);
	}
	if (!t || tid == 0)
		return false;
	if (btf_is_ptr(t)) {
		snprintf(decl, dlen, "void *%s%s;", name, dims);
		return true;
	}
	if (btf_is_int(t) && (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8)) {
		bool sg = (btf_int_encoding(t) & BTF_INT_SIGNED) != 0;
		if (bits)
			snprintf(decl, dlen, "__%c%d %s:%d;", sg ? 's' : 'u', t->size * 8, name, bits);
		else
			snprintf(decl, dlen, "__%c%d %s%s;", sg ? 's' : 'u', t->size * 8, name, dims);
		return true;
	}
	if (btf_is_any_enum(t)) { /* CO-RE matches enums by name, or any enum to an anonymous one */
		char ln[80];
		local_name_in(w->btf, tid, owner, name, ln, sizeof(ln));
		snprintf(embeds, elen, "enum %s", ln);
		if (bits)
			snprintf(decl, dlen, "enum %s %s:%d;", ln, name, bits);
		else
			snprintf(decl, dlen, "enum %s %s%s;", ln, name, dims);
		return true;
	}
	if (btf_is_composite(t)) {
		char ln[80];
		local_name_in(w->btf, tid, owner, name, ln, sizeof(ln));
		snprintf(embeds, elen, "struct %s", ln);
		snprintf(decl, dlen, "struct %s %s%s;", ln, name, dims);
		return true;
	}
	return false;
}

/* Finds member name in composite id, looking into anonymous members;
 * its type and bitfield width in *mt, *bits. */
static bool find_member(const struct btf *btf, __u32 id, const char *name, __u32 *mt, int *bits, int depth)
{
	const struct btf_type *t = skip(btf, id, &id);
	if (!t || !btf_is_composite(t) || depth > 8)
		return false;
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *mn = btf__name_by_offset(btf, m[i].name_off);
		if (mn && *mn && !strcmp(mn, name)) {
			*mt = m[i].type;
			*bits = (int)btf_member_bitfield_size(t, (__u32)i);
			return true;
		}
		if ((!mn || !*mn) && find_member(btf, m[i].type, name, mt, bits, depth + 1))
			return true;
	}
	return false;
}

/* Every member name of composite id (anonymous members' included), for
 * a suggestion. */
static void member_names(const struct btf *btf, __u32 id, const char **out, int *n, int max, int depth)
{
	const struct btf_type *t = skip(btf, id, &id);
	if (!t || !btf_is_composite(t) || depth > 8)
		return;
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t) && *n < max - 1; i++) {
		const char *mn = btf__name_by_offset(btf, m[i].name_off);
		if (mn && *mn)
			out[(*n)++] = mn;
		else
			member_names(btf, m[i].type, out, n, max, depth + 1);
	}
	out[*n] = NULL;
}

static struct access_seg *new_seg(struct walk *w, int depth)
{
	if (w->acc->nsegs == ACCESS_SEGS)
		return NULL;
	struct access_seg *sg = &w->acc->segs[w->acc->nsegs++];
	memset(sg, 0, sizeof(*sg));
	sg->depth = depth;
	return sg;
}

/* A segment starting at a pointer to composite pid: its root must have a
 * name, libbpf finds the kernel's struct by it. */
static bool seg_root(struct walk *w, struct access_seg *sg, __u32 pid)
{
	const struct btf_type *t = btf__type_by_id(w->btf, pid);
	const char *name = t ? btf__name_by_offset(w->btf, t->name_off) : NULL;
	if (!name || !*name) {
		char tt[96];
		type_text(w->btf, pid, tt, sizeof(tt));
		snprintf(w->why, w->len, "unexpected type: a pointer to %s, which has no name to relocate it by", tt);
		return false;
	}
	local_name(w->btf, pid, sg->root, sizeof(sg->root));
	return true;
}

static struct access_step *new_step(struct walk *w, struct access_seg *sg)
{
	if (sg->nsteps == ACCESS_STEPS) {
		snprintf(w->why, w->len, "The maximum depth allowed is %d", ACCESS_MAX);
		return NULL;
	}
	struct access_step *st = &sg->steps[sg->nsteps++];
	memset(st, 0, sizeof(*st));
	return st;
}

bool kbtf_walk(const struct btf *btf, unsigned int from, bool from_pointee, const struct resolve_elem *e, int n,
	       struct access *acc, char *why, size_t len, int *bad)
{
	struct walk w = {btf, acc, why, len};
	__u32 cur;
	const struct btf_type *t = skip(btf, from, &cur);
	int hops = 0;
	*bad = -1;
	memset(acc->segs, 0, sizeof(acc->segs));
	acc->nsegs = 0;
	if (!from_pointee && (!t || !btf_is_ptr(t))) {
		char tt[96];
		type_text(btf, from, tt, sizeof(tt));
		snprintf(why, len, "unexpected type: resolve walks from a pointer, and this is %s", tt);
		*bad = 0;
		return false;
	}
	/* in_ptr: ptee is what a pointer we hold points at; else cur is the
	 * type of the member (or element) the segment has reached */
	bool in_ptr = true;
	__u32 ptee = from_pointee ? from : t->type;
	char cur_local[80] = "";
	struct access_seg *sg = NULL;
	for (int i = 0; i < n; i++) {
		if (i + hops >= ACCESS_MAX) {
			snprintf(why, len, "The maximum depth allowed is %d", ACCESS_MAX);
			*bad = i;
			return false;
		}
		*bad = i;
		if (in_ptr) {
			__u32 pid;
			const struct btf_type *pt = skip(btf, ptee, &pid);
			if (pt && btf_is_ptr(pt) && !e[i].subscript) { /* a pointer to a pointer: [0] */
				if (!(sg = new_seg(&w, i)))
					goto too_deep;
				sg->end = ACC_DEREF;
				ptee = pt->type;
				hops++;
				i--;
				continue;
			}
			if (!pt || !btf_is_composite(pt)) {
				char tt[96];
				type_text(btf, ptee, tt, sizeof(tt));
				if (e[i].subscript)
					snprintf(why, len, "unexpected type: [%d] subscripts a pointer to %s; only pointers to structs can be",
						 e[i].index, tt);
				else
					snprintf(why, len, "unexpected type: %s is not a struct, it has no member '%s'", tt, e[i].name);
				return false;
			}
			if (!(sg = new_seg(&w, i)) || !seg_root(&w, sg, pid))
				return sg ? false : (snprintf(why, len, "The maximum depth allowed is %d", ACCESS_MAX), false);
			cur = pid;
			snprintf(cur_local, sizeof(cur_local), "%s", sg->root);
			in_ptr = false;
			if (e[i].subscript) { /* p[N]: through the pointer itself */
				struct access_step *st = new_step(&w, sg);
				if (!st)
					return false;
				sg->root_index = true;
				st->index = e[i].index;
				continue;
			}
		}
		const struct btf_type *vt = skip(btf, cur, &cur);
		if (e[i].subscript) {
			if (!vt || !btf_is_array(vt)) {
				char tt[96];
				type_text(btf, cur, tt, sizeof(tt));
				snprintf(why, len, "unexpected type: [%d] subscripts %s, not an array", e[i].index, tt);
				return false;
			}
			const struct btf_array *arr = btf_array(vt);
			if (arr->nelems && (__u32)e[i].index >= arr->nelems) {
				snprintf(why, len, "array index out of bound: [%d] of an array of %u", e[i].index, arr->nelems);
				return false;
			}
			struct access_step *st = new_step(&w, sg);
			if (!st)
				return false;
			st->index = e[i].index;
			cur = arr->type;
		} else {
			char tt[96];
			type_text(btf, cur, tt, sizeof(tt));
			if (!vt || !btf_is_composite(vt)) {
				snprintf(why, len, "unexpected type: %s is not a struct, it has no member '%s'", tt, e[i].name);
				return false;
			}
			__u32 mt;
			int bits = 0;
			if (!find_member(btf, cur, e[i].name, &mt, &bits, 0)) {
				const char *names[512];
				int nn = 0;
				member_names(btf, cur, names, &nn, 512, 0);
				names[nn] = NULL;
				const char *s = suggest(e[i].name, names);
				snprintf(why, len, "attribute '%s' not found in %s%s%s%s", e[i].name, tt, s ? "; did you mean '" : "",
					 s ? s : "", s ? "'?" : "");
				return false;
			}
			struct access_step *st = new_step(&w, sg);
			if (!st)
				return false;
			snprintf(st->member, sizeof(st->member), "%s", e[i].name);
			snprintf(st->owner, sizeof(st->owner), "%s", cur_local);
			if (!member_decl(&w, mt, cur_local, e[i].name, bits, st->decl, sizeof(st->decl), st->embeds,
					 sizeof(st->embeds))) {
				char mtt[96];
				type_text(btf, mt, mtt, sizeof(mtt));
				snprintf(why, len, "unexpected type: member '%s' of %s is %s, which tpc cannot read", e[i].name, tt, mtt);
				return false;
			}
			sg->bitfield = bits > 0;
			cur = mt;
			/* what the next member is looked up in: the embedded struct
			 * (an array's elements keep its local name) */
			if (!strncmp(st->embeds, "struct ", 7))
				snprintf(cur_local, sizeof(cur_local), "%s", st->embeds + 7);
		}
		/* a pointer with more path after it is followed */
		__u32 nid;
		const struct btf_type *nt = skip(btf, cur, &nid);
		if (i + 1 < n && nt && btf_is_ptr(nt)) {
			if (sg->bitfield)
				goto unexpected;
			sg->end = ACC_POINTER;
			in_ptr = true;
			ptee = nt->type;
		}
	}
	if (in_ptr || !sg) /* a path always ends inside a segment */
		goto unexpected;
	*bad = n - 1;
	__u32 fid;
	const struct btf_type *ft = skip(btf, cur, &fid);
	acc->final_id = cur;
	type_text(btf, cur, acc->final_text, sizeof(acc->final_text));
	acc->final_elem[0] = 0;
	if (ft && btf_is_array(ft))
		type_text(btf, btf_array(ft)->type, acc->final_elem, sizeof(acc->final_elem));
	if (ft && btf_is_ptr(ft)) {
		sg->end = ACC_VALUE;
		sg->size = 8;
	} else if (ft && (btf_is_int(ft) || btf_is_any_enum(ft)) && ft->size <= 8) {
		sg->end = ACC_VALUE;
		sg->size = (int)ft->size;
		sg->is_signed = btf_is_int(ft) ? (btf_int_encoding(ft) & BTF_INT_SIGNED) != 0 : btf_kflag(ft);
	} else if (ft && (btf_is_composite(ft) || btf_is_array(ft))) {
		if (sg->bitfield)
			goto unexpected;
		sg->end = ACC_ADDRESS;
	} else {
		goto unexpected;
	}
	*bad = -1;
	return true;
too_deep:
	snprintf(why, len, "The maximum depth allowed is %d", ACCESS_MAX);
	return false;
unexpected: {
	char tt[96];
	type_text(btf, cur, tt, sizeof(tt));
	snprintf(why, len, "unexpected type: the path ends on %s", tt);
	return false;
}
}

unsigned int kbtf_find_struct(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	if (id <= 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
	return id > 0 ? (unsigned)id : 0;
}

void kbtf_type_text(const struct btf *btf, unsigned int id, char *out, size_t len)
{
	type_text(btf, id, out, len);
}
