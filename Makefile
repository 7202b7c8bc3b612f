# grantwatch. `make help` lists the targets; the README and CI call these.
.DEFAULT_GOAL := help
SHELL := /bin/bash
GO ?= go
BIN := bin/worker
PKG := ./...
FUZZTIME ?= 30s
BENCH_TENANTS ?= 2000

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build the worker binary into bin/worker
	$(GO) build -trimpath -o $(BIN) ./cmd/worker

.PHONY: test
test: ## Run every test with the race detector (starts a throwaway PostgreSQL if none answers)
	$(GO) test -race -count=1 $(PKG)

.PHONY: cover
cover: ## Coverage of the domain package (target: at least 90%)
	$(GO) test -count=1 -cover ./internal/health

.PHONY: lint
lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKG)

.PHONY: fuzz
fuzz: ## Fuzz the Ironclad response parsing, FUZZTIME (default 30s) per target; `make test` runs only the seeds
	@for target in $$($(GO) test ./internal/ironclad -list '^Fuzz' | grep '^Fuzz'); do \
		echo "== $$target"; \
		$(GO) test ./internal/ironclad -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

.PHONY: bench
bench: ## Benchmarks plus `worker bench`: checks/s and memory of one replica (never measured by timed tests)
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	$(GO) run ./cmd/worker bench --tenants $(BENCH_TENANTS)

.PHONY: demo
demo: ## Run the scripted demo: throwaway Postgres, simulated Ironclad, A and B codes, an alert, history
	$(GO) run ./cmd/worker demo

.PHONY: sim
sim: ## Serve the simulated Ironclad on 127.0.0.1:8089 with a ready-made demo company
	$(GO) run ./cmd/worker sim --addr 127.0.0.1:8089
