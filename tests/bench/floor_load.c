/* floor_load.c: a minimal libbpf loader for floor.bpf.o (or any object
 * whose programs attach by their section names) and floor_uprobe.bpf.o.
 *
 *   tpc-bench-floor OBJ.bpf.o [BINARY FUNCTION]
 *
 * Loads and attaches every tracepoint program (others, such as the kprobe
 * programs of a tpc object, are not loaded: this kernel cannot attach
 * them) and, given BINARY and FUNCTION, every uprobe program there; prints
 * their program ids on stdout
 * (one per line, so the driver can read their bpf_stats), then
 * "tpc-bench-floor: attached" on stderr, and stays attached until SIGINT
 * or SIGTERM. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: tpc-bench-floor OBJ.bpf.o [BINARY FUNCTION]\n");
		return 2;
	}
	const char *binary = argc == 4 ? argv[2] : NULL, *func = argc == 4 ? argv[3] : NULL;
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "tpc-bench-floor: cannot open %s\n", argv[1]);
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);
		if (strncmp(sec, "tracepoint/", 11) != 0 && !(binary && !strcmp(sec, "uprobe")))
			bpf_program__set_autoload(prog, false);
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "tpc-bench-floor: cannot load %s\n", argv[1]);
		bpf_object__close(obj);
		return 1;
	}
	int nlinks = 0, rc = 0;
	struct bpf_link *links[16];
	bpf_object__for_each_program(prog, obj) {
		if (nlinks == 16)
			break;
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *l;
		if (!strcmp(bpf_program__section_name(prog), "uprobe")) {
			LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = func);
			l = bpf_program__attach_uprobe_opts(prog, -1, binary, 0, &uo);
		} else {
			l = bpf_program__attach(prog);
		}
		if (!l) {
			fprintf(stderr, "tpc-bench-floor: cannot attach %s\n", bpf_program__name(prog));
			rc = 1;
			goto out;
		}
		links[nlinks++] = l;
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0)
			printf("%u\n", info.id);
	}
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "tpc-bench-floor: attached\n");
	/* a short sleep, not pause(): a signal between the test and pause()
	 * would be lost */
	while (!stop)
		usleep(100 * 1000);
out:
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return rc;
}
