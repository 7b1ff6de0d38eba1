/* emit_process.c: generated checks of the process-aware filters
 * (DESIGN.md section 6): matchPIDs, matchNamespaces, matchCapabilities,
 * matchNamespaceChanges, matchCapabilityChanges and matchBinaries, and the
 * fork-time code that hands follow bits (followForks, followChildren) from
 * parent to child. Like argument checks, each is a chain of constant
 * compares; each value (namespace inode, capability set, table entry) is
 * read at most once per event. */
#include "emit.h"
#include "tpc_abi.h"

#include <string.h>

void plan_process(struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	for (int i = 0; i < h->nselectors; i++) {
		const struct selector *s = &h->selectors[i];
		for (int j = 0; j < s->nmatch_pids; j++) {
			hp->need_pid = true;
			if (s->match_pids[j].ns_pid)
				hp->need_nspid = hp->need_task = true;
			if (s->match_pids[j].follow)
				hp->need_proc = true;
		}
		if (s->nmatch_binaries || s->nmatch_cap_changes || s->nmatch_ns_changes)
			hp->need_proc = true;
		for (int j = 0; j < s->nmatch_namespaces; j++) {
			if (s->match_namespaces[j].ns < NS_COUNT)
				hp->ns_used |= 1u << s->match_namespaces[j].ns;
			for (int v = 0; v < s->match_namespaces[j].nvalues; v++)
				hp->need_cfg |= !strcmp(s->match_namespaces[j].values[v].s, "host_ns");
		}
		for (int j = 0; j < s->nmatch_ns_changes; j++)
			hp->ns_used |= s->match_ns_changes[j].mask;
		for (int j = 0; j < s->nmatch_caps; j++) {
			hp->caps_used |= 1u << s->match_caps[j].set;
			if (s->match_caps[j].ns_cap) {
				hp->ns_used |= 1u << NS_USER;
				hp->need_cfg = true;
			}
		}
		for (int j = 0; j < s->nmatch_cap_changes; j++) {
			hp->caps_used |= 1u << s->match_cap_changes[j].set;
			if (s->match_cap_changes[j].ns_cap) {
				hp->ns_used |= 1u << NS_USER;
				hp->need_cfg = true;
			}
		}
	}
	if (hp->need_proc)
		hp->need_pid = true;
	if (hp->ns_used || hp->caps_used)
		hp->need_task = true;
}

/* Declarations at the top of a hook body; reads happen on first use. */
void emit_process_locals(struct buf *b, const struct hook_plan *hp)
{
	if (hp->need_task)
		buf_puts(b, "\tstruct task_struct *task = tpc_task();\n");
	if (hp->need_nspid)
		buf_puts(b, "\t__u32 nspid = 0;\n");
	for (int k = 0; k < NS_COUNT; k++)
		if (hp->ns_used & (1u << k))
			buf_printf(b, "\t__u32 ns%d = 0; /* %s, read on first use */\n", k, ns_names[k]);
	for (int k = 0; k < 3; k++)
		if (hp->caps_used & (1u << k))
			buf_printf(b, "\t__u64 caps%d = 0;\n\tbool caps%d_read = false; /* %s */\n", k, k, cap_set_names[k]);
	if (hp->need_proc)
		buf_puts(b, "\tstruct tpc_proc *proc = bpf_map_lookup_elem(&tpc_procs, &pid);\n");
}

static void need_ns(struct buf *b, int k)
{
	buf_printf(b, "\t\tif (!ns%d)\n\t\t\tns%d = tpc_task_ns(task, %d);\n", k, k, k);
}

static void need_caps(struct buf *b, int set)
{
	buf_printf(b, "\t\tif (!caps%d_read) {\n\t\t\tcaps%d = tpc_task_caps(task, %d);\n\t\t\tcaps%d_read = true;\n\t\t}\n",
		   set, set, set, set);
}

static bool is_negative(enum op op)
{
	return op == OP_NOTIN || op == OP_NOTEQUAL || op == OP_NOTPREFIX || op == OP_NOTPOSTFIX;
}

