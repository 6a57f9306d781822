// Package scratch copies a bundled app into a scratch directory, so that
// the demo and the tests can liquefy it without touching the checkout.
package scratch

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Copy copies the directory tree src to dst, leaving out any directory
// named skip at its top (an earlier run's liquefied service).
func Copy(src, dst, skip string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && rel == skip {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}
