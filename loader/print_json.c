/* print_json.c: one JSON object per line, in the shape of Tetragon's JSON
 * export (protojson), so that pipelines built for Tetragon keep working:
 *
 *   {"process_kprobe":{"process":{...},"parent":{"pid":1},
 *     "function_name":"__x64_sys_openat","args":[...],
 *     "action":"KPROBE_ACTION_POST","policy_name":"x"},
 *    "node_name":"host","time":"2026-11-28T06:00:00.123456789Z"}
 *
 * Arguments follow protojson: 64-bit integers are JSON strings, bytes are
 * base64.  Strings are escaped, control bytes as \u00XX; a run of bytes
 * that is not valid UTF-8 becomes one U+FFFD, as Tetragon's Go export
 * does (a protobuf string must be UTF-8).
 *
 * Besides the policies' events: process_exec and process_exit (pevents.h),
 * and every process object (and its parent) as Tetragon's Process: exec_id,
 * pid, uid, cwd, binary, arguments, flags, start_time, auid, docker, pod,
 * parent_exec_id, tid.
 *
 * Every field is one of Tetragon's (tests/schema/tetragon-events.json),
 * so that its protos parse each line without ignoring unknown fields.
 * Read status and truncation go where Tetragon puts them:
 * - an argument the kernel could not read (TPC_ARGF_FAULT) is Tetragon's
 *   error_arg "Bad address for basic type" (its label kept);
 * - a file or path cut at TPC_STR_MAX (TPC_ARGF_TRUNCATED; the path's end
 *   is kept) has "flags":"unresolvedPathComponents", a char_buf is a
 *   truncated_bytes_arg with its orig_size; a string has no place for it
 *   in Tetragon's KprobeArgument and is cut silently, as Tetragon's are.
 *
 * With TPC_JSON_EXTENSIONS=1 in the environment, two fields beyond
 * Tetragon's protos are added (a strict protojson reader rejects them):
 * - "truncated":true on a string_arg cut at TPC_STR_MAX;
 * - "read_at_exit":true: the checks ran at the syscall's exit, because an
 *   argument could not be read at its entry (a page not yet present);
 * - return probes print "return" by returnArg's type (int_arg, size_arg
 *   for size_t, ...); without one, int_arg when it fits 32 bits, else
 *   long_arg; process_uprobe events append it to args instead (as its
 *   returnArg type), as Tetragon does, and carry no arg labels.
 *
 * A resolve path that could not be followed prints as Tetragon's
 * error_arg with its message (the depth of the failed dereference).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hooks.h"
#include "json.h"
#include "kargs.h"
#include "print.h"
#include "stacks.h"

/* TPC_JSON_EXTENSIONS: the event being printed may carry fields beyond
 * Tetragon's (set per event from its tpl_out) */
static int extensions;

static void base64(FILE *f, const char *data, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)data;
	size_t i;

	fputc('"', f);
	for (i = 0; i + 3 <= n; i += 3) {
		unsigned v = (s[i] << 16) | (s[i + 1] << 8) | s[i + 2];
		fputc(tab[v >> 18], f);
		fputc(tab[(v >> 12) & 63], f);
		fputc(tab[(v >> 6) & 63], f);
		fputc(tab[v & 63], f);
	}
	if (n - i == 1) {
		unsigned v = s[i] << 16;
		fputc(tab[v >> 18], f);
		fputc(tab[(v >> 12) & 63], f);
		fputs("==", f);
	} else if (n - i == 2) {
		unsigned v = (s[i] << 16) | (s[i + 1] << 8);
		fputc(tab[v >> 18], f);
		fputc(tab[(v >> 12) & 63], f);
		fputc(tab[(v >> 6) & 63], f);
		fputc('=', f);
	}
	fputc('"', f);
}

