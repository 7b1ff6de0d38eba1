/* Unit tests of parse.c: positions kept on every node, multi-document
 * files, and the diagnostics for unknown keys and bad values. */
#include "tap.h"
#include "tpc.h"

#include <stdlib.h>

static int parse(const char *text, struct policy_set *ps, struct diags *d)
{
	memset(ps, 0, sizeof(*ps));
	memset(d, 0, sizeof(*d));
	parse_policy_text("t.yaml", text, strlen(text), ps, d);
	diags_sort(d);
	return d->errors;
}

static const char *diag_text(const struct diags *d, int i)
{
	static char s[512];
	if (i >= d->n)
		return "(none)";
	snprintf(s, sizeof(s), "%d:%d: %s [%s]", d->v[i].pos.line, d->v[i].pos.col, d->v[i].msg, d->v[i].rule);
	return s;
}

int main(void)
{
	tap_prefix = "parse";
	struct policy_set ps;
	struct diags d;

	const char *good = "apiVersion: cilium.io/v1alpha1\n"
			   "kind: TracingPolicy\n"
			   "metadata:\n"
			   "  name: p1\n"
			   "spec:\n"
			   "  kprobes:\n"
			   "  - call: sys_openat\n"
			   "    syscall: true\n"
			   "    args:\n"
			   "    - index: 1\n"
			   "      type: string\n"
			   "    selectors:\n"
			   "    - matchArgs:\n"
			   "      - index: 1\n"
			   "        operator: Equal\n"
			   "        values: [\"/etc/passwd\", \"/x\"]\n"
			   "---\n"
			   "apiVersion: cilium.io/v1alpha1\n"
			   "kind: TracingPolicy\n"
			   "metadata: {name: p2}\n"
			   "spec:\n"
			   "  tracepoints:\n"
			   "  - {subsystem: sched, event: sched_process_exec}\n";
	OK(parse(good, &ps, &d) == 0, "a valid two-document file parses without errors (%s)", diag_text(&d, 0));
	OK(ps.n == 2, "two documents give two policies (got %d)", ps.n);
	if (ps.n == 2) {
		struct hook *h = &ps.v[0].hooks[0];
		STR_EQ(ps.v[0].name, "p1", "first policy name");
		STR_EQ(h->call, "sys_openat", "kprobe call");
		OK(h->syscall, "syscall: true");
		OK(h->call_pos.line == 7 && h->call_pos.col == 11, "call position 7:11 (got %d:%d)", h->call_pos.line,
		   h->call_pos.col);
		OK(h->nargs == 1 && h->args[0].type == AT_STRING && h->args[0].index == 1, "one string arg at index 1");
		OK(h->nselectors == 1 && h->selectors[0].nmatch_args == 1, "one selector with one matchArgs");
		struct match_arg *m = &h->selectors[0].match_args[0];
		OK(m->op == OP_EQUAL && m->nvalues == 2, "Equal with two values");
		OK(m->values[1].pos.line == 16 && m->values[1].pos.col == 33, "value position 16:33 (got %d:%d)",
		   m->values[1].pos.line, m->values[1].pos.col);
		STR_EQ(ps.v[1].kind, "TracingPolicy", "second document kind");
		OK(ps.v[1].nhooks == 1 && ps.v[1].hooks[0].kind == HOOK_TRACEPOINT, "second document has a tracepoint");
	}
	policy_set_free(&ps);
	diags_free(&d);

	const char *bad = "apiVersion: cilium.io/v1alpha1\n"
			  "kind: TracingPolicy\n"
			  "metadata:\n"
			  "  name: p\n"
			  "spec:\n"
			  "  kprobes:\n"
			  "  - call: sys_openat\n"
			  "    sycall: true\n"
			  "    args:\n"
			  "    - index: x\n"
			  "      type: strng\n"
			  "  loader: true\n";
	parse(bad, &ps, &d);
	OK(d.errors == 4, "four errors in the bad document (got %d)", d.errors);
	STR_EQ(diag_text(&d, 0), "8:5: unknown key 'sycall' in a kprobe; did you mean 'syscall'? [unknown-key]",
	       "unknown key with suggestion");
	STR_EQ(diag_text(&d, 1), "10:14: index must be an integer, not 'x' [wrong-type]", "non-integer index");
	STR_EQ(diag_text(&d, 2), "11:13: unknown arg type 'strng'; did you mean 'string'? [bad-enum]", "bad arg type");
	STR_EQ(diag_text(&d, 3), "12:3: unsupported: loader [unsupported]", "loader refused as unsupported");
	policy_set_free(&ps);
	diags_free(&d);

	parse("kind: [\n", &ps, &d);
	OK(d.errors == 1 && !strcmp(d.v[0].rule, "yaml-syntax"), "YAML syntax error reported (%s)", diag_text(&d, 0));
	policy_set_free(&ps);
	diags_free(&d);

	long long v;
	OK(parse_integer_text("0x10", &v) && v == 16, "hex integer");
	OK(parse_integer_text("-5", &v) && v == -5, "negative integer");
	OK(parse_integer_text("18446744073709551615", &v) && v == -1, "u64 max wraps to -1");
	OK(!parse_integer_text("12ab", &v), "trailing garbage refused");
	OK(!parse_integer_text("", &v), "empty refused");

	static const char *const words[] = {"matchArgs", "matchActions", "matchPIDs", NULL};
	STR_EQ(suggest("matchArg", words), "matchArgs", "suggestion for a near miss");
	OK(suggest("zzzzzz", words) == NULL, "no suggestion when nothing is close");
	return tap_failed != 0;
}
