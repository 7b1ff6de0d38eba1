/* main.c: diffcheck, the differential test of selector semantics (issue 7).
 *
 *   diffcheck [--pairs N] [--batch K] [--events E] [--seed S] [--repo DIR]
 *             [--tpc PATH] [--mutate notequal-or] [--keep DIR] [--ascii]
 *             [--policy FILE] [-q]
 *
 * Batch after batch: K random policies become one multi-document YAML
 * file, which the real tpc compiles (--emit-c; its clang replaced by a
 * stub that writes an empty object: only the C is wanted); the C is
 * compiled for the host against the shim runtime and loaded; then E
 * random events per policy go through both the generated code and the
 * reference evaluator (ref.c), until N (policy, event) pairs are done.
 *
 * The first disagreement is shrunk (hooks, selectors, filters, values and
 * args left out, ancestors and fds dropped, while the two still disagree)
 * and printed: the minimal policy, the event, what the reference expects
 * and what the generated code did. Exit status: 0 all agreed and every
 * (filter, operator) was seen both matching and not; 1 a disagreement or
 * a coverage gap; 2 the harness itself failed (tpc refused a generated
 * policy, cc failed...). --mutate makes the reference wrong on purpose,
 * to show that the check can fail; --ascii keeps values to ASCII bytes
 * (to look past a known bug with the others); --policy runs random
 * events against one given policy (to replay a report). */
#include "model.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct opts {
	long long pairs;
	int batch, events;
	uint64_t seed;
	const char *repo, *tpc, *keep, *policy;
	bool quiet;
};

static char *workdir;
static int so_serial;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return xstrdup("");
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk) - 1, f)) > 0) {
		chunk[n] = 0;
		buf_puts(&b, chunk);
	}
	fclose(f);
	return b.s ? b.s : xstrdup("");
}

/* tpc YAML -> C, the way a user runs it. Returns 0, or tpc's exit status
 * with its diagnostics in *diag. */
