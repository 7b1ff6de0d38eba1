/* check_support.c: parts of the CRD that parse into the model but that the
 * code generator does not implement yet, refused as "unsupported: ..." at
 * their line. Keys tpc does not model at all are refused by parse.c. This
 * list shrinks as emit.c learns features: remove an entry together with
 * the emit.c change that implements it. */
#include "check.h"

void check_support(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->type == AT_CHAR_IOVEC || a->type == AT_FILE || a->type == AT_PATH)
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "unsupported", "unsupported: arg type '%s'",
				 a->type_name);
	}
	for (int j = 0; j < h->nselectors; j++) {
		const struct selector *s = &h->selectors[j];
		for (int k = 0; k < s->nactions; k++) {
			const struct action *a = &s->actions[k];
			switch (a->kind) {
			case ACT_OVERRIDE:
			case ACT_FOLLOWFD:
			case ACT_UNFOLLOWFD:
			case ACT_COPYFD:
			case ACT_GETURL:
			case ACT_DNSLOOKUP:
				diag_add(d, p->file, a->kind_pos, SEV_ERROR, "unsupported", "unsupported: action '%s'",
					 a->name);
				break;
			default: break;
			}
		}
	}
}