static void json_arg(FILE *f, const struct tpc_marg *ma,
		     const struct tpc_value *v, int labels, int tp_event)
{
	tpc_u64 x = v->value;
	int is_str = 0;

	fputc('{', f);
	if (v->flags & TPC_ARGF_UNRESOLVED) {
		/* as Tetragon reports a resolve path it could not follow */
		fprintf(f, "\"error_arg\":{\"Message\":\"Bad address encountered during resolve dereference at depth %llu\"}",
			(unsigned long long)x);
		if (ma->label) {
			fputs(",\"label\":", f);
			json_write_cstr(f, ma->label);
		}
		fputc('}', f);
		return;
	}
	if ((v->flags & TPC_ARGF_FAULT) && tpl_arg_class(ma->type) != TPL_ARG_FD) {
		/* as Tetragon reports a basic read that failed (an fd that
		 * names no file, a pipe or a bad number, is no fault: its
		 * number is printed) */
		fputs("\"error_arg\":{\"Message\":\"Bad address for basic type\"}", f);
		goto tail;
	}
	enum tpl_karg karg = tpl_karg_of(ma->type);
	if (karg != TPL_KARG_NONE) { /* kernel structs and named numbers */
		tpl_karg_json(f, karg, ma->type, v, tp_event);
		goto tail;
	}
	switch (tpl_arg_class(ma->type)) {
	case TPL_ARG_FD:
		/* resolved in the kernel to the file's path: shown as the file,
		 * as Tetragon shows followed fds; the number when unresolved */
		if (v->len || (v->flags & TPC_ARGF_TRUNCATED)) {
			fputs("\"file_arg\":{\"path\":", f);
			json_write_utf8(f, v->data, tpc_value_strlen(v));
			if (v->flags & TPC_ARGF_TRUNCATED)
				fputs(",\"flags\":\"unresolvedPathComponents\"", f);
			fputc('}', f);
			break;
		}
		fprintf(f, "\"int_arg\":%d", (int)(tpc_u32)x);
		break;
	case TPL_ARG_INT32:
		fprintf(f, "\"int_arg\":%d", (int)(tpc_u32)x);
		break;
	case TPL_ARG_INT16:
		fprintf(f, "\"int_arg\":%d", (int)(short)(tpc_u16)x);
		break;
	case TPL_ARG_INT8:
		fprintf(f, "\"int_arg\":%d", (int)(signed char)(tpc_u8)x);
		break;
	case TPL_ARG_UINT32:
		fprintf(f, "\"uint_arg\":%u", (unsigned)(tpc_u32)x);
		break;
	case TPL_ARG_UINT16:
		fprintf(f, "\"uint_arg\":%u", (unsigned)(tpc_u16)x);
		break;
	case TPL_ARG_UINT8:
		fprintf(f, "\"uint_arg\":%u", (unsigned)(tpc_u8)x);
		break;
	case TPL_ARG_INT64:
		fprintf(f, "\"long_arg\":\"%lld\"", (long long)x);
		break;
	case TPL_ARG_UINT64:
		fprintf(f, "\"size_arg\":\"%llu\"", (unsigned long long)x);
		break;
	case TPL_ARG_STRING:
		fputs("\"string_arg\":", f);
		json_write_utf8(f, v->data, tpc_value_strlen(v));
		is_str = extensions;
		break;
	case TPL_ARG_FILE:
	case TPL_ARG_PATH:
		fputs(tpl_arg_class(ma->type) == TPL_ARG_FILE ?
			      "\"file_arg\":{\"path\":" :
			      "\"path_arg\":{\"path\":",
		      f);
		json_write_utf8(f, v->data, tpc_value_strlen(v));
		/* KprobeFile/KprobePath: mount, path, flags, permission */
		if (v->flags & TPC_ARGF_TRUNCATED)
			fputs(",\"flags\":\"unresolvedPathComponents\"", f);
		if (TPC_ARGF_MODE(v->flags)) { /* the inode's, as ls -l shows it */
			char perm[11];
			tpl_mode_str(TPC_ARGF_MODE(v->flags), perm);
			fprintf(f, ",\"permission\":\"%s\"", perm);
		}
		fputc('}', f);
		break;
	case TPL_ARG_CONST_BUF:
		/* as Tetragon: an array of 8-byte elements is one size_arg
		 * per element; other arrays are their bytes */
		if (x == 8 && v->len >= 8 && !(v->flags & TPC_ARGF_FAULT)) {
			for (tpc_u32 k = 0; k + 8 <= v->len; k += 8) {
				tpc_u64 e;
				memcpy(&e, v->data + k, 8);
				fprintf(f, "%s\"size_arg\":\"%llu\"", k ? "},{" : "", (unsigned long long)e);
			}
		} else {
			fputs("\"bytes_arg\":", f);
			base64(f, v->data, v->len);
		}
		break;
	case TPL_ARG_BYTES:
	case TPL_ARG_OTHER:
		if (v->len == 0 && tpl_arg_class(ma->type) == TPL_ARG_OTHER) {
			/* an integer of a type we do not know */
			fprintf(f, "\"size_arg\":\"%llu\"", (unsigned long long)x);
		} else if (v->flags & TPC_ARGF_TRUNCATED) {
			fputs("\"truncated_bytes_arg\":{\"bytes_arg\":", f);
			base64(f, v->data, v->len);
			fprintf(f, ",\"orig_size\":\"%llu\"}", (unsigned long long)x);
		} else {
			fputs("\"bytes_arg\":", f);
			base64(f, v->data, v->len);
		}
		break;
	}
	if (is_str && (v->flags & TPC_ARGF_TRUNCATED))
		fputs(",\"truncated\":true", f);
tail:
	if (ma->label && labels) {
		fputs(",\"label\":", f);
		json_write_cstr(f, ma->label);
	}
	fputc('}', f);
}

