/* emit_process.c: generated checks of the process-aware filters
 * (DESIGN.md section 6): matchPIDs, matchNamespaces, matchCapabilities,
 * matchNamespaceChanges, matchCapabilityChanges and matchBinaries, and the
 * fork-time code that hands follow bits (followForks, followChildren) from
 * parent to child. Like argument checks, each is a chain of constant
 * compares; each value (namespace inode, capability set, table entry) is
 * read at most once per event. */
#include "emit.h"
#include "tpc_abi.h"

#include <stdlib.h>
#include <string.h>

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

/* "pid == 1 || pid == 2" (the positive form) */
static void cond_pids(struct buf *b, const struct hook_plan *hp, const char *var, const struct match_proc *m)
{
	const struct valueset *vs = plan_valueset(hp, m, 8);
	if (vs) {
		char key[32];
		snprintf(key, sizeof(key), "(__u64)%s", var);
		cond_in_set(b, hp, vs, key);
		buf_printf(b, " /* %d pids */", vs->n);
		return;
	}
	for (int v = 0; v < m->nvalues; v++)
		buf_printf(b, "%s%s == %lluu", v ? " || " : "", var, (unsigned long long)(uint32_t)m->values[v].i);
	if (!m->nvalues)
		buf_puts(b, "0");
}

/* The positive form of a matchBinaries filter on the table entry `p`
 * (non-NULL): In is equality, Prefix/Postfix compare the path's ends. */
static void cond_binary(struct buf *b, const struct hook_plan *hp, const char *p, const struct match_proc *m)
{
	bool *done = xcalloc((size_t)(m->nvalues ? m->nvalues : 1), sizeof(bool));
	char w[64], at_end[64], len[64];
	snprintf(w, sizeof(w), "((const __u64 *)%s->bin)", p);
	snprintf(at_end, sizeof(at_end), "TPC_BIN_END_BYTE(%s", p);
	snprintf(len, sizeof(len), "%s->binlen", p);
	buf_puts(b, "(");
	for (int v = 0; v < m->nvalues; v++) {
		const struct value *val = &m->values[v];
		if (done[v])
			continue;
		if (v)
			buf_puts(b, " ||\n\t\t    ");
		const struct valueset *vs = plan_valueset(hp, m, val->len);
		switch (ops[m->op].positive) {
		case OP_IN:
			buf_printf(b, "(%s->binlen == %zu && ", p, val->len);
			if (vs) { /* many paths of this length: one hashed lookup */
				for (int u = v; u < m->nvalues; u++)
					done[u] |= m->values[u].len == val->len;
				cond_in_set(b, hp, vs, w);
				buf_printf(b, " /* %d paths */)", vs->n);
				break;
			}
			cond_words_prefix(b, w, val);
			buf_puts(b, ")");
			break;
		case OP_PREFIX:
			buf_printf(b, "(%s->binlen >= %zu && ", p, val->len);
			if (vs && prefix_in_set(val)) { /* many prefixes of this length: one hashed lookup */
				for (int u = v; u < m->nvalues; u++)
					done[u] |= m->values[u].len == val->len && prefix_in_set(&m->values[u]);
				cond_in_set(b, hp, vs, w);
				buf_printf(b, " /* %d prefixes */)", vs->n);
				break;
			}
			cond_words_prefix(b, w, val);
			buf_puts(b, ")");
			break;
		case OP_POSTFIX: cond_postfix(b, at_end, len, val, "\t\t"); break;
		case OP_UNKNOWN:
		case OP_EQUAL:
		case OP_NOTEQUAL:
		case OP_NOTPREFIX:
		case OP_NOTPOSTFIX:
		case OP_GT:
		case OP_LT:
		case OP_MASK:
		case OP_NOTIN:
		OP_NET_CASES:
		case OP_INRANGE:
		case OP_NOTINRANGE:
		case OP_INMAP:
		case OP_NOTINMAP:
		case OP_FILETYPE:
		case OP_NOTFILETYPE:
		case OP_CELEXPR:
		case OP_CAPS_GAINED:
		case OP_SUBSTRING:
		case OP_SUBSTRING_IGN:
		case OP_OTHER:
		case OP_COUNT: buf_puts(b, "0"); break;
		}
	}
	if (!m->nvalues)
		buf_puts(b, "0");
	buf_puts(b, ")");
	free(done);
}

