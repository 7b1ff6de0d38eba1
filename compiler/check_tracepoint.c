/* check_tracepoint.c: a tracepoint hook names an event of this kernel
 * (its tracefs format file), and each arg's index and type fit the
 * event's fields (index i is the i-th field, common fields included).
 * What passes here compiles and passes the verifier: every (field kind,
 * arg type) pair allowed below has a reader in the generated code
 * (tests/bats/lint_verify.bats loads every one). */
#include "check.h"

#include <string.h>

static bool field_is_char_array(const struct tp_field *f)
{
	return f->is_array && strstr(f->ctype, "char");
}

/* A pointer field to the struct (or typedef) the arg type reads. */
static bool field_points_at(const struct tp_field *f, const char *kstruct)
{
	const char *at = f->is_pointer ? strstr(f->ctype, kstruct) : NULL;
	size_t n = strlen(kstruct);
	return at && (at == f->ctype || at[-1] == ' ') && (at[n] == ' ' || at[n] == '*');
}

/* NULL when an arg of type t can read field f; else what the field is. */
static const char *field_conflict(enum arg_type t, const struct tp_field *f)
{
	const char *ks = arg_types[t].kstruct;
	if (f->rel_loc)
		return "a __rel_loc field, which tpc does not read";
	if (t == AT_DATA_LOC) /* a string stored in the record */
		return f->data_loc ? NULL : "not a __data_loc field";
	if (ks && t != AT_CHAR_IOVEC && t != AT_FILE && t != AT_PATH && t != AT_DENTRY) {
		static char why[96];
		snprintf(why, sizeof(why), "not a pointer to %s%s", strcmp(ks, "kernel_cap_t") ? "struct " : "", ks);
		/* tracepoints pass sockets and packets as void pointers
		 * (sock/inet_sock_set_state's skaddr) */
		if (arg_type_is_net(t) && field_points_at(f, "void"))
			return NULL;
		return field_points_at(f, ks) ? NULL : why;
	}
	switch (arg_types[t].cls) {
	case AC_INT:
		/* a number in the record: any scalar field, pointers included */
		if (f->data_loc)
			return "a string stored in the record (type string)";
		if (f->is_array)
			return "an array (type char_buf for its bytes)";
		return f->size <= 8 ? NULL : "wider than 8 bytes";
	case AC_FD:
		return f->data_loc || f->is_array || f->size > 8 ? "not an integer" : NULL;
	case AC_STRING:
		/* the text in the record, or a pointer to it */
		if (f->data_loc || field_is_char_array(f) || f->is_pointer || (!f->is_array && f->size == 8))
			return NULL;
		return f->is_array ? "an array of numbers, not of characters" : "not a pointer";
	case AC_BUF:
		if (f->data_loc || f->is_array || f->is_pointer || f->size == 8)
			return NULL;
		return "not a pointer";
	case AC_IOVEC: /* a pointer to the caller's iovec array */
		if (f->is_pointer || (!f->is_array && !f->data_loc && f->size == 8))
			return NULL;
		return "not a pointer to iovecs";
	case AC_PATH:
		return f->is_pointer || (!f->is_array && !f->data_loc && f->size == 8) ? NULL : "not a pointer";
	case AC_CONST_BUF: /* what auto makes of an array */
		return f->is_array ? NULL : "not an array";
	case AC_NOP: return NULL; /* nothing is read */
	case AC_KSTRUCT: return NULL; /* above */
	case AC_NONE: return NULL; /* refused already */
	}
	return NULL;
}

void check_tracepoint(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d)
{
	if (!h->subsystem || !h->event)
		return;
	const struct tp_format *fmt = tp_format_get(t->tracefs, h->subsystem, h->event);
	if (!fmt) {
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "no-tracepoint",
			 "tracepoint %s/%s not found under %s/events (is tracefs mounted? see --tracefs)", h->subsystem,
			 h->event, t->tracefs);
		return;
	}
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->index < 0)
			continue;
		if (a->index >= fmt->nfields) {
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "tp-field-index",
				 "tracepoint %s/%s has %d fields (0-%d, common fields included); index %d is out of range",
				 h->subsystem, h->event, fmt->nfields, fmt->nfields - 1, a->index);
			continue;
		}
		if (!arg_type_known(a->type))
			continue;
		const struct tp_field *f = &fmt->fields[a->index];
		const char *why = field_conflict(a->type, f);
		if (why)
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "tp-field-type",
				 "arg type %s does not fit field %d '%s %s' of %s/%s: %s", a->type_name, a->index, f->ctype,
				 f->name, h->subsystem, h->event, why);
	}
}