/* The return value: int_arg when it fits 32 bits, long_arg when not; an
 * arg of process_uprobe as its returnArg type says when it is an integer
 * type. */
static void json_return(FILE *f, const struct tpc_hook *h, long long r)
{
	if (h->return_type && (tpl_hook_json_style(h->kind) & TPL_JSON_RETURN_IN_ARGS)) {
		enum tpl_argclass c = tpl_arg_class(h->return_type);
		if (c != TPL_ARG_OTHER && c != TPL_ARG_STRING && c != TPL_ARG_BYTES && c != TPL_ARG_FILE &&
		    c != TPL_ARG_PATH && c != TPL_ARG_FD) {
			struct tpc_marg ma = { .type = h->return_type };
			struct tpc_value v = { .value = (tpc_u64)r };
			json_arg(f, &ma, &v, 0, 0);
			return;
		}
	}
	if (r >= -2147483648LL && r <= 2147483647LL)
		fprintf(f, "{\"int_arg\":%lld}", r);
	else
		fprintf(f, "{\"long_arg\":\"%lld\"}", r);
}

static void json_time(FILE *f, const struct timespec *ts)
{
	struct tm tm;
	char buf[64];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "\"%s.%09ldZ\"", buf, (long)ts->tv_nsec);
}

/* Tetragon's Process: the image from tp-load's table; tid and uid as the
 * event saw them (the effective uid of the thread that made it). */
static void json_proc(FILE *f, const struct tpl_proc *p, tpc_u32 tid, tpc_u32 uid, const char *fallback_bin)
{
	struct timespec ts;
	char flags[160];

	fputs("{\"exec_id\":", f);
	json_write_cstr(f, p->exec_id);
	fprintf(f, ",\"pid\":%u,\"uid\":%u", p->pid, uid);
	if (p->cwd[0]) {
		fputs(",\"cwd\":", f);
		json_write_utf8(f, p->cwd, strlen(p->cwd));
	}
	const char *bin = p->binary[0] || !fallback_bin ? p->binary : fallback_bin;
	if (*bin) { /* an empty string is left out, as protojson does */
		fputs(",\"binary\":", f);
		json_write_utf8(f, bin, strlen(bin));
	}
	if (p->args[0]) {
		fputs(",\"arguments\":", f);
		json_write_utf8(f, p->args, strlen(p->args));
	}
	tpl_proc_flags_str(p->flags, flags, sizeof(flags));
	if (flags[0]) {
		fputs(",\"flags\":", f);
		json_write_cstr(f, flags);
	}
	fputs(",\"start_time\":", f);
	tpl_boot_to_wall(p->ktime, &ts);
	json_time(f, &ts);
	fprintf(f, ",\"auid\":%u", p->auid);
	if (p->pod) {
		fputs(",\"pod\":{\"namespace\":", f);
		json_write_cstr(f, p->pod->ns);
		fputs(",\"name\":", f);
		json_write_cstr(f, p->pod->name);
		if (p->pod->uid && *p->pod->uid) { /* from the kubelet's log directory */
			fputs(",\"uid\":", f);
			json_write_cstr(f, p->pod->uid);
		}
		fputs(",\"container\":{\"id\":", f);
		json_write_cstr(f, p->container_id);
		fputs(",\"name\":", f);
		json_write_cstr(f, p->pod->container);
		fputs("}}", f);
	}
	if (p->docker[0]) {
		fputs(",\"docker\":", f);
		json_write_cstr(f, p->docker);
	}
	if (p->parent) {
		fputs(",\"parent_exec_id\":", f);
		json_write_cstr(f, p->parent->exec_id);
	}
	fprintf(f, ",\"tid\":%u}", tid);
}

