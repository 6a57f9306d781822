package analyzer

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"
)

// A key value is accepted only when it is built, inside the request, from
// the Key vocabulary: a request accessor with a constant name, then pure
// transforms. Anything else (a phi of two values, a counter, a clock, a
// value read from state) is refused with the reason, and the root it
// selects an entry of stays whole.

// maxKeyDepth bounds the frames a key value is traced through.
const maxKeyDepth = 16

// keyOps are the pure transforms a key may pass through, by full name.
var keyOps = map[string]bool{
	"strings.ToLower": true, "strings.ToUpper": true, "strings.TrimSpace": true,
	"strconv.Atoi": true, "strconv.ParseInt": true, "strconv.ParseUint": true,
}

// requestKey says how the key value v derives from the request, or why
// it does not.
func (a *analysis) requestKey(v val) (*Key, string) {
	k, why := a.keyOf(v, 0)
	if k == nil {
		return nil, why
	}
	at, expr := a.keyExpr(v)
	k.Expr, k.Pos = expr, a.p.position(at)
	k.Type = types.TypeString(unwrapIface(v.v).Type(), a.qualifier)
	return k, ""
}

// unwrapIface returns the value converted to an interface by v, or v:
// a sync.Map's key is the concrete value passed to it.
func unwrapIface(v ssa.Value) ssa.Value {
	if mi, ok := v.(*ssa.MakeInterface); ok {
		return mi.X
	}
	return v
}

// keyOf traces v to its request accessor, collecting transforms.
func (a *analysis) keyOf(v val, depth int) (*Key, string) {
	if depth > maxKeyDepth {
		return nil, "too deep to trace"
	}
	if b, ok := v.f.bound(v.v); ok {
		return a.keyOf(b, depth+1)
	}
	switch x := v.v.(type) {
	case *ssa.MakeInterface:
		return a.keyOf(val{v: x.X, f: v.f}, depth+1)
	case *ssa.ChangeType:
		return a.keyOf(val{v: x.X, f: v.f}, depth+1)
	case *ssa.Convert:
		if !losslessInt(x.X.Type(), x.Type()) {
			return nil, "converted from " + types.TypeString(x.X.Type(), a.qualifier)
		}
		return a.keyOf(val{v: x.X, f: v.f}, depth+1)
	case *ssa.Extract:
		return a.keyOfExtract(x, v.f, depth)
	case *ssa.Call:
		return a.keyOfCall(x, v.f, depth)
	case *ssa.UnOp:
		if x.Op == token.MUL {
			return a.keyOfLoad(x, v.f, depth)
		}
	case *ssa.Field:
		return a.keyOfField(x.X, x.Field, v.f)
	case *ssa.Phi:
		return nil, "chosen by a branch"
	case *ssa.Const:
		return nil, "a constant"
	case *ssa.Parameter:
		return nil, "a parameter the analysis cannot bind to a call"
	}
	return nil, a.origin(v.v)
}

// origin says briefly where a value comes from, for a refused key.
func (a *analysis) origin(v ssa.Value) string {
	switch x := v.(type) {
	case *ssa.UnOp:
		if g, ok := x.X.(*ssa.Global); ok {
			return "read from the variable " + g.Name()
		}
		return "read from memory"
	case *ssa.Call:
		if fn := calleeObject(&x.Call); fn != nil {
			return "returned by " + funcName(fn)
		}
	case *ssa.Extract:
		if c, ok := x.Tuple.(*ssa.Call); ok {
			return a.origin(c)
		}
	case *ssa.Lookup:
		return "read from a map"
	}
	return "computed by the handler"
}

// losslessInt reports whether converting an integer of type from to type
// to keeps every value parsed as 64 bits: int64 and int, uint64 and uint.
func losslessInt(from, to types.Type) bool {
	f, ok1 := from.Underlying().(*types.Basic)
	t, ok2 := to.Underlying().(*types.Basic)
	if !ok1 || !ok2 {
		return false
	}
	signed := map[types.BasicKind]bool{types.Int: true, types.Int64: true}
	unsigned := map[types.BasicKind]bool{types.Uint: true, types.Uint64: true}
	return signed[f.Kind()] && signed[t.Kind()] || unsigned[f.Kind()] && unsigned[t.Kind()]
}

