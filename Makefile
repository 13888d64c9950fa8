# vestige: `make test` is the test command (README). It installs and starts Postgres +
# pgvector when VESTIGE_TEST_DATABASE_URL is not set, then runs every test.
GO        ?= go
BIN       ?= bin/vestige
PKGS      := ./...
GOFLAGS_TEST ?= -count=1

.PHONY: all build test test-race test-heavy lint vet staticcheck fmt bench clean postgres

all: lint build test

build:
	$(GO) build -o $(BIN) ./cmd/vestige

# The race pass covers everything with small data; the data-heavy SQLite tests (build tag
# `heavy`) run in a second pass without -race, which slows the pure-Go SQLite engine ~25×.
test:
	VESTIGE_REQUIRE_POSTGRES=1 bash scripts/with-postgres.sh $(MAKE) --no-print-directory test-race test-heavy

test-race:
	$(GO) test $(GOFLAGS_TEST) -race -timeout 20m $(PKGS)

test-heavy:
	$(GO) test $(GOFLAGS_TEST) -tags heavy -run 'Heavy' -timeout 20m $(PKGS)

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

postgres:
	bash scripts/install-postgres.sh

clean:
	rm -rf bin