/* "return" by the type returnArg names: as its arguments are printed. */
static void json_return_typed(FILE *f, const char *type, long long r)
{
	switch (type ? tpl_arg_class(type) : TPL_ARG_OTHER) {
	case TPL_ARG_INT32:
	case TPL_ARG_FD:
		fprintf(f, ",\"return\":{\"int_arg\":%d}", (int)r);
		return;
	case TPL_ARG_INT16:
		fprintf(f, ",\"return\":{\"int_arg\":%d}", (int)(short)r);
		return;
	case TPL_ARG_INT8:
		fprintf(f, ",\"return\":{\"int_arg\":%d}", (int)(signed char)r);
		return;
	case TPL_ARG_UINT32:
		fprintf(f, ",\"return\":{\"uint_arg\":%u}", (unsigned)r);
		return;
	case TPL_ARG_UINT16:
		fprintf(f, ",\"return\":{\"uint_arg\":%u}", (unsigned)(unsigned short)r);
		return;
	case TPL_ARG_UINT8:
		fprintf(f, ",\"return\":{\"uint_arg\":%u}", (unsigned)(unsigned char)r);
		return;
	case TPL_ARG_INT64:
		fprintf(f, ",\"return\":{\"long_arg\":\"%lld\"}", r);
		return;
	case TPL_ARG_UINT64:
		fprintf(f, ",\"return\":{\"size_arg\":\"%llu\"}", (unsigned long long)r);
		return;
	case TPL_ARG_STRING:
	case TPL_ARG_FILE:
	case TPL_ARG_PATH:
	case TPL_ARG_BYTES:
	case TPL_ARG_CONST_BUF:
	case TPL_ARG_OTHER:
		break;
	}
	/* no integer type named: the value as it fits */
	if (r >= -2147483648LL && r <= 2147483647LL)
		fprintf(f, ",\"return\":{\"int_arg\":%lld}", r);
	else
		fprintf(f, ",\"return\":{\"long_arg\":\"%lld\"}", r);
}

/* kernel_stack_trace / user_stack_trace: StackTraceEntry objects, zero
 * fields omitted (protojson), the address only with
 * --expose-stack-addresses. */
static void json_stack(FILE *f, const char *key, const struct tpl_stack *st)
{
	if (!st || !st->n)
		return;
	fprintf(f, ",\"%s\":[", key);
	for (int i = 0; i < st->n; i++) {
		const struct tpl_frame *fr = &st->f[i];
		int n = 0;
		fputs(i ? ",{" : "{", f);
		if (tpl_stack_addresses && fr->address)
			n += fprintf(f, "\"address\":\"%llu\"", (unsigned long long)fr->address) > 0;
		if (fr->offset)
			n += fprintf(f, "%s\"offset\":\"%llu\"", n ? "," : "", (unsigned long long)fr->offset) > 0;
		if (*fr->symbol) {
			fprintf(f, "%s\"symbol\":", n++ ? "," : "");
			json_write_cstr(f, fr->symbol);
		}
		if (*fr->module) {
			fprintf(f, "%s\"module\":", n++ ? "," : "");
			json_write_cstr(f, fr->module);
		}
		fputc('}', f);
	}
	fputc(']', f);
}

/* The retaction record of the event's selector, or NULL. */
static const struct tpc_mretaction *retaction_of(const struct tpc_ev *ev)
{
	const struct tpc_hook *h = ev->hook;

	for (int i = 0; i < h->nretactions; i++)
		if (h->retactions[i].hook == ev->h.hook &&
		    h->retactions[i].selector == ev->h.selector)
			return &h->retactions[i];
	return NULL;
}

