/* verify.c: see verify.h.  Each program is loaded alone (its own open of
 * the object), so that one rejection names exactly its program and does
 * not hide the verdict on the others. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "kfeatures.h"
#include "hooks.h"
#include "log.h"
#include "manifest.h"
#include "verify.h"
#include "optional.h"

/* The bytes tpl_obj_open read, checked (--require-digest,
 * --trusted-keys) and parsed: never the file again, which may have
 * changed since. */
static struct bpf_object *open_obj(const struct tpl_obj *o)
{
	struct bpf_object *obj;
	const char *path = o->path, *base = strrchr(path, '/');

	tpl_capture_begin();
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = base ? base + 1 : path,
		    .pin_root_path = TPC_PIN_DIR); /* as tp-load opens it */
	obj = bpf_object__open_mem(o->image, o->image_len, &oo);
	tpl_capture_end();
	if (!obj) {
		tpl_err("%s: cannot open BPF object: %s", path, strerror(errno));
		tpl_capture_print_tail(10);
	}
	return obj;
}

/* Load program number idx alone; print its line.  0 ok, 1 rejected,
 * -1 other error. */
static int verify_one(const struct tpl_obj *o, int idx)
{
	const char *path = o->path;
	struct bpf_object *obj = open_obj(o);
	struct bpf_program *p, *target = NULL;
	int i = 0, err, rc;
	char feature[256];

	if (!obj)
		return -1;
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_autoload(p, i == idx);
		if (i == idx)
			target = p;
		i++;
	}
	if (!target) {
		bpf_object__close(obj);
		return -1;
	}
	tpl_capture_begin();
	err = bpf_object__load(obj);
	tpl_capture_end();
	if (err) {
		printf("%s: %s %s rejected\n", path, bpf_program__name(target),
		       bpf_program__section_name(target));
		fflush(stdout);
		tpl_err("%s: program %s failed to load: %s", path,
			bpf_program__name(target), strerror(-err));
		if (!tpl_features_explain(obj, path) &&
		    tpl_capture_feature(feature, sizeof(feature)))
			tpl_err("%s: %s", path, feature);
		tpl_capture_print_tail(30);
		rc = 1;
	} else {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(target), &info, &len)) {
			tpl_err("%s: %s: cannot read program info: %s", path,
				bpf_program__name(target), strerror(errno));
			rc = -1;
		} else {
			printf("%s: %s %s ok insns=%u verified=%u jited=%u\n", path,
			       bpf_program__name(target),
			       bpf_program__section_name(target),
			       info.xlated_prog_len / 8, info.verified_insns,
			       info.jited_prog_len);
			fflush(stdout);
			rc = 0;
		}
	}
	bpf_object__close(obj);
	return rc;
}

/* Programs of a variant this kernel cannot load at all (lsm without BPF
 * LSM, fentry/fexit without trampolines) are refused by name, the
 * facility said, not handed to the verifier to fail with a bare EPERM.
 * Their names go to skip[] (at most max). */
static int refuse_unloadable(const char *path, const struct tpc_manifest *m, char **skip, int max, int *nskip)
{
	int bad = 0;
	int *missing = calloc(m->nhooks ? (size_t)m->nhooks : 1, sizeof(int));

	if (!missing) {
		tpl_err("out of memory");
		return 1;
	}
	tpl_fentries_missing(m, missing);
	for (int i = 0; i < m->nhooks; i++) {
		const struct tpc_hook *h = &m->hooks[i];
		if (missing[i]) {
			/* a fentry does not load without its target; a
			 * kprobe's program does, and is verified as usual */
			char what[600];
			tpl_hook_describe(h, what, sizeof(what));
			tpl_warn("%s: hook %d (%s): not on this kernel: skipped (ignore.callNotFound)", path, i, what);
			for (int k = 0; k < h->nprogs && *nskip < max; k++)
				skip[(*nskip)++] = h->progs[k].name;
			continue;
		}
		for (int k = 0; k < h->nprogs; k++) {
			const char *why = NULL;
			if (tpl_variant_loadable(h->progs[k].variant, &why) || !why)
				continue;
			char what[600];
			tpl_hook_describe(h, what, sizeof(what));
			printf("%s: %s %s%s refused\n", path, h->progs[k].name,
			       h->enforcer && h->progs[k].variant == TPC_VARIANT_FENTRY ?
				       "fmod_ret/" :
				       tpl_variant_section(h->progs[k].variant, h->progs[k].role),
			       tpl_hook_target(h));
			fflush(stdout);
			if (h->enforcer)
				tpl_err("%s: hook %d (%s): the enforcer's fmod_ret trampoline cannot load: %s", path, i,
					what, why);
			else
				tpl_err("%s: hook %d (%s): %s", path, i, what, why);
			if (*nskip < max)
				skip[(*nskip)++] = h->progs[k].name;
			bad = 1;
		}
	}
	free(missing);
	return bad;
}

/* Is program number idx of the object one of skip[]? */
static int skipped(const struct tpl_obj *o, int idx, char **skip, int nskip)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	int i = 0, hit = 0;

	if (!nskip)
		return 0;
	obj = open_obj(o);
	if (!obj)
		return 0;
	bpf_object__for_each_program(p, obj) {
		if (i++ != idx)
			continue;
		for (int k = 0; k < nskip; k++)
			hit |= strcmp(bpf_program__name(p), skip[k]) == 0;
	}
	bpf_object__close(obj);
	return hit;
}

/* In the child: the object against its manifest, then every program. */
static int verify_all(const struct tpl_obj *o)
{
	const char *path = o->path;
	struct bpf_object *obj;
	struct bpf_program *p;
	int n = 0, bad = 0, nskip = 0;
	char *skip[256];

	if (tpl_child_check(o))
		return 1;
	bad = refuse_unloadable(path, &o->m, skip, 256, &nskip);

	obj = open_obj(o);
	if (!obj)
		return 1;
	bpf_object__for_each_program(p, obj)
		n++;
	bpf_object__close(obj);
	if (n == 0) {
		tpl_err("%s: no programs", path);
		return 1;
	}
	for (int i = 0; i < n; i++)
		if (!skipped(o, i, skip, nskip) && verify_one(o, i))
			bad = 1;
	return bad;
}

int tpl_verify(const char *path)
{
	struct tpl_obj o;
	int st, rc;

	/* Only tpc objects, with a manifest this tp-load understands and
	 * that agrees with the object's maps and programs: what loading
	 * would refuse, verifying refuses too. libbpf parses the object in
	 * a child (attach.c says why). */
	if (tpl_obj_open(&o, -1, path, path)) {
		tpl_obj_close(&o);
		return 1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		rc = verify_all(&o);
		fflush(stdout);
		fflush(stderr);
		_exit(rc ? TPL_CHILD_REPORTED : 0);
	}
	rc = 1;
	if (pid < 0) {
		tpl_err("%s: fork: %s", path, strerror(errno));
	} else {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(st))
			tpl_err("%s: loading the object crashed its loading process (signal %d, %s): a malformed object",
				path, WTERMSIG(st), strsignal(WTERMSIG(st)));
		else if (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == TPL_CHILD_REPORTED)
			rc = WEXITSTATUS(st) ? 1 : 0;
		else
			tpl_err("%s: loading the object failed in its loading process (exit status %d): a malformed object",
				path, WEXITSTATUS(st));
	}
	tpl_obj_close(&o);
	return rc;
}
