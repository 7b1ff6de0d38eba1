/* btf.c: what the kernel says about the functions a policy hooks, for the
 * BTF-aware lint rules. The kernel BTF (5 MB, ~150k types) is parsed with
 * libbpf only when a policy has a kprobe, once per process, and kept until
 * kbtf_release(). Types are reduced to a small description (struct ktype)
 * that the checks compare with the policy's declared arg types; syscall
 * prototypes come from the tracepoint format files, which carry the real
 * argument types on every kernel (the __x64_sys_X wrappers in BTF only
 * take a struct pt_regs *). */
#include "tpc.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"

static struct {
	char *path;  /* the file parsed (or attempted) */
	struct btf *btf;
	char *error; /* why it could not be parsed */
} cache;

struct btf *kbtf_get(const char *path, const char **err)
{
	if (!path)
		path = DEFAULT_BTF;
	if (cache.path && !strcmp(cache.path, path)) {
		*err = cache.error;
		return cache.btf;
	}
	kbtf_release();
	cache.path = xstrdup(path);
	/* libbpf's own messages would interleave with ours; we report once */
	libbpf_print_fn_t old = libbpf_set_print(NULL);
	cache.btf = btf__parse(path, NULL);
	int e = errno;
	libbpf_set_print(old);
	if (!cache.btf) {
		char why[128];
		if (libbpf_strerror(e ? e : EINVAL, why, sizeof(why)))
			snprintf(why, sizeof(why), "%s", strerror(e ? e : EINVAL));
		cache.error = xasprintf("cannot read BTF from %s: %s", path, why);
	}
	*err = cache.error;
	return cache.btf;
}

struct btf *kbtf_for_target(const struct target *t)
{
	const char *err = NULL;
	return t->no_btf || (!t->btf && !kbtf_default_exists()) ? NULL : kbtf_get(t->btf, &err);
}

static void ksyms_release(void);

void kbtf_release(void)
{
	ksyms_release();
	btf__free(cache.btf);
	free(cache.path);
	free(cache.error);
	memset(&cache, 0, sizeof(cache));
}

bool kbtf_default_exists(void)
{
	FILE *f = fopen(DEFAULT_BTF, "r");
	if (f)
		fclose(f);
	return f != NULL;
}

static int find_func(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	return id > 0 ? id : 0;
}

bool kbtf_has_func(const struct btf *btf, const char *name)
{
	return find_func(btf, name) > 0;
}

int kbtf_target_syscalls(const struct target *t, const char *prefix, char ***names, const char **err)
{
	*err = NULL;
	struct btf *btf = t->no_btf ? NULL : t->btf || kbtf_default_exists() ? kbtf_get(t->btf, err) : NULL;
	if (!btf)
		return -1;
	return kbtf_funcs_with_prefix(btf, prefix, names);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kbtf_funcs_with_prefix(const struct btf *btf, const char *prefix, char ***out)
{
	size_t plen = strlen(prefix);
	int n = 0, cap = 0;
	char **v = NULL;
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t || !btf_is_func(t) || BTF_INFO_VLEN(t->info) == BTF_FUNC_EXTERN) /* a declaration only */
			continue;
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, prefix, plen) || !name[plen])
			continue;
		if (n == cap)
			v = xrealloc(v, sizeof(*v) * (size_t)(cap = cap ? cap * 2 : 64));
		v[n++] = xstrdup(name + plen);
	}
	if (n)
		qsort(v, (size_t)n, sizeof(*v), cmp_name);
	int m = 0; /* BTF may hold one name twice */
	for (int i = 0; i < n; i++)
		if (!m || strcmp(v[m - 1], v[i]))
			v[m++] = v[i];
		else
			free(v[i]);
	*out = v;
	return m;
}

/* Skips typedefs and qualifiers (const, volatile, restrict, type tags). */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	for (int guard = 0; t && guard < 32; guard++) {
		if (!btf_is_mod(t) && !btf_is_typedef(t) && !btf_is_type_tag(t))
			break;
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out_id)
		*out_id = id;
	return t;
}

