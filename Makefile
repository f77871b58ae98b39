# skiff's build, run and test entry points. See README.md.
GO        ?= go
BIN       := bin
# DURATION bounds `make soak`; SEEDS sets how many simulator seeds soak runs.
DURATION  ?= 10m
SEEDS     ?= 5000

.PHONY: all build run test lint bench soak clean cluster bench-cluster

all: build

build:
	@mkdir -p $(BIN)
	@if [ -d cmd ]; then $(GO) build -o $(BIN)/ ./cmd/...; else echo "nothing to build yet: cmd/ does not exist"; fi

# run starts one member on localhost:2379 with data in ./default.skiff, like
# `etcd` with no flags.
run: build
	@if [ -x $(BIN)/skiff ]; then exec ./$(BIN)/skiff; \
	else echo "skiff: the server is not built yet (cmd/skiff does not exist; see the issues)"; exit 1; fi

# cluster starts a three-member skiff cluster on loopback (client URLs
# http://127.0.0.1:2379,22379,32379; data in ./cluster.skiff) until Ctrl-C.
# See scripts/cluster.sh.
cluster: build
	@./scripts/cluster.sh

# bench-cluster drives a three-member loopback skiff cluster, and etcd's
# when /usr/bin/etcd is installed, with skiffctl check perf and prints the
# ratios. BENCH_DURATION, BENCH_ROUNDS and more: see scripts/bench-cluster.sh.
bench-cluster: build
	@./scripts/bench-cluster.sh

# test is what CI runs: formatting, vet, then every package's tests, with the
# committed fuzz seed corpora run as ordinary tests.
test: lint build
	$(GO) test -count=1 -timeout 20m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

# soak runs the long randomized suites; SKIFF_SOAK turns them on.
soak:
	SKIFF_SOAK=1 SKIFF_SOAK_DURATION=$(DURATION) SKIFF_SEEDS=$(SEEDS) $(GO) test -count=1 -timeout 0 -run 'Soak|Simulat' ./...

clean:
	rm -rf $(BIN)
