/* kfeatures.h (not features.h: -I loader would hide glibc's): the
 * interface of features.c. Name what the running kernel lacks when an object fails to
 * load: program types, map types (the ring buffer), kfuncs, and helpers
 * (bpf_loop, bpf_override_return, ...) for the program types that call
 * them, each probed on this kernel. */
#ifndef TPL_KFEATURES_H
#define TPL_KFEATURES_H

#include <bpf/libbpf.h>

/* After bpf_object__load(obj) failed: probe what the programs that were to
 * load need, and print one "tp-load: PATH: ..." line per missing feature,
 * or one saying that nothing is missing and the verifier rejected the
 * code. Returns how many features it named (0: the failure is not a
 * missing feature these probes know). */
int tpl_features_explain(struct bpf_object *obj, const char *path);

/* Whether kprobe programs may call bpf_override_return on this kernel:
 * 1 yes, 0 no (why set to a sentence), -1 the probe cannot tell. */
int tpl_override_return_available(const char **why);

#endif