/* The name of the first typedef met from id on, through qualifiers. */
static void first_typedef(const struct btf *btf, __u32 id, char *out, size_t len)
{
	out[0] = 0;
	const struct btf_type *t = btf__type_by_id(btf, id);
	for (int guard = 0; t && guard < 32; guard++) {
		if (btf_is_typedef(t)) {
			snprintf(out, len, "%s", btf__name_by_offset(btf, t->name_off));
			return;
		}
		if (!btf_is_mod(t) && !btf_is_type_tag(t))
			return;
		t = btf__type_by_id(btf, t->type);
	}
}

static void describe(const struct btf *btf, __u32 id, struct ktype *k)
{
	memset(k, 0, sizeof(*k));
	k->btf_id = id;
	first_typedef(btf, id, k->tname, sizeof(k->tname));
	const struct btf_type *t = skip_mods(btf, id, &id);
	if (!t || btf_is_void(t) || id == 0) {
		k->kind = KT_VOID;
		snprintf(k->text, sizeof(k->text), "void");
		return;
	}
	const char *name = btf__name_by_offset(btf, t->name_off);
	if (btf_is_int(t) || btf_is_any_enum(t)) {
		k->kind = KT_INT;
		k->size = (int)t->size;
		k->is_signed = btf_is_int(t) ? (btf_int_encoding(t) & BTF_INT_SIGNED) != 0 : btf_kflag(t);
		snprintf(k->text, sizeof(k->text), "%s%s", btf_is_any_enum(t) ? "enum " : "", name && *name ? name : "int");
		return;
	}
	if (btf_is_composite(t) || btf_is_fwd(t)) {
		k->kind = KT_STRUCT;
		k->size = (int)t->size;
		snprintf(k->name, sizeof(k->name), "%s", name ? name : "");
		snprintf(k->text, sizeof(k->text), "%s %s", btf_is_union(t) ? "union" : "struct", k->name);
		return;
	}
	if (btf_is_ptr(t)) {
		k->kind = KT_PTR;
		k->size = 8;
		__u32 pid;
		first_typedef(btf, t->type, k->tname, sizeof(k->tname));
		const struct btf_type *p = skip_mods(btf, t->type, &pid);
		const char *pname = p ? btf__name_by_offset(btf, p->name_off) : NULL;
		if (!p || pid == 0 || btf_is_void(p)) {
			k->pointee = KT_VOID;
			snprintf(k->text, sizeof(k->text), "void *");
		} else if (btf_is_int(p) || btf_is_any_enum(p)) {
			k->pointee = KT_INT;
			k->pointee_size = (int)p->size;
			k->pointee_char = pname && strstr(pname, "char");
			snprintf(k->text, sizeof(k->text), "%s *", pname && *pname ? pname : "int");
		} else if (btf_is_composite(p) || btf_is_fwd(p)) {
			k->pointee = KT_STRUCT;
			snprintf(k->name, sizeof(k->name), "%s", pname ? pname : "");
			if (*k->name)
				snprintf(k->text, sizeof(k->text), "%s %s *", btf_is_union(p) ? "union" : "struct", k->name);
			else
				snprintf(k->text, sizeof(k->text), "%s *", *k->tname ? k->tname : "struct");
		} else {
			k->pointee = btf_is_ptr(p) ? KT_PTR : KT_OTHER;
			snprintf(k->text, sizeof(k->text), "%s", btf_is_ptr(p) ? "pointer to pointer" : "pointer");
		}
		return;
	}
	k->kind = KT_OTHER;
	snprintf(k->text, sizeof(k->text), "%s", btf_is_array(t) ? "array" : "non-scalar type");
}

void kbtf_describe(const struct btf *btf, unsigned int id, struct ktype *k)
{
	describe(btf, id, k);
}

/* The parameters of a FUNC_PROTO after the first `skip` ones, and its
 * return type. */
