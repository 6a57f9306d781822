# liquefy's everyday commands. Go 1.26 or newer is all they need.

GO ?= go

.PHONY: demo test test-race vet bench fmt

# Liquefy the bundled to-do app in a scratch copy, start it, send it a few
# requests and print the answers next to the monolith's.
demo:
	$(GO) run ./internal/demo

# The whole suite: vet, every package's tests, and the runtime with the
# race detector.
test: vet
	$(GO) test -count=1 -timeout 30m ./...
	$(GO) test -count=1 -race -timeout 15m ./runtime/...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# Load the to-do app's monolith and its liquefied service in turn, on
# loopback, and print requests per second and latency side by side.
bench:
	$(GO) run ./cmd/liquefy-bench -c 16 -d 10s -app ./testdata/apps/todo

fmt:
	gofmt -w $$(git ls-files '*.go')
