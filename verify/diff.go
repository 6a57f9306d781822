package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// maxDiffCells bounds the work of the line diff (lines of one side times
// lines of the other); larger inputs get a coarser diff.
const maxDiffCells = 4 << 20

// Diff returns a unified-style diff from the monolith's answer a to the
// liquefied service's answer b to req: status line, compared headers
// sorted by name, a blank line, and the body, pretty-printed when both
// bodies are JSON. It is empty when the two render the same.
func Diff(req *Request, a, b *Answer) string {
	ta, tb := renderPair(req, a, b)
	return unified("monolith", "liquid", ta, tb)
}

// renderPair renders both answers as lines, choosing one body format for
// both.
func renderPair(req *Request, a, b *Answer) (la, lb []string) {
	pretty := isJSON(a.Body) && isJSON(b.Body)
	ba, bb := bodyLines(a.Body, pretty), bodyLines(b.Body, pretty)
	if pretty && equalLines(ba, bb) && !bytes.Equal(a.Body, b.Body) {
		// The bodies differ only in layout: show them as sent.
		ba, bb = bodyLines(a.Body, false), bodyLines(b.Body, false)
	}
	if endsLine(a.Body) != endsLine(b.Body) {
		ba, bb = markEnd(ba, a.Body), markEnd(bb, b.Body)
	}
	return render(req, a, ba), render(req, b, bb)
}

// render returns the lines of one answer around its body's lines.
func render(req *Request, a *Answer, body []string) []string {
	if a.Failure != "" {
		return []string{a.Failure}
	}
	lines := []string{"HTTP " + a.String()}
	for _, k := range comparedHeaders(a.Header, req) {
		for _, v := range a.Header.Values(k) {
			lines = append(lines, k+": "+v)
		}
	}
	if len(body) > 0 {
		lines = append(lines, "")
		lines = append(lines, body...)
	}
	return lines
}

// isJSON reports whether b is a non-empty JSON value.
func isJSON(b []byte) bool {
	return len(bytes.TrimSpace(b)) > 0 && json.Valid(b)
}

// bodyLines splits a body into lines, indenting it first when pretty;
// a body that is not UTF-8 text is summarised in one line.
func bodyLines(b []byte, pretty bool) []string {
	if len(b) == 0 {
		return nil
	}
	if !utf8.Valid(b) {
		return []string{fmt.Sprintf("(binary body, %d bytes, sha256 %x)", len(b), sha256.Sum256(b))}
	}
	if pretty {
		var buf bytes.Buffer
		if json.Indent(&buf, bytes.TrimSpace(b), "", "  ") == nil {
			b = buf.Bytes()
		}
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// endsLine reports whether a non-empty body ends with a newline.
func endsLine(b []byte) bool {
	return len(b) > 0 && b[len(b)-1] == '\n'
}

// markEnd appends a marker line to a body that lacks a final newline.
func markEnd(lines []string, b []byte) []string {
	if len(b) == 0 || endsLine(b) {
		return lines
	}
	return append(lines, `\ no newline at end of body`)
}

// equalLines reports whether a and b hold the same lines.
func equalLines(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n") && len(a) == len(b)
}

// An edit is one line of a diff: ' ' kept, '-' only in a, '+' only in b.
type edit struct {
	op   byte
	line string
}

// unified returns a unified diff of a and b with diffContext lines of
// context, or "" when they are equal.
func unified(nameA, nameB string, a, b []string) string {
	edits := diffLines(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", nameA, nameB)
	changed := false
	for _, h := range hunks(edits) {
		changed = true
		writeHunk(&sb, edits, h)
	}
	if !changed {
		return ""
	}
	return sb.String()
}

// A hunk is a range [from, to) of edits to print together.
type hunk struct{ from, to int }

// hunks groups the changed edits, with their context, into hunks.
func hunks(edits []edit) []hunk {
	var hs []hunk
	for i, e := range edits {
		if e.op == ' ' {
			continue
		}
		from, to := max(i-diffContext, 0), min(i+1+diffContext, len(edits))
		if n := len(hs); n > 0 && from <= hs[n-1].to {
			hs[n-1].to = to
			continue
		}
		hs = append(hs, hunk{from, to})
	}
	return hs
}

// writeHunk writes one hunk with its "@@ -a,n +b,m @@" header.
func writeHunk(sb *strings.Builder, edits []edit, h hunk) {
	// Line numbers where the hunk starts on each side.
	la, lb := 1, 1
	for _, e := range edits[:h.from] {
		la, lb = advance(e.op, la, lb)
	}
	na, nb := 0, 0
	for _, e := range edits[h.from:h.to] {
		na, nb = advance(e.op, na, nb)
	}
	fmt.Fprintf(sb, "@@ -%d,%d +%d,%d @@\n", la, na, lb, nb)

	// The lines.
	for _, e := range edits[h.from:h.to] {
		sb.WriteByte(e.op)
		sb.WriteString(e.line)
		sb.WriteByte('\n')
	}
}

// advance counts one edit into the line counters of both sides.
func advance(op byte, a, b int) (int, int) {
	switch op {
	case '-':
		return a + 1, b
	case '+':
		return a, b + 1
	}
	return a + 1, b + 1
}

// diffLines returns the edits that turn a into b: a longest common
// subsequence of lines between their common prefix and suffix, or, when
// that would cost more than maxDiffCells, the middle as removed then
// added.
func diffLines(a, b []string) []edit {
	// Common prefix and suffix.
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	var out []edit
	for _, l := range a[:p] {
		out = append(out, edit{' ', l})
	}

	// The middle.
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	if len(ma)*len(mb) <= maxDiffCells {
		out = append(out, lcsEdits(ma, mb)...)
	} else {
		for _, l := range ma {
			out = append(out, edit{'-', l})
		}
		for _, l := range mb {
			out = append(out, edit{'+', l})
		}
	}
	for _, l := range a[len(a)-s:] {
		out = append(out, edit{' ', l})
	}
	return out
}

// lcsEdits diffs a and b by dynamic programming on their longest common
// subsequence, removals before additions within a change.
func lcsEdits(a, b []string) []edit {
	// n[i][j] is the LCS length of a[i:] and b[j:].
	n := make([][]int32, len(a)+1)
	for i := range n {
		n[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				n[i][j] = n[i+1][j+1] + 1
			} else {
				n[i][j] = max(n[i+1][j], n[i][j+1])
			}
		}
	}

	// Walk it from the start.
	var out []edit
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, edit{' ', a[i]})
			i, j = i+1, j+1
		case j == len(b) || i < len(a) && n[i+1][j] >= n[i][j+1]:
			out = append(out, edit{'-', a[i]})
			i++
		default:
			out = append(out, edit{'+', b[j]})
			j++
		}
	}
	return out
}
