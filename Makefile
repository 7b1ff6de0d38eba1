# tpc: compile TracingPolicies to specialised BPF objects; tp-load runs them.
#
#   make            build out/bin/tpc and out/bin/tp-load
#   make run        the main job on the shipped default policy (needs root)
#   make test       every test; ends with "N passed, N failed, N skipped"
#   make bench      benchmarks (tests/bench)
#   make deps       install the Debian packages everything needs (root)

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE
OUT     := out
BIN     := $(OUT)/bin
OBJDIR  := $(OUT)/obj

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

COMPILER_SRC := $(filter-out compiler/embed_gen.c,$(wildcard compiler/*.c))
LOADER_SRC   := $(wildcard loader/*.c)
EMBEDDED     := $(wildcard runtime-bpf/*.h) $(wildcard templates/*.tmpl)

COMPILER_OBJ := $(patsubst compiler/%.c,$(OBJDIR)/compiler/%.o,$(COMPILER_SRC)) $(OBJDIR)/compiler/runtime_files.o
LOADER_OBJ   := $(patsubst loader/%.c,$(OBJDIR)/loader/%.o,$(LOADER_SRC))

.PHONY: all run test bench deps clean policies
all: $(BIN)/tpc $(BIN)/tp-load

$(BIN)/tpc: $(COMPILER_OBJ) | $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ -lyaml -lbpf

# sha256.o is shared: tp-load checks the digests tpc writes
$(BIN)/tp-load: $(LOADER_OBJ) $(OBJDIR)/compiler/sha256.o | $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ -lbpf -lelf -lz

$(OBJDIR)/compiler/%.o: compiler/%.c compiler/tpc.h runtime-bpf/tpc_abi.h | $(OBJDIR)/compiler
	$(CC) $(CFLAGS) -I compiler -I runtime-bpf -c -o $@ $<

$(OBJDIR)/compiler/runtime_files.c: $(EMBEDDED) $(OBJDIR)/embed_gen | $(OBJDIR)/compiler
	$(OBJDIR)/embed_gen $@ $(EMBEDDED)

$(OBJDIR)/compiler/runtime_files.o: $(OBJDIR)/compiler/runtime_files.c
	$(CC) $(CFLAGS) -I compiler -c -o $@ $<

$(OBJDIR)/embed_gen: compiler/embed_gen.c | $(OBJDIR)
	$(CC) -O2 -o $@ $<

$(OBJDIR)/loader/%.o: loader/%.c $(wildcard loader/*.h) runtime-bpf/tpc_abi.h | $(OBJDIR)/loader
	$(CC) $(CFLAGS) -I loader -I runtime-bpf -c -o $@ $<

$(BIN) $(OBJDIR) $(OBJDIR)/compiler $(OBJDIR)/loader:
	mkdir -p $@

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

deps:
	./tests/install-deps.sh

clean:
	rm -rf $(OUT)
