/* usdt_target: fires the USDT probe tpctest:pair (<sys/sdt.h>) with two
 * arguments, a number and a string, once per argument:
 *
 *   usdt_target N...      for each N: tpctest:pair(N, "pair-N")
 *
 * Built twice (tests/progs/usdt_sema_target.c includes this file with
 * _SDT_HAS_SEMAPHORES): that build has a semaphore, which the kernel
 * counts up while a probe is attached to the site, and fires the probe
 * only while it is non-zero. Each line says whether it fired.
 *
 * tpctest:forms(42, N + 1000, -N) passes a constant, a value the compiler
 * leaves in memory (a volatile local) and one in a register: the three
 * kinds of argument location a stapsdt note names. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

#ifdef _SDT_HAS_SEMAPHORES
/* <provider>_<name>_semaphore, in .probes: the note records its address */
unsigned short tpctest_pair_semaphore __attribute__((used, section(".probes")));
unsigned short tpctest_forms_semaphore __attribute__((used, section(".probes")));
#define PAIR_ENABLED() (*(volatile unsigned short *)&tpctest_pair_semaphore != 0)
#else
#define PAIR_ENABLED() 1
#endif

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: usdt_target N...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		long n = atol(argv[i]);
		char s[32];
		snprintf(s, sizeof(s), "pair-%ld", n);
		volatile long in_memory = n + 1000;
		int negative = (int)-n;
		DTRACE_PROBE3(tpctest, forms, 42, in_memory, negative);
		if (PAIR_ENABLED()) {
			DTRACE_PROBE2(tpctest, pair, n, s);
			printf("fired %ld\n", n);
		} else {
			printf("disabled %ld\n", n);
		}
	}
	return 0;
}
