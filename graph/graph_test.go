package graph_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/graph"
)

// odd is an inspection whose names need escaping in every format.
func odd() *liquefy.Inspection {
	in := sample()
	in.Module = `example.com/"odd"&<co>`
	in.Routes[0].Pattern = `GET /a"b\c<d>`
	in.Routes[0].Handler = `<script>alert("x")</script>`
	in.Roots[0].Reasons[0].What = `written by "init" & <main>`
	return in
}

func TestDOT(t *testing.T) {
	a, b := graph.DOT(sample()), graph.DOT(sample())
	if !bytes.Equal(a, b) {
		t.Fatal("two calls give different DOT")
	}
	dot := string(a)
	for _, want := range []string{
		`"route0" -> "fluxion:get-healthz";`,
		`"route2" -> "fluxion:post-todos";`,
		`"fluxion:post-todos" -> "context:todos";`,
		`"fluxion:get-sessions-id" -> "context:sessions";`,
		`"fluxion:get-healthz" -> "root:config" [style=dashed`,
		`"route3" [label="GET /sessions/{id}\ngetSession", fillcolor="#d5f5e3", color="#1e8449"`,
		`"context:todos" [label="todos\ncontext · singleton\nmu, nextID, todos", fillcolor="#fdebd0"`,
		`"root:config" [label="config\nreplicated · map[string]string", fillcolor="#d6eaf8"`,
		`"context:hits" [label="hits\ncontext · background\nhits", fillcolor="#e8daef"`,
		`"fluxion:get-debug-vars" [label="get-debug-vars\nstateless", fillcolor="#eef1f5"`,
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %s", want)
		}
	}

	// The residue cluster holds exactly the residue fluxion and context.
	m := regexp.MustCompile(`(?s)subgraph cluster_residue \{\n(.*?)\n\t\}`).FindStringSubmatch(dot)
	if m == nil {
		t.Fatal("no residue cluster")
	}
	var inside []string
	for _, line := range strings.Split(m[1], "\n") {
		if i := strings.Index(line, `" [label=`); i >= 0 {
			inside = append(inside, strings.TrimLeft(line[:i], "\t\""))
		}
	}
	if strings.Join(inside, " ") != "fluxion:post-upload context:logfile" {
		t.Errorf("residue cluster holds %v", inside)
	}
	if strings.Count(dot, `"fluxion:post-upload" [`) != 1 {
		t.Error("the residue fluxion is declared more than once")
	}
}

func TestDOTEscapes(t *testing.T) {
	dot := string(graph.DOT(odd()))
	if !strings.Contains(dot, `label="GET /a\"b\\c<d>\n<script>alert(\"x\")</script>"`) {
		t.Errorf("pattern and handler not quoted as DOT strings:\n%s", dot)
	}
	path, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("no Graphviz dot on PATH to parse the DOT")
	}
	for _, in := range []*liquefy.Inspection{sample(), odd(), {}} {
		cmd := exec.Command(path, "-Tcanon")
		cmd.Stdin = bytes.NewReader(graph.DOT(in))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("dot rejects the DOT: %v\n%s", err, out)
		}
	}
}

// svgBox is one box of a drawing, as its SVG says.
type svgBox struct {
	id, class  string
	x, y, w, h float64
	texts      []string
}

// parseSVG reads the boxes, edges and residue frame of a drawing, failing
// on SVG that is not well-formed XML.
func parseSVG(t *testing.T, svg []byte) (boxes []svgBox, edges int, frame *svgBox, viewBox []float64) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var cur *svgBox
	var inGroup string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			a := attrs(tok)
			switch tok.Name.Local {
			case "svg":
				for _, f := range strings.Fields(a["viewBox"]) {
					v, _ := strconv.ParseFloat(f, 64)
					viewBox = append(viewBox, v)
				}
			case "g":
				inGroup = a["class"]
				if strings.HasPrefix(inGroup, "node ") {
					boxes = append(boxes, svgBox{id: a["id"], class: strings.TrimPrefix(inGroup, "node ")})
					cur = &boxes[len(boxes)-1]
				}
			case "rect":
				r := rectOf(a)
				if cur != nil {
					cur.x, cur.y, cur.w, cur.h = r.x, r.y, r.w, r.h
				} else if inGroup == "residue" {
					frame = &r
				}
			case "path":
				if a["class"] == "edge" {
					edges++
				}
			case "text":
				if cur != nil {
					var s string
					dec.DecodeElement(&s, &tok)
					cur.texts = append(cur.texts, s)
				}
			}
		case xml.EndElement:
			if tok.Name.Local == "g" {
				cur, inGroup = nil, ""
			}
		}
	}
	return boxes, edges, frame, viewBox
}

func attrs(e xml.StartElement) map[string]string {
	m := map[string]string{}
	for _, a := range e.Attr {
		m[a.Name.Local] = a.Value
	}
	return m
}

func rectOf(a map[string]string) svgBox {
	f := func(k string) float64 { v, _ := strconv.ParseFloat(a[k], 64); return v }
	return svgBox{x: f("x"), y: f("y"), w: f("width"), h: f("height")}
}

func overlap(a, b svgBox) bool {
	return a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h
}