/* "pid == 1 || pid == 2" (the positive form) */
static void cond_pids(struct buf *b, const char *var, const struct match_proc *m)
{
	buf_puts(b, "(");
	for (int v = 0; v < m->nvalues; v++) {
		long long x = 0;
		parse_integer_text(m->values[v].s, &x);
		buf_printf(b, "%s%s == %lluu", v ? " || " : "", var, (unsigned long long)(uint32_t)x);
	}
	if (!m->nvalues)
		buf_puts(b, "0");
	buf_puts(b, ")");
}

/* The positive form of a matchBinaries filter on the table entry `p`
 * (non-NULL): In is equality, Prefix/Postfix compare the path's ends. */
static void cond_binary(struct buf *b, const char *p, const struct match_proc *m)
{
	buf_puts(b, "(");
	for (int v = 0; v < m->nvalues; v++) {
		const char *val = m->values[v].s;
		size_t len = strlen(val);
		char w[64];
		snprintf(w, sizeof(w), "((const __u64 *)%s->bin)", p);
		if (v)
			buf_puts(b, " ||\n\t\t    ");
		switch (m->op) {
		case OP_IN:
		case OP_NOTIN:
			buf_printf(b, "(%s->binlen == %zu && ", p, len);
			cond_words_prefix(b, w, val);
			buf_puts(b, ")");
			break;
		case OP_PREFIX:
		case OP_NOTPREFIX:
			buf_printf(b, "(%s->binlen >= %zu && ", p, len);
			cond_words_prefix(b, w, val);
			buf_puts(b, ")");
			break;
		default:
			buf_printf(b, "(%s->binlen >= %zu", p, len);
			for (size_t k = 0; k < len; k++)
				buf_printf(b, " && ((const unsigned char *)%s->bin)[(%s->binlen - %zu) & %d] == %d", p, p, len - k, TPC_BIN_MAX - 1,
					   (int)(unsigned char)val[k]);
			buf_puts(b, ")");
			break;
		}
	}
	if (!m->nvalues)
		buf_puts(b, "0");
	buf_puts(b, ")");
}

static void emit_pids(struct buf *b, const struct match_proc *m)
{
	const char *var = m->ns_pid ? "nspid" : "pid";
	buf_printf(b, "\t\t/* matchPIDs %s%s%s (line %d) */\n", op_name(m->op), m->follow ? ", followForks" : "",
		   m->ns_pid ? ", isNamespacePID" : "", m->pos.line);
	if (m->ns_pid)
		buf_puts(b, "\t\tif (!nspid)\n\t\t\tnspid = tpc_task_ns_tgid(task);\n");
	buf_printf(b, "\t\tif (%s(", is_negative(m->op) ? "" : "!");
	cond_pids(b, var, m);
	if (m->follow && m->follow_bit >= 0)
		buf_printf(b, " || (proc && (proc->follow & (1ULL << %d)))", m->follow_bit);
	buf_puts(b, "))\n\t\t\tbreak;\n");
}

static void emit_binaries(struct buf *b, const struct match_proc *m)
{
	buf_printf(b, "\t\t/* matchBinaries %s%s (line %d) */\n", op_name(m->op), m->follow ? ", followChildren" : "",
		   m->pos.line);
	buf_printf(b, "\t\tif (%s(proc && (", is_negative(m->op) ? "" : "!");
	cond_binary(b, "proc", m);
	if (m->follow && m->follow_bit >= 0)
		buf_printf(b, " || (proc->follow & (1ULL << %d))", m->follow_bit);
	buf_puts(b, ")))\n\t\t\tbreak;\n");
}

static void emit_namespaces(struct buf *b, const struct match_ns *m)
{
	if (m->ns >= NS_COUNT)
		return;
	int k = m->ns;
	buf_printf(b, "\t\t/* matchNamespaces %s %s (line %d) */\n", ns_names[k], op_name(m->op), m->pos.line);
	need_ns(b, k);
	buf_printf(b, "\t\tif (%s(", m->op == OP_NOTIN ? "" : "!");
	for (int v = 0; v < m->nvalues; v++) {
		if (v)
			buf_puts(b, " || ");
		if (!strcmp(m->values[v].s, "host_ns")) {
			buf_printf(b, "(cfg && ns%d == cfg->host_ns[%d])", k, k);
		} else {
			long long x = 0;
			parse_integer_text(m->values[v].s, &x);
			buf_printf(b, "ns%d == %lluu", k, (unsigned long long)(uint32_t)x);
		}
	}
	if (!m->nvalues)
		buf_puts(b, "0");
	buf_puts(b, "))\n\t\t\tbreak;\n");
}

