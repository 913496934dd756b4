# hvd: one plain Makefile. `make help` lists the targets.

PREFIX      ?= /usr/local
BUILD       ?= build
CC          ?= cc
PKG_CONFIG  ?= pkg-config
PKGS        := libvirt libxml-2.0 jansson glib-2.0
TEST_PKGS   := cmocka

WARN   := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wformat=2 -Wvla -Werror
OPT    ?= -O2 -g
CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -fPIC -MMD -MP \
          $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) $(EXTRA_CFLAGS)
LDLIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpthread -lm $(EXTRA_LDFLAGS)
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LDLIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

# Layering is enforced by the compiler: each part of the tree sees only the
# include folders it may use, so an include that runs back up the layers
# (driver -> fake, fake -> driver, hv -> driver) does not compile.
#   hv layer   driver/hv/                 -> nothing of hvd
#   driver     driver/                    -> driver/hv
#   fake       fakes/                     -> driver/hv
#   harness    harness/                   -> driver, driver/hv, fakes
#   tests, benchmarks                     -> everything
INC_HV      := -Idriver/hv
INC_DRIVER  := -Idriver $(INC_HV)
INC_FAKE    := -Ifakes $(INC_HV)
INC_HARNESS := -Iharness -Idriver -Ifakes $(INC_HV)
INC_ALL     := -Itests $(INC_HARNESS)

