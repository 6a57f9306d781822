// Command liquefy-vet runs liquefy's lint as a go vet tool, so that the
// check that an app is still splittable fits wherever go vet does:
//
//	go install github.com/liquefy/liquefy/cmd/liquefy-vet
//	go vet -vettool=$(which liquefy-vet) ./...
//
// It reports what `liquefy lint` reports, with the codes of
// docs/lint.md as categories; go vet's exit status is non-zero on any
// finding. -liquefy.warnings=false reports errors only. The pass and its
// one shortcut are documented in package analyzer/lint.
package main

import (
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/liquefy/liquefy/analyzer/lint"
)

func main() { unitchecker.Main(lint.Analyzer) }
