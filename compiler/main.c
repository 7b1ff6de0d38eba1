/* main.c: the tpc command line.
 *
 *   tpc POLICY.yaml -o OUT.bpf.o [--emit-c FILE]   compile
 *   tpc lint FILE...                                 check only
 *   --btf DIR: every kernel of a fleet (check_fleet.c)
 *
 * Both run every check (parse.c, typing.c, check*.c); diagnostics go to stderr as
 * text, or to stdout as JSON or SARIF (--format).
 *
 * Exit status: 0 ok, 1 the policy has errors or an output cannot be
 * written (the path named), 2 usage, 3 internal error (clang failed).
 * SIGINT, SIGTERM and SIGHUP stop clang and remove every temporary
 * before tpc dies of the signal (cc.c, output.c). */
#include "tpc.h"
#include "digest.h"
#include "sign.h"

#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_POLICY = 1, EXIT_IO = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static void usage(FILE *f)
{
	fputs("Usage: tpc [options] POLICY.yaml -o OUT.bpf.o\n"
	      "       tpc lint [options] POLICY.yaml...\n"
	      "\n"
	      "Compile a Tetragon TracingPolicy into one BPF object specialised to it,\n"
	      "for tp-load to attach. POLICY may be '-' for standard input; a file with\n"
	      "several YAML documents compiles into one object.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output FILE     write the object to FILE (required to compile), and\n"
	      "                        its SHA-256 to FILE.sha256\n"
	      "      --sign-key KEY    also write FILE.sig, an Ed25519 signature of the object\n"
	      "                        by KEY (a PEM private key: openssl genpkey -algorithm\n"
	      "                        ed25519), for tp-load --trusted-keys\n"
	      "      --emit-c FILE     also write the generated C to FILE ('-' for stdout)\n"
	      "      --keep-debug      keep clang's DWARF and BTF line info in the object (the\n"
	      "                        verifier's log then shows source lines; about 3x larger)\n"
	      "      --arch ARCH       target architecture: x86_64 or arm64 (default: this host's)\n"
	      "      --tracefs DIR     where tracepoint formats are read (default /sys/kernel/tracing)\n"
	      "      --color WHEN      colour diagnostics: auto, always, never (default auto)\n"
	      "      --format FMT      diagnostics as text (stderr), json or sarif (stdout)\n"
	      "  -Werror               treat warnings as errors\n"
	      "      --btf FILE        kernel BTF for the kernel checks (default\n"
	      "                        /sys/kernel/btf/vmlinux when present)\n"
	      "      --btf DIR         a fleet's kernels, one BTF file each: checks that each\n"
	      "                        has what the policy uses (types from the first)\n"
	      "      --no-btf          skip the kernel (BTF) checks\n"
	      "      --root DIR        read uprobe and USDT binaries under DIR (the node's root\n"
	      "                        filesystem, e.g. an unpacked image; default /)\n"
	      "  -h, --help            show this help\n"
	      "  -V, --version         show the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 the policy has errors or an output cannot be written,\n"
	      "2 usage error, 3 internal error (clang failed).\n"
	      "Environment: TPC_CLANG names the clang to run (default clang); TPC_PCH=0\n"
	      "compiles without the precompiled runtime headers (the same object).\n",
	      f);
}

