/* model.c: questions about the policy model that the checks and the code
 * generator both ask, answered in one place so they cannot disagree. */
#include "tpc.h"

const struct arg *hook_find_arg(const struct hook *h, int index)
{
	for (int i = 0; i < h->nargs; i++)
		if (h->args[i].index == index)
			return &h->args[i];
	return NULL;
}

bool arg_type_is_path(enum arg_type t)
{
	return t == AT_FILE || t == AT_PATH || t == AT_DENTRY || t == AT_FD;
}

/* An fd compares as a number under GT/LT/Mask and when every value of an
 * Equal/NotEqual is an integer (the fd itself); otherwise as its path. */
bool match_arg_on_bytes(const struct arg *a, const struct match_arg *m)
{
	if (a->type != AT_FD)
		return arg_type_is_bytes(a->type);
	if (m->op == OP_GT || m->op == OP_LT || m->op == OP_MASK)
		return false;
	if (m->op != OP_EQUAL && m->op != OP_NOTEQUAL)
		return true;
	for (int v = 0; v < m->nvalues; v++) {
		long long x;
		if (!parse_integer_text(m->values[v].s, &x))
			return true;
	}
	return false;
}
