/* filter.c: see filter.h.
 *
 * The semantics are Tetragon's (its Filter and RedactionFilter protos and
 * the filters that implement them): a field that is present restricts,
 * even when its list is empty (an empty binary_regex matches nothing);
 * fields about the process look at the event's "process" object and do
 * not match when it has none; namespace "" means a process outside any
 * pod; pid_set matches the pids listed and, from then on, the children of
 * a matched process (best effort, as Tetragon says); labels take
 * Kubernetes label selectors and never match a process outside a pod.
 * cel_expression is refused: tp-load has no CEL. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "jparse.h"
#include "json.h"
#include "log.h"

/* PCRE2 match limits: a pathological pattern gives up, it never stalls */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000
#define REDACTED "*****"

struct rx {
	pcre2_code *code;
	pcre2_match_data *md;
	char *src;
};

struct rxlist {
	int present, n;
	struct rx *v;
};

struct strlist {
	int present, n;
	char **v;
};

struct u32list {
	int present, n;
	uint32_t *v;
};

/* a label selector requirement */
enum lop { L_EXISTS, L_NOT_EXISTS, L_EQ, L_NE, L_IN, L_NOTIN };
struct lreq {
	enum lop op;
	char *key;
	char **vals;
	int nvals;
};
struct lsel {
	struct lreq *r;
	int n;
};

enum capmode { CAP_NONE_SET, CAP_ANY, CAP_ALL, CAP_EXACTLY, CAP_NONE };
struct capset {
	enum capmode mode;
	uint64_t bits;
};

struct pidcache { /* children of pid_set matches */
	uint32_t *v;
	size_t n, cap;
};

struct filter {
	struct rxlist binary, parent_binary, ancestor_binary, args, parent_args, pod, container;
	struct strlist ns, policies, events;
	struct u32list pid, pid_set;
	struct pidcache children;
	int health_check; /* -1: absent */
	int in_init_tree; /* -1: absent */
	int has_labels;
	struct lsel *labels;
	int nlabels;
	int has_caps;
	struct capset caps[3]; /* permitted, effective, inheritable */
};

struct redaction {
	struct rxlist binary;
	struct rxlist redact;
};

static struct {
	struct filter *allow, *deny;
	int nallow, ndeny;
	struct redaction *red;
	int nred;
	pcre2_match_context *mctx;
	struct jp_doc doc;
	char *sbuf, *sbuf2;
	size_t scap, scap2;
	int reported;
} F;

/* ---- errors ---- */

struct perr {
	char *buf;
	size_t len;
	const char *flag;
	int index; /* filter number, from 1 */
};

static int perr(struct perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct perr *e, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(e->buf, e->len, "%s: filter %d: ", e->flag, e->index);
	if (n < 0 || (size_t)n >= e->len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- regexes ---- */

static int rx_compile(struct rx *r, const char *pat, size_t len, struct perr *e, const char *field)
{
	int code;
	PCRE2_SIZE off;

	r->src = strndup(pat, len);
	r->code = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_MATCH_INVALID_UTF,
				&code, &off, NULL);
	if (!r->code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		return perr(e, "%s: regex \"%s\" does not compile at offset %zu: %s", field, r->src ? r->src : "",
			    (size_t)off, (char *)msg);
	}
	/* JIT when the system allows it (MemoryDenyWriteExecute does not) */
	pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
	r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
	if (!r->md || !r->src)
		return perr(e, "out of memory");
	return 0;
}

static void rx_free(struct rx *r)
{
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->code);
	free(r->src);
}

/* 1 match, 0 none; a matching error (limits) is reported once and is no match */
static int rx_match(struct rx *r, const char *s, size_t n, size_t from)
{
	int rc = pcre2_match(r->code, (PCRE2_SPTR)s, n, from, 0, r->md, F.mctx);
	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH && !F.reported++) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(rc, msg, sizeof(msg));
		tpl_warn("export filters: regex \"%s\" gave up on an event: %s (taken as no match; said once)", r->src,
			 (char *)msg);
	}
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

static int rxlist_any(struct rxlist *l, const char *s, size_t n)
{
	for (int i = 0; i < l->n; i++)
		if (rx_match(&l->v[i], s, n, 0) == 1)
			return 1;
	return 0;
}

/* ---- reading a filter ---- */

/* Field names: snake_case as Tetragon's flags take them (any case, as Go's
 * encoding/json matches), or lowerCamelCase (protojson): compared without
 * underscores and case. */
static int name_is(const char *key, size_t n, const char *canonical)
{
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		if (c == '_')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		while (canonical[j] == '_')
			j++;
		if (canonical[j] != c)
			return 0;
		j++;
	}
	while (canonical[j] == '_')
		j++;
	return canonical[j] == '\0';
}

static const char *type_name(enum jp_type t)
{
	switch (t) {
	case JP_OBJECT: return "an object";
	case JP_ARRAY: return "an array";
	case JP_STRING: return "a string";
	case JP_NUMBER: return "a number";
	case JP_TRUE:
	case JP_FALSE: return "a boolean";
	case JP_NULL: return "null";
	}
	return "?";
}

static char *dup_string(struct jp_doc *d, int i)
{
	char *buf = NULL;
	size_t cap = 0, n = jp_string(d, i, &buf, &cap);
	(void)n;
	return buf ? buf : strdup("");
}

