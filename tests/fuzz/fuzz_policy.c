/* fuzz_policy.c: libFuzzer over tpc's front end, parse + check + the
 * three diagnostic printers, built with ASan and UBSan (make fuzz). Each
 * input is a policy file's bytes; whatever they are, tpc must report and
 * go on: no crash, no leak, no hang, no undefined behaviour. The kernel
 * checks run too (tracefs and BTF of this machine; BTF is parsed once and
 * cached), so the BTF code sees fuzzed call names and arg types.
 *
 * Seeds: ../shared/corpus/tetragon and tests/fixtures/lint (see Makefile). */
#include "tpc.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* parse_policy_file refuses NUL bytes before parsing; do the same */
	if (memchr(data, 0, size))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;

	struct policy_set ps = {0};
	struct diags d = {0};
	struct target t = {.tracefs = "/sys/kernel/tracing", .arch = "x86"};
	if (parse_policy_text("fuzz.yaml", text, size, &ps, &d))
		for (int i = 0; i < ps.n; i++) {
			struct plan pl;
			type_policy(&ps.v[i], &t, &d);
			check_policy(&ps.v[i], &t, &d);
			plan_build(&pl, &ps.v[i], &t, &d); /* its limits are lint rules too */
			plan_free(&pl);
		}
	diags_sort(&d);
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		diags_print_text(&d, null, true);
		diags_print_json(&d, null);
		diags_print_sarif(&d, null);
		fclose(null);
	}
	policy_set_free(&ps);
	diags_free(&d);
	binary_release(); /* uprobe and USDT binaries a fuzzed path named */
	free(text);
	return 0;
}