DRIVER_SRC  := $(wildcard driver/hv/*.c driver/*.c)
FAKE_SRC    := $(wildcard fakes/*.c)
HARNESS_SRC := $(filter-out harness/main.c,$(wildcard harness/*.c))
TEST_SRC    := $(wildcard tests/test-*.c)
BENCH_SRC   := $(wildcard bench/bench-*.c)

DRIVER_OBJ  := $(DRIVER_SRC:%.c=$(BUILD)/%.o)
FAKE_OBJ    := $(FAKE_SRC:%.c=$(BUILD)/%.o)
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/%.o)
TEST_BIN    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN   := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

LIBHVD      := $(BUILD)/libhvd.a
LIBFAKE     := $(BUILD)/libhvdfake.a
LIBHARNESS  := $(BUILD)/libhvdharness.a
HVD_BIN     := $(BUILD)/hvd

.PHONY: all build deps run check check-real valgrind asan coverage lint \
        install clean help bench fuzz fuzz-build

# `all` first makes sure the build dependencies are installed (ci/deps.sh is
# quick when they are), then builds in a sub-make so that the pkg-config
# flags are read after the packages exist: on a fresh machine `make check`
# does all of the set-up.
all:
	@bash ci/deps.sh --build-only
	@$(MAKE) --no-print-directory build

build: $(LIBHVD) $(LIBFAKE) $(TEST_BIN) $(BENCH_BIN) $(if $(wildcard harness/main.c),$(HVD_BIN))

help:
	@echo "make deps        install Debian packages hvd needs (root), else print the apt-get line"
	@echo "make all         build libhvd, the fake, tests, benchmarks, the hvd command"
	@echo "make run         main job: build, then run the scenario corpus on the fake"
	@echo "make check       unit tests + conformance on every reachable backend + corpus"
	@echo "make check-real  bring up libvirtd + tiny guest, conformance on qemu:///system"
	@echo "make valgrind    unit + conformance (fake, test:///default) under valgrind"
	@echo "make asan        ASan+UBSan build in build-asan/, then check"
	@echo "make coverage    lcov HTML report in build-cov/html and the total line coverage"
	@echo "make lint        the driver reaches host clock/randomness/env only via hv"
	@echo "make bench       run the benchmarks"
	@echo "make fuzz        libFuzzer targets (clang) in build-fuzz/, FUZZ_SECONDS each (fuzz/README.md)"
	@echo "make install     library, headers, pkg-config file, hvd command under PREFIX"

deps:
	bash ci/deps.sh

$(BUILD)/driver/hv/%.o: driver/hv/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_HV) -c $< -o $@

$(BUILD)/driver/%.o: driver/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_DRIVER) -c $< -o $@

$(BUILD)/fakes/%.o: fakes/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_FAKE) -c $< -o $@

# the scenario parser reads scenarios, not the fake: it compiles without it
$(BUILD)/harness/scn.o: INC_HARNESS := -Iharness -Idriver $(INC_HV)
$(BUILD)/harness/scn-%.o: INC_HARNESS := -Iharness -Idriver $(INC_HV)

$(BUILD)/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_HARNESS) -c $< -o $@

$(BUILD)/bench/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_ALL) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(INC_ALL) -c $< -o $@

$(LIBHVD): $(DRIVER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBFAKE): $(FAKE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBHARNESS): $(HARNESS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

TEST_SUPPORT_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support-*.c))

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(if $(HARNESS_SRC),$(LIBHARNESS)) $(LIBFAKE) $(LIBHVD)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(if $(HARNESS_SRC),$(LIBHARNESS)) $(LIBFAKE) $(LIBHVD)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The fuzz targets' entries (fuzz/*.c but libFuzzer's wrapper) also go into
# tests/test-fuzz-regress, which replays tests/data/fuzz-regressions/ with
# the normal build: regressions are checked without clang.
FUZZ_ENTRY_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out fuzz/libfuzzer.c,$(wildcard fuzz/*.c)))

$(BUILD)/fuzz/%.o: fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_ALL) -Ifuzz -c $< -o $@

$(BUILD)/tests/test-fuzz-regress: $(BUILD)/tests/test-fuzz-regress.o $(FUZZ_ENTRY_OBJ) $(LIBHARNESS) $(LIBFAKE) $(LIBHVD)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LDLIBS)

$(BUILD)/tests/test-fuzz-regress.o: INC_ALL += -Ifuzz

$(HVD_BIN): $(BUILD)/harness/main.o $(LIBHARNESS) $(LIBFAKE) $(LIBHVD)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Unit and conformance tests. Each program prints TAP; exit 77 = skipped.
# What make check runs after the test programs: scripts that drive the
# built programs as users do (each honours $HVD_WRAP, so make valgrind runs
# them under valgrind too).
CHECK_SCRIPTS := tests/runner.sh tests/lint.sh tests/cli.sh tests/corpus-fake.sh tests/install.sh

check: all
	@bash ci/lint.sh
	@HVD_BIN=$(HVD_BIN) HVD_JUNIT=$(BUILD)/corpus-fake.xml \
	  bash tests/run-tests.sh $(TEST_BIN) $(CHECK_SCRIPTS)

# The main job: build everything, run the scenario corpus on the fake.
run: all
	@$(HVD_BIN) run scenarios

check-real: all
	@bash ci/check-real.sh

valgrind: all
	@VALGRIND="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp -q" \
	  HVD_BIN=$(HVD_BIN) HVD_JUNIT=$(BUILD)/corpus-fake.xml \
	  bash tests/run-tests.sh $(TEST_BIN) $(CHECK_SCRIPTS)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" check

coverage:
	$(MAKE) BUILD=build-cov OPT="-O0 -g --coverage" EXTRA_LDFLAGS="--coverage" check
	lcov -q --capture --directory build-cov --output-file build-cov/cov.info --exclude '/usr/*' --exclude '*/tests/*'
	genhtml -q build-cov/cov.info --output-directory build-cov/html
	@lcov --summary build-cov/cov.info 2>&1 | grep -E 'lines'

lint:
	bash ci/lint.sh

bench: all
	@for b in $(BENCH_BIN); do $$b || exit 1; done

# Fuzzing: each target is libFuzzer's main around one fuzz/ entry, with the
# whole tree compiled by clang with -fsanitize=fuzzer-no-link,address,
# undefined (a sub-make with BUILD=build-fuzz). fuzz/run.sh runs each for
# FUZZ_SECONDS, grows its corpus under build-fuzz/corpus/ (seeds:
# fuzz/corpus/), and prints one TAP line per target and a tests: line.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := scn-parse config-load instance-load domain-xml fake-xml scn-run
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined

fuzz:
	@bash ci/deps.sh --fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
	  OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	  EXTRA_LDFLAGS="$(FUZZ_SAN)" fuzz-build
	@bash fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz-%)

$(BUILD)/fuzz-main/%.o: fuzz/libfuzzer.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ifuzz -DFUZZ_ENTRY=fuzz_$(subst -,_,$*) -c $< -o $@

$(BUILD)/fuzz/fuzz-%: $(BUILD)/fuzz-main/%.o $(FUZZ_ENTRY_OBJ) $(LIBHARNESS) $(LIBFAKE) $(LIBHVD)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/hvd $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIBHVD) $(LIBFAKE) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 driver/hv/hv.h driver/hv/hv-backend.h driver/hv/hv-libvirt.h driver/drv.h fakes/fake.h fakes/sim.h fakes/fault.h $(DESTDIR)$(PREFIX)/include/hvd/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e "s|@VERSION@|$$(sed -n 's/^#define HVD_VERSION "\(.*\)"/\1/p' harness/version.h)|" hvd.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/hvd.pc
	$(if $(wildcard harness/main.c),install -m 755 $(HVD_BIN) $(DESTDIR)$(PREFIX)/bin/)
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 docs/hvd.1 $(DESTDIR)$(PREFIX)/share/man/man1/hvd.1
	install -m 644 contrib/hvd.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hvd

clean:
	rm -rf build build-asan build-cov build-fuzz

# keep objects make would call intermediate (no rebuild on every run)
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