static void emit_pids(struct buf *b, const struct hook_plan *hp, const struct match_proc *m, int bit)
{
	buf_printf(b, "\t\t/* matchPIDs %s%s%s (line %d) */\n", op_name(m->op), m->follow ? ", followForks" : "",
		   m->ns_pid ? ", isNamespacePID" : "", m->pos.line);
	if (m->ns_pid)
		buf_puts(b, "\t\tif (!nspid)\n\t\t\tnspid = tpc_task_ns_tgid(task);\n");
	struct buf c = {0};
	cond_pids(&c, hp, m->ns_pid ? "nspid" : "pid", m);
	if (bit >= 0)
		buf_printf(&c, " || (proc && (proc->follow & (1ULL << %d)))", bit);
	emit_break_if(b, ops[m->op].negated, c.s);
	buf_free(&c);
}

static void emit_binaries(struct buf *b, const struct hook_plan *hp, const struct match_proc *m, int bit)
{
	buf_printf(b, "\t\t/* matchBinaries %s%s (line %d) */\n", op_name(m->op), m->follow ? ", followChildren" : "",
		   m->pos.line);
	struct buf c = {0};
	buf_puts(&c, "proc && (");
	cond_binary(&c, hp, "proc", m);
	if (bit >= 0)
		buf_printf(&c, " || (proc->follow & (1ULL << %d))", bit);
	buf_puts(&c, ")");
	emit_break_if(b, ops[m->op].negated, c.s);
	buf_free(&c);
}

/* the parent's table entry, looked up once per filter; an unknown parent
 * skips the filter (it passes), as in Tetragon */
static void emit_parent_binaries(struct buf *b, const struct hook_plan *hp, const struct match_proc *m)
{
	buf_printf(b, "\t\t/* matchParentBinaries %s (line %d) */\n\t\t{\n", op_name(m->op), m->pos.line);
	buf_puts(b, "\t\tstruct tpc_proc *pproc = proc ? bpf_map_lookup_elem(&tpc_procs, &proc->ppid) : NULL;\n");
	struct buf c = {0};
	bool negated = ops[m->op].negated;
	buf_puts(&c, negated ? "pproc && " : "!pproc || ");
	cond_binary(&c, hp, "pproc", m);
	emit_break_if(b, negated, c.s);
	buf_puts(b, "\t\t}\n");
	buf_free(&c);
}

static void emit_namespaces(struct buf *b, const struct match_ns *m)
{
	if (m->ns >= NS_COUNT)
		return;
	int k = m->ns;
	buf_printf(b, "\t\t/* matchNamespaces %s %s (line %d) */\n", ns_names[k], op_name(m->op), m->pos.line);
	need_ns(b, k);
	struct buf c = {0};
	for (int v = 0; v < m->nvalues; v++) {
		if (v)
			buf_puts(&c, " || ");
		if (!strcmp(m->values[v].s, "host_ns"))
			buf_printf(&c, "(cfg && ns%d == cfg->host_ns[%d])", k, k);
		else
			buf_printf(&c, "ns%d == %lluu", k, (unsigned long long)(uint32_t)m->values[v].i);
	}
	if (!m->nvalues)
		buf_puts(&c, "0");
	emit_break_if(b, ops[m->op].negated, c.s);
	buf_free(&c);
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
	char *c;
	bool negated = ops[m->op].negated;
	if (changes && negated) {
		/* NotIn: a capability not listed changed since exec */
		c = xasprintf("proc && ((caps%d ^ proc->caps[%d]) & 0x%llxULL)", set, set,
			      (unsigned long long)(TPC_CAPS_ALL & ~m->mask));
		negated = false;
	} else if (changes) {
		/* In: a listed capability whose presence differs from exec time */
		c = xasprintf("proc && ((caps%d ^ proc->caps[%d]) & 0x%llxULL)", set, set, (unsigned long long)m->mask);
	} else {
		c = xasprintf("caps%d & 0x%llxULL", set, (unsigned long long)m->mask);
	}
	emit_break_if(b, negated, c);
	free(c);
}

