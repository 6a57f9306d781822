package graph_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/liquefy/liquefy/graph"
)

func TestHTML(t *testing.T) {
	page, err := graph.HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := graph.HTML(sample())
	if !bytes.Equal(page, again) {
		t.Fatal("two calls give different pages")
	}
	s := string(page)

	// Self-contained: no script, no link, no fetched resource.
	for _, bad := range []string{"<script", "<link", "src=", "@import", "url(http"} {
		if strings.Contains(s, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if urls := regexp.MustCompile(`https?://[^"\s<]+`).FindAllString(s, -1); len(urls) != 1 || urls[0] != "http://www.w3.org/2000/svg" {
		t.Errorf("page names URLs %v, want only the SVG namespace", urls)
	}
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg"`, `id="routes-table"`, `id="roots-table"`, `id="contexts-table"`} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestHTMLEscapes(t *testing.T) {
	page, err := graph.HTML(odd())
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Contains(s, "<script") || !strings.Contains(s, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Error("the handler's markup is not escaped in the page")
	}
	if !strings.Contains(s, "written by &#34;init&#34; &amp; &lt;main&gt;") {
		t.Error("a reason's markup is not escaped in the page")
	}
}

// chromium returns the Chromium binary, skipping the test without one.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (Debian: apt-get install -y chromium); the page is not rendered")
	return ""
}

// runChromium runs headless Chromium on url with extra flags and returns
// its standard output.
func runChromium(t *testing.T, bin, url string, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--hide-scrollbars",
	}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestHTMLInChromium renders the page in headless Chromium and checks that
// the browser's DOM holds the graph and the tables, and that a screenshot
// shows the classes' colours. Set LIQUEFY_GRAPH_SCREENSHOT to a path to
// keep the screenshot.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	page, err := graph.HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "graph.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + filepath.ToSlash(file)

	// The DOM, as the browser built it.
	dom := string(runChromium(t, bin, url, "--dump-dom"))
	checkDOM(t, dom)

	// The screenshot.
	shot := filepath.Join(t.TempDir(), "graph.png")
	runChromium(t, bin, url, "--screenshot="+shot, "--window-size=1400,1800")
	checkScreenshot(t, shot)
	if keep := os.Getenv("LIQUEFY_GRAPH_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// checkDOM checks the rendered page for the drawing and the rows of the
// three tables.
func checkDOM(t *testing.T, dom string) {
	t.Helper()
	if !regexp.MustCompile(`<figure>\s*<svg [^>]*aria-label="fluxion graph of example.com/todo"`).MatchString(dom) {
		t.Error("the DOM has no inline SVG graph inside the figure")
	}
	if n := strings.Count(dom, `<g class="node `); n != 19 {
		t.Errorf("the DOM's graph has %d boxes, want 19", n)
	}
	tables := map[string][]string{
		"routes-table":   {"GET /healthz", "GET /todos", "POST /todos", "GET /sessions/{id}", "GET /stats", "POST /upload", "GET /debug/vars"},
		"roots-table":    {"config", "hits", "logFile", "mu", "nextID", "sessions", "todos"},
		"contexts-table": {"hits", "logfile", "sessions", "todos"},
	}
	for id, firsts := range tables {
		m := regexp.MustCompile(`(?s)<table id="` + id + `">.*?<tbody>(.*?)</tbody>`).FindStringSubmatch(dom)
		if m == nil {
			t.Errorf("the DOM has no table %s", id)
			continue
		}
		rows := regexp.MustCompile(`(?s)<tr><td><code>(.*?)</code>`).FindAllStringSubmatch(m[1], -1)
		var got []string
		for _, r := range rows {
			got = append(got, r[1])
		}
		if strings.Join(got, "|") != strings.Join(firsts, "|") {
			t.Errorf("table %s: rows %q, want %q", id, got, firsts)
		}
	}
	if !strings.Contains(dom, "written only in main before ListenAndServe") {
		t.Error("the roots table lacks the reasons")
	}
}

// checkScreenshot checks that the screenshot is a PNG of the window that
// shows every class's fill colour somewhere (the boxes, the legend, the
// badges).
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1400 || b.Dy() != 1800 {
		t.Errorf("screenshot is %v, want 1400x1800", b)
	}
	fills := map[string]color.RGBA{
		"stateless": hex(0xeef1f5), "replicated": hex(0xd6eaf8), "keyed": hex(0xd5f5e3),
		"singleton": hex(0xfdebd0), "background": hex(0xe8daef), "not-splittable": hex(0xfadbd8),
	}
	counts := countColours(img, fills)
	for class, n := range counts {
		if n < 200 {
			t.Errorf("screenshot shows %d pixels of %s's fill, want a box's worth", n, class)
		}
	}
}

func hex(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// countColours counts the pixels of img equal to each colour.
func countColours(img image.Image, want map[string]color.RGBA) map[string]int {
	counts := map[string]int{}
	for name := range want {
		counts[name] = 0
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for name, c := range want {
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
					counts[name]++
				}
			}
		}
	}
	return counts
}
