/* event.c: see event.h.  Layout (tpc_abi.h): header, binary record, then
 * nargs argument records; each record is a struct tpc_arg, 8-byte aligned,
 * followed by len data bytes padded to 8. */
#include <stdio.h>
#include <string.h>

#include "event.h"

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

/* Read one record at *off; advance *off past its padded data. */
int tpc_record_take(const char *base, size_t size, size_t *off,
		    struct tpc_value *v)
{
	struct tpc_arg a;

	if (*off > size || size - *off < sizeof(a))
		return -1;
	memcpy(&a, base + *off, sizeof(a));
	*off += sizeof(a);
	if (a.len > size - *off)
		return -1;
	v->flags = a.flags;
	v->len = a.len;
	v->value = a.value;
	v->data = base + *off;
	/* The padding of the last record may be missing: clamp. */
	*off = ALIGN8(*off + a.len);
	if (*off > size)
		*off = size;
	return 0;
}

/* A return value as its returnArg type says: of a 32-bit type, only the
 * register's low half is the value (x86-64 leaves the upper half zero
 * after an int function returns -2, which would read 4294967294). */
static tpc_s64 ret_of_type(tpc_s64 r, const char *type)
{
	if (!type)
		return r;
	if (!strcmp(type, "int") || !strcmp(type, "int32"))
		return (int)(tpc_u32)r;
	if (!strcmp(type, "uint32"))
		return (tpc_u32)r;
	return r;
}

int tpc_ret_has_record(const char *type)
{
	return type && (!strcmp(type, "sock") || !strcmp(type, "socket"));
}

int tpc_event_decode(const void *data, size_t len,
		     const struct tpc_manifest *m, struct tpc_ev *ev,
		     char *err, size_t errlen)
{
	const char *base = data;
	size_t off;

	if (len < sizeof(ev->h)) {
		snprintf(err, errlen, "record of %zu bytes, shorter than the header",
			 len);
		return -1;
	}
	memcpy(&ev->h, data, sizeof(ev->h));
	if (ev->h.abi != TPC_ABI_VERSION) {
		snprintf(err, errlen, "record abi %u, expected %d", ev->h.abi,
			 TPC_ABI_VERSION);
		return -1;
	}
	if (ev->h.size < sizeof(ev->h) || ev->h.size > len ||
	    ev->h.size > TPC_EVENT_MAX) {
		snprintf(err, errlen, "record size %u invalid (record is %zu bytes)",
			 ev->h.size, len);
		return -1;
	}
	if (ev->h.hook >= m->nhooks) {
		snprintf(err, errlen, "record of hook %u, manifest has %d hooks",
			 ev->h.hook, m->nhooks);
		return -1;
	}
	ev->hook = &m->hooks[ev->h.hook];
	ev->h.retval = ret_of_type(ev->h.retval, ev->hook->return_type);
	if (ev->h.nargs != ev->hook->nargs) {
		snprintf(err, errlen, "record of hook %u has %u args, manifest says %d",
			 ev->h.hook, ev->h.nargs, ev->hook->nargs);
		return -1;
	}
	ev->kstack = ev->ustack = NULL;
	memcpy(ev->comm, ev->h.comm, sizeof(ev->h.comm));
	ev->comm[sizeof(ev->h.comm)] = '\0';

	off = ALIGN8(sizeof(ev->h));
	if (tpc_record_take(base, ev->h.size, &off, &ev->bin)) {
		snprintf(err, errlen, "hook %u: binary record out of bounds",
			 ev->h.hook);
		return -1;
	}
	ev->nargs = ev->h.nargs;
	for (int i = 0; i < ev->nargs; i++) {
		if (tpc_record_take(base, ev->h.size, &off, &ev->args[i])) {
			snprintf(err, errlen, "hook %u: arg %d record out of bounds",
				 ev->h.hook, i);
			return -1;
		}
	}
	ev->has_ret = ev->hook->ret && tpc_ret_has_record(ev->hook->return_type);
	if (ev->has_ret && tpc_record_take(base, ev->h.size, &off, &ev->ret)) {
		snprintf(err, errlen, "hook %u: return record out of bounds",
			 ev->h.hook);
		return -1;
	}
	return 0;
}

size_t tpc_value_strlen(const struct tpc_value *v)
{
	const char *nul = memchr(v->data, '\0', v->len);

	return nul ? (size_t)(nul - v->data) : v->len;
}
