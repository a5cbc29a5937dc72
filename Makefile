# stationbench: `make run` runs the quickstart scenario on the embedded
# server; `make test` runs every test against real nats-servers.
GO      ?= go
BIN     := bin/stationbench
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
SCENARIO ?= scenarios/quickstart.yaml

.PHONY: all build run test test-short test-browser bench bench-limit fuzz vet fmt clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/stationbench

run: build
	./$(BIN) run $(SCENARIO)

test: vet
	$(GO) test -race -count=1 -timeout 10m ./...

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
	./$(BIN) bench-limit

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
