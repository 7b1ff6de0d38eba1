/* typing.c: the stage between parse and check that gives an arg the type
 * the kernel's own description says it has, where the policy leaves the
 * type to tpc (type auto, the CRD's default, also when type is left out):
 *
 *  - tracepoints: from the field's declaration in the event's format file,
 *    by Tetragon's rules (4- and 8-byte int and long spellings, size_t,
 *    char * buffers with a sizeArgIndex, arrays as const_buf; anything
 *    else, pid_t included, must be written);
 *  - kprobes, raw tracepoints: from the parameter's type in the kernel
 *    BTF (integers by size and sign, char * as a string, pointers to the
 *    kernel structs an arg type reads: file, path, dentry, ...). Tetragon
 *    refuses auto there; the issue that asked for it in tpc wins.
 *
 * It writes arg->type and arg->type_name ("int (auto)") and nothing
 * else: the model stays parse's, this stage only fills in what parse
 * could not know. An auto it cannot derive is an error (auto-type) at the
 * arg, unless the arg's index is beyond the prototype or the fields, which
 * check reports. */
#include "tpc.h"

#include <stdlib.h>
#include <string.h>

/* ---- from a format file ---- */

/* The spellings of a format file that auto reads as numbers. */
static const char *const int_spellings[] = {
	"int", "signed int", "unsigned int", "unsigned", "long", "long int", "signed long", "unsigned long",
	"long unsigned int", "long long", "unsigned long long", "long long unsigned int", "s32", "u32", "s64",
	"u64", "__s32", "__u32", "__s64", "__u64", NULL,
};

/* ctype without const/volatile and surrounding spaces, into out */
static void bare_ctype(const char *ctype, char *out, size_t len)
{
	const char *s = ctype;
	for (;;) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, "const ", 6))
			s += 6;
		else if (!strncmp(s, "volatile ", 9))
			s += 9;
		else
			break;
	}
	snprintf(out, len, "%s", s);
	size_t n = strlen(out);
	while (n && out[n - 1] == ' ')
		out[--n] = 0;
}

static bool is_char_pointer(const char *bare)
{
	return !strcmp(bare, "char *") || !strcmp(bare, "unsigned char *") || !strcmp(bare, "const char *") ||
	       !strcmp(bare, "const unsigned char *");
}

static enum arg_type auto_from_field(const struct tp_field *f, const struct arg *a, char *why, size_t len)
{
	char bare[128];
	bare_ctype(f->ctype, bare, sizeof(bare));
	if (f->rel_loc) {
		snprintf(why, len, "a __rel_loc field, which tpc does not read");
		return AT_AUTO;
	}
	if (f->data_loc) {
		snprintf(why, len, "a string stored in the record (__data_loc): write type data_loc");
		return AT_AUTO;
	}
	if (f->is_array)
		return AT_CONST_BUF;
	if (f->is_pointer) {
		if (is_char_pointer(bare) && a->size_arg_index)
			return AT_CHAR_BUF;
		if (is_char_pointer(bare))
			snprintf(why, len, "a buffer: auto reads it as char_buf only with a sizeArgIndex (Tetragon: no "
					   "metadata field for buffer)");
		else
			snprintf(why, len, "a pointer: write the type (uint64 for its value)");
		return AT_AUTO;
	}
	if (!strcmp(bare, "size_t"))
		return AT_SIZE_T;
	for (int i = 0; int_spellings[i]; i++)
		if (!strcmp(bare, int_spellings[i]) && (f->size == 4 || f->size == 8))
			return f->size == 4 ? (f->is_signed ? AT_INT : AT_UINT32) : (f->is_signed ? AT_INT64 : AT_UINT64);
	snprintf(why, len,
		 "%d bytes of %s: auto reads int, long and their unsigned forms of 4 or 8 bytes, size_t, char * "
		 "buffers and arrays; write the type (int32 for a 4-byte number)",
		 f->size, f->ctype);
	return AT_AUTO;
}

/* ---- from the kernel BTF ---- */

static enum arg_type int_of_size(int size, bool is_signed)
{
	switch (size) {
	case 1: return is_signed ? AT_INT8 : AT_UINT8;
	case 2: return is_signed ? AT_INT16 : AT_UINT16;
	case 4: return is_signed ? AT_INT : AT_UINT32;
	case 8: return is_signed ? AT_INT64 : AT_UINT64;
	default: return AT_AUTO;
	}
}

/* The arg type that reads a pointer to kernel struct `name` (file, path,
 * ...), or AT_AUTO: the table's kstruct column, char_iovec aside (an
 * iovec pointer needs a count). */
static enum arg_type type_of_struct(const char *name)
{
	if (!name || !*name)
		return AT_AUTO;
	for (int t = 0; t < AT_COUNT; t++)
		if (arg_types[t].kstruct && !strcmp(arg_types[t].kstruct, name) && arg_types[t].cls != AC_IOVEC)
			return (enum arg_type)t;
	return AT_AUTO;
}