func inside(a, frame svgBox) bool {
	return a.x >= frame.x && a.y >= frame.y && a.x+a.w <= frame.x+frame.w && a.y+a.h <= frame.y+frame.h
}

func TestDraw(t *testing.T) {
	svg := graph.Draw(sample())
	if !bytes.Equal(svg, graph.Draw(sample())) {
		t.Fatal("two calls give different SVG")
	}
	boxes, edges, frame, vb := parseSVG(t, svg)

	// Every route, fluxion and piece of state has a box with its text.
	want := map[string]string{
		"lq-route0": "GET /healthz", "lq-route3": "GET /sessions/{id}", "lq-route6": "GET /debug/vars",
		"lq-fluxion-get-todos": "get-todos", "lq-fluxion-post-upload": "post-upload",
		"lq-context-todos": "todos", "lq-context-logfile": "logfile", "lq-context-hits": "hits",
		"lq-root-config": "config",
	}
	byID := map[string]svgBox{}
	for _, b := range boxes {
		byID[b.id] = b
	}
	for id, title := range want {
		if b, ok := byID[id]; !ok || len(b.texts) == 0 || b.texts[0] != title {
			t.Errorf("box %s: %+v, want title %q", id, b, title)
		}
	}
	if len(boxes) != 7+7+5 {
		t.Errorf("%d boxes, want 19 (7 routes, 7 fluxions, 4 contexts, 1 root)", len(boxes))
	}
	if edges != 7+5+2 {
		t.Errorf("%d edges, want 14 (7 route→fluxion, 5 fluxion→context, 2 reads)", edges)
	}
	if byID["lq-context-sessions"].class != "keyed" || byID["lq-root-config"].class != "replicated" {
		t.Errorf("classes: sessions %q, config %q", byID["lq-context-sessions"].class, byID["lq-root-config"].class)
	}

	// No two boxes overlap, each fits its text and the view box.
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			if overlap(a, b) {
				t.Errorf("boxes %s and %s overlap", a.id, b.id)
			}
		}
		for j, s := range a.texts {
			size := 10.0
			if j == 0 {
				size = 12
			}
			if w := float64(len([]rune(s))) * size * 0.6; w > a.w-10 {
				t.Errorf("box %s is %.0f wide, text %q needs %.0f", a.id, a.w, s, w)
			}
		}
		if len(vb) != 4 || a.x+a.w > vb[2] || a.y+a.h > vb[3] {
			t.Errorf("box %s leaves the view box %v", a.id, vb)
		}
	}

	// The residue frame holds the residue boxes and no other.
	if frame == nil {
		t.Fatal("no residue frame")
	}
	for _, b := range boxes {
		isResidue := b.id == "lq-fluxion-post-upload" || b.id == "lq-context-logfile"
		if isResidue != inside(b, *frame) || !isResidue && overlap(b, *frame) {
			t.Errorf("box %s: residue %v, inside the frame %v", b.id, isResidue, inside(b, *frame))
		}
	}
}

func TestDrawEscapes(t *testing.T) {
	boxes, _, _, _ := parseSVG(t, graph.Draw(odd()))
	if boxes[0].texts[0] != `GET /a"b\c<d>` || boxes[0].texts[1] != `<script>alert("x")</script>` {
		t.Errorf("texts %q, want the pattern and handler as given", boxes[0].texts)
	}

	// An empty inspection still draws.
	boxes, edges, frame, _ := parseSVG(t, graph.Draw(&liquefy.Inspection{}))
	if len(boxes) != 0 || edges != 0 || frame != nil {
		t.Errorf("empty inspection: %d boxes, %d edges, frame %v", len(boxes), edges, frame)
	}
}

func TestSVGWithoutDot(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	svg, err := graph.SVG(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(svg, graph.Draw(sample())) {
		t.Error("without dot, SVG is not the own drawing")
	}
}

func TestSVGWithDot(t *testing.T) {
	if _, err := exec.LookPath("dot"); err != nil {
		t.Skip("no Graphviz dot on PATH")
	}
	svg, err := graph.SVG(sample())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(svg, graph.Draw(sample())) {
		t.Fatal("with dot on PATH, SVG is the own drawing")
	}
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Groups  []struct {
			Class string `xml:"class,attr"`
			Title string `xml:"title"`
		} `xml:"g>g"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("dot's SVG does not parse: %v", err)
	}
	found := map[string]bool{}
	for _, g := range doc.Groups {
		found[g.Class+" "+g.Title] = true
	}
	for _, want := range []string{"cluster cluster_residue", "node route3", "node fluxion:get-sessions-id", "node context:logfile", "edge route0&#45;&gt;fluxion:get-healthz"} {
		want = strings.NewReplacer("&#45;", "-", "&gt;", ">").Replace(want)
		if !found[want] {
			t.Errorf("dot's SVG lacks %q", want)
		}
	}
}

func TestSVGDotFails(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, "dot"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	_, err := graph.SVG(sample())
	if err == nil || !strings.Contains(err.Error(), "svg: dot:") || !strings.Contains(err.Error(), "syntax error in line 1") {
		t.Errorf("error %v, want one quoting dot's message", err)
	}
}
