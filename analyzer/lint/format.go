package lint

import (
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"path/filepath"
	"strings"
)

// DocsURL is where the catalogue of codes lives; a rule's help link is
// DocsURL#lq001.
const DocsURL = "https://github.com/liquefy/liquefy/blob/main/docs/lint.md"

// WriteText writes one finding per line as the Go toolchain writes
// diagnostics, "file:line:col: message [LQ001]", with file names
// relative to wd (the module root when wd is ""), and each related
// location indented on a line of its own.
func (r *Report) WriteText(w io.Writer, wd string) error {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s: %s: %s [%s]\n", r.relTo(wd, f.Pos), f.Level, f.Message, f.Code)
		for _, rel := range f.Related {
			fmt.Fprintf(&b, "\t%s: %s\n", r.relTo(wd, rel.Pos), rel.Message)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// relTo returns pos, a position relative to the module root, as a string
// relative to wd.
func (r *Report) relTo(wd string, pos token.Position) string {
	if wd == "" || pos.Filename == "" {
		return pos.String()
	}
	abs := pos.Filename
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(r.ModuleDir, abs)
	}
	if rel, err := filepath.Rel(wd, abs); err == nil {
		pos.Filename = rel
	}
	return pos.String()
}

// The JSON form of a report. It is stable: fields are only ever added.
type jsonReport struct {
	Module   string        `json:"module"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
	Findings []jsonFinding `json:"findings"`
}

type jsonFinding struct {
	Code    string        `json:"code"`
	Level   Level         `json:"level"`
	jsonPos               // file relative to the module root, line, column
	Message string        `json:"message"`
	Related []jsonRelated `json:"related,omitempty"`
}

type jsonRelated struct {
	jsonPos
	Message string `json:"message"`
}

type jsonPos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// WriteJSON writes the report as one indented JSON document; file names
// are relative to the module root, with forward slashes.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{Module: r.Module, Errors: r.Errors(), Warnings: r.Warnings(), Findings: []jsonFinding{}}
	for _, f := range r.Findings {
		jf := jsonFinding{Code: f.Code, Level: f.Level, jsonPos: toJSONPos(f.Pos), Message: f.Message}
		for _, rel := range f.Related {
			jf.Related = append(jf.Related, jsonRelated{toJSONPos(rel.Pos), rel.Message})
		}
		out.Findings = append(out.Findings, jf)
	}
	return encode(w, out)
}

func toJSONPos(p token.Position) jsonPos {
	return jsonPos{File: filepath.ToSlash(p.Filename), Line: p.Line, Column: p.Column}
}

// encode writes v as indented JSON.
func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("lint: write: %w", err)
	}
	return nil
}
