# sockwarden — plain Makefile. `make` builds build/sockwarden; `make test` runs every test.
CC      ?= cc
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -Wundef -Wno-unused-parameter
CFLAGS  ?= -O2 -g
SW_CFLAGS := -std=c17 -D_GNU_SOURCE -DSW_VERSION='"$(VERSION)"' $(WARN) -fno-strict-aliasing -Isrc
LDFLAGS ?=
# Link-time optimisation for the binaries that ship: the connection core is split into modules by
# concern (docs/ARCHITECTURE.md), and LTO inlines the per-request calls between them again.
LTO     ?= $(shell $(CC) --version 2>/dev/null | grep -q clang && echo -flto || echo -flto=auto)

# Sources are grouped by layer (docs/ARCHITECTURE.md): src/<layer>/<module>.c, included as "<layer>/<module>.h".
SRC      := $(wildcard src/*.c src/*/*.c)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
HDR      := $(wildcard src/*/*.h)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)

B  := build
BA := build/asan
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all test unit integration adversarial differential image-test confine valgrind fuzz fuzz-smoke static bench clean format deps image run

all: $(B)/sockwarden

$(B)/%.o: src/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_CFLAGS) -c $< -o $@
$(B)/lto/%.o: src/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LTO) $(SW_CFLAGS) -c $< -o $@
$(B)/sockwarden: $(patsubst src/%.c,$(B)/lto/%.o,$(SRC))
	$(CC) $(CFLAGS) $(LTO) $(SW_CFLAGS) $(LDFLAGS) $^ -o $@
$(B) $(BA) $(B)/fuzz $(B)/static:
	mkdir -p $@

# Sanitizer build: the binary and the unit tests, all under ASan+UBSan.
$(BA)/%.o: src/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SW_CFLAGS) $(ASAN_FLAGS) -DSW_INVARIANTS -c $< -o $@
$(BA)/sockwarden: $(patsubst src/%.c,$(BA)/%.o,$(SRC))
	$(CC) $(CFLAGS) $(SW_CFLAGS) $(ASAN_FLAGS) $^ -o $@
$(BA)/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(patsubst src/%.c,$(BA)/%.o,$(LIB_SRC))
	$(CC) $(CFLAGS) $(SW_CFLAGS) $(ASAN_FLAGS) -DSW_INVARIANTS $< $(patsubst src/%.c,$(BA)/%.o,$(LIB_SRC)) -o $@
# Plain (uninstrumented) unit tests for valgrind.
$(B)/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(patsubst src/%.c,$(B)/%.o,$(LIB_SRC))
	$(CC) $(CFLAGS) $(SW_CFLAGS) $< $(patsubst src/%.c,$(B)/%.o,$(LIB_SRC)) -o $@

UNIT_ASAN := $(patsubst tests/unit/%.c,$(BA)/%,$(UNIT_SRC))
UNIT_PLAIN := $(patsubst tests/unit/%.c,$(B)/%,$(UNIT_SRC))

unit: $(UNIT_ASAN)
	@tests/run-unit.sh $(UNIT_ASAN)

valgrind: $(UNIT_PLAIN) $(B)/sockwarden
	@tests/run-valgrind.sh $(UNIT_PLAIN)

integration: $(BA)/sockwarden $(B)/sockwarden
	@tests/integration/run.sh

adversarial: $(BA)/sockwarden $(B)/sockwarden
	@tests/adversarial/run.sh

differential: $(BA)/sockwarden $(B)/sockwarden
	@SW_BIN=$(BA)/sockwarden tests/differential/run.sh

# `make test` installs what it needs (Debian packages, npm modules) and runs everything.
SUITES := unit valgrind fuzz-smoke differential adversarial confine image-test integration
test: deps
	@$(MAKE) --no-print-directory all
	@rc=0; for s in $(SUITES); do \
	  echo "== $$s"; $(MAKE) --no-print-directory $$s || { rc=1; echo "== $$s FAILED"; }; \
	done; tests/summary.sh || rc=1; exit $$rc

confine: $(B)/sockwarden static
	@tests/confine/run.sh

deps:
	@tools/install-deps.sh

# libFuzzer harnesses (clang-14). FUZZ_SECONDS per target for `make fuzz`; the smoke run is short.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 300
SMOKE_SECONDS ?= 20
FUZZ_BINS := $(patsubst fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
$(B)/fuzz/%: fuzz/%.c $(wildcard fuzz/*.h) $(LIB_SRC) $(HDR) | $(B)/fuzz
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -DSW_VERSION='"$(VERSION)"' -g -O1 -Isrc \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $< $(LIB_SRC) -o $@
fuzz: $(FUZZ_BINS)
	@tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)
fuzz-smoke: $(FUZZ_BINS)
	@tests/run-fuzz.sh $(SMOKE_SECONDS) $(FUZZ_BINS)

# Static musl binary.
static: $(B)/static/sockwarden
$(B)/static/sockwarden: $(SRC) $(HDR) | $(B)/static
	musl-gcc -std=c17 -D_GNU_SOURCE -Isrc -DSW_VERSION='"$(VERSION)"' $(WARN) -Os -flto=auto -static \
	  -ffunction-sections -fdata-sections -Wl,--gc-sections -s $(SRC) -o $@

run: all
	@tools/run.sh

bench: $(B)/sockwarden
	@bench/run.sh

image: static
	DOCKER_BUILDKIT=0 docker build --build-arg VERSION=$(VERSION) -t sockwarden:$(VERSION) \
	  -t sockwarden:latest .

image-test: static
	@tests/image/run.sh

format:
	clang-format -i src/*.c src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h fuzz/*.c

clean:
	rm -rf $(B)
