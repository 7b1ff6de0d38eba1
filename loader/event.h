/* event.h: one ring buffer record, decoded and checked against the
 * manifest.  The record is untrusted: every length is checked before use.
 * Decoded records point into the ring buffer memory (valid only inside the
 * ring buffer callback). */
#ifndef TPL_EVENT_H
#define TPL_EVENT_H

#include <stddef.h>

#include "manifest.h"

struct tpl_stack;

struct tpc_value {
	tpc_u32 flags;      /* TPC_ARGF_* */
	tpc_u32 len;        /* bytes at data; 0 for integers */
	tpc_u64 value;      /* integer, or original size of a byte value */
	const char *data;   /* len bytes, not NUL-terminated */
};

struct tpc_ev {
	struct tpc_event h;     /* copy of the header */
	char comm[17];          /* NUL-terminated comm */
	const struct tpc_hook *hook;
	struct tpc_value bin;   /* binary path record */
	int nargs;
	struct tpc_value args[TPL_MAX_ARGS];
	/* the returnArg's record when it is a kernel struct (a returned
	 * sock: tpc_ret_has_record), after the args' */
	int has_ret;
	struct tpc_value ret;
	/* kernelStackTrace / userStackTrace, symbolised (stacks.h); NULL
	 * when the event has none */
	const struct tpl_stack *kstack, *ustack;
};

/* Decode data[0..len).  Returns 0, or -1 with a reason in err. */
int tpc_event_decode(const void *data, size_t len,
		     const struct tpc_manifest *m, struct tpc_ev *ev,
		     char *err, size_t errlen);

/* The length-prefixed record (struct tpc_arg, then its bytes) at *off
 * of base[0..size): checked against size, *off moved past its 8-byte
 * padding.  0, or -1 if it does not fit.  Policy events and process
 * events both carry their strings this way. */
int tpc_record_take(const char *base, size_t size, size_t *off,
		    struct tpc_value *v);

/* A return value of this returnArg type comes with its own record
 * (sock, socket: the returned struct sock, read at return). */
int tpc_ret_has_record(const char *return_type);

/* Length of a string value: up to its first NUL within len. */
size_t tpc_value_strlen(const struct tpc_value *v);

#endif
