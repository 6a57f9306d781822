//go:build tools

package liquefy

import (
	_ "github.com/dave/jennifer/jen"
	_ "github.com/nats-io/nats-server/v2/server"
	_ "github.com/nats-io/nats.go"
	_ "github.com/nats-io/nats.go/jetstream"
	_ "golang.org/x/mod/modfile"
	_ "golang.org/x/tools/go/packages"
	_ "golang.org/x/tools/go/ssa"
)
