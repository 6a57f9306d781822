package gen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// ErrNotOurs is returned by Write when the output directory exists but
// was not written by liquefy.
var ErrNotOurs = errors.New("output directory was not written by liquefy")

// A Placed is an output renamed into place whose predecessor is kept
// until the caller knows the whole run succeeded.
type Placed struct {
	// Changed reports whether anything changed on disk.
	Changed bool

	// Dropped lists the files of the earlier output, relative to its
	// directory, that the new output does not have: files someone added
	// to a directory liquefy owns and rewrites whole.
	Dropped []string

	dir, old string
}

// Keep drops the predecessor: the new output stays.
func (p *Placed) Keep() {
	if p.old != "" {
		os.RemoveAll(p.old)
	}
}

// Undo puts the predecessor back, or removes the new output when there
// was none. Its error says where the predecessor was left.
func (p *Placed) Undo() error {
	if !p.Changed {
		return nil
	}
	if err := os.RemoveAll(p.dir); err != nil {
		return fmt.Errorf("gen: removing the new output: %w", err)
	}
	if p.old != "" {
		if err := os.Rename(p.old, p.dir); err != nil {
			return fmt.Errorf("gen: the earlier output is left in %s: %w", p.old, err)
		}
	}
	return nil
}

// Write puts out in dir. It writes a complete copy into a new directory
// beside dir and renames it into place, so a failed run never leaves a
// half-written service; an earlier liquefied service in dir is replaced
// whole, and kept aside until Keep or Undo is called. A dir that exists
// and does not hold liquefy's generated plan is left untouched and Write
// returns an error wrapping ErrNotOurs.
func Write(out *Output, dir string) (*Placed, error) {
	if err := checkOurs(dir); err != nil {
		return nil, err
	}
	if same, err := sameContents(out, dir); err != nil || same {
		return &Placed{dir: dir}, err
	}

	// Stage the whole tree next to dir, on the same file system.
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it 0700
		return nil, fmt.Errorf("gen: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := writeTree(out, tmp); err != nil {
		return nil, err
	}

	// Swap it in: move the old tree aside, the new one in.
	p := &Placed{Changed: true, dir: dir, Dropped: dropped(out, dir)}
	if _, err := os.Stat(dir); err == nil {
		p.old = tmp + ".old"
		if err := os.Rename(dir, p.old); err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if p.old != "" {
			os.Rename(p.old, dir)
		}
		return nil, fmt.Errorf("gen: %w", err)
	}
	return p, nil
}

// checkOurs returns nil when dir does not exist or holds a plan file
// liquefy wrote.
func checkOurs(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: %w (it is a file): choose another directory with -o", dir, ErrNotOurs)
	}
	data, err := os.ReadFile(filepath.Join(dir, PlanFile))
	if err != nil || !bytes.HasPrefix(data, []byte(Header+"\n")) {
		return fmt.Errorf("%s: %w (it has no %s starting %q): remove it or choose another directory with -o", dir, ErrNotOurs, PlanFile, Header)
	}
	return nil
}

// writeTree writes every file of out under root.
func writeTree(out *Output, root string) error {
	for _, name := range slices.Sorted(maps.Keys(out.Files)) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		if err := os.WriteFile(p, out.Files[name], 0o644); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	return nil
}

// sameContents reports whether dir already holds exactly out's files.
func sameContents(out *Output, dir string) (bool, error) {
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		rel, _ := filepath.Rel(dir, p)
		want, ok := out.Files[filepath.ToSlash(rel)]
		if !ok {
			return errDiffers
		}
		got, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return errDiffers
		}
		return nil
	})
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, errDiffers):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("gen: %w", err)
	}
	return n == len(out.Files), nil
}

var errDiffers = errors.New("differs")

// dropped lists the files under dir that out does not hold.
func dropped(out *Output, dir string) []string {
	var names []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if _, ok := out.Files[filepath.ToSlash(rel)]; !ok {
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	return names
}
