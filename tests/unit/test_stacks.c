/* test_stacks.c: loader/stacks.c and usyms.c without the kernel: a stack
 * id that bpf_get_stackid failed to get (-EEXIST, -EFAULT) comes out as
 * the stack's error, not as an empty stack; user addresses of this very
 * program resolve to its own functions, its file and the offset in it. */
#include "stacks.h"
#include "tap.h"
#include "usyms.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

__attribute__((noinline)) int stacks_test_function(int x)
{
	return x * 3 + 1;
}

int main(void)
{
	tap_prefix = "stacks";
	static struct tpc_ev ev;
	ev.h.actions = TPC_ACT_POST | TPC_ACT_KSTACK | TPC_ACT_USTACK;
	ev.h.kstack = -EEXIST;
	ev.h.ustack = -EFAULT;
	tpl_stacks_resolve(-1, "test.bpf.o", &ev);
	OK(ev.kstack && ev.kstack->err == -EEXIST && ev.kstack->n == 0, "a kernel stack id of -EEXIST is the stack's error");
	OK(ev.ustack && ev.ustack->err == -EFAULT && ev.ustack->n == 0, "a user stack id of -EFAULT is the stack's error");
	ev.h.actions = TPC_ACT_POST | TPC_ACT_USTACK;
	ev.h.ustack = 5;
	tpl_stacks_resolve(-1, "test.bpf.o", &ev);
	OK(!ev.kstack, "no kernel stack asked: none");
	OK(ev.ustack && ev.ustack->err == -ENOENT, "an object without a stack map: ENOENT, said");

	struct tpl_umaps *m = tpl_umaps_read(getpid(), getpid());
	OK(m != NULL, "reads its own maps");
	struct tpl_usym s;
	uintptr_t addr = (uintptr_t)&stacks_test_function + 2;
	OK(m && tpl_usym_find(m, addr, &s) == 0, "an address inside one of its functions is in a file mapping");
	STR_EQ(s.name, "stacks_test_function", "named after the function covering it");
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	STR_EQ(s.module, self, "its module is the program's file");
	OK(m && tpl_usym_find(m, 16, &s) == -1, "an address no file maps: none");
	tpl_umaps_free(m);
	tpl_stacks_free();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