/* In: a listed namespace differs from the one at exec; NotIn: one that
 * is not listed does. */
static void emit_ns_changes(struct buf *b, const struct match_ns_changes *m)
{
	buf_printf(b, "\t\t/* matchNamespaceChanges %s (line %d) */\n", op_name(m->op), m->pos.line);
	unsigned kinds = ops[m->op].negated ? ((1u << NS_COUNT) - 1) & ~m->mask : m->mask;
	for (int k = 0; k < NS_COUNT; k++)
		if (kinds & (1u << k))
			need_ns(b, k);
	struct buf c = {0};
	buf_puts(&c, "proc && (");
	bool first = true;
	for (int k = 0; k < NS_COUNT; k++)
		if (kinds & (1u << k)) {
			buf_printf(&c, "%sns%d != proc->ns[%d]", first ? "" : " || ", k, k);
			first = false;
		}
	if (first)
		buf_puts(&c, "0");
	buf_puts(&c, ")");
	emit_break_if(b, false, c.s);
	buf_free(&c);
}

void emit_process_checks(struct buf *b, const struct plan *pl, const struct hook_plan *hp, const struct selector *s,
			 int pass)
{
	switch (pass) {
	case 0:
		for (int i = 0; i < s->nmatch_pids; i++)
			emit_pids(b, hp, &s->match_pids[i], plan_follow_bit(pl, &s->match_pids[i]));
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
			emit_binaries(b, hp, &s->match_binaries[i], plan_follow_bit(pl, &s->match_binaries[i]));
		for (int i = 0; i < s->nmatch_parent_binaries; i++)
			emit_parent_binaries(b, hp, &s->match_parent_binaries[i]);
		break;
	}
}

/* tpc_fork_follow(): the follow bits a child gets because of its parent
 * (current, at sched_process_fork): the parent matched the filter. */
void emit_fork_follow(struct buf *b, const struct plan *pl)
{
	bool binaries = false;
	for (int i = 0; i < pl->nfollows; i++)
		binaries |= !pl->follows[i].pid;
	buf_puts(b, "// Follow bits a new child of pid inherits from it (followForks,\n"
		    "// followChildren): set when the parent matches the filter itself.\n"
		    "// Global: the fork program, linked in from tpc's runtime object, calls it.\n"
		    "__noinline __u64 tpc_fork_follow(__u32 pid)\n{\n"
		    "\t__u64 bits = 0;\n");
	if (binaries)
		buf_puts(b, "\tconst struct tpc_proc *parent = bpf_map_lookup_elem(&tpc_procs, &pid);\n");
	if (pl->fork_nspid)
		buf_puts(b, "\t__u32 nspid = tpc_task_ns_tgid(tpc_task());\n");
	for (int i = 0; i < pl->nfollows; i++) {
		const struct follow_plan *f = &pl->follows[i];
		const struct match_proc *m = f->m;
		if (f->pid) {
			buf_printf(b, "\t/* bit %d: hook %d selector %d matchPIDs (line %d) */\n\tif (", f->bit, f->hook,
				   f->selector + 1, m->pos.line);
			cond_pids(b, &pl->hooks[f->hook], m->ns_pid ? "nspid" : "pid", m);
			buf_puts(b, ")");
		} else {
			buf_printf(b, "\t/* bit %d: hook %d selector %d matchBinaries (line %d) */\n\tif (parent && ",
				   f->bit, f->hook, f->selector + 1, m->pos.line);
			cond_binary(b, &pl->hooks[f->hook], "parent", m);
			buf_puts(b, ")");
		}
		buf_printf(b, "\n\t\tbits |= 1ULL << %d;\n", f->bit);
	}
	buf_puts(b, "\treturn bits;\n}\n\n");
}