/* Only a task outside the host's user namespace has "namespace"
 * capabilities (isNamespaceCapability). */
static void emit_ns_cap_guard(struct buf *b)
{
	need_ns(b, NS_USER);
	buf_printf(b, "\t\tif (!cfg || ns%d == cfg->host_ns[%d])\n\t\t\tbreak;\n", NS_USER, NS_USER);
}

static void emit_caps(struct buf *b, const struct match_caps *m, bool changes)
{
	int set = m->set;
	buf_printf(b, "\t\t/* %s %s %s%s (line %d) */\n", changes ? "matchCapabilityChanges" : "matchCapabilities",
		   cap_set_names[set], op_name(m->op), m->ns_cap ? ", isNamespaceCapability" : "", m->pos.line);
	if (m->ns_cap)
		emit_ns_cap_guard(b);
	need_caps(b, set);
	const char *neg = m->op == OP_NOTIN ? "" : "!";
	if (changes)
		/* a listed capability whose presence differs from exec time */
		buf_printf(b, "\t\tif (%s(proc && ((caps%d ^ proc->caps[%d]) & 0x%llxULL)))\n\t\t\tbreak;\n", neg, set, set,
			   (unsigned long long)m->mask);
	else
		buf_printf(b, "\t\tif (%s(caps%d & 0x%llxULL))\n\t\t\tbreak;\n", neg, set, (unsigned long long)m->mask);
}

static void emit_ns_changes(struct buf *b, const struct match_ns_changes *m)
{
	buf_printf(b, "\t\t/* matchNamespaceChanges %s (line %d) */\n", op_name(m->op), m->pos.line);
	for (int k = 0; k < NS_COUNT; k++)
		if (m->mask & (1u << k))
			need_ns(b, k);
	buf_printf(b, "\t\tif (%s(proc && (", m->op == OP_NOTIN ? "" : "!");
	bool first = true;
	for (int k = 0; k < NS_COUNT; k++)
		if (m->mask & (1u << k)) {
			buf_printf(b, "%sns%d != proc->ns[%d]", first ? "" : " || ", k, k);
			first = false;
		}
	if (first)
		buf_puts(b, "0");
	buf_puts(b, ")))\n\t\t\tbreak;\n");
}

void emit_process_checks(struct buf *b, const struct hook_plan *hp, const struct selector *s, int pass)
{
	switch (pass) {
	case 0:
		for (int i = 0; i < s->nmatch_pids; i++)
			emit_pids(b, &s->match_pids[i]);
		break;
	case 1:
		for (int i = 0; i < s->nmatch_namespaces; i++)
			emit_namespaces(b, &s->match_namespaces[i]);
		for (int i = 0; i < s->nmatch_ns_changes; i++)
			emit_ns_changes(b, &s->match_ns_changes[i]);
		break;
	case 2:
		for (int i = 0; i < s->nmatch_caps; i++)
			emit_caps(b, &s->match_caps[i], false);
		for (int i = 0; i < s->nmatch_cap_changes; i++)
			emit_caps(b, &s->match_cap_changes[i], true);
		break;
	case 3:
		for (int i = 0; i < s->nmatch_binaries; i++)
			emit_binaries(b, &s->match_binaries[i]);
		break;
	}
}

/* Numbers the filters that follow forks or children, in policy order.
 * Returns how many (the caller refuses more than 64). */
int assign_follow_bits(struct policy *p)
{
	int n = 0;
	for (int i = 0; i < p->nhooks; i++)
		for (int j = 0; j < p->hooks[i].nselectors; j++) {
			struct selector *s = &p->hooks[i].selectors[j];
			for (int k = 0; k < s->nmatch_pids; k++)
				s->match_pids[k].follow_bit = s->match_pids[k].follow && n < 64 ? n++ : -1;
			for (int k = 0; k < s->nmatch_binaries; k++)
				s->match_binaries[k].follow_bit = s->match_binaries[k].follow && n < 64 ? n++ : -1;
		}
	return n;
}

