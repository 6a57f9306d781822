package analyzer

import (
	"fmt"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A mutable root crosses processes: its context is persisted and moved
// between owners, so generated code must encode and decode its value.
// What generated code cannot encode (a channel, a func, an
// unsafe.Pointer, an interface, whose dynamic type is unknown, a struct
// of another package with unexported fields) keeps the root in one
// process. Types that encode themselves (time.Time, binary and text
// marshalers) are fine, and so are sync.Mutex and sync.RWMutex: a guard
// holds no state between requests, and is restored unlocked.

// encodingReason says, for a root r that routes write, why its value
// cannot be encoded, and the path to the offending part; the path is ""
// when nothing is wrong or routes do not write the root.
func (a *analysis) encodingReason(u *rootUse, r *Root, written bool) (Reason, string) {
	if !written {
		return Reason{}, ""
	}
	path, what := a.encodeProblem(u)
	return Reason{Pos: r.Pos, What: fmt.Sprintf("cannot be encoded for persistence: %s is %s", path, what)}, path
}

// encodeProblem returns the path to the first part of root ri's value
// that cannot be encoded ("lists[key].updates") and what it is, or "".
// For a sync.Map the values checked are those the module stores in it.
func (a *analysis) encodeProblem(u *rootUse) (path, what string) {
	ri := u.info
	if isNamed(deref(ri.typ), "sync", "Map") {
		return a.syncMapProblem(u)
	}
	return a.unencodable(ri.typ, ri.name, map[types.Type]bool{})
}

// syncMapProblem checks the values stored in a sync.Map root.
func (a *analysis) syncMapProblem(u *rootUse) (string, string) {
	for _, ac := range u.all {
		call, ok := ac.instr.(ssa.CallInstruction)
		if !ok {
			continue
		}
		fn := calleeObject(call.Common())
		args := callArgs(call.Common())
		if fn == nil || recvName(fn) != "Map" || len(args) < 3 {
			continue
		}
		for _, x := range args[1:] {
			mi, ok := x.(*ssa.MakeInterface)
			if !ok {
				return u.info.name + "[key]", "a value of interface type"
			}
			if p, w := a.unencodable(mi.X.Type(), u.info.name+"[key]", map[types.Type]bool{}); p != "" {
				return p, w
			}
		}
	}
	return "", ""
}

// unencodable walks t, named path, for a part generated code cannot
// encode.
func (a *analysis) unencodable(t types.Type, path string, seen map[types.Type]bool) (string, string) {
	if seen[t] {
		return "", ""
	}
	seen[t] = true
	if n, ok := types.Unalias(t).(*types.Named); ok {
		if selfEncoding(n) {
			return "", ""
		}
		if n.Obj().Pkg() != nil && n.Obj().Pkg() != a.p.Main.Types && hasUnexported(n) {
			return path, "of type " + types.TypeString(n, a.qualifier) + ", a struct of another package with unexported fields"
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Chan:
		return path, "a channel"
	case *types.Signature:
		return path, "a func"
	case *types.Interface:
		return path, "an interface (" + types.TypeString(t, a.qualifier) + ")"
	case *types.Basic:
		if u.Kind() == types.UnsafePointer {
			return path, "an unsafe.Pointer"
		}
	case *types.Pointer:
		return a.unencodable(u.Elem(), path, seen)
	case *types.Slice:
		return a.unencodable(u.Elem(), path+"[i]", seen)
	case *types.Array:
		return a.unencodable(u.Elem(), path+"[i]", seen)
	case *types.Map:
		if p, w := a.unencodable(u.Key(), path+" key", seen); p != "" {
			return p, w
		}
		return a.unencodable(u.Elem(), path+"[key]", seen)
	case *types.Struct:
		for i := range u.NumFields() {
			if p, w := a.unencodable(u.Field(i).Type(), path+"."+u.Field(i).Name(), seen); p != "" {
				return p, w
			}
		}
	}
	return "", ""
}

// selfEncoding reports whether values of n encode themselves: time.Time,
// the mutexes (restored unlocked), and types whose pointer has both
// halves of encoding's binary or text marshaling.
func selfEncoding(n *types.Named) bool {
	if isNamed(n, "time", "Time") || isNamed(n, "sync", "Mutex") || isNamed(n, "sync", "RWMutex") {
		return true
	}
	ms := types.NewMethodSet(types.NewPointer(n))
	has := func(name string) bool {
		sel := ms.Lookup(n.Obj().Pkg(), name)
		return sel != nil
	}
	return has("MarshalBinary") && has("UnmarshalBinary") || has("MarshalText") && has("UnmarshalText")
}

// hasUnexported reports whether the struct n has an unexported field.
func hasUnexported(n *types.Named) bool {
	st, ok := n.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if !st.Field(i).Exported() {
			return true
		}
	}
	return false
}
