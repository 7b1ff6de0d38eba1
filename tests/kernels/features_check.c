/* features_check OBJ PROG: loads program PROG of OBJ alone, as tp-load
 * does, and on failure lets loader/features.c name what the kernel lacks.
 * Prints "PROG loaded" (exit 0) or "PROG refused" (exit 1) on stdout, the
 * explanations ("tp-load: ...") and the load's log tail on stderr. */
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "kfeatures.h"
#include "log.h"

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p, *target = NULL;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: features_check OBJ PROG\n");
		return 2;
	}
	tpl_log_init();
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror(argv[1]);
		return 2;
	}
	bpf_object__for_each_program(p, obj) {
		int me = !strcmp(bpf_program__name(p), argv[2]);
		bpf_program__set_autoload(p, me);
		if (me)
			target = p;
	}
	if (!target) {
		fprintf(stderr, "%s: no program %s\n", argv[1], argv[2]);
		return 2;
	}
	tpl_capture_begin();
	err = bpf_object__load(obj);
	tpl_capture_end();
	if (!err) {
		printf("%s loaded\n", argv[2]);
		bpf_object__close(obj);
		return 0;
	}
	printf("%s refused\n", argv[2]);
	fflush(stdout);
	tpl_features_explain(obj, argv[1]);
	tpl_capture_print_tail(8);
	bpf_object__close(obj);
	return 1;
}