static void json_hook(FILE *f, const struct tpl_event *e)
{
	const struct tpc_ev *ev = e->ev;
	const struct tpc_hook *h = ev->hook;

	unsigned style = tpl_hook_json_style(h->kind);
	tpl_hook_json_target(f, h);
	/* "args" only when there is one: protojson leaves an empty list out */
	int n = 0;
	for (int i = 0; i < ev->nargs; i++) {
		if (!strcmp(h->args[i].type, "nop"))
			continue; /* a slot only: nothing to print, as in Tetragon */
		fputs(n++ ? "," : ",\"args\":[", f);
		json_arg(f, &h->args[i], &ev->args[i], !(style & TPL_JSON_NO_LABELS),
			 !strcmp(tpl_hook_json_key(h->kind), "process_tracepoint"));
	}
	if (h->ret && (style & TPL_JSON_RETURN_IN_ARGS)) {
		/* process_uprobe: the return value is the last arg, typed by
		 * returnArg when the policy gave one */
		fputs(n++ ? "," : ",\"args\":[", f);
		json_return(f, h, ev->h.retval);
	}
	if (n)
		fputc(']', f);
	if (ev->has_ret && !(style & TPL_JSON_RETURN_IN_ARGS)) {
		/* a returned sock: its sock_arg, as an arg of its type is printed */
		fputs(",\"return\":{", f);
		tpl_karg_json(f, tpl_karg_of(h->return_type), h->return_type, &ev->ret, 0);
		fputc('}', f);
	} else if (h->ret && !(style & TPL_JSON_RETURN_IN_ARGS))
		json_return_typed(f, h->return_type, (long long)ev->h.retval);
	/* checked at the syscall's exit: an argument could not be read at
	 * its entry (its page was not present yet) */
	if (extensions && (ev->h.origin & TPC_ORIGIN_LATE))
		fputs(",\"read_at_exit\":true", f);
	/* a selector with matchReturnActions: its matchActions name action,
	 * its return actions return_action (the event's bits are both);
	 * only process_kprobe has that field (process_uprobe keeps the
	 * union in action) */
	const struct tpc_mretaction *ra = NULL;

	if (!strcmp(tpl_hook_json_key(h->kind), "process_kprobe"))
		ra = retaction_of(ev);
	fprintf(f, ",\"action\":\"%s\"",
		tpl_action_name(ra ? (tpc_u32)ra->entry : ev->h.actions));
	json_stack(f, "kernel_stack_trace", ev->kstack);
	fputs(",\"policy_name\":", f);
	json_write_cstr(f, e->policy);
	if (ra)
		fprintf(f, ",\"return_action\":\"%s\"",
			tpl_action_name((tpc_u32)ra->ret));
	if (h->message) {
		fputs(",\"message\":", f);
		json_write_cstr(f, h->message);
	}
	if (h->ntags) {
		fputs(",\"tags\":[", f);
		for (int i = 0; i < h->ntags; i++) {
			if (i)
				fputc(',', f);
			json_write_cstr(f, h->tags[i]);
		}
		fputc(']', f);
	}
	json_stack(f, "user_stack_trace", ev->ustack);
}

int tpl_print_json(const struct tpl_out *o, const struct tpl_event *e)
{
	FILE *f = o->f;
	struct timespec ts;
	extensions = o->json_extensions;
	const char *key = e->kind == TPL_EV_EXEC ? "process_exec" :
			  e->kind == TPL_EV_EXIT ? "process_exit" : tpl_hook_json_key(e->ev->hook->kind);

	fprintf(f, "{\"%s\":{\"process\":", key);
	json_proc(f, e->proc, e->tid, e->uid, e->ev ? e->ev->comm : NULL);
	if (e->parent) {
		fputs(",\"parent\":", f);
		json_proc(f, e->parent, e->parent->pid, e->parent->uid, NULL);
	}
	if (e->kind == TPL_EV_HOOK) {
		json_hook(f, e);
	} else if (e->kind == TPL_EV_EXIT) {
		/* the exit status, or the signal that ended it */
		unsigned sig = e->code & 0x7f;
		const char *name = tpl_signal_name(sig);
		if (sig && name)
			fprintf(f, ",\"signal\":\"%s\"", name);
		/* protojson leaves a zero uint32 out, as Tetragon's
		 * export does: a process killed by a signal has none */
		if ((e->code >> 8) & 0xff)
			fprintf(f, ",\"status\":%u", (e->code >> 8) & 0xff);
		fputs(",\"time\":", f);
		tpl_boot_to_wall(e->ktime_ns, &ts);
		json_time(f, &ts);
	}
	fputs("},\"node_name\":", f);
	json_write_cstr(f, o->node_name);
	fputs(",\"time\":", f);
	tpl_boot_to_wall(e->ktime_ns, &ts);
	json_time(f, &ts);
	fputs("}\n", f);
	/* no flush per event: the poll loop flushes once per batch */
	if (ferror(f))
		return -1;
	return 0;
}
