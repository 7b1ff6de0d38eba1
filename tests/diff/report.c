/* report.c: outcomes compared, and a case printed so that a person can
 * replay it by hand: the event's args decoded by their declared types,
 * the calling process, its ancestors and fd table. */
#include "model.h"

#include <string.h>

bool dev_outcome_equal(const struct dev_outcome *a, const struct dev_outcome *b)
{
	if (a->posted != b->posted || a->nsig != b->nsig)
		return false;
	if (a->posted && (a->sel != b->sel || a->act != b->act))
		return false;
	for (int i = 0; i < a->nsig && i < TPCD_MAX_SIGNALS; i++)
		if (a->sig[i] != b->sig[i])
			return false;
	return true;
}

void dev_outcome_print(FILE *f, const struct dev_outcome *o)
{
	if (o->posted)
		fprintf(f, "event posted: selector %d, actions 0x%x", o->sel, o->act);
	else
		fprintf(f, "no event");
	fprintf(f, "; signals [");
	for (int i = 0; i < o->nsig && i < TPCD_MAX_SIGNALS; i++)
		fprintf(f, "%s%d", i ? " " : "", o->sig[i]);
	fprintf(f, "]\n");
}

static void bytes_text(FILE *f, const unsigned char *p, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 32 || c >= 127)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fprintf(f, "\" (%zu bytes)", n);
}

static void arg_text(FILE *f, const struct hook *h, const struct arg *a, const struct dev_event *e)
{
	int k = dev_slot(h, a->index);
	fprintf(f, "  arg index %d (%s): ", a->index, a->type_name);
	if (dev_rich(h)) {
		int nf = 0;
		const struct tp_field *fl = dev_tp_fields(h->subsystem, h->event, &nf);
		if (a->index >= nf)
			return;
		const struct tp_field *fd = &fl[a->index];
		fprintf(f, "field '%s %s' (offset %d, size %d, %s): ", fd->ctype, fd->name, fd->offset, fd->size,
			fd->is_signed ? "signed" : "unsigned");
		if (a->type == AT_STRING) {
			const char *t = dev_field_text(fd, e->rec, DEV_REC);
			if (t)
				bytes_text(f, (const unsigned char *)t, strlen(t));
			else
				fprintf(f, "no NUL inside the record");
		} else {
			uint64_t v = dev_field_int(fd, e->rec);
			fprintf(f, "0x%llx (%lld)", (unsigned long long)v, (long long)v);
		}
		fprintf(f, "\n");
		return;
	}
	if (k < 0) {
		fprintf(f, "not an argument slot\n");
		return;
	}
	uint64_t raw = e->raw[k];
	bool mapped = e->mem[k] && raw >= (uint64_t)(uintptr_t)e->mem[k] &&
		      raw - (uint64_t)(uintptr_t)e->mem[k] < e->memlen[k] + 1;
	switch (a->type) {
	case AT_STRING: {
		if (!mapped) {
			fprintf(f, "pointer 0x%llx, unreadable\n", (unsigned long long)raw);
			return;
		}
		size_t off = (size_t)(raw - (uint64_t)(uintptr_t)e->mem[k]);
		size_t n = strnlen((const char *)e->mem[k] + off, e->memlen[k] - off);
		bytes_text(f, e->mem[k] + off, n);
		if (off + n + 1 < e->memlen[k])
			fprintf(f, ", then after its NUL %zu more bytes", e->memlen[k] - off - n - 1);
		fprintf(f, "\n");
		return;
	}
	case AT_CHAR_BUF: {
		int sz = dev_slot(h, a->size_arg_index - 1);
		uint64_t size = sz >= 0 ? e->raw[sz] : 0;
		fprintf(f, "size %llu (arg index %d), ", (unsigned long long)size, a->size_arg_index - 1);
		if (!mapped) {
			fprintf(f, "pointer 0x%llx, unreadable\n", (unsigned long long)raw);
			return;
		}
		bytes_text(f, e->mem[k], e->memlen[k]);
		fprintf(f, " readable at the pointer\n");
		return;
	}
	case AT_FILE:
	case AT_PATH:
		if (raw && e->kpath[k] && raw == (uint64_t)(uintptr_t)e->kpath[k])
			bytes_text(f, (const unsigned char *)e->kpath[k], strlen(e->kpath[k]));
		else
			fprintf(f, "pointer 0x%llx, no path", (unsigned long long)raw);
		fprintf(f, "\n");
		return;
	case AT_FD: {
		fprintf(f, "register 0x%llx = fd %d", (unsigned long long)raw, (int)(uint32_t)raw);
		for (int i = 0; i < e->nfds; i++)
			if ((uint32_t)e->fd[i] == (uint32_t)raw) {
				if (e->fdpath[i]) {
					fprintf(f, " -> ");
					bytes_text(f, (const unsigned char *)e->fdpath[i], strlen(e->fdpath[i]));
				} else {
					fprintf(f, " -> cannot be resolved");
				}
			}
		fprintf(f, "\n");
		return;
	}
	default:
		fprintf(f, "register 0x%llx (%lld)\n", (unsigned long long)raw, (long long)raw);
		return;
	}
}