// keyOfExtract handles a parse (the value of strconv.Atoi and friends),
// a result of a function of the module, and a cookie's pointer.
func (a *analysis) keyOfExtract(x *ssa.Extract, f *frame, depth int) (*Key, string) {
	c, ok := x.Tuple.(*ssa.Call)
	if !ok || x.Index != 0 {
		return nil, a.origin(x)
	}
	if fn := calleeObject(&c.Call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "strconv" {
		return a.keyOfOp(c, f, depth)
	}
	if a.p.isApp(c.Call.StaticCallee()) {
		return a.keyOfResults(c, f, x.Index, depth)
	}
	return nil, a.origin(x)
}

// keyOfResults traces a result of a function of the module: every return
// must give the same key.
func (a *analysis) keyOfResults(c *ssa.Call, f *frame, i, depth int) (*Key, string) {
	var k *Key
	for _, r := range a.results(c, f, i) {
		rk, why := a.keyOf(r, depth+1)
		if rk == nil {
			return nil, why
		}
		if k != nil && !sameKey(k, rk) {
			return nil, "returned from two different request values"
		}
		k = rk
	}
	if k == nil {
		return nil, a.origin(c)
	}
	return k, ""
}

// keyOfCall handles a request accessor, a pure transform, or a call of a
// function of the module.
func (a *analysis) keyOfCall(c *ssa.Call, f *frame, depth int) (*Key, string) {
	if a.p.isApp(c.Call.StaticCallee()) {
		return a.keyOfResults(c, f, 0, depth)
	}
	fn := calleeObject(&c.Call)
	if fn == nil || fn.Pkg() == nil {
		return nil, a.origin(c)
	}
	args := callArgs(&c.Call)
	switch path, recv, name := fn.Pkg().Path(), recvName(fn), fn.Name(); {
	case path == "strings" && keyOps[path+"."+name]:
		return a.keyOfOp(c, f, depth)
	case path == "net/http" && recv == "Request" && (name == "PathValue" || name == "FormValue"):
		from := map[string]string{"PathValue": "path", "FormValue": "form"}[name]
		return a.accessor(from, val{v: args[0], f: f}, args[1])
	case path == "net/url" && recv == "Values" && name == "Get":
		q, ok := args[0].(*ssa.Call)
		if obj := calleeObjectOf(q); ok && obj != nil && recvName(obj) == "URL" && obj.Name() == "Query" {
			return a.accessor("query", a.requestField(val{v: q.Call.Args[0], f: f}, "URL"), args[1])
		}
	case path == "net/http" && recv == "Header" && name == "Get":
		return a.accessor("header", a.requestField(val{v: args[0], f: f}, "Header"), args[1])
	}
	return nil, a.origin(c)
}

// calleeObjectOf is calleeObject for a call that may be nil.
func calleeObjectOf(c *ssa.Call) *types.Func {
	if c == nil {
		return nil
	}
	return calleeObject(&c.Call)
}

// keyOfOp handles a pure transform: its operand is traced, and the
// transform appended to the key's operations.
func (a *analysis) keyOfOp(c *ssa.Call, f *frame, depth int) (*Key, string) {
	fn := calleeObject(&c.Call)
	name := fn.Pkg().Name() + "." + fn.Name()
	if !keyOps[fn.Pkg().Path()+"."+fn.Name()] {
		return nil, "returned by " + funcName(fn)
	}
	if (fn.Name() == "ParseInt" || fn.Name() == "ParseUint") && !constArgs(c.Call.Args[1:], 10, 64) {
		return nil, "parsed by " + name + " with a base other than 10 or a size other than 64"
	}
	k, why := a.keyOf(val{v: c.Call.Args[0], f: f}, depth+1)
	if k == nil {
		return nil, why
	}
	k.Ops = append(k.Ops, name)
	return k, ""
}

// constArgs reports whether args are the integer constants want.
func constArgs(args []ssa.Value, want ...int64) bool {
	for i, w := range want {
		c, ok := args[i].(*ssa.Const)
		if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
			return false
		}
		if n, ok := constant.Int64Val(c.Value); !ok || n != w {
			return false
		}
	}
	return true
}

// accessor returns the key read by an accessor of the request req (a
// value that is nil when the receiver is not the request) with the
// constant name.
func (a *analysis) accessor(from string, req val, name ssa.Value) (*Key, string) {
	if req.v == nil || !a.isRequest(req, 0) {
		return nil, "read from a request the handler made or changed"
	}
	c, ok := name.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.String {
		return nil, "a " + from + " value whose name is not a constant"
	}
	return &Key{From: from, Name: constant.StringVal(c.Value)}, ""
}

