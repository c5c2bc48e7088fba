# The two commands of the README: `make run` and `make test`. Both install what they need
# through scripts/install-deps (the one list of dependencies).
JOBS ?= 2
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
# Precompiled headers (set on every configure): off in the Release build unless asked for
# (PCH=ON), so every file there is compiled on its own includes and one that misses an include
# fails there, in CI too; off in the sanitizer build too unless asked for (ASAN_PCH=ON): per batch
# they save clang a fifth, but the first whole fresh-clone build with them on spent more CPU, not
# less (ARCHITECTURE.md "Build").
PCH ?= OFF
ASAN_PCH ?= OFF

.PHONY: run-unit run-unit-asan run-fuzz run-integration run-browser run-catalog run test check deps bench-deps web build build-unit build-bench build-asan configure-asan unit unit-asan integration integration-postgresql browser catalog fuzz bench bench-identitystore bench-scim bench-postgresql bench-sso-admin bench-signin bench-cli bench-saml bench-sp bench-scale bench-console clean

deps:
	@./scripts/install-deps

# The browser UI: `npm ci` only when web/package-lock.json is newer than the installed tree (npm
# writes node_modules/.package-lock.json), the Vite build only when a source changed.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json
web: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json | deps
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build --silent

# Two configurations, each source compiled once in each (ARCHITECTURE.md "Build"): `build` is the
# Release build (g++, -O2, no debug info; unity build; precompiled headers only with PCH=ON) of
# the server, the unit tests and, only for `make bench`, the benchmarks; `build-asan` is the
# sanitizer build (clang 16, -O0 -g1, ASan + UBSan + libFuzzer's coverage; precompiled headers
# only with ASAN_PCH=ON) of the unit tests and
# the fuzz targets, which link the same instrumented libraries.
# Ninja when installed (install-deps installs it); a build directory made by another generator or
# compiler (the third argument of `configure`, if given) is reconfigured in place.
GENERATOR := $(if $(shell command -v ninja 2>/dev/null),Ninja,Unix Makefiles)
BUILD_TYPE ?= Release
define configure
	@if [ -f $(1)/CMakeCache.txt ] && { ! grep -q "CMAKE_GENERATOR:INTERNAL=$(GENERATOR)$$" $(1)/CMakeCache.txt || \
	    ! grep -q "^CMAKE_CXX_COMPILER:.*$(3)" $(1)/CMakeCache.txt; }; then \
	  echo "$(1): made by another generator or compiler, reconfiguring"; rm -rf $(1)/CMakeCache.txt $(1)/CMakeFiles; fi
	cmake -S . -B $(1) -G "$(GENERATOR)" $(2) $(CMAKE_FLAGS) >/dev/null
endef

build: deps web
	$(call configure,$(BUILD),-DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DATRIUM_PCH=$(PCH))
	cmake --build $(BUILD) -j$(JOBS) --target atrium

build-unit: build
	cmake --build $(BUILD) -j$(JOBS) --target atrium_unit_tests

