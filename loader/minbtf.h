/* minbtf.h: the kernel types an object's CO-RE relocations can need, as
 * a small raw BTF (what `bpftool gen min_core_btf` makes; written here).
 *
 * libbpf relocates an object against the whole vmlinux BTF: parsing its
 * 5-6 MB costs ~35-45 ms here, most of tp-load's start-up. Given this
 * BTF instead (btf_custom_path), libbpf finds the same candidates and
 * computes the same offsets, sizes and existence answers, because it
 * holds, for every relocation's root type name, every kernel type libbpf
 * would consider a candidate, and of each the members its matching visits
 * (the path to the first member of the name it looks for, inside
 * anonymous members too), the types those need to be compared and sized,
 * and everything else left out without changing an answer (a pointer to
 * a type not kept points to void; an unkept struct keeps its size).
 *
 * Whatever this does not model is declined (the caller then relocates
 * against the whole vmlinux BTF): a relocation whose answer is a vmlinux
 * type id (bpf_core_type_id_kernel), type-match relocations, the sign of
 * a field that is no integer or enum, a root type without a name, a root
 * type vmlinux lacks (libbpf would then look in the modules' BTF), and
 * anything malformed. */
#ifndef TPL_MINBTF_H
#define TPL_MINBTF_H

#include <stddef.h>

struct btf;

/* The raw BTF for the object image[0..len) against vmlinux (the parsed
 * kernel BTF): 0 and a malloc'd *out of *outlen bytes, or -1 (declined;
 * why in why[]). An object without CO-RE relocations also declines. */
int tpl_min_btf(const void *image, size_t len, const struct btf *vmlinux, void **out, size_t *outlen,
		char *why, size_t whylen);

#endif