void dev_event_print(FILE *f, const struct hook *h, const struct dev_event *e)
{
	if (h->kind == HOOK_KPROBE)
		fprintf(f, "call of kprobe %s (hook %d), through its %s\n", h->call, e->hook,
			e->via_twin ? "syscalls tracepoint twin" : "kprobe");
	else if (h->kind == HOOK_FENTRY)
		fprintf(f, "call of fentry %s (hook %d)\n", h->call, e->hook);
	else if (h->kind == HOOK_LSM)
		fprintf(f, "lsm hook %s (hook %d)\n", h->call, e->hook);
	else
		fprintf(f, "tracepoint %s/%s (hook %d)\n", h->subsystem, h->event, e->hook);
	for (int i = 0; i < h->nargs; i++)
		arg_text(f, h, &h->args[i], e);
	if (!dev_rich(h)) {
		fprintf(f, "  registers:");
		for (int k = 0; k < 6; k++)
			fprintf(f, " 0x%llx", (unsigned long long)e->raw[k]);
		fprintf(f, "\n");
	}
	if (h->is_return)
		fprintf(f, "  returned %lld (0x%llx)\n", (long long)e->ret, (unsigned long long)e->ret);
	fprintf(f, "process: tgid %u, tid %u, pid in its namespace %u%s\n", e->task.tgid, e->task.tid, e->task.nspid,
		e->task.tgid == e->loader_tgid ? " (tp-load itself)" : "");
	if (e->proc_known) {
		fprintf(f, "  binary ");
		bytes_text(f, (const unsigned char *)e->bin, strlen(e->bin));
		fprintf(f, "\n");
	} else {
		fprintf(f, "  not in the process table\n");
	}
	for (int k = 0; k < TPCD_NS; k++)
		fprintf(f, "  ns %-15s now %u%s, at exec %u%s\n", ns_names[k], e->task.ns[k],
			e->task.ns[k] == e->host_ns[k] ? " (host)" : "", e->exec_ns[k],
			e->exec_ns[k] != e->task.ns[k] ? " (changed)" : "");
	for (int s = 0; s < 3; s++)
		fprintf(f, "  caps %-11s now 0x%llx, at exec 0x%llx\n", cap_set_names[s], (unsigned long long)e->task.caps[s],
			(unsigned long long)e->exec_caps[s]);
	for (int i = 0; i < e->nanc; i++) {
		fprintf(f, "  ancestor %d (oldest first): pid %u, ns pid %u, binary ", i, e->anc[i].pid, e->anc[i].nspid);
		bytes_text(f, (const unsigned char *)e->anc[i].bin, strlen(e->anc[i].bin));
		fprintf(f, "\n");
	}
	for (int i = 0; i < e->nfds; i++) {
		fprintf(f, "  fd %d -> ", e->fd[i]);
		if (e->fdpath[i])
			bytes_text(f, (const unsigned char *)e->fdpath[i], strlen(e->fdpath[i]));
		else
			fprintf(f, "cannot be resolved");
		fprintf(f, "\n");
	}
}
