# The two commands of the README: `make run` and `make test`. Both install what they need
# through scripts/install-deps (the one list of dependencies).
JOBS ?= 2
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=

.PHONY: run test deps bench-deps web build build-asan unit unit-asan integration browser fuzz bench bench-identitystore bench-scim bench-sso-admin bench-signin clean

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

build: deps web
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DATRIUM_SANITIZE=ON -DATRIUM_BENCH=OFF >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target atrium_unit_tests

run: build
	./$(BUILD)/atrium serve --data-dir atrium-data

unit: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

unit-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./$(ASAN_BUILD)/tests/atrium_unit_tests --gtest_brief=1

integration: build
	ATRIUM_BIN=$(CURDIR)/$(BUILD)/atrium /usr/bin/python3 -m pytest -q tests/integration

# Browser tests: playwright-core (from web/node_modules) drives Debian's /usr/bin/chromium against
# the real server, one test file at a time (each starts its own server and SMTP sink).
browser: build
	ATRIUM_BIN=$(CURDIR)/$(BUILD)/atrium node --test --test-concurrency=1 tests/browser/*.test.mjs

FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
fuzz: deps
	CXX=clang++-16 cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DATRIUM_FUZZ=ON -DATRIUM_TESTS=OFF -DATRIUM_BENCH=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target identitystore_request_fuzz sigv4_fuzz scim_filter_fuzz scim_patch_fuzz scim_request_fuzz admin_policy_fuzz webauthn_fuzz saml_authn_request_fuzz
	@for t in identitystore_request sigv4 scim_filter scim_patch scim_request admin_policy webauthn saml_authn_request; do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t && cp -n tests/fuzz/corpus/$$t/* $(FUZZ_BUILD)/corpus/$$t/ ; \
	  echo "fuzz: $${t}_fuzz for $(FUZZ_SECONDS)s"; \
	  ./$(FUZZ_BUILD)/tests/fuzz/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -artifact_prefix=$(FUZZ_BUILD)/ -print_final_stats=0 $(FUZZ_BUILD)/corpus/$$t 2>$(FUZZ_BUILD)/$$t.log \
	    || { tail -50 $(FUZZ_BUILD)/$$t.log; exit 1; }; \
	  grep -E "^Done|#[0-9]+.*DONE" $(FUZZ_BUILD)/$$t.log | tail -1; \
	done

test: unit unit-asan fuzz integration browser

# `make bench` runs both benchmarks, one after the other (never side by side: each wants the
# whole machine); each also runs alone. SCIM_BENCH_FLAGS=--quick for a short try.
SCIM_BENCH_FLAGS ?=
SSO_ADMIN_BENCH_FLAGS ?=
bench: build bench-deps
	/usr/bin/python3 bench/run.py --atrium $(CURDIR)/$(BUILD)/atrium
	/usr/bin/python3 bench/run_scim.py --atrium $(CURDIR)/$(BUILD)/atrium $(SCIM_BENCH_FLAGS)
	/usr/bin/python3 bench/run_sso_admin.py --atrium $(CURDIR)/$(BUILD)/atrium $(SSO_ADMIN_BENCH_FLAGS)
	/usr/bin/python3 bench/run_signin.py --atrium $(CURDIR)/$(BUILD)/atrium

bench-deps:
	@./scripts/install-deps --bench

bench-identitystore: build
	/usr/bin/python3 bench/run.py --atrium $(CURDIR)/$(BUILD)/atrium

bench-scim: build bench-deps
	/usr/bin/python3 bench/run_scim.py --atrium $(CURDIR)/$(BUILD)/atrium $(SCIM_BENCH_FLAGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) web/dist

bench-sso-admin: build bench-deps
	/usr/bin/python3 bench/run_sso_admin.py --atrium $(CURDIR)/$(BUILD)/atrium $(SSO_ADMIN_BENCH_FLAGS)

bench-signin: build bench-deps
	/usr/bin/python3 bench/run_signin.py --atrium $(CURDIR)/$(BUILD)/atrium