/* tpc_fork_follow(): the follow bits a child gets because of its parent
 * (current, at sched_process_fork): the parent matched the filter. */
void emit_fork_follow(struct buf *b, const struct policy *p)
{
	bool nspid = false;
	for (int i = 0; i < p->nhooks; i++)
		for (int j = 0; j < p->hooks[i].nselectors; j++)
			for (int k = 0; k < p->hooks[i].selectors[j].nmatch_pids; k++)
				nspid |= p->hooks[i].selectors[j].match_pids[k].follow &&
					 p->hooks[i].selectors[j].match_pids[k].ns_pid;
	buf_puts(b, "// Follow bits a new child inherits from its parent (followForks,\n"
		    "// followChildren): set when the parent matches the filter itself.\n"
		    "static __always_inline __u64 tpc_fork_follow(const struct tpc_proc *parent, __u32 pid)\n{\n"
		    "\t__u64 bits = 0;\n");
	if (nspid)
		buf_puts(b, "\t__u32 nspid = tpc_task_ns_tgid(tpc_task());\n");
	for (int i = 0; i < p->nhooks; i++)
		for (int j = 0; j < p->hooks[i].nselectors; j++) {
			const struct selector *s = &p->hooks[i].selectors[j];
			for (int k = 0; k < s->nmatch_pids; k++) {
				const struct match_proc *m = &s->match_pids[k];
				if (m->follow_bit < 0)
					continue;
				buf_printf(b, "\t/* bit %d: hook %d selector %d matchPIDs (line %d) */\n\tif ", m->follow_bit, i,
					   j + 1, m->pos.line);
				cond_pids(b, m->ns_pid ? "nspid" : "pid", m);
				buf_printf(b, "\n\t\tbits |= 1ULL << %d;\n", m->follow_bit);
			}
			for (int k = 0; k < s->nmatch_binaries; k++) {
				const struct match_proc *m = &s->match_binaries[k];
				if (m->follow_bit < 0)
					continue;
				buf_printf(b, "\t/* bit %d: hook %d selector %d matchBinaries (line %d) */\n\tif (parent && ",
					   m->follow_bit, i, j + 1, m->pos.line);
				cond_binary(b, "parent", m);
				buf_printf(b, ")\n\t\tbits |= 1ULL << %d;\n", m->follow_bit);
			}
		}
	buf_puts(b, "\treturn bits;\n}\n\n");
}

void manifest_follow_records(struct buf *b, const struct policy *p)
{
	for (int i = 0; i < p->nhooks; i++)
		for (int j = 0; j < p->hooks[i].nselectors; j++) {
			const struct selector *s = &p->hooks[i].selectors[j];
			for (int k = 0; k < s->nmatch_pids; k++) {
				const struct match_proc *m = &s->match_pids[k];
				if (m->follow_bit < 0)
					continue;
				buf_printf(b, "follow bit=%d kind=pid ns=%d values=", m->follow_bit, m->ns_pid);
				for (int v = 0; v < m->nvalues; v++) {
					long long x = 0;
					parse_integer_text(m->values[v].s, &x);
					buf_printf(b, "%s%llu", v ? "," : "", (unsigned long long)(uint32_t)x);
				}
				buf_puts(b, "\n");
			}
			for (int k = 0; k < s->nmatch_binaries; k++) {
				const struct match_proc *m = &s->match_binaries[k];
				if (m->follow_bit < 0)
					continue;
				const char *op = (m->op == OP_PREFIX || m->op == OP_NOTPREFIX)	  ? "Prefix"
						 : (m->op == OP_POSTFIX || m->op == OP_NOTPOSTFIX) ? "Postfix"
												     : "In";
				buf_printf(b, "follow bit=%d kind=binary op=%s values=", m->follow_bit, op);
				for (int v = 0; v < m->nvalues; v++) {
					if (v)
						buf_puts(b, ",");
					manifest_encode(b, m->values[v].s);
				}
				buf_puts(b, "\n");
			}
		}
}