static int run_tpc(const struct opts *o, const char *yaml_path, const char *c_path, char **diag)
{
	char *obj = xasprintf("%s/out.bpf.o", workdir);
	char *log = xasprintf("%s/tpc.log", workdir);
	char *argv[] = {(char *)o->tpc, "--no-btf", "--keep-debug", (char *)yaml_path, "-o", obj, "--emit-c", (char *)c_path, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid;
	int rc = posix_spawn(&pid, o->tpc, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	int status = 0;
	if (rc) {
		*diag = xasprintf("cannot run %s: %s", o->tpc, strerror(rc));
		rc = 127;
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		*diag = read_text(log);
	}
	free(obj);
	free(log);
	return rc;
}

/* Parses one document as the reference sees it. */
static bool parse_one(const char *yaml, struct policy_set *ps, char **why)
{
	struct diags d = {0};
	memset(ps, 0, sizeof(*ps));
	bool ok = parse_policy_text("policy.yaml", yaml, strlen(yaml), ps, &d) && !d.errors && ps->n == 1;
	if (!ok && why) {
		char *t = NULL;
		size_t n = 0;
		FILE *m = open_memstream(&t, &n);
		diags_print_text(&d, m, false);
		fclose(m);
		*why = t;
	}
	diags_free(&d);
	return ok;
}

/* YAML documents -> loaded generated code. */
static struct gen_so *build(const struct opts *o, const char *yaml, char **err)
{
	char *yaml_path = xasprintf("%s/batch.yaml", workdir);
	char *c_path = xasprintf("%s/batch.c", workdir);
	char *so_path = xasprintf("%s/batch%d.so", workdir, so_serial++);
	struct gen_so *so = NULL;
	*err = NULL;
	if (!write_text(yaml_path, yaml)) {
		*err = xasprintf("cannot write %s", yaml_path);
	} else {
		char *diag = NULL;
		int rc = run_tpc(o, yaml_path, c_path, &diag);
		if (rc)
			*err = xasprintf("tpc exited %d on a generated policy:\n%s", rc, diag);
		else
			so = gen_so_build(c_path, so_path, o->repo, err);
		free(diag);
	}
	unlink(so_path);
	free(yaml_path);
	free(c_path);
	free(so_path);
	return so;
}

/* ---- shrinking ---- */

struct failing {
	struct policy *gp;       /* as generated (the shrinker edits its values) */
	struct dev_event e;      /* its hook index is the generated one */
	uint32_t garbage;
};

/* Does the case still disagree with these parts left out? */
static bool still_disagrees(const struct opts *o, struct failing *f, struct omit *om, struct dev_outcome *want,
			    struct dev_outcome *got, char **yaml_out)
{
	char id[16];
	snprintf(id, sizeof(id), "h%d", f->e.hook);
	if (omit_has(om, id))
		return false;
	char *yaml = yaml_of_policy(f->gp, om);
	struct policy_set ps;
	char *err = NULL;
	bool result = false;
	if (!parse_one(yaml, &ps, NULL)) {
		policy_set_free(&ps);
		free(yaml);
		return false;
	}
	struct gen_so *so = build(o, yaml, &err);
	if (so) {
		struct dev_event e;
		dev_event_copy(&e, &f->e);
		int hook = 0;
		for (int i = 0; i < f->e.hook; i++) {
			snprintf(id, sizeof(id), "h%d", i);
			hook += !omit_has(om, id);
		}
		e.hook = hook;
		ref_eval(&ps.v[0], &e, want);
		gen_so_run(so, hook, &ps.v[0], &e, f->garbage, got);
		result = !dev_outcome_equal(want, got);
		dev_event_free(&e);
		gen_so_close(so);
	}
	free(err);
	policy_set_free(&ps);
	if (result && yaml_out) {
		free(*yaml_out);
		*yaml_out = yaml;
	} else {
		free(yaml);
	}
	return result;
}

struct repro {
	const struct opts *o;
	struct failing *f;
	struct omit *om;
	struct dev_outcome *want, *got;
	char **yaml;
};

static bool repro_fails(void *ctx)
{
	struct repro *r = ctx;
	return still_disagrees(r->o, r->f, r->om, r->want, r->got, r->yaml);
}

static void shrink_and_report(const struct opts *o, struct failing *f)
{
	struct omit om = {0};
	struct dev_outcome want, got;
	char *yaml = NULL;
	int tries = 0;
	if (!still_disagrees(o, f, &om, &want, &got, &yaml)) {
		fprintf(stderr, "diffcheck: the disagreement does not reproduce on its own (state carried between events?)\n");
	} else {
		/* coarse to fine: every id the last serialisation saw, again
		 * and again until nothing more can go */
		bool progress = true;
		while (progress && tries < 400) {
			progress = false;
			free(yaml_of_policy(f->gp, &om)); /* refreshes om.seen */
			int n = om.nseen;
			char **ids = xcalloc((size_t)n, sizeof(char *));
			for (int i = 0; i < n; i++)
				ids[i] = xstrdup(om.seen[i]);
			for (int i = 0; i < n && tries < 400; i++) {
				if (omit_has(&om, ids[i]))
					continue;
				omit_add(&om, ids[i]);
				tries++;
				if (still_disagrees(o, f, &om, &want, &got, &yaml))
					progress = true;
				else
					omit_remove_last(&om);
			}
			for (int i = 0; i < n; i++)
				free(ids[i]);
			free(ids);
		}
		/* the event: no ancestors, fewer fds */
		struct dev_event keep_e;
		dev_event_copy(&keep_e, &f->e);
		f->e.nanc = 0;
		if (!still_disagrees(o, f, &om, &want, &got, &yaml)) {
			dev_event_free(&f->e);
			dev_event_copy(&f->e, &keep_e);
		}
		dev_event_free(&keep_e);
		for (int i = f->e.nfds - 1; i >= 0; i--) {
			dev_event_copy(&keep_e, &f->e);
			free(f->e.fdpath[i]);
			memmove(&f->e.fdpath[i], &f->e.fdpath[i + 1], sizeof(char *) * (size_t)(f->e.nfds - i - 1));
			memmove(&f->e.fd[i], &f->e.fd[i + 1], sizeof(int) * (size_t)(f->e.nfds - i - 1));
			f->e.nfds--;
			if (!still_disagrees(o, f, &om, &want, &got, &yaml)) {
				dev_event_free(&f->e);
				dev_event_copy(&f->e, &keep_e);
			}
			dev_event_free(&keep_e);
		}
		/* then shorter strings, in the policy and in the event */
		struct repro rp = {o, f, &om, &want, &got, &yaml};
		tries += shrink_strings(f->gp, &om, &f->e, repro_fails, &rp, 300);
		still_disagrees(o, f, &om, &want, &got, &yaml);
	}
	struct policy_set ps;
	const char *text = yaml ? yaml : "(none)";
	printf("\n==== minimal case (%d shrink steps) ====\n--- policy ---\n%s", tries, text);
	if (yaml && parse_one(yaml, &ps, NULL)) {
		struct dev_event e;
		dev_event_copy(&e, &f->e);
		char id[16];
		int hook = 0;
		for (int i = 0; i < f->e.hook; i++) {
			snprintf(id, sizeof(id), "h%d", i);
			hook += !omit_has(&om, id);
		}
		e.hook = hook;
		printf("--- event ---\n");
		dev_event_print(stdout, &ps.v[0].hooks[hook], &e);
		dev_event_free(&e);
	}
	policy_set_free(&ps);
	printf("--- expected (reference, from the spec) ---\n");
	dev_outcome_print(stdout, &want);
	printf("--- got (generated code) ---\n");
	dev_outcome_print(stdout, &got);
	free(yaml);
	omit_free(&om);
}

/* ---- the run ---- */

static void usage(FILE *f)
{
	fputs("usage: diffcheck [--pairs N] [--batch K] [--events E] [--seed S] [--repo DIR] [--tpc PATH]\n"
	      "                 [--mutate notequal-or] [--keep DIR] [--ascii] [--policy FILE] [-q]\n",
	      f);
}

static bool make_fake_clang(void)
{
	char *path = xasprintf("%s/fake-clang", workdir);
	/* tpc runs "$TPC_CLANG ... -o policy.bpf.o" in its own temporary
	 * directory; only the --emit-c output is wanted here, and the empty
	 * object is written as it is (run_tpc passes --keep-debug) */
	bool ok = write_text(path, "#!/bin/sh\n: > policy.bpf.o\n") && chmod(path, 0755) == 0;
	if (ok)
		setenv("TPC_CLANG", path, 1);
	free(path);
	return ok;
}

static void remove_workdir(const struct opts *o)
{
	if (o->keep || !workdir)
		return;
	const char *names[] = {"batch.yaml", "batch.c", "out.bpf.o", "out.bpf.o.sha256", "tpc.log", "fake-clang"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = xasprintf("%s/%s", workdir, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(workdir);
}

int main(int argc, char **argv)
{
	struct opts o = {1000000, 100, 2000, 1, ".", NULL, NULL, NULL, false};
	static const struct option lo[] = {
		{"pairs", required_argument, 0, 'n'}, {"batch", required_argument, 0, 'b'},
		{"events", required_argument, 0, 'e'}, {"seed", required_argument, 0, 's'},
		{"repo", required_argument, 0, 'r'},   {"tpc", required_argument, 0, 't'},
		{"mutate", required_argument, 0, 'm'}, {"keep", required_argument, 0, 'k'},
		{"ascii", no_argument, 0, 'a'},	       {"policy", required_argument, 0, 'p'},	       {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o.pairs = atoll(optarg); break;
		case 'b': o.batch = atoi(optarg); break;
		case 'e': o.events = atoi(optarg); break;
		case 's': o.seed = strtoull(optarg, NULL, 0); break;
		case 'r': o.repo = optarg; break;
		case 't': o.tpc = optarg; break;
		case 'k': o.keep = optarg; break;
		case 'q': o.quiet = true; break;
		case 'a': gen_ascii_only = true; break;
		case 'p': o.policy = optarg; break;
		case 'm':
			if (strcmp(optarg, "notequal-or")) {
				fprintf(stderr, "diffcheck: unknown mutation '%s' (notequal-or)\n", optarg);
				return 2;
			}
			ref_mutation = MUT_NOTEQUAL_OR;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o.policy)
		o.batch = 1; /* --policy: random events against that policy only */
	if (o.pairs <= 0 || o.batch <= 0 || o.events <= 0 || o.batch > 300) {
		usage(stderr);
		return 2;
	}
	char *tpc_default = xasprintf("%s/out/bin/tpc", o.repo);
	if (!o.tpc)
		o.tpc = tpc_default;
	if (o.keep) {
		mkdir(o.keep, 0755);
		workdir = xstrdup(o.keep);
	} else {
		const char *tmp = getenv("TMPDIR");
		workdir = xasprintf("%s/diffcheck.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(workdir)) {
			fprintf(stderr, "diffcheck: cannot create %s: %s\n", workdir, strerror(errno));
			return 2;
		}
	}
	if (!make_fake_clang()) {
		fprintf(stderr, "diffcheck: cannot write the clang stub in %s\n", workdir);
		return 2;
	}

	struct rng r;
	rng_seed(&r, o.seed);
	long long pairs = 0, posted = 0, signalled = 0, nopost = 0;
	int batches = 0, policies = 0, rc = 0;
	double t0 = now(), t_build = 0;
	while (pairs < o.pairs && rc == 0) {
		/* one batch: K policies, one object */
		int k = o.batch;
		long long left = o.pairs - pairs;
		if ((long long)k * o.events > left)
			k = (int)((left + o.events - 1) / o.events);
		struct policy **gp = xcalloc((size_t)k, sizeof(struct policy *));
		struct policy_set *ps = xcalloc((size_t)k, sizeof(struct policy_set));
		int *base = xcalloc((size_t)k, sizeof(int));
		struct gen_budget budget = {TPC_FOLLOW_BITS}; /* follow filters: the plan's limit per object */
		struct buf all = {0};
		int nhooks = 0;
		for (int i = 0; i < k && rc == 0; i++) {
			char name[32];
			snprintf(name, sizeof(name), "diff-%d-%d", batches, i);
			gp[i] = xcalloc(1, sizeof(struct policy));
			if (o.policy) {
				/* --policy: that one policy (the parser's model) */
				struct policy_set given;
				char *why = NULL;
				char *text = read_text(o.policy);
				if (!parse_one(text, &given, &why)) {
					fprintf(stderr, "diffcheck: %s: not one valid policy:\n%s", o.policy, why ? why : "");
					rc = 2;
				} else {
					*gp[i] = given.v[0];
					free(given.v);
				}
				free(why);
				free(text);
				if (rc) {
					free(gp[i]);
					gp[i] = NULL;
					break;
				}
			} else {
				gen_policy(&r, gp[i], name, &budget);
			}
			char *yaml = yaml_of_policy(gp[i], NULL);
			char *why = NULL;
			if (!parse_one(yaml, &ps[i], &why)) {
				fprintf(stderr, "diffcheck: a generated policy does not parse:\n%s\n%s", yaml, why ? why : "");
				rc = 2;
			}
			free(why);
			base[i] = nhooks;
			nhooks += ps[i].n ? ps[i].v[0].nhooks : 0;
			buf_printf(&all, "%s%s", i ? "---\n" : "", yaml);
			free(yaml);
		}
		if (nhooks > TPCD_MAX_HOOKS)
			rc = 2;
		char *err = NULL;
		double tb = now();
		struct gen_so *so = rc ? NULL : build(&o, all.s, &err);
		t_build += now() - tb;
		if (!so && !rc) {
			fprintf(stderr, "diffcheck: batch %d: %s\n", batches, err ? err : "?");
			if (o.keep)
				fprintf(stderr, "diffcheck: the batch is kept in %s\n", o.keep);
			rc = 2;
		}
		free(err);
		for (int i = 0; i < k && so && rc == 0; i++) {
			const struct policy *p = &ps[i].v[0];
			for (int n = 0; n < o.events && pairs < o.pairs; n++) {
				struct dev_event e;
				struct dev_outcome want, got;
				gen_event(&r, p, &e);
				uint32_t garbage = (uint32_t)rng_next(&r);
				ref_eval(p, &e, &want);
				gen_so_run(so, base[i] + e.hook, p, &e, garbage, &got);
				pairs++;
				posted += want.posted;
				signalled += want.nsig > 0;
				nopost += !want.posted && (want.act & TPC_ACT_NOPOST);
				if (!dev_outcome_equal(&want, &got)) {
					printf("diffcheck: DISAGREEMENT at pair %lld (seed %llu, batch %d, policy %d, event %d)\n",
					       pairs, (unsigned long long)o.seed, batches, i, n);
					printf("expected: ");
					dev_outcome_print(stdout, &want);
					printf("got:      ");
					dev_outcome_print(stdout, &got);
					fflush(stdout);
					struct failing f = {gp[i], e, garbage};
					dev_event_copy(&f.e, &e);
					shrink_and_report(&o, &f);
					dev_event_free(&f.e);
					rc = 1;
				}
				dev_event_free(&e);
				if (rc)
					break;
			}
			policies++;
		}
		gen_so_close(so);
		for (int i = 0; i < k; i++) {
			struct policy_set one = {.v = gp[i], .n = gp[i] ? 1 : 0};
			policy_set_free(&one); /* and gp[i] itself */
			policy_set_free(&ps[i]);
		}
		free(gp);
		free(ps);
		free(base);
		buf_free(&all);
		batches++;
		if (!o.quiet && rc == 0)
			fprintf(stderr, "diffcheck: batch %d: %lld pairs so far (%.1f s)\n", batches, pairs, now() - t0);
	}
	double t = now() - t0;
	if (rc == 0 || rc == 1) {
		if (!o.quiet || rc == 0)
			ref_coverage_print(stdout);
		int gaps = ref_coverage_gaps();
		printf("diffcheck: %lld pairs, %d policies, %d batches, seed %llu: %lld posted, %lld signalled, "
		       "%lld NoPost; %.1f s (%.1f s building)\n",
		       pairs, policies, batches, (unsigned long long)o.seed, posted, signalled, nopost, t, t_build);
		if (rc == 0 && gaps && !o.policy) { /* one given policy cannot cover everything */
			printf("diffcheck: COVERAGE GAP: %d (filter, operator) pairs never seen both matching and not\n", gaps);
			rc = 1;
		}
		if (rc == 0)
			printf("diffcheck: no disagreement\n");
	}
	remove_workdir(&o);
	free(workdir);
	free(tpc_default);
	return rc;
}
