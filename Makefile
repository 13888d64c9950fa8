# vestige: `make test` is the test command (README). It installs and starts Postgres +
# pgvector when VESTIGE_TEST_DATABASE_URL is not set, then runs every test.
GO        ?= go
BIN       ?= bin/vestige
PKGS      := ./...
GOFLAGS_TEST ?= -count=1

.PHONY: all build test test-race test-heavy test-icu lint vet staticcheck fmt bench eval clean postgres

all: lint build test

build:
	$(GO) build -o $(BIN) ./cmd/vestige

# The race pass covers everything with small data; the data-heavy SQLite tests (build tag
# `heavy`) run in a second pass without -race, which slows the pure-Go SQLite engine ~25×.
# scripts/with-postgres.sh (VESTIGE_TEST_MATRIX=1) also starts scripts/pg-matrix.sh: pgbouncer
# in transaction mode, a primary with a streaming hot standby, and an ICU en-US cluster, which
# tests/pooler, tests/replica and test-icu use.
test:
	VESTIGE_REQUIRE_POSTGRES=1 VESTIGE_TEST_MATRIX=1 bash scripts/with-postgres.sh $(MAKE) --no-print-directory test-race test-heavy test-icu

test-race:
	$(GO) test $(GOFLAGS_TEST) -race -timeout 20m $(PKGS)

test-heavy:
	$(GO) test $(GOFLAGS_TEST) -tags heavy -run 'Heavy' -timeout 20m $(PKGS)

# The Postgres tests once more, against the cluster whose default collation is ICU en-US (a
# text ORDER BY without COLLATE "C" shows itself there). tests/pooler and tests/replica bring
# their own servers (the matrix's), so they run once, in test-race.
PG_TEST_PKGS = $(shell $(GO) list -f '{{.ImportPath}} {{.TestImports}} {{.XTestImports}}' $(PKGS) | \
	awk '/tests\/testdb/ && $$1 !~ /\/tests\/(pooler|replica|testdb)$$/ { print $$1 }')

test-icu:
	@test -n "$$VESTIGE_TEST_ICU_URL" || { echo "test-icu: VESTIGE_TEST_ICU_URL is not set (run make test)"; exit 1; }
	VESTIGE_TEST_DATABASE_URL="$$VESTIGE_TEST_ICU_URL" $(GO) test $(GOFLAGS_TEST) -timeout 20m $(PG_TEST_PKGS)

# staticcheck is pinned and fetched through the module proxy on first use (then cached).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: vet staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go' 2>/dev/null)); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Lint with the heavy tag too: it only adds files (none is !heavy), so every file is checked.
vet:
	$(GO) vet -tags heavy $(PKGS)

staticcheck:
	$(GO) run $(STATICCHECK) -tags heavy $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go')

# Benchmarks of the SQL API; VESTIGE_BENCH_HEAVY=1 adds the 100k-memory corpus.
bench:
	VESTIGE_REQUIRE_POSTGRES=1 bash scripts/with-postgres.sh $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

# Search quality and speed on real text (cmd/vestige-eval): SciFact and LoCoMo loaded into
# SQLite and Postgres, nDCG@10, recall@10 and p50/p99 per mode. The sets are read from
# VESTIGE_RETRIEVAL_DIR (default ../shared/testdata/retrieval) and never copied here.
# EVAL_FLAGS adds flags, e.g. EVAL_FLAGS='-sets scifact -vector-weights 1,0.1'.
VESTIGE_RETRIEVAL_DIR ?= ../shared/testdata/retrieval
eval:
	VESTIGE_REQUIRE_POSTGRES=1 VESTIGE_RETRIEVAL_DIR="$(VESTIGE_RETRIEVAL_DIR)" bash scripts/with-postgres.sh \
		$(GO) run ./cmd/vestige-eval $(EVAL_FLAGS)

postgres:
	bash scripts/install-postgres.sh

clean:
	rm -rf bin
