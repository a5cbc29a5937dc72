# stationbench: `make run` runs the quickstart scenario on the embedded
# server; `make test` runs every test against real nats-servers.
GO      ?= go
BIN     := bin/stationbench
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
SCENARIO ?= scenarios/quickstart.yaml

.PHONY: all build run test test-short test-browser bench bench-limit scale fuzz vet fmt clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/stationbench

run: build
	./$(BIN) run $(SCENARIO)

# test runs every test. Packages whose own code starts no goroutine and
# shares no memory (PURE: YAML, plan, result, analysis, renderers) run without
# the race detector, which can find nothing in them and makes their chart
# tests ten times slower; the check below fails when one of them starts using
# goroutines, sync or atomics. Every other package runs with -race.
PURE := analysis compare kube merge plan report result scenarios
PURE_RE := /($(shell echo $(PURE) | tr ' ' '|'))$$
test: vet
	@for p in $(PURE); do \
	  if grep -nE -e '(^|[^A-Za-z0-9_."])go (func\b|[A-Za-z_][A-Za-z0-9_.]*\()' -e '^(import )?[[:space:]]*"sync(/atomic)?"[[:space:]]*$$' $$(ls $$p/*.go | grep -v '_test\.go$$'); then \
	    echo "make test: package $$p uses goroutines or sync: remove it from PURE in the Makefile"; exit 1; \
	  fi; done
	$(GO) test -count=1 -timeout 5m $(addprefix ./,$(PURE))
	$(GO) test -race -count=1 -timeout 10m $$($(GO) list ./... | grep -vE '$(PURE_RE)')

# test-browser opens report.html in headless Chromium (report/browser_test.go,
# build tag "browser"). It installs Debian's chromium package when missing:
# one apt-get update, then the install, tried up to three times.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT  := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120
test-browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "test-browser: installing chromium"; \
	  $(APT) update -qq || exit 1; \
	  for try in 1 2 3; do \
	    $(APT) install -y -qq chromium && exit 0; \
	    echo "test-browser: install failed (try $$try), retrying"; sleep 5; \
	  done; exit 1; }
	STATIONBENCH_BROWSER_REQUIRED=1 $(GO) test -tags browser -count=1 -timeout 2m -run '^TestBrowser' -v ./report/

test-short:
	$(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./workers/

# fuzz runs the scenario loader's fuzz target for 60 s; commit any crasher
# it finds (scenarios/testdata/fuzz/) as a regression case.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 60s -fuzzminimizetime 5s ./scenarios

bench-limit: build
	./$(BIN) bench-limit --duration 3s --rounds 5

# scale regenerates the README's scale table: the scale-*.yaml scenarios
# (1 to 10,000 producers) against the embedded server, then against a
# separate stationbench server; results under results/scale/<case>/
# (scripts/scale.sh; about 3 minutes on 2 cores). It exits 1 when a case
# failed, after running the others: embedded, the per-producer 10,000 step
# needs 20,256 open files, refused where the hard limit is lower.
scale: build
	$(GO) build -o bin/scaletable ./scripts/scaletable
	scripts/scale.sh $(BIN) bin/scaletable

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