static int get_strings(struct jp_doc *d, int v, struct strlist *l, struct perr *e, const char *field)
{
	if (d->v[v].type != JP_ARRAY)
		return perr(e, "%s: expected an array of strings, got %s", field, type_name(d->v[v].type));
	l->present = 1;
	for (int i = d->v[v].first; i >= 0; i = d->v[i].next) {
		if (d->v[i].type != JP_STRING)
			return perr(e, "%s: expected strings, got %s", field, type_name(d->v[i].type));
		char **nv = realloc(l->v, sizeof(*nv) * (size_t)(l->n + 1));
		if (!nv)
			return perr(e, "out of memory");
		l->v = nv;
		l->v[l->n++] = dup_string(d, i);
	}
	return 0;
}

static int get_regexes(struct jp_doc *d, int v, struct rxlist *l, struct perr *e, const char *field)
{
	if (d->v[v].type != JP_ARRAY)
		return perr(e, "%s: expected an array of regexes (strings), got %s", field, type_name(d->v[v].type));
	l->present = 1;
	for (int i = d->v[v].first; i >= 0; i = d->v[i].next) {
		if (d->v[i].type != JP_STRING)
			return perr(e, "%s: expected regexes (strings), got %s", field, type_name(d->v[i].type));
		struct rx *nv = realloc(l->v, sizeof(*nv) * (size_t)(l->n + 1));
		if (!nv)
			return perr(e, "out of memory");
		l->v = nv;
		memset(&l->v[l->n], 0, sizeof(struct rx));
		char *s = NULL;
		size_t cap = 0, n = jp_string(d, i, &s, &cap);
		int rc = s ? rx_compile(&l->v[l->n], s, n, e, field) : perr(e, "out of memory");
		free(s);
		l->n++;
		if (rc)
			return -1;
	}
	return 0;
}

static int get_u32s(struct jp_doc *d, int v, struct u32list *l, struct perr *e, const char *field)
{
	if (d->v[v].type != JP_ARRAY)
		return perr(e, "%s: expected an array of process ids, got %s", field, type_name(d->v[v].type));
	l->present = 1;
	for (int i = d->v[v].first; i >= 0; i = d->v[i].next) {
		const struct jp_node *x = &d->v[i];
		char num[32], *end;
		if (x->type != JP_NUMBER || x->n >= sizeof(num))
			return perr(e, "%s: expected process ids (numbers), got %s", field, type_name(x->type));
		memcpy(num, x->s, x->n);
		num[x->n] = '\0';
		errno = 0;
		unsigned long long p = strtoull(num, &end, 10);
		if (*end || errno || num[0] == '-' || p > UINT32_MAX)
			return perr(e, "%s: %s is not a process id (an integer from 0 to 4294967295)", field, num);
		uint32_t *nv = realloc(l->v, sizeof(*nv) * (size_t)(l->n + 1));
		if (!nv)
			return perr(e, "out of memory");
		l->v = nv;
		l->v[l->n++] = (uint32_t)p;
	}
	return 0;
}

/* true, false, or a BoolValue wrapper {"value": true} */
static int get_bool(struct jp_doc *d, int v, int *out, struct perr *e, const char *field)
{
	if (d->v[v].type == JP_OBJECT) {
		int w = jp_get(d, v, "value");
		for (int i = d->v[v].first; i >= 0; i = d->v[i].next)
			if (i != w)
				return perr(e, "%s: a wrapper holds only \"value\"", field);
		if (w < 0) {
			*out = 0;
			return 0;
		}
		v = w;
	}
	if (d->v[v].type != JP_TRUE && d->v[v].type != JP_FALSE)
		return perr(e, "%s: expected true or false, got %s", field, type_name(d->v[v].type));
	*out = d->v[v].type == JP_TRUE;
	return 0;
}

/* Tetragon's EventType names, by the JSON key of their events */
static const struct {
	const char *name, *key;
	int number;
} event_types[] = {
	{ "PROCESS_EXEC", "process_exec", 1 },
	{ "PROCESS_EXIT", "process_exit", 5 },
	{ "PROCESS_KPROBE", "process_kprobe", 9 },
	{ "PROCESS_TRACEPOINT", "process_tracepoint", 10 },
	{ "PROCESS_LOADER", "process_loader", 11 },
	{ "PROCESS_UPROBE", "process_uprobe", 12 },
	{ "PROCESS_THROTTLE", "process_throttle", 27 },
	{ "PROCESS_LSM", "process_lsm", 28 },
	{ "PROCESS_USDT", "process_usdt", 29 },
	{ "TEST", "test", 40000 },
	{ "RATE_LIMIT_INFO", "rate_limit_info", 40001 },
};
#define NEVENT_TYPES ((int)(sizeof(event_types) / sizeof(event_types[0])))

static int get_events(struct jp_doc *d, int v, struct strlist *l, struct perr *e)
{
	if (d->v[v].type != JP_ARRAY)
		return perr(e, "event_set: expected an array of event types, got %s", type_name(d->v[v].type));
	l->present = 1;
	for (int i = d->v[v].first; i >= 0; i = d->v[i].next) {
		const struct jp_node *x = &d->v[i];
		int t = -1;
		char name[64] = "";
		if (x->type == JP_STRING || x->type == JP_NUMBER)
			snprintf(name, sizeof(name), "%.*s", (int)(x->n < 60 ? x->n : 60), x->s);
		for (int k = 0; k < NEVENT_TYPES && t < 0; k++)
			if ((x->type == JP_STRING && strcmp(name, event_types[k].name) == 0) ||
			    (x->type == JP_NUMBER && atoi(name) == event_types[k].number && strspn(name, "0123456789") == strlen(name)))
				t = k;
		if (t < 0) {
			char known[512] = "";
			size_t o = 0;
			for (int k = 0; k < NEVENT_TYPES; k++)
				o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s", k ? ", " : "", event_types[k].name);
			return perr(e, "event_set: %s%s%s is not an event type (known: %s)",
				    x->type == JP_STRING ? "\"" : "", x->type == JP_STRING || x->type == JP_NUMBER ? name : type_name(x->type),
				    x->type == JP_STRING ? "\"" : "", known);
		}
		char **nv = realloc(l->v, sizeof(*nv) * (size_t)(l->n + 1));
		if (!nv)
			return perr(e, "out of memory");
		l->v = nv;
		l->v[l->n++] = strdup(event_types[t].key);
	}
	return 0;
}

