# tpc: compile TracingPolicies to specialised BPF objects; tp-load runs them.
#
#   make            build out/bin/tpc and out/bin/tp-load
#   make run        the main job on the shipped default policy (needs root)
#   make test       every test; ends with "N passed, N failed, N skipped"
#   make test-kernels  the kernel matrix alone: Debian's 6.1 and 6.12 in QEMU
#   make bench      benchmarks (tests/bench)
#   make deps       install the Debian packages everything needs (root)
#   make soak       10 minutes of tp-load at full rate: RSS and map sizes (tests/soak.sh)
#   make diff-test  1,000,000 random (policy, event) pairs: generated checks vs a
#                   reference evaluator of selectors (tests/diff; DIFF_SEED, default 1)
#   make fuzz-loader  libFuzzer over tp-load's object/manifest/event reading
#                   (FUZZ_SECONDS, default 60)
#   make fuzz       libFuzzer over tpc's parse + check (FUZZ_SECONDS, default 60)
#   SANITIZE=1      with any of the above: ASan + UBSan builds (make test SANITIZE=1)

# the flags stamp rule below would otherwise be the default goal
.DEFAULT_GOAL := all
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE
OUT     := out
BIN     := $(OUT)/bin
OBJDIR  := $(OUT)/obj

# The programs the tests drive (tests/progs) are built without sanitizers: they
# play attackers and victims (setresuid, exec, signals), and LeakSanitizer
# aborts in a process that changed its uids.
PROG_CFLAGS := $(CFLAGS)
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

# Objects depend on the flags they were built with: switching SANITIZE (or
# CFLAGS) rebuilds them instead of linking stale ones into the new binaries.
FLAGS_STAMP := $(OBJDIR)/flags.stamp
BUILD_FLAGS := $(CC) $(CFLAGS) $(LDFLAGS)
$(FLAGS_STAMP): FORCE | $(OBJDIR)
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' >$@
.PHONY: FORCE
FORCE:

COMPILER_SRC := $(filter-out compiler/embed_gen.c,$(wildcard compiler/*.c))
LOADER_SRC   := $(wildcard loader/*.c)
COMMON_SRC   := $(wildcard common/*.c)
# The runtime programs every object carries, compiled once per target
# architecture here (tpc links them with each policy's unit: compiler/link.c).
BPF_CLANG    ?= clang
BPF_STRIP    ?= llvm-strip
# cc.c's flags for a policy when it uses the precompiled header (cc.c's
# pch_args and plain_args): the header is built with the same ones.
PCH_CFLAGS   := -target bpf -O2 -g -Wall -Wno-unused-function -Werror=implicit-function-declaration \
		-fdebug-compilation-dir=/tpc -I . -idirafter /usr/local/include -idirafter /usr/include \
		-fpch-validate-input-files-content
RUNTIME_BPF  := $(OBJDIR)/runtime/tpc_procs.x86.bpf.o $(OBJDIR)/runtime/tpc_procs.arm64.bpf.o
# The runtime headers precompiled for this host's architecture (cc.c says
# how tpc uses it and when it does not); ~1 MB, so not for the other one,
# whose policies clang compiles from the headers as before.
HOST_ARCH    := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86)
RUNTIME_PCH  := $(OBJDIR)/runtime/tpc_runtime.$(HOST_ARCH).pch
EMBEDDED     := $(wildcard runtime-bpf/*.h) $(wildcard templates/*.tmpl) $(RUNTIME_BPF) $(RUNTIME_PCH)

COMPILER_OBJ := $(patsubst compiler/%.c,$(OBJDIR)/compiler/%.o,$(COMPILER_SRC)) $(OBJDIR)/compiler/runtime_files.o
LOADER_OBJ   := $(patsubst loader/%.c,$(OBJDIR)/loader/%.o,$(LOADER_SRC))
COMMON_OBJ   := $(patsubst common/%.c,$(OBJDIR)/common/%.o,$(COMMON_SRC))

.PHONY: all run test bench deps clean policies soak install uninstall
all: $(BIN)/tpc $(BIN)/tp-load

$(BIN)/tpc: $(COMPILER_OBJ) $(COMMON_OBJ) | $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ -lyaml -lbpf -lelf -ldl

$(BIN)/tp-load: $(LOADER_OBJ) $(COMMON_OBJ) | $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ -lbpf -lelf -lz -lpcre2-8 -lpthread -ldl

# The compiler's switches over its enums (hook kinds, operators, actions,
# arg classes) have no default: a new enumerator is a build error until
# every switch handles it.
$(OBJDIR)/compiler/%.o: compiler/%.c $(wildcard compiler/*.h) $(wildcard common/*.h) runtime-bpf/tpc_abi.h $(FLAGS_STAMP) | $(OBJDIR)/compiler
	$(CC) $(CFLAGS) -Wswitch-enum -I compiler -I common -I runtime-bpf -c -o $@ $<

$(OBJDIR)/common/%.o: common/%.c $(wildcard common/*.h) $(FLAGS_STAMP) | $(OBJDIR)/common
	$(CC) $(CFLAGS) -I common -c -o $@ $<

$(OBJDIR)/compiler/runtime_files.c: $(EMBEDDED) $(OBJDIR)/embed_gen | $(OBJDIR)/compiler
	$(OBJDIR)/embed_gen $@ $(EMBEDDED)

$(OBJDIR)/compiler/runtime_files.o: $(OBJDIR)/compiler/runtime_files.c $(FLAGS_STAMP)
	$(CC) $(CFLAGS) -I compiler -I common -I runtime-bpf -c -o $@ $<

# As cc.c compiles a policy (same flags, relative names, /tpc as the
# directory): the objects do not depend on where tpc is built.
# Without DWARF (llvm-strip -g): the BPF linker drops it anyway, and it was
# 60% of each object embedded in tpc. .BTF and .BTF.ext stay.
$(OBJDIR)/runtime/tpc_procs.%.bpf.o: runtime-bpf/tpc_procs.bpf.c $(wildcard runtime-bpf/*.h) | $(OBJDIR)/runtime
	cd runtime-bpf && $(BPF_CLANG) -target bpf -O2 -g -Wall -Werror -fdebug-compilation-dir=/tpc \
		-D__TARGET_ARCH_$* -I . -c tpc_procs.bpf.c -o $(abspath $@).tmp
	$(BPF_STRIP) -g $@.tmp -o $@
	rm -f $@.tmp

# The precompiled header: tpc_pch.ARCH.h (the prologue's first two lines,
# which cc.c writes identically) with every runtime header, compiled with
# cc.c's flags in a directory of copies. Relocatable, with that directory
# as the sysroot: the header paths it records are relative to it, and cc.c
# passes its temporary directory as the sysroot. The system's libbpf
# headers are recorded by absolute path (searched after: -idirafter), and
# each input's content hash is kept for cc.c's -fpch-validate-input-files-content.
PCH_DIR = $(OBJDIR)/runtime/pch.$*
$(OBJDIR)/runtime/tpc_runtime.%.pch: $(wildcard runtime-bpf/*.h) | $(OBJDIR)/runtime
	rm -rf $(PCH_DIR) && mkdir -p $(PCH_DIR)
	cp runtime-bpf/*.h $(PCH_DIR)/
	printf '#define __TARGET_ARCH_$*\n#include "tpc_runtime.bpf.h"\n' >$(PCH_DIR)/tpc_pch.$*.h
	cd $(PCH_DIR) && $(BPF_CLANG) $(PCH_CFLAGS) -relocatable-pch -isysroot $(abspath $(PCH_DIR)) \
		-x c-header tpc_pch.$*.h -o $(abspath $@)

$(OBJDIR)/embed_gen: compiler/embed_gen.c | $(OBJDIR)
	$(CC) -O2 -o $@ $<

# tp-load's switches over hook kinds and program variants (loader/hooks.c)
# have no default either.
$(OBJDIR)/loader/%.o: loader/%.c $(wildcard loader/*.h) $(wildcard common/*.h) runtime-bpf/tpc_abi.h $(FLAGS_STAMP) | $(OBJDIR)/loader
	$(CC) $(CFLAGS) -Wswitch-enum -I loader -I common -I runtime-bpf -c -o $@ $<

$(BIN) $(OBJDIR) $(OBJDIR)/compiler $(OBJDIR)/loader $(OBJDIR)/common $(OBJDIR)/runtime:
	mkdir -p $@

# Small C programs the tests drive (tests/progs/*.c).
TEST_PROGS := $(patsubst tests/progs/%.c,$(OUT)/tests/progs/%,$(wildcard tests/progs/*.c))
.PHONY: test-progs
test-progs: $(TEST_PROGS)
$(OUT)/tests/progs/%: tests/progs/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -o $@ $<
# userStackTrace's test walks this one's stack by frame pointers
$(OUT)/tests/progs/stack_target: PROG_CFLAGS += -O0 -fno-omit-frame-pointer
# the semaphore build of usdt_target includes it
$(OUT)/tests/progs/usdt_sema_target: tests/progs/usdt_target.c

# libFuzzer over what tp-load reads from an object (manifest.c, event.c),
# with ASan and UBSan; needs clang's libFuzzer (libclang-rt-14-dev).
# Seeds: tests/fuzz/seeds/manifest and the shipped policies when compiled.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Wall -Wextra -std=gnu11 -D_GNU_SOURCE -I loader -I common -I runtime-bpf
FUZZ_LOADER_SRC := loader/manifest.c loader/safefile.c loader/event.c loader/hooks.c loader/binary.c common/json.c \
		   common/elfbin.c common/bindigest.c common/sha1.c common/sha256.c common/sha512.c
.PHONY: fuzz-loader
$(OUT)/fuzz/fuzz_manifest: tests/fuzz/fuzz_manifest.c $(FUZZ_LOADER_SRC) loader/manifest.h loader/event.h loader/hooks.h runtime-bpf/tpc_abi.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_manifest.c $(FUZZ_LOADER_SRC) -lelf -lbpf
fuzz-loader: $(OUT)/fuzz/fuzz_manifest
	@mkdir -p $(OUT)/fuzz/corpus-manifest
	@cp $(wildcard $(OUT)/policies/*.bpf.o) $(OUT)/fuzz/corpus-manifest/ 2>/dev/null || true
	$(OUT)/fuzz/fuzz_manifest -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix=$(OUT)/fuzz/ \
		$(OUT)/fuzz/corpus-manifest tests/fuzz/seeds/manifest

# libFuzzer over tpc's parse + check + diagnostics (tests/fuzz/fuzz_policy.c),
# ASan + UBSan, seeded with the Tetragon corpus and the lint fixtures; new
# inputs it finds stay in out/fuzz/corpus-policy, crashes in out/fuzz/.
FUZZ_POLICY_SRC := $(filter-out compiler/main.c,$(COMPILER_SRC)) $(COMMON_SRC) $(OBJDIR)/compiler/runtime_files.c
FUZZ_SEEDS_POLICY := ../shared/corpus/tetragon tests/fixtures/lint
.PHONY: fuzz fuzz-policy
$(OUT)/fuzz/fuzz_policy: tests/fuzz/fuzz_policy.c $(FUZZ_POLICY_SRC) compiler/tpc.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -I compiler -o $@ tests/fuzz/fuzz_policy.c $(FUZZ_POLICY_SRC) -lyaml -lbpf -lelf -lcrypto
fuzz-policy: $(OUT)/fuzz/fuzz_policy
	@mkdir -p $(OUT)/fuzz/corpus-policy
	$(OUT)/fuzz/fuzz_policy -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-max_len=16384 -print_final_stats=1 -artifact_prefix=$(OUT)/fuzz/policy- \
		$(OUT)/fuzz/corpus-policy $(wildcard $(FUZZ_SEEDS_POLICY))
fuzz: fuzz-policy

# Compile every shipped policy.
POLICIES := $(wildcard policies/*.yaml)
policies: $(patsubst policies/%.yaml,$(OUT)/policies/%.bpf.o,$(POLICIES))
$(OUT)/policies/%.bpf.o: policies/%.yaml $(BIN)/tpc
	@mkdir -p $(dir $@)
	$(BIN)/tpc $< -o $@

run:
	./tests/run-demo.sh

test: all
	./tests/run-all.sh

bench: all
	./tests/bench/run.sh

soak: all test-progs
	./tests/soak.sh

# Differential check of selector semantics (tests/diff/README.md); a
# disagreement prints the minimal policy and event and fails.
DIFF_SEED ?= 1
.PHONY: diff-test
diff-test: all
	$(MAKE) -s -C tests/diff OUT=$(abspath $(OUT))
	$(OUT)/tests/diff/diffcheck --repo . --pairs 1000000 --batch 100 --events 1000 --seed $(DIFF_SEED)

deps:
	./tests/install-deps.sh

# The kernel matrix (tests/kernels/run.sh, README "Kernel matrix"): Debian's
# stock kernels booted in QEMU run what this kernel cannot (kprobes,
# kretprobes, fentry, the feature probes). Kernels are fetched with apt into
# out/kernels; `make test` runs it too (tests/run-all.sh).
KERNELS_OUT := $(OUT)/tests/kernels
KERNEL_BPF_CFLAGS := -target bpf -O2 -g -Wall -I/usr/include/$(shell $(CC) -print-multiarch)
.PHONY: test-kernels kernel-matrix
kernel-matrix: all test-progs $(KERNELS_OUT)/features_check $(KERNELS_OUT)/fd_follow \
	       $(KERNELS_OUT)/obj/features/features.bpf.o $(KERNELS_OUT)/obj/features/features_kfunc.bpf.o
$(KERNELS_OUT)/features_check: tests/kernels/features_check.c $(OBJDIR)/loader/features.o $(OBJDIR)/loader/log.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -I loader -o $@ $^ -lbpf -lelf
$(KERNELS_OUT)/fd_follow: tests/kernels/fd_follow.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<
$(KERNELS_OUT)/obj/features/%.bpf.o: tests/kernels/%.bpf.c
	@mkdir -p $(dir $@)
	clang $(KERNEL_BPF_CFLAGS) -c -o $@ $<
test-kernels: kernel-matrix
	./tests/kernels/run.sh

# make install [PREFIX=/usr/local] [DESTDIR=staging root]: programs, man
# pages, the systemd unit (naming the installed tp-load) and the policy
# directory it loads.
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
UNITDIR   ?= $(PREFIX)/lib/systemd/system
POLICYDIR ?= /etc/tpc/policies

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(POLICYDIR)
	install -m 755 $(BIN)/tpc $(BIN)/tp-load $(DESTDIR)$(BINDIR)/
	install -m 644 man/tpc.1 man/tp-load.1 $(DESTDIR)$(MANDIR)/man1/
	sed 's|@BINDIR@|$(BINDIR)|g' dist/systemd/tp-load.service >$(DESTDIR)$(UNITDIR)/tp-load.service
	chmod 644 $(DESTDIR)$(UNITDIR)/tp-load.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tpc $(DESTDIR)$(BINDIR)/tp-load
	rm -f $(DESTDIR)$(MANDIR)/man1/tpc.1 $(DESTDIR)$(MANDIR)/man1/tp-load.1
	rm -f $(DESTDIR)$(UNITDIR)/tp-load.service

clean:
	rm -rf $(OUT)