enum arg_type auto_from_ktype(const struct ktype *k, char *why, size_t len)
{
	switch (k->kind) {
	case KT_INT: {
		if (k->size == 8 && !strcmp(k->tname, "size_t"))
			return AT_SIZE_T;
		enum arg_type t = int_of_size(k->size, k->is_signed);
		if (t == AT_AUTO)
			snprintf(why, len, "a %d-byte integer (%s)", k->size, k->text);
		return t;
	}
	case KT_PTR: {
		if (k->pointee == KT_INT && k->pointee_char)
			return AT_STRING;
		enum arg_type t = k->pointee == KT_STRUCT ? type_of_struct(k->name) : AT_AUTO;
		if (t == AT_AUTO && *k->tname)
			t = type_of_struct(k->tname);
		if (t == AT_AUTO)
			snprintf(why, len, "%s, which no arg type reads: write the type (uint64 for the pointer's value)",
				 k->text);
		return t;
	}
	case KT_STRUCT: snprintf(why, len, "%s passed by value", k->text); return AT_AUTO;
	case KT_VOID: snprintf(why, len, "void"); return AT_AUTO;
	case KT_UNKNOWN:
	case KT_OTHER: snprintf(why, len, "%s", k->text); return AT_AUTO;
	}
	return AT_AUTO;
}

/* ---- the stage ---- */

static void set_type(struct arg *a, enum arg_type t)
{
	a->type = t;
	free(a->type_name);
	a->type_name = xasprintf("%s (auto)", arg_types[t].name);
}

static struct pos type_pos(const struct arg *a)
{
	return a->type_pos.line ? a->type_pos : a->pos;
}

static void type_tracepoint_arg(const struct policy *p, const struct hook *h, struct arg *a,
				const struct target *t, struct diags *d)
{
	const struct tp_format *fmt = h->subsystem && h->event ? tp_format_get(t->tracefs, h->subsystem, h->event) : NULL;
	if (!fmt) {
		diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type",
			 "type auto: no format file for tracepoint %s/%s to derive arg %d's type from; write the type",
			 h->subsystem ? h->subsystem : "?", h->event ? h->event : "?", a->index);
		return;
	}
	if (a->index < 0 || a->index >= fmt->nfields)
		return; /* tp-field-index */
	char why[256];
	const struct tp_field *f = &fmt->fields[a->index];
	enum arg_type ty = auto_from_field(f, a, why, sizeof(why));
	if (ty != AT_AUTO)
		set_type(a, ty);
	else
		diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type", "type auto: field %d '%s %s' of %s/%s is %s",
			 a->index, f->ctype, f->name, h->subsystem, h->event, why);
}

static void type_btf_arg(const struct policy *p, const struct hook *h, struct arg *a, bool is_return,
			 const struct target *t, struct diags *d)
{
	struct kproto proto;
	char *what = hook_describe(h);
	if (!hook_proto(h, t, &proto)) {
		diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type",
			 "type auto needs the prototype of %s from the kernel BTF, which tpc %s; write the type", what,
			 t->no_btf ? "was told not to read (--no-btf)" : "cannot find");
		free(what);
		return;
	}
	const struct ktype *k = is_return ? &proto.ret : a->index >= 0 && a->index < proto.n ? &proto.p[a->index] : NULL;
	if (k) {
		char why[256];
		enum arg_type ty = auto_from_ktype(k, why, sizeof(why));
		if (ty != AT_AUTO)
			set_type(a, ty);
		else if (is_return)
			diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type", "type auto: %s returns %s, from %s", what,
				 why, proto.origin);
		else
			diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type", "type auto: parameter %d '%s' of %s is %s, from %s",
				 a->index, proto.names[a->index], what, why, proto.origin);
	} /* else beyond the prototype: btf-arg-index */
	free(what);
}

static void type_arg(const struct policy *p, const struct hook *h, struct arg *a, bool is_return,
		     const struct target *t, struct diags *d)
{
	if (a->type != AT_AUTO)
		return;
	switch (h->kind) {
	case HOOK_TRACEPOINT: type_tracepoint_arg(p, h, a, t, d); return;
	case HOOK_KPROBE:
	case HOOK_RAW_TRACEPOINT: type_btf_arg(p, h, a, is_return, t, d); return;
	case HOOK_KIND_COUNT: return;
	}
}

void type_policy(struct policy *p, const struct target *t, struct diags *d)
{
	struct target def = *t;
	if (!def.tracefs)
		def.tracefs = "/sys/kernel/tracing";
	for (int i = 0; i < p->nhooks; i++) {
		struct hook *h = &p->hooks[i];
		for (int j = 0; j < h->nargs; j++)
			type_arg(p, h, &h->args[j], false, &def, d);
		if (h->has_return_arg)
			type_arg(p, h, &h->return_arg, true, &def, d);
	}
}
