# Entry points. Each target installs what it needs (scripts/install-deps adds only what is
# missing) and lets CMake rebuild only what changed.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: run build test test-unit asan-test bench-api bench-sources bench-jobs bench-browser deps clean

deps:
	scripts/install-deps test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j$(JOBS)

# Builds and runs `complaints serve`: SQLite in ./data, API on http://127.0.0.1:8080.
run:
	scripts/install-deps build
	$(MAKE) build
	$(BUILD)/complaints serve

# Builds everything and runs every test (PostgreSQL, Redis and Chromium are started by the
# tests themselves).
test:
	scripts/install-deps test
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Unit tests (label pure) under AddressSanitizer + UndefinedBehaviorSanitizer.
asan-test:
	scripts/install-deps test
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCT_SANITIZE=ON -DCT_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target pure_tests
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS) -L pure

# API benchmark: 1,000,000 synthetic posts, wrk vs nginx, SQLite and PostgreSQL.
bench-api:
	scripts/install-deps all
	$(MAKE) build
	bench/api/run.sh $(BUILD)

# Sources benchmark: parse throughput per adapter, ingestion into SQLite and PostgreSQL.
bench-sources:
	scripts/install-deps test
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS) --target bench_sources
	bench/sources/run.sh $(BUILD)

# Job-system benchmark: test.noop throughput/latency per queue backend vs BullMQ, recovery after
# SIGKILLed workers, API availability under worker kills (~10 min).
bench-jobs:
	scripts/install-deps all
	cd bench/jobs && npm ci --no-audit --no-fund
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS) --target complaints bench_jobs bench_synthetic_posts
	bench/jobs/run.sh $(BUILD)

# Browser fetcher benchmark: pages per minute through chromedriver + Chromium on the replay's
# JavaScript-rendered page, peak memory of the browser's process group (~4 min).
bench-browser:
	scripts/install-deps test
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS) --target bench_browser
	bench/browser/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