static void proto_params(const struct btf *btf, const struct btf_type *proto, int skip, struct kproto *out)
{
	int n = btf_vlen(proto);
	const struct btf_param *ps = btf_params(proto);
	if (n > 0 && ps[n - 1].type == 0) /* variadic: the trailing "..." */
		n--;
	n = n > skip ? n - skip : 0;
	out->n = n < KPROTO_MAX ? n : KPROTO_MAX;
	out->variadic = n > KPROTO_MAX;
	for (int i = 0; i < out->n; i++) {
		const char *pn = btf__name_by_offset(btf, ps[i + skip].name_off);
		snprintf(out->names[i], sizeof(out->names[i]), "%s", pn && *pn ? pn : "?");
		describe(btf, ps[i + skip].type, &out->p[i]);
	}
	describe(btf, proto->type, &out->ret);
}

bool kbtf_func_proto(const struct btf *btf, const char *func, struct kproto *out)
{
	memset(out, 0, sizeof(*out));
	int id = find_func(btf, func);
	if (!id)
		return false;
	const struct btf_type *f = btf__type_by_id(btf, (__u32)id);
	const struct btf_type *proto = f ? btf__type_by_id(btf, f->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return false;
	proto_params(btf, proto, 0, out);
	snprintf(out->origin, sizeof(out->origin), "BTF of %s", func);
	return true;
}

bool kbtf_raw_tp_proto(const struct btf *btf, const char *event, struct kproto *out)
{
	memset(out, 0, sizeof(*out));
	char name[160];
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return false;
	const struct btf_type *ptr = skip_mods(btf, (__u32)id, NULL);
	const struct btf_type *proto = ptr && btf_is_ptr(ptr) ? btf__type_by_id(btf, ptr->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return false;
	proto_params(btf, proto, 1, out); /* the first parameter is the probe's data (void *) */
	snprintf(out->origin, sizeof(out->origin), "BTF of %s", name);
	/* the typedef's parameters have no names; __bpf_trace_<event>, when
	 * the event has its own (not its class's), names them */
	snprintf(name, sizeof(name), "__bpf_trace_%s", event);
	struct kproto named;
	bool have = kbtf_func_proto(btf, name, &named) && named.n == out->n + 1;
	for (int i = 0; i < out->n; i++)
		if (have)
			snprintf(out->names[i], sizeof(out->names[i]), "%s", named.names[i + 1]);
		else
			snprintf(out->names[i], sizeof(out->names[i]), "arg%d", i);
	return true;
}

/* A C spelling from a tracepoint format file ("const char *", "unsigned
 * int", "struct iovec *", "off_t") reduced to a ktype. Typedef names
 * (off_t, size_t, umode_t...) are integers unless they carry a '*'. */
void ktype_from_ctype(const char *ctype, int size, struct ktype *k)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->text, sizeof(k->text), "%s", ctype);
	const char *star = strchr(ctype, '*');
	if (strchr(ctype, '[')) {
		k->kind = KT_OTHER;
		return;
	}
	if (!star) {
		const char *s = strstr(ctype, "struct ");
		k->kind = s ? KT_STRUCT : KT_INT;
		k->size = size;
		if (s)
			snprintf(k->name, sizeof(k->name), "%s", s + 7);
		else if (!strchr(ctype, ' ')) /* one word: int, or a typedef (size_t, pid_t) */
			snprintf(k->tname, sizeof(k->tname), "%s", ctype);
		return;
	}
	k->kind = KT_PTR;
	k->size = 8;
	if (strchr(star + 1, '*')) {
		k->pointee = KT_PTR;
		return;
	}
	const char *s = strstr(ctype, "struct ");
	if (!s)
		s = strstr(ctype, "union "); /* one byte shorter: */
	if (s) {
		int skip = s[0] == 's' ? 7 : 6;
		k->pointee = KT_STRUCT;
		size_t n = strcspn(s + skip, " *");
		snprintf(k->name, sizeof(k->name), "%.*s", (int)n, s + skip);
	} else if (strstr(ctype, "void")) {
		k->pointee = KT_VOID;
	} else {
		k->pointee = KT_INT;
		k->pointee_char = strstr(ctype, "char") != NULL;
	}
}