/* Capabilities as Tetragon's CapabilitiesType names them (the numbers are
 * Linux's): "DAC_OVERRIDE" has no CAP_ prefix there; either is taken. */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};
#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

static int cap_number(const char *s, size_t n)
{
	for (int k = 0; k < NCAPS; k++) {
		const char *c = cap_names[k];
		if ((strlen(c) == n && memcmp(c, s, n) == 0) || (strlen(c) - 4 == n && memcmp(c + 4, s, n) == 0))
			return k;
	}
	return -1;
}

static int get_capset(struct jp_doc *d, int v, struct capset *cs, struct perr *e, const char *set)
{
	static const char *const modes[] = { "any", "all", "exactly", "none" };
	if (d->v[v].type != JP_OBJECT)
		return perr(e, "capabilities.%s: expected an object, got %s", set, type_name(d->v[v].type));
	for (int m = d->v[v].first; m >= 0; m = d->v[m].next) {
		int mode = -1;
		for (int k = 0; k < 4; k++)
			if (name_is(d->v[m].key, d->v[m].keylen, modes[k]))
				mode = k;
		if (mode < 0)
			return perr(e, "capabilities.%s: unknown field \"%.*s\" (known: any, all, exactly, none)", set,
				    (int)d->v[m].keylen, d->v[m].key);
		if (d->v[m].type == JP_NULL)
			continue;
		if (cs->mode != CAP_NONE_SET)
			return perr(e, "capabilities.%s: only one of any, all, exactly and none may be given", set);
		if (d->v[m].type != JP_ARRAY)
			return perr(e, "capabilities.%s.%s: expected an array, got %s", set, modes[mode],
				    type_name(d->v[m].type));
		cs->mode = (enum capmode)(mode + 1);
		for (int i = d->v[m].first; i >= 0; i = d->v[i].next) {
			const struct jp_node *x = &d->v[i];
			int c = -1;
			if (x->type == JP_STRING)
				c = cap_number(x->s, x->n);
			else if (x->type == JP_NUMBER && x->n <= 2 && strspn(x->s, "0123456789") >= x->n)
				c = atoi(x->s);
			if (c < 0 || c >= NCAPS)
				return perr(e, "capabilities.%s.%s: %.*s is not a capability", set, modes[mode], (int)x->n,
					    x->s);
			cs->bits |= 1ull << c;
		}
	}
	if (cs->mode == CAP_NONE_SET)
		return perr(e, "capabilities.%s: give one of any, all, exactly or none", set);
	return 0;
}

static int get_caps(struct jp_doc *d, int v, struct filter *f, struct perr *e)
{
	static const char *const sets[] = { "permitted", "effective", "inheritable" };
	if (d->v[v].type != JP_OBJECT)
		return perr(e, "capabilities: expected an object, got %s", type_name(d->v[v].type));
	f->has_caps = 1;
	for (int m = d->v[v].first; m >= 0; m = d->v[m].next) {
		int s = -1;
		for (int k = 0; k < 3; k++)
			if (name_is(d->v[m].key, d->v[m].keylen, sets[k]))
				s = k;
		if (s < 0)
			return perr(e, "capabilities: unknown field \"%.*s\" (known: permitted, effective, inheritable)",
				    (int)d->v[m].keylen, d->v[m].key);
		if (d->v[m].type != JP_NULL && get_capset(d, m, &f->caps[s], e, sets[s]))
			return -1;
	}
	return 0;
}

/* ---- label selectors (Kubernetes syntax) ---- */

static int lname_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_./", c);
}

