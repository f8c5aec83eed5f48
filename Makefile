# Dolibarr-Go. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
BIN := bin
GOLANGCI_VERSION := v2.15.0
GOVULNCHECK_VERSION := v1.9.0
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
VULNDB_DIR := $(shell $(GO) env GOCACHE)/dolibarr-vulndb
TOOLS := $(shell $(GO) env GOPATH)/bin
FUZZTIME ?= 2m
FUZZTIME_TEST ?= 3s

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

run: ## Run the all-in-one binary on embedded SQLite (API on :8080)
	$(GO) run ./cmd/main.go

build: ## Build the three static binaries into bin/ (same script as the Dockerfile and CT-01)
	scripts/build-static.sh $(BIN)

test: ## Everything CI runs: vet, the whole suite with -race on the three engines, every fuzz target briefly, lint
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 25m $$($(GO) list ./... | grep -v '/deploy/helm$$')
	@# The chart checks exercise Helm's template engine, not our code's concurrency: without -race they reuse the
	@# Helm packages go vet just compiled instead of compiling them a second time, instrumented (decision 0019).
	$(GO) test -count=1 ./deploy/helm/
	@# The one case -race makes too slow (SQLite's engine is instrumented too): the 200,000-row streamed export.
	$(GO) test -count=1 -run 'TestReportCSVExportStreams/sqlite' ./internal/api/
	@# The seed corpora ran above on every engine; here each target fuzzes new inputs for a moment, the HTTP ones on SQLite.
	DOLIBARR_FUZZ_DRIVERS=sqlite GO=$(GO) scripts/fuzz.sh $(FUZZTIME_TEST)
	$(MAKE) --no-print-directory lint

fuzz: ## Every fuzz target of the module for FUZZTIME each (default 2m), the HTTP ones on the three engines: make fuzz FUZZTIME=10m
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME)

test-short: ## The suite without -race (faster while developing)
	$(GO) test -count=1 ./...

lint: ## golangci-lint (installed at a pinned version when missing)
	@test -x $(TOOLS)/golangci-lint || $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	$(TOOLS)/golangci-lint run ./...

vuln: ## govulncheck against an offline database built from golang.org/x/vulndb (see docs/decisions)
	@test -x $(TOOLS)/govulncheck || $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	@dir=$$(cd /tmp && $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'); \
	 $(GO) run ./scripts/vulndb -osv "$$dir/data/osv" -out $(VULNDB_DIR)
	$(TOOLS)/govulncheck -db file://$(VULNDB_DIR) ./...

bench: ## Go benchmarks (see docs/benchmarks.md for the load scripts)
	$(GO) test -run '^$$' -bench . -benchmem ./...

helm-lint: ## Lint, render and strictly decode the Helm chart (Helm v3.22.0's Go packages, in the test); check the Compose stack
	$(GO) test -count=1 ./deploy/...

compose-up: ## Start PostgreSQL, Mailpit, the one-shot migration, the API and two runners (docker-compose.yml)
	@docker compose version >/dev/null 2>&1 || { echo "compose-up needs Docker with its Compose plugin ('docker compose'):" \
	  "install docker-compose-plugin from Docker's apt repository, or Docker Desktop. Docker is optional:" \
	  "README.md, 'Production without containers', runs the binaries directly." >&2; exit 1; }
	docker compose up -d --build

migrate-new: ## Create an empty migration in the three dialects: make migrate-new NAME=add_x
	@test -n "$(NAME)" || (echo "usage: make migrate-new NAME=what_it_does" && exit 2)
	@n=$$(ls migrations/postgres | sed -n 's/^\([0-9]*\)_.*/\1/p' | sort -n | tail -1); \
	 v=$$(printf '%06d' $$((10#$${n:-0} + 1))); \
	 for d in postgres mysql sqlite; do \
	   touch migrations/$$d/$${v}_$(NAME).up.sql migrations/$$d/$${v}_$(NAME).down.sql; done; \
	 echo "created migrations/*/$${v}_$(NAME).{up,down}.sql"

.PHONY: help run build test fuzz test-short lint vuln bench helm-lint compose-up migrate-new