/* Fields of syscalls/sys_enter_X after the common ones and __syscall_nr
 * are the syscall's arguments, in order, with their declared C types. */
bool syscall_proto_from_tracefs(const char *tracefs, const char *sc, struct kproto *out)
{
	memset(out, 0, sizeof(*out));
	char *ev = xasprintf("sys_enter_%s", sc);
	const struct tp_format *fmt = tp_format_get(tracefs, "syscalls", ev);
	bool ok = fmt != NULL;
	if (ok) {
		const struct tp_field *f = fmt->fields;
		int n = fmt->nfields;
		int first = 0;
		while (first < n && strcmp(f[first].name, "__syscall_nr"))
			first++;
		first++;
		for (int i = first; i < n && out->n < KPROTO_MAX; i++) {
			snprintf(out->names[out->n], sizeof(out->names[0]), "%s", f[i].name);
			ktype_from_ctype(f[i].ctype, f[i].size, &out->p[out->n]);
			out->p[out->n].is_signed = f[i].is_signed;
			out->n++;
		}
		ok = first <= n;
		ktype_from_ctype("long", 8, &out->ret); /* every syscall returns long */
		snprintf(out->origin, sizeof(out->origin), "tracepoint syscalls/%s", ev);
	}
	free(ev);
	return ok;
}

/* The closest FUNC name, for "did you mean": a bounded edit distance over
 * the names whose length is near the word's. */
static int bounded_distance(const char *a, size_t la, const char *b, size_t lb, int limit)
{
	int row[128];
	if (la >= 127 || lb >= 127)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0], best;
		row[0] = (int)i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int v = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			prev = cur;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb];
}

const char *kbtf_suggest_func(const struct btf *btf, const char *word)
{
	size_t lw = strlen(word);
	int limit = lw < 6 ? 1 : lw < 16 ? 2 : 3;
	const char *best = NULL;
	int bestd = limit + 1;
	__u32 n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_func(t))
			continue;
		const char *name = btf__name_by_offset(btf, t->name_off);
		size_t ln = name ? strlen(name) : 0;
		if (!ln || (ln > lw ? ln - lw : lw - ln) > (size_t)limit)
			continue;
		int d = bounded_distance(word, lw, name, ln, bestd - 1);
		if (d < bestd) {
			bestd = d;
			best = name;
		}
	}
	return best;
}

const char *kbtf_suggest_raw_tp(const struct btf *btf, const char *word, char *out, size_t len)
{
	size_t lw = strlen(word);
	int limit = lw < 6 ? 1 : lw < 16 ? 2 : 3;
	const char *best = NULL;
	int bestd = limit + 1;
	__u32 n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_typedef(t))
			continue;
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, "btf_trace_", 10))
			continue;
		name += 10;
		size_t ln = strlen(name);
		if (!ln || (ln > lw ? ln - lw : lw - ln) > (size_t)limit)
			continue;
		int d = bounded_distance(word, lw, name, ln, bestd - 1);
		if (d < bestd) {
			bestd = d;
			best = name;
		}
	}
	if (!best)
		return NULL;
	snprintf(out, len, "%s", best);
	return out;
}

/* Whether /proc/kallsyms names a text symbol: a function can be probed
 * (and be in a loaded module) without being in vmlinux BTF. The names are
 * read once (about 120k, 40 ms) into a sorted array, on first need. */
static struct {
	char **v;
	size_t n;
	bool loaded;
} ksyms;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ksyms_load(void)
{
	ksyms.loaded = true;
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	char line[512];
	size_t cap = 0;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');
		if (!sp || (sp[1] != 't' && sp[1] != 'T') || sp[2] != ' ')
			continue;
		char *sym = sp + 3;
		sym[strcspn(sym, "\t\n ")] = 0;
		if (ksyms.n == cap) {
			cap = cap ? cap * 2 : 4096;
			ksyms.v = xrealloc(ksyms.v, cap * sizeof(*ksyms.v));
		}
		ksyms.v[ksyms.n++] = xstrdup(sym);
	}
	fclose(f);
	qsort(ksyms.v, ksyms.n, sizeof(*ksyms.v), cmp_str);
}

