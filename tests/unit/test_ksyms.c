/* test_ksyms.c: loader/ksyms.c over a kallsyms file of our own: text
 * symbols only, modules' symbols (listed out of address order) sorted in,
 * an address resolved to the last symbol at or below it, the module
 * named; a kallsyms with no addresses (kptr_restrict) resolves nothing. */
#include "ksyms.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

static char path[] = "/tmp/tpc-test-kallsyms-XXXXXX";

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	tap_prefix = "ksyms";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	write_file("ffffffff81000000 T _stext\n"
		   "ffffffff81000100 T do_syscall_64\n"
		   "ffffffff81000180 D some_data\n"
		   "ffffffff81000200 t entry_SYSCALL_64_after_hwframe\n"
		   "ffffffffc0002000 t ext4_read [ext4]\n"
		   "ffffffffc0001000 T ext4_open [ext4]\n"
		   "ffffffffc0003000 t nf_hook [nf_tables]\n");
	OK(tpl_ksyms_load(path) == 0, "loads");
	struct tpl_ksym s;
	OK(tpl_ksym_find(0xffffffff81000110, &s) == 0, "an address in do_syscall_64");
	STR_EQ(s.name, "do_syscall_64", "its symbol");
	OK(s.offset == 0x10, "offset from the symbol's start: %llu", (unsigned long long)s.offset);
	STR_EQ(s.module, "", "the kernel image has no module");
	OK(tpl_ksym_find(0xffffffff81000190, &s) == 0 && !strcmp(s.name, "do_syscall_64") && s.offset == 0x90,
	   "a data symbol is not code: the address stays in do_syscall_64 (%s+%llu)", s.name,
	   (unsigned long long)s.offset);
	OK(tpl_ksym_find(0xffffffff81000200, &s) == 0 && !strcmp(s.name, "entry_SYSCALL_64_after_hwframe") &&
		   s.offset == 0,
	   "a symbol's first byte");
	OK(tpl_ksym_find(0xffffffffc0001004, &s) == 0, "a module's address, listed after a later one");
	STR_EQ(s.name, "ext4_open", "its symbol");
	STR_EQ(s.module, "ext4", "its module");
	OK(tpl_ksym_find(0xffffffffc0003008, &s) == 0 && !strcmp(s.module, "nf_tables"), "another module");
	OK(tpl_ksym_find(0xffffffff80000000, &s) == -1, "below the first symbol: none");

	write_file("0000000000000000 T _stext\n0000000000000000 T do_syscall_64\n");
	OK(tpl_ksyms_load(path) == -1, "kallsyms without addresses is refused (said on stderr)");
	OK(tpl_ksym_find(0xffffffff81000110, &s) == -1, "and resolves nothing");
	tpl_ksyms_free();
	unlink(path);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
