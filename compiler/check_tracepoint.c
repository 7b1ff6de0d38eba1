/* check_tracepoint.c: a tracepoint hook names an event of this kernel
 * (its tracefs format file), and each arg's index and type fit the
 * event's fields (index i is the i-th field, common fields included). */
#include "check.h"

#include <string.h>

static bool field_is_pointer(const struct tp_field *f)
{
	return strchr(f->ctype, '*') != NULL;
}

static bool field_is_char_array(const struct tp_field *f)
{
	return strstr(f->ctype, "char") && strchr(f->ctype, '[');
}

void check_tracepoint(const struct policy *p, struct hook *h, const struct check_opts *o, struct diags *d)
{
	if (!h->subsystem || !h->event)
		return;
	if (!tp_format_read(o->tracefs, h->subsystem, h->event, &h->fields, &h->nfields)) {
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "no-tracepoint",
			 "tracepoint %s/%s not found under %s/events (is tracefs mounted? see --tracefs)", h->subsystem,
			 h->event, o->tracefs);
		return;
	}
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->index < 0 || a->type == AT_UNKNOWN || a->type == AT_OTHER)
			continue;
		if (a->index >= h->nfields) {
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "tp-field-index",
				 "tracepoint %s/%s has %d fields (0-%d, common fields included); index %d is out of range",
				 h->subsystem, h->event, h->nfields, h->nfields - 1, a->index);
			continue;
		}
		const struct tp_field *f = &h->fields[a->index];
		bool ok;
		if (arg_type_is_int(a->type))
			ok = !f->data_loc && !field_is_char_array(f) && f->size <= 8;
		else if (a->type == AT_STRING)
			ok = f->data_loc || field_is_char_array(f) || field_is_pointer(f) || f->size == 8;
		else if (a->type == AT_CHAR_BUF || a->type == AT_CHAR_IOVEC)
			ok = field_is_pointer(f) || f->size == 8 || f->data_loc || field_is_char_array(f);
		else if (a->type == AT_FILE || a->type == AT_PATH)
			ok = field_is_pointer(f);
		else
			ok = false;
		if (!ok)
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "tp-field-type",
				 "arg type %s does not fit field %d '%s %s' of %s/%s", a->type_name, a->index, f->ctype,
				 f->name, h->subsystem, h->event);
	}
}
