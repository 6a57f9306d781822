package analyzer

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkLoadAnalyzeVersusVet times Load and Analyze of the largest
// bundled app next to `go vet` on the same package, run as a subprocess
// in the same iteration, and reports both with their ratio. The target
// is a ratio of at most 2. go vet's own results are cached by the go
// command, so its figure is that of a warm vet.
func BenchmarkLoadAnalyzeVersusVet(b *testing.B) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command in PATH")
	}
	dir := largestApp(b)
	var ours, vet time.Duration
	for b.Loop() {
		start := time.Now()
		p, err := Load(dir, Config{Dir: dir})
		if err == nil {
			_, err = Analyze(p)
		}
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)

		start = time.Now()
		cmd := exec.Command(goTool, "vet", ".")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go vet: %v\n%s", err, out)
		}
		vet += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(ours.Milliseconds())/n, "liquefy-ms/op")
	b.ReportMetric(float64(vet.Milliseconds())/n, "vet-ms/op")
	b.ReportMetric(float64(ours)/float64(vet), "liquefy/vet")
	b.Logf("%s: Load+Analyze %v, go vet %v per run", filepath.Base(dir), ours/time.Duration(b.N), vet/time.Duration(b.N))
}

// largestApp returns the directory of the bundled app with the most Go
// source.
func largestApp(b *testing.B) string {
	dirs, _ := filepath.Glob(filepath.Join("..", "testdata", "apps", "*"))
	best, size := "", int64(-1)
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.go"))
		var n int64
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil {
				n += fi.Size()
			}
		}
		if n > size {
			best, size = d, n
		}
	}
	if best == "" {
		b.Fatal("no bundled apps under ../testdata/apps")
	}
	return best
}
