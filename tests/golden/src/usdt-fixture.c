/* usdt-fixture.c: the USDT binary of the golden cases, checked in built
 * (root/opt/tpc-golden/usdt-fixture) so that their C depends on tpc and
 * the policy only, not on this machine's compiler; tpc reads it through
 * --root root (golden.sh). Rebuild it only to change the fixture:
 *
 *   cd tests/golden && gcc -Os -static -nostdlib -fno-asynchronous-unwind-tables -fno-pie -no-pie \
 *       -Wl,--build-id=none -o root/opt/tpc-golden/usdt-fixture src/usdt-fixture.c
 *
 * It is never run. golden:pair passes a number and a string in registers,
 * golden:forms a constant, a value in memory and one in a register; both
 * have semaphores. Its symbols serve the lint fixtures of uprobes: a
 * function (golden_apply), an ifunc (golden_pick), data (golden_counter). */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short golden_pair_semaphore __attribute__((used, section(".probes")));
unsigned short golden_forms_semaphore __attribute__((used, section(".probes")));

static const char text[] = "golden";
long golden_counter;

__attribute__((noinline, used)) long golden_apply(long n)
{
	golden_counter += n;
	return golden_counter;
}

static long pick_one(long n)
{
	return n + 1;
}

static void *golden_pick_resolver(void)
{
	return (void *)pick_one;
}

long golden_pick(long n) __attribute__((ifunc("golden_pick_resolver")));

void _start(void)
{
	long n = (long)&text[0] & 0xff;
	volatile long in_memory = n + 1000;
	int negative = (int)-n;
	DTRACE_PROBE2(golden, pair, n, text);
	DTRACE_PROBE3(golden, forms, 42, in_memory, negative);
	golden_apply(n);
	__asm__ volatile("mov $60, %%eax; xor %%edi, %%edi; syscall" ::: "memory");
	for (;;)
		;
}
