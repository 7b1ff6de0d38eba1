/* test_ring.c: loader/ring.c against real kernel ring buffers. A socket
 * filter of our own (run by BPF_PROG_TEST_RUN) copies its packet into a
 * 200-byte record: 208 bytes with the header, which divides neither ring
 * (one page; 256 KB, larger than ring.c's window), so records keep
 * wrapping over the end. Every record must arrive once, whole and in
 * order; only the positions and a window of the data area are mapped
 * (not the data area twice, as libbpf does); a callback's error stops the
 * read after the record it was given. Needs root (skipped otherwise). */
#include "ring.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#define REC 200

static int seen, bad, stop_at;

static int on_record(void *ctx, void *data, size_t size)
{
	const unsigned char *d = data;
	int want = seen++;
	if (size != REC)
		bad++;
	/* record k carries the byte k+i at offset i */
	for (size_t i = 0; i < size; i++)
		if (d[i] != (unsigned char)(want + i))
			bad++;
	return want == stop_at ? -EIO : 0;
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static int load_prog(int map_fd)
{
	struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0),
		/* bpf_skb_load_bytes(skb, 0, fp - REC, REC) */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, -REC),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, REC),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes),
		INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 7, 0),
		/* bpf_ringbuf_output(map, fp - REC, REC, 0) */
		INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -REC),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, REC),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ring_test", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
}

static int produce(int prog, int k)
{
	/* the test run takes an Ethernet header off the packet first */
	unsigned char pkt[14 + REC] = { 0 };
	for (int i = 0; i < REC; i++)
		pkt[14 + i] = (unsigned char)(k + i);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
	return bpf_prog_test_run_opts(prog, &o);
}

/* The bytes of /proc/self/maps lines naming the ring's map. */
static long mapped_bytes(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	long sum = 0;
	unsigned long a, b;
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "anon_inode:bpf-map") && sscanf(line, "%lx-%lx", &a, &b) == 2)
			sum += (long)(b - a);
	if (f)
		fclose(f);
	return sum;
}

static void one_ring(long ring, int per_round)
{
	seen = bad = 0;
	stop_at = -1;
	printf("# a ring of %ld bytes, %d records a round\n", ring, per_round);
	int map = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "ring_test", 0, 0, (__u32)ring, NULL);
	int prog = map >= 0 ? load_prog(map) : -1;
	OK(map >= 0 && prog >= 0, "a ring buffer and a program that writes to it (%d, %d)", map, prog);
	if (prog < 0)
		return;
	struct tpl_rings *rs = tpl_rings_new();
	OK(rs && tpl_rings_add(rs, map, on_record, NULL) == 0, "the ring is added");
	long page = sysconf(_SC_PAGESIZE);
	OK(mapped_bytes() == 2 * page, "the two pages of positions mapped, no data yet (%ld bytes)",
	   mapped_bytes());
	OK(tpl_rings_consume(rs) == 0 && !tpl_rings_pending(rs), "empty: nothing read, nothing pending");

	/* 12 rounds of records: the ring wraps at least twice */
	int made = 0, read = 0, failed = 0;
	long most = 0;
	for (int round = 0; round < 12; round++) {
		for (int i = 0; i < per_round; i++)
			failed += produce(prog, made++) != 0;
		if (!tpl_rings_pending(rs))
			failed++;
		int n = round % 2 ? tpl_rings_poll(rs, 100) : tpl_rings_consume(rs);
		read += n > 0 ? n : 0;
		if (mapped_bytes() > most)
			most = mapped_bytes();
	}
	OK(!failed, "every record written");
	OK(read == made && seen == made, "every record read once: %d made, %d counted, %d seen", made, read, seen);
	OK(!bad, "every record whole and in order, those that wrap too (%d bad bytes)", bad);
	OK(!tpl_rings_pending(rs), "nothing left");
	OK(most <= 2 * page + (ring < 65536 ? 2 * ring : 65536 + page), "at most the positions and a window mapped (%ld bytes)", most);

	/* a callback's error: returned, its record is read, the rest stays */
	for (int i = 0; i < 3; i++)
		produce(prog, made++);
	stop_at = seen;
	OK(tpl_rings_consume(rs) == -EIO && seen == made - 2, "the callback's error is returned after its record");
	OK(tpl_rings_pending(rs), "the records after it wait");
	OK(tpl_rings_consume(rs) == 2 && seen == made && !bad, "and are read next time");

	tpl_rings_free(rs);
	OK(mapped_bytes() == 0, "unmapped when freed");
	close(prog);
	close(map);
}

int main(void)
{
	tap_prefix = "ring";
	if (geteuid() != 0) {
		printf("1..0 # skip: needs root to load BPF\n");
		return 0;
	}
	one_ring(4096, 15);
	one_ring(256 * 1024, 250);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
