/* lint_rules.c: every rule id a diagnostic may carry, with a one-line
 * summary. Ids are stable (tools filter on them); the SARIF output lists
 * them as the driver's rules, and README's "Lint rules" table mirrors
 * this one (tests/bats/lint.bats checks that every id used in compiler/
 * is in both). */
#include "tpc.h"

#include <string.h>

const struct lint_rule lint_rules[] = {
	/* reading the file */
	{"io", "the file cannot be read, or is binary"},
	{"yaml-syntax", "the file is not valid YAML"},
	{"yaml-size", "the file is longer than 16 MiB, the most tpc reads of a policy"},
	{"yaml-depth", "lists and mappings nested deeper than 64 levels"},
	{"yaml-aliases", "a document that aliases expand past 1,000,000 nodes, or an alias inside the node it names (a cycle)"},
	{"empty", "no TracingPolicy document in the file"},
	{"internal", "tpc itself failed"},
	/* schema */
	{"duplicate-key", "a key written twice in one mapping (YAML forbids it; the first counts)"},
	{"unknown-key", "a key the TracingPolicy CRD does not have (with a suggestion when one is close)"},
	{"wrong-type", "a value of the wrong YAML kind or scalar type"},
	{"out-of-range", "an integer outside the range its key allows"},
	{"bad-enum", "a value not among a key's allowed names (arg type, operator, action, kind, ...)"},
	{"missing-key", "a required key is absent"},
	{"bad-name", "a call, tracepoint subsystem or event with characters no kernel name has (or a NUL byte)"},
	{"unsupported", "part of the CRD that tpc recognises but does not implement yet"},
	{"no-hooks", "a policy with no kprobes, tracepoints, uprobes, usdts, lsmhooks or fentries"},
	{"unknown-list", "a call \"list:NAME\" naming no list of spec.lists"},
	{"bad-list", "a spec.lists entry that cannot be expanded (a bad syscall element or ABI, values on a generated "
		     "list, a name defined twice)"},
	{"cel-expr", "a CelExpr outside tpc's subset of CEL, of the wrong types, or not returning bool"},
	{"node-selector", "a nodeSelector, which tp-load ignores (Tetragon applies it only to policies from the Kubernetes API)"},
	{"enforcer", "a spec.enforcers entry beyond the first, or a call that is not sys_X, a prefixed syscall, "
		     "security_X or list:NAME, or needs another override-method"},
	{"notify-enforcer", "NotifyEnforcer without spec.enforcers, or NotifyEnforcer/CleanupEnforcerNotification where "
			    "it has no effect"},
	{"syscall-default", "a kprobe or fentry on a kernel function without syscall: the CRD's default (true) does not "
			    "fit it; tpc probes the function (write syscall: false)"},
	{"option", "an option with a bad value (the policy is refused), or an unknown option (ignored, as Tetragon "
		   "ignores it)"},
	{"macro", "a selector macro that is undefined, uses other macros, or sets a field the selector or another "
		  "macro also sets"},
	/* args and selectors */
	{"duplicate-arg", "two args with one index"},
	{"resolve", "a resolve path, btfType or data source that does not walk the kernel's types (misspelt member, "
		    "index out of bounds, too deep, not a pointer), or one that is ignored"},
	{"auto-type", "type auto (or no type) where tpc cannot derive the type from the format file or the kernel BTF"},
	{"size-arg", "sizeArgIndex out of range, on the wrong arg type, or not pointing at an integer arg"},
	{"char-buf-size", "char_buf without sizeArgIndex reads a fixed number of bytes"},
	{"matcharg-index", "a matchArgs index that is not among the hook's args"},
	{"no-values", "a matchArgs entry with no values"},
	{"op-type", "an operator meaningless for the arg's type"},
	{"bad-value", "a value that does not parse or fit the arg's type"},
	{"return-copy", "returnCopy on a hook that has no return probe (a tracepoint)"},
	{"return-args", "matchReturnArgs without a return probe"},
	{"return-actions", "matchReturnActions without a return probe, or an action that cannot act after the call "
			   "returned (Override, fd tracking; TrackSock of anything but the returned sock)"},
	{"return-arg", "returnArg without return: true (ignored)"},
	{"binary-path", "a matchBinaries value that is not an absolute path"},
	{"too-many-hooks", "more than 4096 hooks in one object (all documents of a file together): tp-load takes no more"},
	{"too-many-compares", "the checks of a hook would take more BPF instructions than a jump reaches (values compared one by one)"},
	{"too-many-follow", "more followForks/followChildren filters than an object can track"},
	{"too-many-selectors", "more than 64 selectors on a hook that reports at return"},
	{"too-many-slots", "a hook needs more whole-string buffers (file/path/fd args, Postfix, long values) than the runtime has"},
	{"override-return", "Override in a hook that reports at return: it must act at the call's entry"},
	{"rate-limit", "rateLimit on an action other than Post"},
	/* actions */
	{"kill-all", "Sigkill, Signal 9 or Override in a selector with no filters hits every caller"},
	{"override-call", "Override on a call whose return value cannot be overridden"},
	{"override-error", "Override with a positive argError"},
	{"action-arg", "an action's argFd/argName that is not a suitable arg of the hook"},
	{"followfd-unfollow", "FollowFD without an UnfollowFD in the policy"},
	{"stack-trace", "kernelStackTrace/userStackTrace on an action other than Post, on an lsm hook, or where no stack is reported"},
	/* hooks */
	{"not-a-syscall", "syscall: true on a call that does not name a syscall"},
	{"syscall-flag", "a sys_ call without syscall: true"},
	{"no-twin", "a syscall with no syscalls/sys_enter_X tracepoint to attach to without kprobes"},
	{"arg-index", "an arg index beyond the registers a kprobe, syscall or uprobe can read"},
	{"no-tracepoint", "a tracepoint that does not exist in tracefs (a raw one: no btf_trace_<event> in the kernel BTF)"},
	{"tp-field-index", "a tracepoint arg index beyond the event's fields"},
	{"tp-field-type", "an arg type that does not fit the tracepoint field"},
	/* uprobes and USDTs */
	{"probe-path", "a uprobe or USDT path that is not absolute, not a readable ELF binary, or of another architecture"},
	{"binary-missing", "the binary is not on this machine: a warning for uprobes (tp-load resolves symbols), an error for USDTs"},
	{"probe-target", "not exactly one of symbols, offsets and addrs; a malformed NAME+OFFSET; refCtrOffsets of another length"},
	{"probe-symbol", "a symbol the binary does not have (or an ifunc, data, an offset past its end), an address in no code"},
	{"binary-digest", "a malformed binaryDigests entry, or a binary here that matches none of them"},
	{"probe-arg-type", "an arg type naming a kernel object (fd, file, path, dentry, char_iovec) on a uprobe or USDT"},
	{"probe-action", "GetUrl or DnsLookup on a uprobe or USDT"},
	{"usdt-probe", "a USDT provider:name the binary has no probe of"},
	{"usdt-arg", "a USDT arg index beyond the probe's arguments, or an argument tpc cannot read"},
	/* kernel BTF */
	{"btf-unavailable", "the kernel BTF cannot be read; kernel checks skipped"},
	{"btf-no-call", "the kprobe's or fentry's function or syscall, or the lsm hook (bpf_lsm_<hook>), is not in the kernel BTF"},
	{"call-not-found", "with ignore.callNotFound: the kprobe's or fentry's function or syscall is not in the kernel BTF; the hook is skipped on nodes without it"},
	{"btf-arg-index", "an arg index beyond the function's (or raw tracepoint's) prototype"},
	{"btf-arg-type", "an arg type that contradicts the function's (or raw tracepoint's) prototype"},
	{"btf-fleet", "with --btf DIR: a call, field or resolve path some of the fleet's kernels lack (they are named)"},
	{"btf-return-type", "a returnArg type that contradicts the function's return type"},
	{NULL, NULL},
};

const struct lint_rule *lint_rule_find(const char *id)
{
	for (int i = 0; lint_rules[i].id; i++)
		if (!strcmp(lint_rules[i].id, id))
			return &lint_rules[i];
	return NULL;
}
