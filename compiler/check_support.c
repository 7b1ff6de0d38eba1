/* check_support.c: parts of the CRD that parse into the model but that the
 * code generator does not implement yet, refused as "unsupported: ..." at
 * their line, and what action indexes may point at. Keys tpc does not
 * model at all are refused by parse.c; limits of one object are the
 * plan's (plan.c). This list shrinks as the generator learns features:
 * remove an entry together with the change that implements it. */
#include "check.h"
#include "tpc_abi.h"

#include <string.h>

/* argFd/argName: an arg of the hook, or in a return hook the index of
 * returnArg (the return value, e.g. the fd openat returns). */
static bool names_value(const struct hook *h, int index, const struct arg **out)
{
	*out = hook_find_arg(h, index);
	if (*out)
		return true;
	return h->is_return && h->has_return_arg && h->return_arg.index == index;
}

static void check_fd_action(const struct policy *p, const struct hook *h, const struct action *a, struct diags *d)
{
	const struct arg *fd, *name;
	if (a->has_arg_fd && !names_value(h, a->arg_fd, &fd))
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "action-arg",
			 "%s argFd %d is not among the hook's args%s", a->name, a->arg_fd,
			 h->is_return ? " nor its returnArg index" : "");
	else if (a->has_arg_fd && fd && !arg_type_is_int(fd->type) && arg_type_known(fd->type))
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "action-arg",
			 "%s argFd %d points at an arg of type %s, not an fd or integer", a->name, a->arg_fd, fd->type_name);
	if (a->kind == ACT_UNFOLLOWFD || !a->has_arg_name)
		return;
	if (!names_value(h, a->arg_name, &name)) {
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "action-arg", "%s argName %d is not among the hook's args",
			 a->name, a->arg_name);
		return;
	}
	if (a->kind == ACT_FOLLOWFD && (!name || arg_type_is_int(name->type)))
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "action-arg",
			 "%s argName %d points at an integer arg (%s), not a name", a->name, a->arg_name,
			 name ? name->type_name : "the return value");
	else if (a->kind == ACT_FOLLOWFD && name->type == AT_CHAR_IOVEC)
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "action-arg",
			 "FollowFD argName %d must be a string, char_buf, file or path arg", a->arg_name);
	if (a->kind == ACT_COPYFD && name && !arg_type_is_int(name->type) && arg_type_known(name->type))
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "action-arg",
			 "CopyFD argName %d points at an arg of type %s, not the new fd number", a->arg_name,
			 name->type_name);
}

void check_support(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int j = 0; j < h->nselectors; j++) {
		const struct selector *s = &h->selectors[j];
		for (int k = 0; k < s->nmatch_args; k++) {
			const struct match_arg *m = &s->match_args[k];
			const struct arg *a = match_target(h, m);
			if (a && a->type == AT_CHAR_IOVEC)
				diag_add(d, p->file, m->pos, SEV_ERROR, "unsupported", "unsupported: matchArgs on char_iovec");
			if (a && a->type == AT_CHAR_BUF && ops[m->op].positive == OP_POSTFIX)
				diag_add(d, p->file, m->op_pos, SEV_ERROR, "unsupported",
					 "unsupported: %s on char_buf (compare a prefix instead)", op_name(m->op));
		}
		for (int k = 0; k < s->nactions; k++) {
			const struct action *a = &s->actions[k];
			if (return_action_checked_here(a))
				continue;
			if (a->rate_limit_ns && a->kind != ACT_POST)
				diag_add(d, p->file, a->rate_pos, SEV_ERROR, "rate-limit",
					 "rateLimit is only valid with the Post action");
			switch (a->kind) {
			case ACT_FOLLOWFD:
			case ACT_UNFOLLOWFD:
			case ACT_COPYFD: check_fd_action(p, h, a, d); break;
			case ACT_OVERRIDE:
				if (hook_reports_at_return(h))
					diag_add(d, p->file, a->kind_pos, SEV_ERROR, "override-return",
						 "Override must act at the call's entry; this hook reports at return");
				break;
			case ACT_GETURL: /* a missing argUrl is check_actions.c's */
				if (a->arg_url && *a->arg_url && strncmp(a->arg_url, "http://", 7) &&
				    strncmp(a->arg_url, "https://", 8))
					diag_add(d, p->file, a->kind_pos, SEV_ERROR, "bad-value",
						 "GetUrl argUrl '%s' is not an http:// or https:// URL (tp-load fetches with libcurl)",
						 a->arg_url);
				break;
			case ACT_UNKNOWN:
			case ACT_POST:
			case ACT_SIGKILL:
			case ACT_SIGNAL:
			case ACT_NOPOST:
			case ACT_DNSLOOKUP:
			case ACT_TRACKSOCK:
			case ACT_UNTRACKSOCK:
			case ACT_NOTIFYENFORCER:
			case ACT_CLEANUPENFORCERNOTIFICATION:
			case ACT_OTHER:
			case ACT_COUNT: break;
			}
		}
	}
}
