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
#include "log.h"
#include "manifest.h"
#include "verify.h"

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

/* In the child: the object against its manifest, then every program. */
static int verify_all(const struct tpl_obj *o)
{
	const char *path = o->path;
	struct bpf_object *obj;
	struct bpf_program *p;
	int n = 0, bad = 0;

	if (tpl_child_check(o))
		return 1;
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
		if (verify_one(o, i))
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