static const char *host_arch(void)
{
	struct utsname u;
	if (!uname(&u) && (!strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64")))
		return "arm64";
	return "x86";
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --btf DIR: the regular files of DIR (one kernel's BTF each, not hidden),
 * in name order; the first is the kernel types are taken from. */
static int fleet_files(const char *dir, struct target *t)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		t->fleet = xrealloc(t->fleet, sizeof(char *) * (size_t)(t->nfleet + 1));
		t->fleet[t->nfleet++] = path;
	}
	closedir(d);
	if (!t->nfleet)
		return -1;
	qsort(t->fleet, (size_t)t->nfleet, sizeof(char *), cmp_names);
	t->btf = t->fleet[0];
	return 0;
}

static bool want_color(const char *when)
{
	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never"))
		return false;
	return isatty(2) && !getenv("NO_COLOR");
}

/* All documents of a file become one object: the hooks of every policy,
 * each remembering the name of the policy it came from. The hooks are
 * shallow copies (owned by ps); free out->hooks only. */
static void merge_policies(const struct policy_set *ps, struct policy *out)
{
	*out = ps->v[0];
	int n = 0;
	for (int i = 0; i < ps->n; i++)
		n += ps->v[i].nhooks;
	out->hooks = xcalloc((size_t)n, sizeof(struct hook));
	out->nhooks = 0;
	for (int i = 0; i < ps->n; i++)
		for (int j = 0; j < ps->v[i].nhooks; j++) {
			out->hooks[out->nhooks] = ps->v[i].hooks[j];
			out->hooks[out->nhooks].policy_name = ps->v[i].name;
			out->nhooks++;
		}
}

/* Parses and checks a file, then plans its object: the plan's limits are
 * lint rules too. On success (no errors) *pl holds the plan of *merged. */
static bool check_file(const char *file, const struct target *t, struct policy_set *ps, struct policy *merged,
		       struct plan *pl, struct diags *d)
{
	int errors = d->errors;
	parse_set_target(t);
	parse_set_syscall_lister(kbtf_target_syscalls);
	if (!parse_policy_file(file, ps, d))
		return false;
	for (int j = 0; j < ps->n; j++) {
		type_policy(&ps->v[j], t, d);
		check_policy(&ps->v[j], t, d);
	}
	if (!ps->n)
		return false;
	merge_policies(ps, merged);
	plan_build(pl, merged, t, d);
	return d->errors == errors;
}

static int write_c(const char *path, const char *csrc)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!f || fputs(csrc, f) < 0 || (f != stdout && fclose(f))) {
		fprintf(stderr, "tpc: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* emit, clang; then the object and its digest replace the old ones
 * together (output.c). The temporaries are made first: a destination tpc
 * cannot write is refused before clang runs. */
static int compile(struct plan *pl, const struct policy_set *ps, const char *out, const char *emit_c, bool keep_debug,
		   const struct tpc_key *key)
{
	struct output files[] = {
		{.path = xstrdup(out)},
		{.path = xasprintf("%s.sha256", out)},
		{.path = xasprintf("%s.sig", out)},
	};
	struct outputs o = {files, key ? 3 : 2};
	char *err = NULL, *obj = NULL, *digest_text = NULL, *sig_text = NULL, *csrc = NULL;
	size_t obj_len = 0;
	int rc = EXIT_OK;
	char *digest = policy_text_digest(ps->text, ps->len);
	pl->policy_digest = digest;
	if (outputs_prepare(&o, &err)) {
		fprintf(stderr, "tpc: %s\n", err);
		rc = EXIT_IO;
		goto out;
	}
	csrc = emit_policy_c(pl);
	if (emit_c && write_c(emit_c, csrc))
		rc = EXIT_IO;
	if (rc == EXIT_OK && !tpc_signal && cc_compile(csrc, pl->t->arch, keep_debug, &obj, &obj_len, &err)) {
		if (!tpc_signal)
			fprintf(stderr, "tpc: internal error: %s\n", err);
		rc = EXIT_INTERNAL;
	}
	if (rc == EXIT_OK && !tpc_signal) {
		digest_text = object_digest_text(obj, obj_len, out);
		files[0].data = obj;
		files[0].len = obj_len;
		files[1].data = digest_text;
		files[1].len = strlen(digest_text);
		if (key) { /* the signature is of the bytes installed */
			sig_text = tpc_sig_make(key, obj, obj_len);
			if (!sig_text) {
				fprintf(stderr, "tpc: internal error: cannot sign %s\n", out);
				rc = EXIT_INTERNAL;
				goto out;
			}
			files[2].data = sig_text;
			files[2].len = strlen(sig_text);
		}
		free(err);
		err = NULL;
		if (outputs_commit(&o, &err)) {
			if (!tpc_signal)
				fprintf(stderr, "tpc: %s\n", err);
			rc = EXIT_IO;
		}
	}
out:
	if (rc != EXIT_OK || tpc_signal)
		outputs_abort(&o);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		free(files[i].path);
	free(err);
	free(obj);
	free(digest_text);
	free(sig_text);
	free(csrc);
	free(digest);
	pl->policy_digest = NULL;
	return rc;
}

static void on_stop(int sig)
{
	tpc_signal = sig;
}

/* SIGINT, SIGTERM, SIGHUP: noted, acted on where tpc can clean up. A
 * signal ignored when tpc starts (nohup) stays ignored. */
static void install_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa, old;
		if (sigaction(sigs[i], NULL, &old) || old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop; /* no SA_RESTART */
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

/* Dies of the signal that stopped tpc, as if it had not been caught. */
static void die_of_signal(void)
{
	int sig = tpc_signal;
	signal(sig, SIG_DFL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
	_exit(128 + sig);
}

int main(int argc, char **argv)
{
	bool lint = argc > 1 && !strcmp(argv[1], "lint");
	if (lint) {
		argv++;
		argc--;
	}
	static const struct option opts[] = {
		{"output", required_argument, 0, 'o'}, {"emit-c", required_argument, 0, 'c'},
		{"arch", required_argument, 0, 'a'},   {"tracefs", required_argument, 0, 't'},
		{"color", required_argument, 0, 'C'},  {"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, 'V'},      {"format", required_argument, 0, 'F'},
		{"btf", required_argument, 0, 'B'},    {"no-btf", no_argument, 0, 'N'},
		{"sign-key", required_argument, 0, 'K'},
		{"root", required_argument, 0, 'R'},
		{"keep-debug", no_argument, 0, 'D'},
		{0, 0, 0, 0},
	};
	const char *out = NULL, *emit_c = NULL, *color = "auto", *format = "text";
	bool werror = false, keep_debug = false;
	const char *sign_key = NULL;
	struct target t = {.arch = host_arch(), .tracefs = "/sys/kernel/tracing"};
	int c;
	while ((c = getopt_long(argc, argv, "o:hVW:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'c': emit_c = optarg; break;
		case 'D': keep_debug = true; break;
		case 'a':
			if (!strcmp(optarg, "x86_64") || !strcmp(optarg, "x86") || !strcmp(optarg, "amd64"))
				t.arch = "x86";
			else if (!strcmp(optarg, "arm64") || !strcmp(optarg, "aarch64"))
				t.arch = "arm64";
			else {
				fprintf(stderr, "tpc: unknown --arch '%s' (x86_64 or arm64)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't': t.tracefs = optarg; break;
		case 'C':
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				fprintf(stderr, "tpc: --color takes auto, always or never\n");
				return EXIT_USAGE;
			}
			color = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "sarif")) {
				fprintf(stderr, "tpc: --format takes text, json or sarif\n");
				return EXIT_USAGE;
			}
			format = optarg;
			break;
		case 'W':
			if (strcmp(optarg, "error")) {
				fprintf(stderr, "tpc: unknown option -W%s (only -Werror)\n", optarg);
				return EXIT_USAGE;
			}
			werror = true;
			break;
		case 'B': {
			struct stat st;
			if (!stat(optarg, &st) && S_ISDIR(st.st_mode)) {
				if (fleet_files(optarg, &t)) {
					fprintf(stderr, "tpc: --btf %s: no BTF files in the directory\n", optarg);
					return EXIT_USAGE;
				}
				break;
			}
			FILE *f = fopen(optarg, "rb");
			if (!f) {
				fprintf(stderr, "tpc: --btf %s: cannot open\n", optarg);
				return EXIT_USAGE;
			}
			fclose(f);
			t.btf = optarg;
			break;
		}
		case 'N': t.no_btf = true; break;
		case 'K': sign_key = optarg; break;
		case 'R': {
			/* "/srv/img/" and "/srv/img" alike: paths in policies start with '/' */
			size_t n = strlen(optarg);
			while (n > 1 && optarg[n - 1] == '/')
				optarg[--n] = 0;
			t.root = strcmp(optarg, "/") ? optarg : NULL;
			break;
		}
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("tpc %s\n", TPC_VERSION); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	int nfiles = argc - optind;
	if (nfiles < 1) {
		fprintf(stderr, "tpc: no policy file given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!lint && nfiles != 1) {
		fprintf(stderr, "tpc: compile one policy file at a time (got %d); use 'tpc lint' to check several\n",
			nfiles);
		return EXIT_USAGE;
	}
	if (!lint && !out) {
		fprintf(stderr, "tpc: missing -o OUT.bpf.o\n");
		return EXIT_USAGE;
	}
	if (lint && sign_key) {
		fprintf(stderr, "tpc: --sign-key signs a compiled object; tpc lint writes none\n");
		return EXIT_USAGE;
	}
	/* the key is read before anything is compiled: a build that was
	 * asked to sign never writes an unsigned object */
	struct tpc_key *key = NULL;
	if (sign_key) {
		char why[256];
		key = tpc_key_read_private(sign_key, why, sizeof(why));
		if (!key) {
			fprintf(stderr,
				"tpc: --sign-key %s: %s (make one with: openssl genpkey -algorithm ed25519 -out KEY.pem)\n",
				sign_key, why);
			return EXIT_USAGE;
		}
	}

	install_signals();
	struct diags d = {0};
	struct policy_set *sets = xcalloc((size_t)nfiles, sizeof(*sets));
	struct policy *merged = xcalloc((size_t)nfiles, sizeof(*merged));
	struct plan *plans = xcalloc((size_t)nfiles, sizeof(*plans));
	for (int i = 0; i < nfiles && !tpc_signal; i++)
		check_file(argv[optind + i], &t, &sets[i], &merged[i], &plans[i], &d);
	if (tpc_signal)
		die_of_signal();
	diags_sort(&d);
	int rc = d.errors || (werror && d.warnings) ? EXIT_POLICY : EXIT_OK;
	if (!strcmp(format, "json"))
		diags_print_json(&d, stdout);
	else if (!strcmp(format, "sarif"))
		diags_print_sarif(&d, stdout);
	else
		diags_print_text(&d, stderr, want_color(color));
	if (rc == EXIT_OK && !lint)
		rc = compile(&plans[0], &sets[0], out, emit_c, keep_debug, key);
	tpc_key_free(key);
	for (int i = 0; i < nfiles; i++) {
		plan_free(&plans[i]);
		free(merged[i].hooks);
	}
	free(plans);
	free(merged);
	for (int i = 0; i < nfiles; i++)
		policy_set_free(&sets[i]);
	free(sets);
	diags_free(&d);
	for (int i = 0; i < t.nfleet; i++)
		free(t.fleet[i]);
	free(t.fleet);
	kbtf_release();
	tp_format_release();
	binary_release();
	if (tpc_signal)
		die_of_signal();
	return rc;
}