// requestField returns the request whose field named field v is loaded
// from (r.URL, r.Header), or a zero val.
func (a *analysis) requestField(v val, field string) val {
	if b, ok := v.f.bound(v.v); ok {
		v = b
	}
	ld, ok := v.v.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL {
		return val{}
	}
	fa, ok := ld.X.(*ssa.FieldAddr)
	if !ok || !isNamed(deref(fa.X.Type()), "net/http", "Request") {
		return val{}
	}
	if deref(fa.X.Type()).Underlying().(*types.Struct).Field(fa.Field).Name() != field {
		return val{}
	}
	return val{v: fa.X, f: v.f}
}

// isRequest reports whether v is the *http.Request the handler was
// called with, passed down through the module's functions.
func (a *analysis) isRequest(v val, depth int) bool {
	if depth > maxKeyDepth {
		return false
	}
	if b, ok := v.f.bound(v.v); ok {
		return a.isRequest(b, depth+1)
	}
	p, ok := v.v.(*ssa.Parameter)
	return ok && v.f != nil && v.f.request && isNamed(deref(p.Type()), "net/http", "Request")
}

// keyOfLoad handles a field loaded from memory: a cookie's Value, or a
// field of a struct decoded from the JSON body.
func (a *analysis) keyOfLoad(ld *ssa.UnOp, f *frame, depth int) (*Key, string) {
	fa, ok := ld.X.(*ssa.FieldAddr)
	if !ok {
		return nil, a.origin(ld)
	}
	if isNamed(deref(fa.X.Type()), "net/http", "Cookie") {
		return a.keyOfCookie(val{v: fa.X, f: f}, fa.Field)
	}
	return a.keyOfField(fa.X, fa.Field, f)
}

// keyOfCookie handles c.Value of a cookie c from r.Cookie(name).
func (a *analysis) keyOfCookie(c val, field int) (*Key, string) {
	if b, ok := c.f.bound(c.v); ok {
		c = b
	}
	st := deref(c.v.Type()).Underlying().(*types.Struct)
	x, ok := c.v.(*ssa.Extract)
	if !ok || st.Field(field).Name() != "Value" {
		return nil, "a cookie field other than Value"
	}
	call, ok := x.Tuple.(*ssa.Call)
	if obj := calleeObjectOf(call); !ok || obj == nil || recvName(obj) != "Request" || obj.Name() != "Cookie" {
		return nil, "a cookie not read with r.Cookie"
	}
	return a.accessor("cookie", val{v: call.Call.Args[0], f: c.f}, call.Call.Args[1])
}

// keyOfField handles field i of the struct at x (an address, or a struct
// value loaded from one): the struct must be a local variable filled by
// decoding the request's JSON body, and nothing else may write the field.
func (a *analysis) keyOfField(x ssa.Value, i int, f *frame) (*Key, string) {
	if ld, ok := x.(*ssa.UnOp); ok && ld.Op == token.MUL {
		x = ld.X
	}
	cell, ok := x.(*ssa.Alloc)
	if !ok {
		return nil, "a field of a struct that is not a local variable"
	}
	st, ok := deref(cell.Type()).Underlying().(*types.Struct)
	if !ok {
		return nil, "read from memory"
	}
	decoded := false
	for _, ref := range *cell.Referrers() {
		switch ref := ref.(type) {
		case *ssa.MakeInterface:
			if !a.decodesBody(ref, f) {
				return nil, "a field of a struct passed to something other than a JSON decoder of the body"
			}
			decoded = true
		case *ssa.FieldAddr:
			if ref.Field == i && writtenField(ref) {
				return nil, "a field the handler writes after decoding"
			}
		case *ssa.Store:
			return nil, "a field of a struct the handler assigns"
		}
	}
	if !decoded {
		return nil, "a field of a struct not decoded from the request body"
	}
	return &Key{From: "json", Name: jsonName(st, i)}, ""
}

