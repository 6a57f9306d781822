package analyzer

import (
	"go/types"
	"strings"
)

// readOnlyPackages are packages whose functions (not methods) only read
// what their arguments point to. The list is short on purpose: a call of
// anything else with an argument that points into a root is taken to
// write the root, which errs toward singleton, never toward a wrong split.
var readOnlyPackages = map[string]bool{
	"bytes": true, "context": true, "errors": true, "html": true,
	"log": true, "log/slog": true, "math": true, "net/url": true,
	"path": true, "path/filepath": true, "regexp": true, "strings": true,
	"time": true, "unicode": true, "unicode/utf8": true,
	"encoding/hex": true, "encoding/base64": true,
}

// readOnlyFuncs are single functions that only read their arguments,
// by full name.
var readOnlyFuncs = map[string]bool{
	"encoding/json.Marshal": true, "encoding/json.MarshalIndent": true,
	"encoding/json.Valid": true,
	"sort.Search":         true, "sort.SearchInts": true, "sort.SearchStrings": true,
	"sort.SearchFloat64s": true, "sort.IsSorted": true, "sort.IntsAreSorted": true,
	"sort.StringsAreSorted": true, "sort.SliceIsSorted": true,
	"slices.Contains": true, "slices.ContainsFunc": true, "slices.Index": true,
	"slices.IndexFunc": true, "slices.Equal": true, "slices.BinarySearch": true,
	"slices.BinarySearchFunc": true, "slices.Max": true, "slices.Min": true,
	"slices.Clone": true, "maps.Clone": true, "maps.Keys": true, "maps.Values": true,
	"maps.Equal":     true,
	"net/http.Error": true, "net/http.ServeContent": true,
}

// readOnly reports whether fn only reads what its argument i points to
// (i counts the receiver of a method as 0).
func readOnly(fn *types.Func, i int) bool {
	if fn.Pkg() == nil {
		return fn.Name() == "Error" // the error interface's only method
	}
	path, name := fn.Pkg().Path(), fn.Name()
	sig := fn.Type().(*types.Signature)
	if sig.Recv() != nil {
		return readOnlyMethod(fn, path, name, i)
	}
	switch path {
	case "fmt":
		// Printing reads its operands; scanning writes them; the writer
		// of Fprint is written.
		return !strings.Contains(name, "scan") && !strings.Contains(name, "Scan") &&
			!(strings.HasPrefix(name, "Fprint") && i == 0) && !strings.HasPrefix(name, "Append")
	case "strconv":
		return !strings.HasPrefix(name, "Append") || i > 0
	}
	return readOnlyPackages[path] || readOnlyFuncs[path+"."+name]
}

// readOnlyMethod reports whether method fn only reads argument i: value
// receivers of library types, encoders and templates reading the value
// they render, loggers, and the data written to any Write method (the
// io.Writer contract forbids changing it).
func readOnlyMethod(fn *types.Func, path, name string, i int) bool {
	recv := fn.Type().(*types.Signature).Recv().Type()
	if _, ptr := recv.(*types.Pointer); !ptr && i == 0 && !types.IsInterface(recv) {
		return true
	}
	switch {
	case path == "encoding/json" && name == "Encode" && i == 1:
		return true
	case (path == "text/template" || path == "html/template") && strings.HasPrefix(name, "Execute"):
		return i != 1 // the writer is written; the template and data are read
	case path == "log" || path == "log/slog":
		return i == 0
	case (name == "Write" || name == "WriteString") && i == 1:
		return true
	case path == "regexp" && name != "Longest":
		return true // a Regexp is safe for concurrent use; matching changes nothing
	case (name == "Error" || name == "String") && i == 0:
		return true // describing a value does not change it
	}
	return false
}
