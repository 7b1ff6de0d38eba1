/* bpf_prog_load: loads one tiny socket filter named NAME through the bpf
 * syscall (BPF_PROG_LOAD, 2 instructions: r0 = 0; exit) and closes it, so
 * that tests see a bpf_attr and a bpf_cmd from a process of their own.
 *   bpf_prog_load NAME */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	if (argc < 2) {
		fprintf(stderr, "usage: bpf_prog_load NAME\n");
		return 2;
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insn_cnt = 2;
	attr.insns = (unsigned long)insns;
	attr.license = (unsigned long)"GPL";
	strncpy(attr.prog_name, argv[1], sizeof(attr.prog_name) - 1);
	long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		perror("bpf(BPF_PROG_LOAD)");
		return 1;
	}
	close((int)fd);
	return 0;
}