// writtenField reports whether the field address fa is stored to or
// escapes.
func writtenField(fa *ssa.FieldAddr) bool {
	for _, ref := range *fa.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
		case *ssa.Store:
			if ref.Addr == fa {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// decodesBody reports whether the interface mi is only the target of
// json.NewDecoder(body).Decode or json.Unmarshal(io.ReadAll(body)), body
// being the request's body, possibly through http.MaxBytesReader.
func (a *analysis) decodesBody(mi *ssa.MakeInterface, f *frame) bool {
	for _, ref := range *mi.Referrers() {
		call, ok := ref.(*ssa.Call)
		obj := calleeObjectOf(call)
		if !ok || obj == nil || obj.Pkg() == nil || obj.Pkg().Path() != "encoding/json" {
			return false
		}
		args := callArgs(&call.Call)
		switch {
		case obj.Name() == "Decode" && recvName(obj) == "Decoder":
			nd, ok := args[0].(*ssa.Call)
			if o := calleeObjectOf(nd); !ok || o == nil || o.Name() != "NewDecoder" || !a.isBody(val{v: nd.Call.Args[0], f: f}) {
				return false
			}
		case obj.Name() == "Unmarshal":
			if !a.readsBody(val{v: args[0], f: f}) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// readsBody reports whether v is the data of io.ReadAll(body).
func (a *analysis) readsBody(v val) bool {
	x, ok := v.v.(*ssa.Extract)
	if !ok || x.Index != 0 {
		return false
	}
	call, ok := x.Tuple.(*ssa.Call)
	obj := calleeObjectOf(call)
	return ok && obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == "io" && obj.Name() == "ReadAll" &&
		a.isBody(val{v: call.Call.Args[0], f: v.f})
}

// isBody reports whether v is r.Body of the handler's request, possibly
// wrapped by http.MaxBytesReader.
func (a *analysis) isBody(v val) bool {
	if b, ok := v.f.bound(v.v); ok {
		v = b
	}
	if ci, ok := v.v.(*ssa.ChangeInterface); ok {
		return a.isBody(val{v: ci.X, f: v.f})
	}
	if call, ok := v.v.(*ssa.Call); ok {
		obj := calleeObjectOf(call)
		return obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == "net/http" &&
			obj.Name() == "MaxBytesReader" && a.isBody(val{v: call.Call.Args[1], f: v.f})
	}
	req := a.requestField(v, "Body")
	return req.v != nil && a.isRequest(req, 0)
}

// jsonName returns the name encoding/json gives field i of st.
func jsonName(st *types.Struct, i int) string {
	tag := reflect.StructTag(st.Tag(i)).Get("json")
	if name, _, _ := strings.Cut(tag, ","); name != "" && name != "-" {
		return name
	}
	return st.Field(i).Name()
}

// sameKey reports whether two keys read the same request value through
// the same transforms.
func sameKey(x, y *Key) bool {
	return x.From == y.From && x.Name == y.Name && strings.Join(x.Ops, ",") == strings.Join(y.Ops, ",")
}

// keyString writes a key briefly: `strconv.Atoi(path "id")`.
func keyString(k *Key) string {
	s := fmt.Sprintf("%s %q", k.From, k.Name)
	for _, op := range k.Ops {
		s = op + "(" + s + ")"
	}
	return s
}

// keyExpr returns the position and source spelling of the key value v.
func (a *analysis) keyExpr(v val) (token.Pos, string) {
	x := unwrapIface(v.v)
	if b, ok := v.f.bound(x); ok {
		return a.keyExpr(b)
	}
	if e, ok := x.(*ssa.Extract); ok {
		x = e.Tuple
	}
	var pos token.Pos
	switch x := x.(type) {
	case *ssa.Call:
		if c := a.calls[x.Pos()]; c != nil {
			return c.Pos(), a.spell(c)
		}
		pos = x.Pos()
	case *ssa.UnOp:
		pos = x.X.Pos()
	default:
		pos = x.Pos()
	}
	if e := a.exprAt(pos); e != nil {
		return e.Pos(), a.spell(e)
	}
	return pos, x.Name()
}

// exprAt returns the selector or index expression of the module's
// files at pos, or nil.
func (a *analysis) exprAt(pos token.Pos) ast.Expr {
	if !pos.IsValid() {
		return nil
	}
	for _, f := range a.files {
		if pos < f.FileStart || pos > f.FileEnd {
			continue
		}
		path, _ := astutil.PathEnclosingInterval(f, pos, pos)
		for _, n := range path {
			switch n := n.(type) {
			case *ast.SelectorExpr, *ast.IndexExpr:
				return n.(ast.Expr)
			case *ast.CallExpr:
				return n
			}
		}
	}
	return nil
}
