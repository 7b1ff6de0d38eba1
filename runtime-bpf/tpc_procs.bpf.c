/* tpc_procs.bpf.c: the runtime programs every object carries (process
 * table, process events, whoami: tpc_procs.bpf.h), compiled once per
 * architecture when tpc is built (make: -D__TARGET_ARCH_x86 or _arm64).
 * tpc embeds the objects and links the one of the target's architecture
 * with each policy's own unit (libbpf's BPF linker), so that clang, per
 * policy, compiles only the policy's hooks: these programs were most of
 * the compile time of a small policy. Nothing here may depend on a
 * policy; what does (tpc_fork_follow) is the policy unit's, reached by
 * an extern call. */
#include "tpc_runtime.bpf.h"
#include "tpc_procs.bpf.h"
