// Command liquefy turns a monolithic net/http app into a service that
// scales out over NATS, and checks the result.
//
// Usage:
//
//	liquefy [flags] DIR            write DIR/liquid, the liquefied service
//	liquefy inspect [-json] DIR    show routes, state roots and contexts
//	liquefy lint [-format F] DIR   report the state that keeps the app from splitting
//	liquefy verify -trace FILE DIR replay a trace against both forms and compare
//	liquefy graph [-format F] DIR  draw routes, fluxions and contexts
//	liquefy version                print liquefy's version
//
// Run `liquefy help COMMAND` for a command's flags and an example.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/analyzer"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFindings = 1 // analysis findings, mismatches
	exitUsage    = 2 // bad usage, load and build failures
)

// A command is one subcommand of liquefy.
type command struct {
	name    string
	summary string
	usage   string // the flags line and an example
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands []*command

func init() {
	commands = []*command{cmdLiquefy, cmdInspect, cmdLint, cmdVerify, cmdGraph, cmdVersion}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to the subcommand named by args[0], or to the main job
// when args[0] is not a subcommand's name.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			return help(args[1:], stdout, stderr)
		}
		for _, c := range commands {
			if c.name == args[0] && c != cmdLiquefy {
				return c.run(args[1:], stdout, stderr)
			}
		}
	}
	return cmdLiquefy.run(args, stdout, stderr)
}

// help prints the overview, or one command's usage.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 {
		for _, c := range commands {
			if c.name == args[0] {
				fmt.Fprintf(stdout, "%s\n\n%s", c.summary, c.usage)
				return exitOK
			}
		}
		fmt.Fprintf(stderr, "liquefy help: no command %q; run liquefy help for the list\n", args[0])
		return exitUsage
	}
	fmt.Fprintln(stdout, "liquefy turns a monolithic net/http app into a service that scales out over NATS.\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(stdout, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(stdout, "\nRun liquefy help COMMAND for its flags and an example.")
	return exitOK
}

// newFlags makes a flag set for c that prints c's usage on -h and on
// errors.
func newFlags(c *command, stderr io.Writer) *flag.FlagSet {
	name := "liquefy " + c.name
	if c == cmdLiquefy {
		name = "liquefy"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\n%s", c.summary, c.usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and checks that exactly one directory remains. It
// returns the directory, or an exit status when parsing failed.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) (string, int, bool) {
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", exitOK, false
		}
		return "", exitUsage, false
	}
	if fs.NArg() != 1 {
		help := "liquefy help " + strings.TrimPrefix(fs.Name(), "liquefy ")
		if fs.Name() == "liquefy" {
			help = "liquefy help liquefy"
		}
		fmt.Fprintf(stderr, "%s: want one app directory, got %d arguments; see %s\n", fs.Name(), fs.NArg(), help)
		return "", exitUsage, false
	}
	return fs.Arg(0), exitOK, true
}

// interleave moves flags given after the directory in front of it, so
// that `liquefy inspect ./app -json` works as well as the usual order.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...) // keep "--", so what follows is not read as flags
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBool(f) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, rest...)
}

// isBool reports whether f is a boolean flag.
func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// report prints err for the user and returns its exit status: 1 for
// analysis findings, 2 for everything else.
func report(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, err)
	var findings *analyzer.FindingsError
	if errors.As(err, &findings) {
		return exitFindings
	}
	return exitUsage
}

// stringList is a flag that takes a comma-separated list.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = nil
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*s = append(*s, x)
		}
	}
	return nil
}

var cmdVersion = &command{
	name:    "version",
	summary: "print liquefy's version",
	usage:   "usage: liquefy version\n",
	run: func(args []string, stdout, stderr io.Writer) int {
		fmt.Fprintln(stdout, "liquefy", liquefy.Version)
		return exitOK
	},
}