bool ksyms_has_func(const char *name)
{
	if (!ksyms.loaded)
		ksyms_load();
	return ksyms.n && bsearch(&name, ksyms.v, ksyms.n, sizeof(*ksyms.v), cmp_str) != NULL;
}

static void ksyms_release(void)
{
	for (size_t i = 0; i < ksyms.n; i++)
		free(ksyms.v[i]);
	free(ksyms.v);
	memset(&ksyms, 0, sizeof(ksyms));
}

/* ---- tracepoint records ---- */

/* Name of the BTF member holding format field f. */
static void member_name(const struct tp_field *f, char *out, size_t len)
{
	snprintf(out, len, "%s%s", f->data_loc ? "__data_loc_" : "", f->name);
}

/* The fields of the format after the common ones, in order. */
static int first_own_field(const struct tp_format *fmt)
{
	int i = 0;
	while (i < fmt->nfields && !strncmp(fmt->fields[i].name, "common_", 7))
		i++;
	return i;
}

/* Does struct id hold exactly the format's own fields, in order, between
 * its trace_entry and its trailing __data? */
static bool record_matches(const struct btf *btf, __u32 id, const struct tp_format *fmt)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	if (!t || !btf_is_struct(t))
		return false;
	const struct btf_member *m = btf_members(t);
	int n = btf_vlen(t), k = 0, i = first_own_field(fmt);
	if (n < 1 || strcmp(btf__name_by_offset(btf, m[0].name_off), "ent"))
		return false;
	for (k = 1; k < n; k++) {
		const char *mn = btf__name_by_offset(btf, m[k].name_off);
		if (!strcmp(mn, "__data"))
			break;
		char want[160];
		if (i >= fmt->nfields)
			return false;
		member_name(&fmt->fields[i++], want, sizeof(want));
		if (strcmp(mn, want))
			return false;
	}
	return i == fmt->nfields;
}

static void record_kinds(const struct btf *btf, __u32 id, const struct tp_format *fmt, struct tp_record *rec)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);
	int first = first_own_field(fmt);
	for (int k = 1; k < btf_vlen(t) && first + k - 1 < fmt->nfields; k++) {
		const struct btf_type *mt = skip_mods(btf, m[k].type, NULL);
		int i = first + k - 1;
		if (mt && btf_is_any_enum(mt)) {
			const char *en = btf__name_by_offset(btf, mt->name_off);
			if (en && *en)
				rec->enum_names[i] = xstrdup(en);
		}
	}
}

void kbtf_tp_record(const struct btf *btf, const struct tp_format *fmt, struct tp_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->enum_names = xcalloc((size_t)fmt->nfields, sizeof(char *));
	snprintf(rec->name, sizeof(rec->name), "trace_event_raw_%s", fmt->event);
	if (!btf)
		return;
	int id = btf__find_by_name_kind(btf, rec->name, BTF_KIND_STRUCT);
	if (id > 0 && record_matches(btf, (__u32)id, fmt)) {
		rec->found = true;
		record_kinds(btf, (__u32)id, fmt, rec);
		return;
	}
	/* an event of a class (DEFINE_EVENT) uses the class's record */
	__u32 n = btf__type_cnt(btf);
	for (__u32 i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		if (!btf_is_struct(t))
			continue;
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, "trace_event_raw_", 16) || !record_matches(btf, i, fmt))
			continue;
		snprintf(rec->name, sizeof(rec->name), "%s", name);
		rec->found = true;
		record_kinds(btf, i, fmt, rec);
		return;
	}
}

void tp_record_free(struct tp_record *rec, int nfields)
{
	for (int i = 0; rec->enum_names && i < nfields; i++)
		free(rec->enum_names[i]);
	free(rec->enum_names);
	memset(rec, 0, sizeof(*rec));
}