static void skip_sp(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static char *lword(const char **p)
{
	const char *s = *p;
	while (**p && lname_char(**p))
		(*p)++;
	return *p > s ? strndup(s, (size_t)(*p - s)) : NULL;
}

static int parse_selector(const char *text, struct lsel *sel, struct perr *e)
{
	const char *p = text;
	for (;;) {
		struct lreq r = { 0 };
		skip_sp(&p);
		if (*p == '!') {
			p++;
			skip_sp(&p);
			r.op = L_NOT_EXISTS;
			if (!(r.key = lword(&p)))
				return perr(e, "labels: \"%s\": expected a label key after '!'", text);
		} else {
			if (!(r.key = lword(&p)))
				return perr(e, "labels: \"%s\": expected a label key", text);
			skip_sp(&p);
			r.op = L_EXISTS;
			if (p[0] == '=' || (p[0] == '!' && p[1] == '=')) {
				r.op = p[0] == '!' ? L_NE : L_EQ;
				p += p[0] == '!' ? 2 : (p[1] == '=' ? 2 : 1);
				skip_sp(&p);
				char *v = lword(&p);
				r.vals = malloc(sizeof(char *));
				if (!r.vals) {
					free(v);
					return perr(e, "out of memory");
				}
				r.vals[0] = v ? v : strdup("");
				r.nvals = 1;
			} else if (strncmp(p, "in", 2) == 0 || strncmp(p, "notin", 5) == 0) {
				r.op = p[0] == 'i' ? L_IN : L_NOTIN;
				p += r.op == L_IN ? 2 : 5;
				skip_sp(&p);
				if (*p != '(')
					return perr(e, "labels: \"%s\": expected '(' after %s", text, r.op == L_IN ? "in" : "notin");
				p++;
				for (;;) {
					skip_sp(&p);
					char *v = lword(&p);
					char **nv = realloc(r.vals, sizeof(char *) * (size_t)(r.nvals + 1));
					if (!nv) {
						free(v);
						return perr(e, "out of memory");
					}
					r.vals = nv;
					r.vals[r.nvals++] = v ? v : strdup("");
					skip_sp(&p);
					if (*p == ',') {
						p++;
						continue;
					}
					if (*p == ')') {
						p++;
						break;
					}
					return perr(e, "labels: \"%s\": expected ',' or ')' in a value set", text);
				}
			}
		}
		struct lreq *nr = realloc(sel->r, sizeof(*nr) * (size_t)(sel->n + 1));
		if (!nr)
			return perr(e, "out of memory");
		sel->r = nr;
		sel->r[sel->n++] = r;
		skip_sp(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p)
			return perr(e, "labels: \"%s\": unexpected \"%s\"", text, p);
		return 0;
	}
}

/* ---- one filter ---- */

enum fkey {
	K_BINARY, K_NAMESPACE, K_HEALTH, K_PID, K_PIDSET, K_EVENTS, K_POD, K_ARGS, K_LABELS, K_POLICIES, K_CAPS,
	K_PARENT_BINARY, K_CEL, K_PARENT_ARGS, K_CONTAINER, K_INIT_TREE, K_ANCESTOR_BINARY, NKEYS
};
static const char *const fkeys[NKEYS] = {
	"binary_regex", "namespace", "health_check", "pid", "pid_set", "event_set", "pod_regex", "arguments_regex",
	"labels", "policy_names", "capabilities", "parent_binary_regex", "cel_expression", "parent_arguments_regex",
	"container_id", "in_init_tree", "ancestor_binary_regex",
};

static int known_list(char *buf, size_t len, const char *const *names, int n)
{
	size_t o = 0;
	for (int k = 0; k < n && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", k ? ", " : "", names[k]);
	return 0;
}

static int parse_filter(struct jp_doc *d, int obj, struct filter *f, struct perr *e)
{
	f->health_check = f->in_init_tree = -1;
	for (int m = d->v[obj].first; m >= 0; m = d->v[m].next) {
		int k = -1;
		for (int i = 0; i < NKEYS && k < 0; i++)
			if (name_is(d->v[m].key, d->v[m].keylen, fkeys[i]))
				k = i;
		if (k < 0) {
			char known[600];
			known_list(known, sizeof(known), fkeys, NKEYS);
			return perr(e, "unknown field \"%.*s\" (known: %s)", (int)d->v[m].keylen, d->v[m].key, known);
		}
		if (d->v[m].type == JP_NULL) /* as absent */
			continue;
		int rc = 0;
		switch ((enum fkey)k) {
		case K_BINARY: rc = get_regexes(d, m, &f->binary, e, fkeys[k]); break;
		case K_PARENT_BINARY: rc = get_regexes(d, m, &f->parent_binary, e, fkeys[k]); break;
		case K_ANCESTOR_BINARY: rc = get_regexes(d, m, &f->ancestor_binary, e, fkeys[k]); break;
		case K_ARGS: rc = get_regexes(d, m, &f->args, e, fkeys[k]); break;
		case K_PARENT_ARGS: rc = get_regexes(d, m, &f->parent_args, e, fkeys[k]); break;
		case K_POD: rc = get_regexes(d, m, &f->pod, e, fkeys[k]); break;
		case K_CONTAINER: rc = get_regexes(d, m, &f->container, e, fkeys[k]); break;
		case K_NAMESPACE: rc = get_strings(d, m, &f->ns, e, fkeys[k]); break;
		case K_POLICIES: rc = get_strings(d, m, &f->policies, e, fkeys[k]); break;
		case K_EVENTS: rc = get_events(d, m, &f->events, e); break;
		case K_PID: rc = get_u32s(d, m, &f->pid, e, fkeys[k]); break;
		case K_PIDSET: rc = get_u32s(d, m, &f->pid_set, e, fkeys[k]); break;
		case K_HEALTH: rc = get_bool(d, m, &f->health_check, e, fkeys[k]); break;
		case K_INIT_TREE: rc = get_bool(d, m, &f->in_init_tree, e, fkeys[k]); break;
		case K_CAPS: rc = get_caps(d, m, f, e); break;
		case K_LABELS: {
			struct strlist l = { 0 };
			rc = get_strings(d, m, &l, e, fkeys[k]);
			f->has_labels = 1;
			f->labels = calloc((size_t)l.n + 1, sizeof(*f->labels));
			for (int i = 0; !rc && i < l.n; i++) {
				if (!f->labels) {
					rc = perr(e, "out of memory");
					break;
				}
				rc = parse_selector(l.v[i], &f->labels[f->nlabels++], e);
			}
			for (int i = 0; i < l.n; i++)
				free(l.v[i]);
			free(l.v);
			break;
		}
		case K_CEL:
			rc = perr(e, "cel_expression: CEL expressions are not supported by tp-load (use the other fields)");
			break;
		case NKEYS:
			break;
		}
		if (rc)
			return -1;
	}
	return 0;
}

static int parse_redaction(struct jp_doc *d, int obj, struct redaction *r, struct perr *e)
{
	for (int m = d->v[obj].first; m >= 0; m = d->v[m].next) {
		const struct jp_node *x = &d->v[m];
		if (name_is(x->key, x->keylen, "redact")) {
			if (x->type != JP_NULL && get_regexes(d, m, &r->redact, e, "redact"))
				return -1;
		} else if (name_is(x->key, x->keylen, "binary_regex")) {
			if (x->type != JP_NULL && get_regexes(d, m, &r->binary, e, "binary_regex"))
				return -1;
		} else if (name_is(x->key, x->keylen, "match")) {
			return perr(e, "match: deprecated in Tetragon and not supported: use binary_regex");
		} else {
			return perr(e, "unknown field \"%.*s\" (known: redact, binary_regex)", (int)x->keylen, x->key);
		}
	}
	for (int i = 0; i < r->redact.n; i++) {
		uint32_t groups = 0;
		pcre2_pattern_info(r->redact.v[i].code, PCRE2_INFO_CAPTURECOUNT, &groups);
		if (!groups)
			tpl_warn("%s: filter %d: redact regex \"%s\" has no capture group: it redacts nothing (what is "
				 "inside ( ) is replaced)",
				 e->flag, e->index, r->redact.v[i].src);
	}
	return 0;
}

/* Reads a flag: JSON objects one after the other. kind 0: Filter, 1:
 * RedactionFilter. */
static int parse_flag(const char *flag, const char *text, int kind, void **out, int *nout, char *err, size_t errlen)
{
	struct jp_doc d = { 0 };
	struct perr e = { err, errlen, flag, 0 };
	size_t len = strlen(text), esize = kind ? sizeof(struct redaction) : sizeof(struct filter);
	const char *p = text;
	int rc = 0;

	while (p < text + len) {
		while (p < text + len && strchr(" \t\r\n", *p))
			p++;
		if (p >= text + len)
			break;
		e.index++;
		jp_reset(&d);
		int root = jp_parse(&d, text, len, &p);
		if (root < 0) {
			rc = perr(&e, "not JSON: %s at byte %zu", d.err, d.err_at + 1);
			break;
		}
		if (d.v[root].type != JP_OBJECT) {
			rc = perr(&e, "expected a JSON object, got %s", type_name(d.v[root].type));
			break;
		}
		char *nv = realloc(*out, esize * (size_t)(*nout + 1));
		if (!nv) {
			rc = perr(&e, "out of memory");
			break;
		}
		*out = nv;
		void *elem = nv + esize * (size_t)*nout;
		memset(elem, 0, esize);
		(*nout)++;
		rc = kind ? parse_redaction(&d, root, elem, &e) : parse_filter(&d, root, elem, &e);
		if (rc)
			break;
	}
	jp_free(&d);
	return rc;
}

static void free_rxlist(struct rxlist *l)
{
	for (int i = 0; i < l->n; i++)
		rx_free(&l->v[i]);
	free(l->v);
}

static void free_strlist(struct strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static void free_filter(struct filter *f)
{
	struct rxlist *rx[] = { &f->binary, &f->parent_binary, &f->ancestor_binary, &f->args, &f->parent_args,
				&f->pod, &f->container };
	for (size_t i = 0; i < sizeof(rx) / sizeof(rx[0]); i++)
		free_rxlist(rx[i]);
	free_strlist(&f->ns);
	free_strlist(&f->policies);
	free_strlist(&f->events);
	free(f->pid.v);
	free(f->pid_set.v);
	free(f->children.v);
	for (int i = 0; i < f->nlabels; i++) {
		for (int k = 0; k < f->labels[i].n; k++) {
			free(f->labels[i].r[k].key);
			for (int j = 0; j < f->labels[i].r[k].nvals; j++)
				free(f->labels[i].r[k].vals[j]);
			free(f->labels[i].r[k].vals);
		}
		free(f->labels[i].r);
	}
	free(f->labels);
}

void tpl_filters_fini(void)
{
	for (int i = 0; i < F.nallow; i++)
		free_filter(&F.allow[i]);
	for (int i = 0; i < F.ndeny; i++)
		free_filter(&F.deny[i]);
	for (int i = 0; i < F.nred; i++) {
		free_rxlist(&F.red[i].binary);
		free_rxlist(&F.red[i].redact);
	}
	free(F.allow);
	free(F.deny);
	free(F.red);
	pcre2_match_context_free(F.mctx);
	jp_free(&F.doc);
	free(F.sbuf);
	free(F.sbuf2);
	memset(&F, 0, sizeof(F));
}

int tpl_filters_init(const char *allow, const char *deny, const char *redact, char *err, size_t errlen)
{
	F.mctx = pcre2_match_context_create(NULL);
	if (!F.mctx) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pcre2_set_match_limit(F.mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(F.mctx, DEPTH_LIMIT);
	if ((allow && parse_flag("--export-allowlist", allow, 0, (void **)&F.allow, &F.nallow, err, errlen)) ||
	    (deny && parse_flag("--export-denylist", deny, 0, (void **)&F.deny, &F.ndeny, err, errlen)) ||
	    (redact && parse_flag("--redaction-filters", redact, 1, (void **)&F.red, &F.nred, err, errlen))) {
		tpl_filters_fini();
		return -1;
	}
	return 0;
}

int tpl_filters_active(void)
{
	return F.nallow || F.ndeny;
}

int tpl_redaction_active(void)
{
	return F.nred > 0;
}

/* ---- matching an event ---- */

struct ev {
	struct jp_doc *d;
	int event;       /* the event's object (the value of "process_kprobe") */
	const char *key; /* its key */
	size_t keylen;
	int process, parent, ancestors;
};

/* A string field of object o ("" when absent) into *buf. */
static size_t field_str(struct ev *ev, int o, const char *name, char **buf, size_t *cap)
{
	int i = jp_get(ev->d, o, name);
	if (i < 0 || ev->d->v[i].type != JP_STRING) {
		if (!*buf && !(*buf = malloc(*cap = 64)))
			return 0;
		(*buf)[0] = '\0';
		return 0;
	}
	return jp_string(ev->d, i, buf, cap);
}

static int rx_field(struct ev *ev, int o, const char *name, struct rxlist *l)
{
	if (o < 0)
		return 0;
	size_t n = field_str(ev, o, name, &F.sbuf, &F.scap);
	return F.sbuf && rxlist_any(l, F.sbuf, n);
}

static int num_field(struct ev *ev, int o, const char *name, uint32_t *out)
{
	int i = jp_get(ev->d, o, name);
	if (i < 0 || ev->d->v[i].type != JP_NUMBER)
		return 0;
	*out = (uint32_t)strtoul(ev->d->v[i].s, NULL, 10);
	return 1;
}

static int in_u32(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static int match_pid_set(struct ev *ev, struct filter *f)
{
	uint32_t pid, ppid;
	if (ev->process < 0 || !num_field(ev, ev->process, "pid", &pid))
		return 0;
	if (in_u32(f->pid_set.v, (size_t)f->pid_set.n, pid) || in_u32(f->children.v, f->children.n, pid))
		return 1;
	if (ev->parent < 0 || !num_field(ev, ev->parent, "pid", &ppid))
		return 0;
	if (!in_u32(f->pid_set.v, (size_t)f->pid_set.n, ppid) && !in_u32(f->children.v, f->children.n, ppid))
		return 0;
	/* a child of the set: it and its own children match from now on */
	if (f->children.n == f->children.cap) {
		size_t cap = f->children.cap ? f->children.cap * 2 : 64;
		uint32_t *nv = realloc(f->children.v, sizeof(*nv) * cap);
		if (!nv)
			return 1;
		f->children.v = nv;
		f->children.cap = cap;
	}
	f->children.v[f->children.n++] = pid;
	return 1;
}

static int label_value(struct ev *ev, int labels, const char *key, char **buf, size_t *cap)
{
	for (int i = labels >= 0 ? ev->d->v[labels].first : -1; i >= 0; i = ev->d->v[i].next) {
		char *k = NULL;
		size_t kc = 0;
		jp_key(ev->d, i, &k, &kc);
		int same = k && strcmp(k, key) == 0;
		free(k);
		if (same) {
			if (ev->d->v[i].type == JP_STRING)
				jp_string(ev->d, i, buf, cap);
			else if (*buf || (*buf = malloc(*cap = 64)))
				(*buf)[0] = '\0';
			return 1;
		}
	}
	return 0;
}

static int match_selector(struct ev *ev, int labels, const struct lsel *s)
{
	for (int i = 0; i < s->n; i++) {
		const struct lreq *r = &s->r[i];
		int has = label_value(ev, labels, r->key, &F.sbuf2, &F.scap2), in = 0;
		for (int k = 0; has && k < r->nvals; k++)
			if (F.sbuf2 && strcmp(F.sbuf2, r->vals[k]) == 0)
				in = 1;
		int ok = 0;
		switch (r->op) {
		case L_EXISTS: ok = has; break;
		case L_NOT_EXISTS: ok = !has; break;
		case L_EQ:
		case L_IN: ok = has && in; break;
		case L_NE:
		case L_NOTIN: ok = !has || !in; break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

static uint64_t caps_of(struct ev *ev, int cap, const char *set)
{
	uint64_t bits = 0;
	int a = jp_get(ev->d, cap, set);
	for (int i = a >= 0 && ev->d->v[a].type == JP_ARRAY ? ev->d->v[a].first : -1; i >= 0; i = ev->d->v[i].next) {
		const struct jp_node *x = &ev->d->v[i];
		int c = x->type == JP_STRING ? cap_number(x->s, x->n) : -1;
		if (c >= 0)
			bits |= 1ull << c;
	}
	return bits;
}

static int match_capset(uint64_t have, const struct capset *cs)
{
	switch (cs->mode) {
	case CAP_NONE_SET: return 1;
	case CAP_ANY: return (have & cs->bits) != 0;
	case CAP_ALL: return (have & cs->bits) == cs->bits;
	case CAP_EXACTLY: return have == cs->bits;
	case CAP_NONE: return (have & cs->bits) == 0;
	}
	return 0;
}

static int maybe_probe(struct ev *ev, int proc)
{
	int i = proc >= 0 ? jp_path(ev->d, proc, "pod", "container", "maybe_exec_probe", NULL) : -1;
	return i >= 0 && ev->d->v[i].type == JP_TRUE;
}

static int match_filter(struct ev *ev, struct filter *f)
{
	struct jp_doc *d = ev->d;
	if (f->events.present) {
		int in = 0;
		for (int i = 0; i < f->events.n && !in; i++)
			in = strlen(f->events.v[i]) == ev->keylen && memcmp(f->events.v[i], ev->key, ev->keylen) == 0;
		if (!in)
			return 0;
	}
	if (f->policies.present) {
		int i = jp_get(d, ev->event, "policy_name"), in = 0;
		size_t n = i >= 0 && d->v[i].type == JP_STRING ? jp_string(d, i, &F.sbuf, &F.scap) : 0;
		if (i < 0 && F.sbuf)
			F.sbuf[0] = '\0';
		for (int k = 0; k < f->policies.n && !in; k++)
			in = F.sbuf && strlen(f->policies.v[k]) == n && strcmp(f->policies.v[k], F.sbuf) == 0;
		if (!in)
			return 0;
	}
	if (f->pid.present) {
		uint32_t pid;
		if (ev->process < 0 || !num_field(ev, ev->process, "pid", &pid) ||
		    !in_u32(f->pid.v, (size_t)f->pid.n, pid))
			return 0;
	}
	if (f->binary.present && !rx_field(ev, ev->process, "binary", &f->binary))
		return 0;
	if (f->parent_binary.present && !rx_field(ev, ev->parent, "binary", &f->parent_binary))
		return 0;
	if (f->ancestor_binary.present) {
		int any = 0;
		for (int a = ev->ancestors >= 0 ? d->v[ev->ancestors].first : -1; a >= 0 && !any; a = d->v[a].next)
			any = d->v[a].type == JP_OBJECT && rx_field(ev, a, "binary", &f->ancestor_binary);
		if (!any)
			return 0;
	}
	if (f->args.present && !rx_field(ev, ev->process, "arguments", &f->args))
		return 0;
	if (f->parent_args.present && !rx_field(ev, ev->parent, "arguments", &f->parent_args))
		return 0;
	if (f->container.present && !rx_field(ev, ev->process, "docker", &f->container))
		return 0;
	int pod = ev->process >= 0 ? jp_get(d, ev->process, "pod") : -1;
	if (f->pod.present && (pod < 0 || !rx_field(ev, pod, "name", &f->pod)))
		return 0;
	if (f->ns.present) {
		int in = 0;
		if (ev->process < 0)
			return 0;
		size_t n = pod >= 0 ? field_str(ev, pod, "namespace", &F.sbuf, &F.scap) : 0;
		for (int k = 0; k < f->ns.n && !in; k++)
			in = pod < 0 ? f->ns.v[k][0] == '\0' : F.sbuf && strlen(f->ns.v[k]) == n && strcmp(f->ns.v[k], F.sbuf) == 0;
		if (!in)
			return 0;
	}
	if (f->has_labels) {
		int any = 0;
		if (pod < 0)
			return 0;
		int labels = jp_get(d, pod, "pod_labels");
		for (int k = 0; k < f->nlabels && !any; k++)
			any = match_selector(ev, labels, &f->labels[k]);
		if (!any)
			return 0;
	}
	if (f->health_check >= 0) {
		int hc = maybe_probe(ev, ev->process) || maybe_probe(ev, ev->parent);
		if (hc != f->health_check)
			return 0;
	}
	if (f->in_init_tree >= 0) {
		int i = ev->process >= 0 ? jp_get(d, ev->process, "in_init_tree") : -1;
		int v = i >= 0 && d->v[i].type == JP_TRUE;
		if (v != f->in_init_tree)
			return 0;
	}
	if (f->has_caps) {
		int cap = ev->process >= 0 ? jp_get(d, ev->process, "cap") : -1;
		if (cap < 0)
			return 0;
		if (!match_capset(caps_of(ev, cap, "permitted"), &f->caps[0]) ||
		    !match_capset(caps_of(ev, cap, "effective"), &f->caps[1]) ||
		    !match_capset(caps_of(ev, cap, "inheritable"), &f->caps[2]))
			return 0;
	}
	/* last: it remembers the children of what it matched */
	if (f->pid_set.present && !match_pid_set(ev, f))
		return 0;
	return 1;
}

/* The event's own object: the top-level member that is not one of the
 * response's common fields. */
static int read_event(struct ev *ev, const char *json, size_t len)
{
	static const char *const common[] = { "node_name", "time", "aggregation_info", "cluster_name", "node_labels" };
	const char *p = json;
	memset(ev, 0, sizeof(*ev));
	ev->d = &F.doc;
	jp_reset(&F.doc);
	int root = jp_parse(&F.doc, json, len, &p);
	if (root < 0 || F.doc.v[root].type != JP_OBJECT)
		return -1;
	ev->event = -1;
	for (int i = F.doc.v[root].first; i >= 0 && ev->event < 0; i = F.doc.v[i].next) {
		int is_common = 0;
		for (size_t k = 0; k < sizeof(common) / sizeof(common[0]); k++)
			is_common |= F.doc.v[i].keylen == strlen(common[k]) && memcmp(F.doc.v[i].key, common[k], F.doc.v[i].keylen) == 0;
		if (!is_common && F.doc.v[i].type == JP_OBJECT)
			ev->event = i;
	}
	if (ev->event < 0)
		return -1;
	ev->key = F.doc.v[ev->event].key;
	ev->keylen = F.doc.v[ev->event].keylen;
	ev->process = jp_get(&F.doc, ev->event, "process");
	ev->parent = jp_get(&F.doc, ev->event, "parent");
	ev->ancestors = jp_get(&F.doc, ev->event, "ancestors");
	if (ev->process >= 0 && F.doc.v[ev->process].type != JP_OBJECT)
		ev->process = -1;
	if (ev->parent >= 0 && F.doc.v[ev->parent].type != JP_OBJECT)
		ev->parent = -1;
	if (ev->ancestors >= 0 && F.doc.v[ev->ancestors].type != JP_ARRAY)
		ev->ancestors = -1;
	return 0;
}

int tpl_filters_keep(const char *json, size_t len)
{
	struct ev ev;
	if (!tpl_filters_active())
		return 1;
	if (read_event(&ev, json, len)) /* not an event as filters see them: let it through */
		return 1;
	if (F.nallow) {
		int any = 0;
		for (int i = 0; i < F.nallow && !any; i++)
			any = match_filter(&ev, &F.allow[i]);
		if (!any)
			return 0;
	}
	for (int i = 0; i < F.ndeny; i++)
		if (match_filter(&ev, &F.deny[i]))
			return 0;
	return 1;
}

/* ---- redaction ---- */

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < *len + n + 1)
			c *= 2;
		char *nb = realloc(*buf, c);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Length of the UTF-8 character at s (1 for a byte that is not one). */
static size_t char_len(const unsigned char *s, size_t n)
{
	size_t k = *s < 0x80 ? 1 : *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
	return k <= n ? k : 1;
}

/* Every match of r in s: the text of its capture groups becomes *****
 * (a group inside one already replaced is skipped). NULL: no change. */
static char *redact_one(struct rx *r, const char *s, size_t n, size_t *outlen)
{
	char *out = NULL;
	size_t len = 0, cap = 0, from = 0, copied = 0;
	int changed = 0;

	while (from <= n) {
		int rc = pcre2_match(r->code, (PCRE2_SPTR)s, n, from, 0, r->md, F.mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0) { /* gave up: hide everything rather than leak it */
			if (!F.reported++)
				tpl_warn("redaction: regex \"%s\" gave up on arguments: they are replaced whole (said once)",
					 r->src);
			free(out);
			*outlen = strlen(REDACTED);
			return strdup(REDACTED);
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
		size_t ms = ov[0], me = ov[1], last = ms;
		if (append(&out, &len, &cap, s + copied, ms - copied))
			goto oom;
		for (int g = 1; g < rc; g++) {
			if (ov[2 * g] == PCRE2_UNSET || ov[2 * g] < last)
				continue;
			if (append(&out, &len, &cap, s + last, ov[2 * g] - last) ||
			    append(&out, &len, &cap, REDACTED, strlen(REDACTED)))
				goto oom;
			last = ov[2 * g + 1];
			changed = 1;
		}
		if (append(&out, &len, &cap, s + last, me - last))
			goto oom;
		copied = me;
		if (me == ms) { /* an empty match: step over one character */
			if (me >= n)
				break;
			size_t k = char_len((const unsigned char *)s + me, n - me);
			if (append(&out, &len, &cap, s + me, k))
				goto oom;
			copied = me + k;
		}
		from = copied;
	}
	if (!changed) {
		free(out);
		return NULL;
	}
	if (append(&out, &len, &cap, s + copied, n - copied))
		goto oom;
	*outlen = len;
	return out;
oom:
	free(out);
	*outlen = strlen(REDACTED);
	return strdup(REDACTED);
}

char *tpl_redact_args(const char *binary, const char *args, size_t len, size_t *outlen)
{
	char *cur = NULL;
	size_t curlen = len;
	for (int i = 0; i < F.nred; i++) {
		struct redaction *r = &F.red[i];
		/* no binary_regex (or an empty one): every binary */
		if (r->binary.n && !rxlist_any(&r->binary, binary, strlen(binary)))
			continue;
		for (int k = 0; k < r->redact.n; k++) {
			size_t nl;
			char *next = redact_one(&r->redact.v[k], cur ? cur : args, curlen, &nl);
			if (next) {
				free(cur);
				cur = next;
				curlen = nl;
			}
		}
	}
	*outlen = curlen;
	return cur;
}

/* One process object: its redacted arguments, or NULL. */
static char *redact_process(struct ev *ev, int proc, size_t *outlen)
{
	int a = jp_get(ev->d, proc, "arguments");
	if (a < 0 || ev->d->v[a].type != JP_STRING)
		return NULL;
	field_str(ev, proc, "binary", &F.sbuf2, &F.scap2);
	size_t n = jp_string(ev->d, a, &F.sbuf, &F.scap);
	if (!F.sbuf || !F.sbuf2)
		return NULL;
	return tpl_redact_args(F.sbuf2, F.sbuf, n, outlen);
}

struct edit {
	const char *from, *to; /* the span replaced: a string's text, quotes included */
	char *text;            /* the new string, unquoted and unescaped */
	size_t len;
};

static int cmp_edit(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

int tpl_redact_json(const char *json, size_t len, char **out, size_t *outlen)
{
	struct ev ev;
	struct edit ed[64];
	int ned = 0;

	*out = NULL;
	if (!F.nred)
		return 0;
	if (read_event(&ev, json, len))
		return -1;
	int procs[66], np = 0;
	if (ev.process >= 0)
		procs[np++] = ev.process;
	if (ev.parent >= 0)
		procs[np++] = ev.parent;
	for (int a = ev.ancestors >= 0 ? ev.d->v[ev.ancestors].first : -1; a >= 0 && np < 66; a = ev.d->v[a].next)
		if (ev.d->v[a].type == JP_OBJECT)
			procs[np++] = a;
	for (int i = 0; i < np && ned < 64; i++) {
		size_t nl;
		char *t = redact_process(&ev, procs[i], &nl);
		if (!t)
			continue;
		int a = jp_get(ev.d, procs[i], "arguments");
		ed[ned++] = (struct edit){ ev.d->v[a].s - 1, ev.d->v[a].s + ev.d->v[a].n + 1, t, nl };
	}
	if (!ned)
		return 0;
	qsort(ed, (size_t)ned, sizeof(ed[0]), cmp_edit); /* in the order of the text */
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	if (!f) {
		for (int i = 0; i < ned; i++)
			free(ed[i].text);
		return -1;
	}
	const char *at = json;
	for (int i = 0; i < ned; i++) {
		fwrite(at, 1, (size_t)(ed[i].from - at), f);
		json_write_str(f, ed[i].text, ed[i].len);
		at = ed[i].to;
		free(ed[i].text);
	}
	fwrite(at, 1, (size_t)(json + len - at), f);
	fclose(f);
	*out = buf;
	*outlen = blen;
	return 1;
}
