package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/liquefy/liquefy"
)

// dotTimeout bounds one run of Graphviz.
const dotTimeout = 30 * time.Second

// SVG renders the fluxion graph of in as SVG: with Graphviz's dot, from
// DOT's output, when a dot command is on PATH, and with Draw otherwise.
// An error means dot was found but failed.
func SVG(in *liquefy.Inspection) ([]byte, error) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		return Draw(in), nil
	}
	return runDot(dot, DOT(in))
}

// runDot renders src with the dot command at path.
func runDot(path string, src []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dotTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-Tsvg")
	cmd.Stdin = bytes.NewReader(src)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := bytes.TrimSpace(stderr.Bytes()); len(msg) > 0 {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return nil, fmt.Errorf("svg: dot: %w", err)
	}
	if !bytes.Contains(stdout.Bytes(), []byte("<svg")) {
		return nil, fmt.Errorf("svg: dot: %w", errNoSVG)
	}
	return stdout.Bytes(), nil
}

// errNoSVG is dot succeeding without writing SVG.
var errNoSVG = errors.New("output holds no <svg> element")

// Formats are the formats Render writes.
var Formats = []string{"dot", "svg", "html"}

// ErrFormat is wrapped by Render's error for a format not in Formats.
var ErrFormat = errors.New("unknown graph format")

// Render writes the graph of in in format: "dot" (DOT), "svg" (SVG) or
// "html" (HTML).
func Render(in *liquefy.Inspection, format string) ([]byte, error) {
	switch format {
	case "dot":
		return DOT(in), nil
	case "svg":
		return SVG(in)
	case "html":
		return HTML(in)
	default:
		return nil, fmt.Errorf("render: %w %q: want dot, svg or html", ErrFormat, format)
	}
}
