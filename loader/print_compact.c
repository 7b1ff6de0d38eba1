/* print_compact.c: one human line per event, close to what
 * `tetra getevents -o compact` prints (where: the pod, else the node):
 *
 *   🚀 process node1 /usr/bin/cat /etc/passwd
 *   🔧 kprobe  node1 /usr/bin/cat __x64_sys_openat("/etc/passwd", 0) POST [policy]
 *   📍 tracepoint node1 /usr/bin/cat syscalls/sys_enter_openat(...) POST [policy]
 *   💥 exit    node1 /usr/bin/cat /etc/passwd 0
 *
 * --no-emoji drops the emoji, --timestamps puts the local time first.  Strings and bytes are quoted C-style (\n, \", \xHH),
 * "..." after a value marks truncation, "?" an unreadable value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter.h"
#include "hooks.h"
#include "kargs.h"
#include "print.h"
#include "stacks.h"

static void quoted(FILE *f, const char *str, size_t n, int truncated)
{
	const unsigned char *s = (const unsigned char *)str;

	if (n > 256) { /* keep the line readable */
		n = 256;
		truncated = 1;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
	if (truncated)
		fputs("...", f);
}

/* Text from the manifest or the kernel, unquoted: control bytes as '?'. */
static void plain(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* A stack in a few words: its innermost frames, "sym+0xoff" (user
 * frames: "sym@file"), then how many more; the JSON form has them all. */
#define COMPACT_FRAMES 4
static void compact_stack(FILE *f, const char *what, const struct tpl_stack *st)
{
	if (!st)
		return;
	fprintf(f, " %s:", what);
	if (st->err) {
		fprintf(f, " missing (%s)", strerrorname_np(-st->err) ? strerrorname_np(-st->err) : "error");
		return;
	}
	if (!st->n) {
		fputs(" no symbols", f);
		return;
	}
	for (int i = 0; i < st->n && i < COMPACT_FRAMES; i++) {
		const struct tpl_frame *fr = &st->f[i];
		fputs(i ? " < " : " ", f);
		const char *base = strrchr(fr->module, '/');
		if (!strcmp(what, "kstack")) {
			plain(f, *fr->symbol ? fr->symbol : "?");
			fprintf(f, "+0x%llx", (unsigned long long)fr->offset);
		} else {
			plain(f, *fr->symbol ? fr->symbol : "?");
			fputc('@', f);
			plain(f, base ? base + 1 : fr->module);
		}
	}
	if (st->n > COMPACT_FRAMES)
		fprintf(f, " < (%d more)", st->n - COMPACT_FRAMES);
}

static void compact_arg(FILE *f, const struct tpc_marg *ma,
			const struct tpc_value *v)
{
	tpc_u64 x = v->value;

	if (ma->label) {
		plain(f, ma->label);
		fputc('=', f);
	}
	if (v->flags & TPC_ARGF_FAULT) {
		fputc('?', f);
		return;
	}
	if (v->flags & TPC_ARGF_UNRESOLVED) {
		fprintf(f, "?(unresolved at depth %llu)", (unsigned long long)x);
		return;
	}
	enum tpl_karg karg = tpl_karg_of(ma->type);
	if (karg != TPL_KARG_NONE) {
		tpl_karg_compact(f, karg, v);
		return;
	}
	switch (tpl_arg_class(ma->type)) {
	case TPL_ARG_FD:
		fprintf(f, "%d", (int)(tpc_u32)x);
		if (v->len) {
			fputc(':', f);
			quoted(f, v->data, tpc_value_strlen(v), v->flags & TPC_ARGF_TRUNCATED);
		}
		break;
	case TPL_ARG_INT32:
		fprintf(f, "%d", (int)(tpc_u32)x);
		break;
	case TPL_ARG_INT16:
		fprintf(f, "%d", (int)(short)(tpc_u16)x);
		break;
	case TPL_ARG_INT8:
		fprintf(f, "%d", (int)(signed char)(tpc_u8)x);
		break;
	case TPL_ARG_UINT32:
		fprintf(f, "%u", (unsigned)(tpc_u32)x);
		break;
	case TPL_ARG_UINT16:
		fprintf(f, "%u", (unsigned)(tpc_u16)x);
		break;
	case TPL_ARG_UINT8:
		fprintf(f, "%u", (unsigned)(tpc_u8)x);
		break;
	case TPL_ARG_INT64:
		fprintf(f, "%lld", (long long)x);
		break;
	case TPL_ARG_UINT64:
		fprintf(f, "%llu", (unsigned long long)x);
		break;
	case TPL_ARG_STRING:
	case TPL_ARG_FILE:
	case TPL_ARG_PATH:
		quoted(f, v->data, tpc_value_strlen(v),
		       v->flags & TPC_ARGF_TRUNCATED);
		break;
	case TPL_ARG_CONST_BUF:
		if (x == 8) { /* an array of numbers: [a, b, ...] */
			fputc('[', f);
			for (tpc_u32 k = 0; k + 8 <= v->len; k += 8) {
				tpc_u64 e;
				memcpy(&e, v->data + k, 8);
				fprintf(f, "%s%llu", k ? ", " : "", (unsigned long long)e);
			}
			fputc(']', f);
		} else {
			quoted(f, v->data, v->len, 0);
		}
		break;
	case TPL_ARG_BYTES:
	case TPL_ARG_OTHER:
		if (v->len == 0 && tpl_arg_class(ma->type) == TPL_ARG_OTHER)
			fprintf(f, "%llu", (unsigned long long)x);
		else
			quoted(f, v->data, v->len,
			       v->flags & TPC_ARGF_TRUNCATED);
		break;
	}
}

/* Where the process runs: its pod (namespace/name), else the node. */
static void where(FILE *f, const struct tpl_out *o, const struct tpl_proc *p)
{
	if (p->pod && p->pod->ns && p->pod->name) {
		plain(f, p->pod->ns);
		fputc('/', f);
		plain(f, p->pod->name);
	} else {
		plain(f, o->node_name);
	}
}

/* "BINARY ARGS" of a process */
/* The binary and its arguments; --redaction-filters apply here as in
 * the JSON form, or -o compact would print what JSON hides. */
static void command(FILE *f, const struct tpl_proc *p, const char *fallback)
{
	plain(f, p->binary[0] || !fallback ? p->binary : fallback);
	if (!p->args[0])
		return;
	fputc(' ', f);
	size_t n;
	char *red = tpl_redaction_active() ? tpl_redact_args(p->binary, p->args, strlen(p->args), &n) : NULL;
	plain(f, red ? red : p->args);
	free(red);
}

int tpl_print_compact(const struct tpl_out *o, const struct tpl_event *e)
{
	FILE *f = o->f;
	struct timespec ts;
	struct tm tm;
	char hms[32];

	if (o->timestamps) {
		tpl_boot_to_wall(e->ktime_ns, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		fprintf(f, "%s.%03ld ", hms, ts.tv_nsec / 1000000);
	}
	switch (e->kind) {
	case TPL_EV_EXEC:
		fprintf(f, "%sprocess ", o->no_emoji ? "" : "\xf0\x9f\x9a\x80 "); /* rocket */
		where(f, o, e->proc);
		fputc(' ', f);
		command(f, e->proc, NULL);
		break;
	case TPL_EV_EXIT: {
		unsigned sig = e->code & 0x7f;
		const char *name = sig ? tpl_signal_name(sig) : NULL;
		fprintf(f, "%sexit    ", o->no_emoji ? "" : "\xf0\x9f\x92\xa5 "); /* collision */
		where(f, o, e->proc);
		fputc(' ', f);
		command(f, e->proc, NULL);
		if (name)
			fprintf(f, " %s", name);
		else
			fprintf(f, " %u", (e->code >> 8) & 0xff);
		break;
	}
	case TPL_EV_HOOK: {
		const struct tpc_ev *ev = e->ev;
		const struct tpc_hook *h = ev->hook;
		int kp = h->kind == TPC_HOOK_KPROBE;
		/* wrench for kprobes, round pushpin for tracepoints */
		if (!o->no_emoji)
			fputs(kp ? "\xf0\x9f\x94\xa7 " : "\xf0\x9f\x93\x8d ", f);
		fprintf(f, "%-7s ", tpl_hook_kind_name(h->kind));
		where(f, o, e->proc);
		fputc(' ', f);
		plain(f, e->proc->binary[0] ? e->proc->binary : ev->comm);
		fprintf(f, " %s(", tpl_hook_target(h));
		for (int i = 0, n = 0; i < ev->nargs; i++) {
			if (!strcmp(h->args[i].type, "nop"))
				continue; /* a slot only */
			if (n++)
				fputs(", ", f);
			compact_arg(f, &h->args[i], &ev->args[i]);
		}
		fputc(')', f);
		if (ev->has_ret) {
			fputs(" = ", f);
			tpl_karg_compact(f, tpl_karg_of(h->return_type), &ev->ret);
		} else if (h->ret)
			fprintf(f, " = %lld", (long long)ev->h.retval);
		if (ev->h.origin & TPC_ORIGIN_LATE)
			fputs(" (read at exit)", f);
		fprintf(f, " %s [", tpl_action_name(ev->h.actions) + strlen("KPROBE_ACTION_"));
		plain(f, e->policy);
		fputc(']', f);
		if (h->message) {
			fputc(' ', f);
			plain(f, h->message);
		}
		compact_stack(f, "kstack", ev->kstack);
		compact_stack(f, "ustack", ev->ustack);
		break;
	}
	}
	fputc('\n', f);
	/* no flush per event: the poll loop flushes once per batch */
	if (ferror(f))
		return -1;
	return 0;
}