FUZZERS := identitystore_request sigv4 scim_filter scim_patch scim_request admin_policy webauthn saml_authn_request saml_sso_request oidc_request bearer_token saml_response stored_document
configure-asan: deps
	$(call configure,$(ASAN_BUILD),-DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_C_COMPILER=clang-16 -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" -DATRIUM_SANITIZE=ON -DATRIUM_FUZZ=ON -DATRIUM_BENCH=OFF -DATRIUM_PCH=$(ASAN_PCH),clang++-16)

build-asan: configure-asan
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target atrium_unit_tests $(addsuffix _fuzz,$(FUZZERS))

run: build
	ATRIUM_CONSOLE_BOOTSTRAP_ADMIN=admin ./$(BUILD)/atrium serve --data-dir atrium-data

# Each test stage is its build target then `run-<stage>`, the run alone (no prerequisites): `make
# test SIDE_BY_SIDE=1` builds first, then runs the stages that mostly wait (on servers, browsers,
# timers and PostgreSQL clusters) side by side (STAGES below).
unit: build-unit
	@$(MAKE) --no-print-directory run-unit
run-unit:
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

unit-asan: build-asan
	@$(MAKE) --no-print-directory run-unit-asan
run-unit-asan:
	for t in ./$(ASAN_BUILD)/tests/atrium_*_tests; do ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t --gtest_brief=1 || exit 1; done

# Browser tests: playwright-core (from web/node_modules) drives Debian's /usr/bin/chromium against
# the real server, a test file per core at a time (each starts its own server and SMTP sink).
browser: build
	@$(MAKE) --no-print-directory run-browser
run-browser:
	ATRIUM_BIN=$(CURDIR)/$(BUILD)/atrium node --test --test-concurrency=$(JOBS) tests/browser/*.test.mjs

# The catalog of pre-integrated SAML applications (data/catalog): schema, placeholders, icons.
catalog: deps
	@$(MAKE) --no-print-directory run-catalog
run-catalog:
	/usr/bin/python3 -m pytest -q tests/catalog

# libFuzzer targets, built in the sanitizer build (`build-asan`, so `make test` compiles their
# libraries once for both the ASan unit tests and the fuzzers). Two fuzzers run at a time (one per core), FUZZ_SECONDS each; `make fuzz FUZZ_SECONDS=600` for a
# longer run.
FUZZ_SECONDS ?= 20
fuzz: configure-asan
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target $(addsuffix _fuzz,$(FUZZERS))
	@$(MAKE) --no-print-directory run-fuzz
run-fuzz:
	@./scripts/run-fuzzers $(ASAN_BUILD) $(FUZZ_SECONDS) $(JOBS) $(FUZZERS)

# The integration tests in parallel (pytest-xdist, one worker per core; each test module on one
# worker, every test with its own server, port, data directory and peers).
PYTEST_WORKERS ?= $(JOBS)
integration: build
	@$(MAKE) --no-print-directory run-integration
run-integration:
	ATRIUM_BIN=$(CURDIR)/$(BUILD)/atrium /usr/bin/python3 -m pytest -q -rs -p xdist -n $(PYTEST_WORKERS) --dist loadfile tests/integration

# The same suite with every server on PostgreSQL (store.kind=postgresql): one throwaway cluster per
# pytest worker, a database per server (tests/integration/conftest.py, docs/deployment.md).
integration-postgresql: build
	ATRIUM_TEST_STORE=postgresql ATRIUM_BIN=$(CURDIR)/$(BUILD)/atrium /usr/bin/python3 -m pytest -q -rs -p xdist -n $(PYTEST_WORKERS) --dist loadfile tests/integration

# `make test`: every stage in order, each timed; the table of stages and seconds is printed at the
# end (also when a stage fails). STAGES is the order; a+b+c runs `make run-a`, `run-b`, `run-c` side
# by side (scripts/timed-stages). The builds and the fuzzers keep both cores busy and run alone;
# the unit, ASan unit, integration and browser tests spend most of their wall time waiting on
# servers, browsers, timers and PostgreSQL clusters (CPU seconds under their wall seconds), so they
# can run together once everything is built: SIDE_BY_SIDE=1 (ARCHITECTURE.md "Build"). Not the
# default yet: its one trial, at load 18-24, had two timing failures still to be understood.
SIDE_BY_SIDE ?= 0
ifeq ($(SIDE_BY_SIDE),1)
STAGES := deps web build build-unit build-asan fuzz unit+unit-asan+integration+browser catalog
else
STAGES := deps web build build-unit unit build-asan unit-asan fuzz integration browser catalog
endif
test:
	@./scripts/timed-stages $(BUILD)/stage-times.tsv $(STAGES)

# The inner loop: an incremental Release build, the unit tests, and the integration tests of one
# area (tests/integration/test_*$(AREA)*.py); without AREA only the unit tests.
AREA ?=
check: build-unit
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --progress | tail -5
ifneq ($(AREA),)
	ATRIUM_BIN=$(CURDIR)/$(BUILD)/atrium /usr/bin/python3 -m pytest -q -rs -p xdist -n $(PYTEST_WORKERS) --dist loadfile $(wildcard tests/integration/test_*$(AREA)*.py)
endif

# `make bench` runs both benchmarks, one after the other (never side by side: each wants the
# whole machine); each also runs alone. SCIM_BENCH_FLAGS=--quick for a short try.
SCIM_BENCH_FLAGS ?=
SSO_ADMIN_BENCH_FLAGS ?=
# The benchmarks link the same static libraries as the server (built only here, not by `make test`).
build-bench: build
	cmake --build $(BUILD) -j$(JOBS) --target atrium_benchmarks

bench: build-bench bench-deps
	/usr/bin/python3 bench/run.py --atrium $(CURDIR)/$(BUILD)/atrium
	/usr/bin/python3 bench/run_scim.py --atrium $(CURDIR)/$(BUILD)/atrium $(SCIM_BENCH_FLAGS)
	/usr/bin/python3 bench/run_sso_admin.py --atrium $(CURDIR)/$(BUILD)/atrium $(SSO_ADMIN_BENCH_FLAGS)
	/usr/bin/python3 bench/run_signin.py --atrium $(CURDIR)/$(BUILD)/atrium
	/usr/bin/python3 bench/run_cli.py --atrium $(CURDIR)/$(BUILD)/atrium
	/usr/bin/python3 bench/run_saml.py --atrium $(CURDIR)/$(BUILD)/atrium
	/usr/bin/python3 bench/run_sp.py --atrium $(CURDIR)/$(BUILD)/atrium

bench-deps:
	@./scripts/install-deps --bench

# The admin console's user list over 100,000 users (docs/PERFORMANCE.md "Admin console").
bench-console: build
	/usr/bin/python3 bench/console_users.py --atrium $(CURDIR)/$(BUILD)/atrium $(CONSOLE_BENCH_FLAGS)

bench-identitystore: build-bench
	/usr/bin/python3 bench/run.py --atrium $(CURDIR)/$(BUILD)/atrium

bench-scim: build-bench bench-deps
	/usr/bin/python3 bench/run_scim.py --atrium $(CURDIR)/$(BUILD)/atrium $(SCIM_BENCH_FLAGS)

# SQLite (1 node) and PostgreSQL (1 node, 2 behind HAProxy) side by side (docs/PERFORMANCE.md
# "PostgreSQL"); PG_BENCH_FLAGS=--quick for a short try.
PG_BENCH_FLAGS ?=
bench-postgresql: build-bench
	/usr/bin/python3 bench/run_postgresql.py --atrium $(CURDIR)/$(BUILD)/atrium $(PG_BENCH_FLAGS)

# Issue 18 item 7: a million users and 100,000 groups in SQLite (store size and idle memory per
# 100,000 users, DescribeUser / SCIM filter / ListUsers paging at that size).
bench-scale: build
	/usr/bin/python3 bench/run_scale.py --atrium $(CURDIR)/$(BUILD)/atrium

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) web/dist

bench-sso-admin: build-bench bench-deps
	/usr/bin/python3 bench/run_sso_admin.py --atrium $(CURDIR)/$(BUILD)/atrium $(SSO_ADMIN_BENCH_FLAGS)

bench-signin: build-bench bench-deps
	/usr/bin/python3 bench/run_signin.py --atrium $(CURDIR)/$(BUILD)/atrium

# Command-line access (issue 16): refresh grants and the portal API's listings (docs/PERFORMANCE.md).
bench-cli: build-bench bench-deps
	/usr/bin/python3 bench/run_cli.py --atrium $(CURDIR)/$(BUILD)/atrium

# SAML IdP: assertions signed per core against `openssl speed rsa2048/rsa3072`, pysaml2 as the peer.
bench-saml: build
	/usr/bin/python3 bench/run_saml.py --atrium $(CURDIR)/$(BUILD)/atrium

# SAML SP (issue 17): Response validation per core against `openssl speed rsa2048` verify/s, full SP
# sign-ins per second, pysaml2's parse_authn_request_response side by side.
bench-sp: build
	cmake --build $(BUILD) -j$(JOBS) --target sp_verify_bench
	/usr/bin/python3 bench/run_sp.py --atrium $(CURDIR)/$(BUILD)/atrium
