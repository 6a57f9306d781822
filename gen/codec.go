package gen

import (
	"fmt"
	"go/types"

	"github.com/dave/jennifer/jen"
)

// A codecs collects the encoder and decoder functions the state of one
// service needs, one pair per Go type, and emits them into the liquefied
// main package, where unexported fields of the app's types are in reach.
//
// For a type such as
//
//	type List struct {
//		title string
//		items []Item
//	}
//
// it emits
//
//	func liquefyEnc1(e *liquefyruntime.Encoder, v *List) {
//		e.String(string(v.title))
//		liquefyEnc2(e, &v.items)
//	}
//
//	func liquefyDec1(d *liquefyruntime.Decoder, v *List) {
//		v.title = d.String()
//		liquefyDec2(d, &v.items)
//	}
//
// Nil pointers, slices and maps stay nil after a round trip, and empty ones
// stay empty, so that the app answers as before (JSON tells null from []).
// Maps with ordered keys are written in key order, so equal state encodes
// to equal bytes. Pointers are followed: two pointers to one value come
// back as two values. Mutexes and the other sync primitives are not
// state: they are skipped, and a restored value keeps its own. Encoders
// take pointers, so that values holding a lock are never copied.
type codecs struct {
	pkg   *types.Package // the main package
	ids   map[string]int // type string → function number
	order []types.Type   // in numbering order
}

func newCodecs(pkg *types.Package) *codecs {
	return &codecs{pkg: pkg, ids: map[string]int{}}
}

// An unsupportedError says why a type cannot be encoded.
type unsupportedError struct {
	path string // the field path from the root, ".items[].owner"
	typ  types.Type
	why  string
}

func (e *unsupportedError) Error() string {
	return fmt.Sprintf("%s has type %s, which %s", e.path, e.typ, e.why)
}

// check reports whether t can be encoded, without registering anything.
func (c *codecs) check(t types.Type, path string, seen map[types.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	if isTime(t) || isSync(t) || isSyncPointer(t) {
		return nil
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if u.Info()&(types.IsBoolean|types.IsInteger|types.IsFloat|types.IsString) == 0 || u.Kind() == types.UnsafePointer {
			return &unsupportedError{path, t, "liquefy cannot encode"}
		}
		return nil
	case *types.Pointer:
		return c.check(u.Elem(), path, seen)
	case *types.Slice:
		return c.check(u.Elem(), path+"[]", seen)
	case *types.Array:
		return c.check(u.Elem(), path+"[]", seen)
	case *types.Map:
		if err := c.check(u.Key(), path+"[key]", seen); err != nil {
			return err
		}
		return c.check(u.Elem(), path+"[]", seen)
	case *types.Struct:
		if _, named := types.Unalias(t).(*types.Named); !named {
			for i := 0; i < u.NumFields(); i++ {
				if u.Tag(i) != "" {
					return &unsupportedError{path, t, "is an unnamed struct type with field tags, which liquefy does not encode yet"}
				}
			}
		}
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			if f.Name() == "_" {
				continue // padding: nothing to keep
			}
			if !f.Exported() && f.Pkg() != c.pkg {
				return &unsupportedError{path + "." + f.Name(), t, "is unexported in another package, out of the generated code's reach"}
			}
			if err := c.check(f.Type(), path+"."+f.Name(), seen); err != nil {
				return err
			}
		}
		return nil
	default:
		return &unsupportedError{path, t, "cannot leave its process (a channel, function or interface)"}
	}
}

// id returns the number of t's functions, registering t and every type
// it contains. t must have passed check.
func (c *codecs) id(t types.Type) int {
	key := types.TypeString(t, nil)
	if n, ok := c.ids[key]; ok {
		return n
	}
	n := len(c.order) + 1
	c.ids[key] = n
	c.order = append(c.order, t)
	if isTime(t) || isSync(t) || isSyncPointer(t) {
		return n
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		c.id(u.Elem())
	case *types.Slice:
		c.id(u.Elem())
	case *types.Array:
		c.id(u.Elem())
	case *types.Map:
		c.id(u.Key())
		c.id(u.Elem())
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if u.Field(i).Name() != "_" {
				c.id(u.Field(i).Type())
			}
		}
	}
	return n
}

// enc and dec name the functions of t.
func (c *codecs) enc(t types.Type) string { return fmt.Sprintf("liquefyEnc%d", c.id(t)) }
func (c *codecs) dec(t types.Type) string { return fmt.Sprintf("liquefyDec%d", c.id(t)) }

// emit writes every registered pair into f, in numbering order.
func (c *codecs) emit(f *jen.File) {
	for i := 0; i < len(c.order); i++ { // c.order does not grow here
		t := c.order[i]
		enc, dec := c.bodies(t)
		f.Commentf("liquefyEnc%d encodes a value of type %s.", i+1, types.TypeString(t, types.RelativeTo(c.pkg)))
		f.Func().Id(c.enc(t)).Params(jen.Id("e").Op("*").Qual(RuntimePath, "Encoder"), jen.Id("v").Op("*").Add(c.typ(t))).Block(enc...)
		f.Line()
		f.Commentf("liquefyDec%d decodes what liquefyEnc%[1]d encodes.", i+1)
		f.Func().Id(c.dec(t)).Params(jen.Id("d").Op("*").Qual(RuntimePath, "Decoder"), jen.Id("v").Op("*").Add(c.typ(t))).Block(dec...)
		f.Line()
	}
}

// bodies returns the statements of t's encoder and decoder.
func (c *codecs) bodies(t types.Type) (enc, dec []jen.Code) {
	if isSync(t) {
		return []jen.Code{jen.Comment("a lock, not state")}, []jen.Code{jen.Comment("a lock, not state: the value keeps its own")}
	}
	if isSyncPointer(t) {
		// A value restored in place keeps its lock; a new one gets one.
		return []jen.Code{jen.Comment("a lock, not state")}, []jen.Code{
			jen.If(jen.Op("*").Id("v").Op("==").Nil()).Block(jen.Op("*").Id("v").Op("=").New(c.typ(t.(*types.Pointer).Elem()))),
		}
	}
	if isTime(t) {
		return []jen.Code{jen.Id("e").Dot("Time").Call(jen.Qual("time", "Time").Call(jen.Op("*").Id("v")))},
			[]jen.Code{jen.Op("*").Id("v").Op("=").Add(c.typ(t)).Call(jen.Id("d").Dot("Time").Call())}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		method, wire := basicWire(u)
		return []jen.Code{jen.Id("e").Dot(method).Call(jen.Id(wire).Call(jen.Op("*").Id("v")))},
			[]jen.Code{jen.Op("*").Id("v").Op("=").Add(c.typ(t)).Call(jen.Id("d").Dot(method).Call())}
	case *types.Pointer:
		return c.pointer(t, u)
	case *types.Slice:
		return c.slice(t, u)
	case *types.Array:
		return c.array(u)
	case *types.Map:
		return c.mapping(t, u)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			if f.Name() == "_" {
				continue
			}
			enc = append(enc, jen.Id(c.enc(f.Type())).Call(jen.Id("e"), jen.Op("&").Id("v").Dot(f.Name())))
			dec = append(dec, jen.Id(c.dec(f.Type())).Call(jen.Id("d"), jen.Op("&").Id("v").Dot(f.Name())))
		}
		return enc, dec
	}
	panic(fmt.Sprintf("gen: encoding unchecked type %s", t))
}

// pointer:
//
//	e.Present(*v != nil); if *v != nil { liquefyEncN(e, *v) }
//	if d.Present() { *v = new(T); liquefyDecN(d, *v) } else { *v = nil }
func (c *codecs) pointer(t types.Type, u *types.Pointer) (enc, dec []jen.Code) {
	enc = []jen.Code{
		jen.Id("e").Dot("Present").Call(jen.Op("*").Id("v").Op("!=").Nil()),
		jen.If(jen.Op("*").Id("v").Op("!=").Nil()).Block(jen.Id(c.enc(u.Elem())).Call(jen.Id("e"), jen.Op("*").Id("v"))),
	}
	dec = []jen.Code{
		jen.If(jen.Op("!").Id("d").Dot("Present").Call()).Block(jen.Op("*").Id("v").Op("=").Nil(), jen.Return()),
		jen.Op("*").Id("v").Op("=").New(c.typ(u.Elem())),
		jen.Id(c.dec(u.Elem())).Call(jen.Id("d"), jen.Op("*").Id("v")),
	}
	return enc, dec
}

// slice:
//
//	e.Present(*v != nil); if *v == nil { return }; e.Len(len(*v)); for i := range *v { liquefyEncN(e, &(*v)[i]) }
//	if !d.Present() { *v = nil; return }; *v = make(T, d.Len()); for i := range *v { liquefyDecN(d, &(*v)[i]) }
func (c *codecs) slice(t types.Type, u *types.Slice) (enc, dec []jen.Code) {
	enc = []jen.Code{
		jen.Id("e").Dot("Present").Call(jen.Op("*").Id("v").Op("!=").Nil()),
		jen.If(jen.Op("*").Id("v").Op("==").Nil()).Block(jen.Return()),
		jen.Id("e").Dot("Len").Call(jen.Len(jen.Op("*").Id("v"))),
		jen.For(jen.Id("i").Op(":=").Range().Op("*").Id("v")).Block(
			jen.Id(c.enc(u.Elem())).Call(jen.Id("e"), jen.Op("&").Parens(jen.Op("*").Id("v")).Index(jen.Id("i")))),
	}
	dec = []jen.Code{
		jen.If(jen.Op("!").Id("d").Dot("Present").Call()).Block(jen.Op("*").Id("v").Op("=").Nil(), jen.Return()),
		jen.Op("*").Id("v").Op("=").Make(c.typ(t), jen.Id("d").Dot("Len").Call()),
		jen.For(jen.Id("i").Op(":=").Range().Op("*").Id("v")).Block(
			jen.Id(c.dec(u.Elem())).Call(jen.Id("d"), jen.Op("&").Parens(jen.Op("*").Id("v")).Index(jen.Id("i")))),
	}
	return enc, dec
}

// array: every element in order.
func (c *codecs) array(u *types.Array) (enc, dec []jen.Code) {
	enc = []jen.Code{jen.For(jen.Id("i").Op(":=").Range().Op("*").Id("v")).Block(
		jen.Id(c.enc(u.Elem())).Call(jen.Id("e"), jen.Op("&").Parens(jen.Op("*").Id("v")).Index(jen.Id("i"))))}
	dec = []jen.Code{jen.For(jen.Id("i").Op(":=").Range().Op("*").Id("v")).Block(
		jen.Id(c.dec(u.Elem())).Call(jen.Id("d"), jen.Op("&").Parens(jen.Op("*").Id("v")).Index(jen.Id("i"))))}
	return enc, dec
}

// mapping:
//
//	e.Present(*v != nil); if *v == nil { return }; e.Len(len(*v)); for _, k := range slices.Sorted(maps.Keys(*v)) { x := (*v)[k]; enc(&k); enc(&x) }
//	if !d.Present() { *v = nil; return }; n := d.Len(); *v = make(T, n)
//	for range n { var k K; var x V; dec(&k); dec(&x); (*v)[k] = x }
func (c *codecs) mapping(t types.Type, u *types.Map) (enc, dec []jen.Code) {
	keys := jen.Op("*").Id("v")
	ordered := false
	if b, ok := u.Key().Underlying().(*types.Basic); ok && b.Info()&types.IsOrdered != 0 {
		ordered = true
	}
	body := []jen.Code{
		jen.Id("x").Op(":=").Parens(jen.Op("*").Id("v")).Index(jen.Id("k")),
		jen.Id(c.enc(u.Key())).Call(jen.Id("e"), jen.Op("&").Id("k")),
		jen.Id(c.enc(u.Elem())).Call(jen.Id("e"), jen.Op("&").Id("x")),
	}
	loop := jen.For(jen.Id("k").Op(":=").Range().Add(keys)).Block(body...)
	if ordered {
		loop = jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Qual("slices", "Sorted").Call(
			jen.Qual("maps", "Keys").Call(jen.Op("*").Id("v")))).Block(body...)
	}
	enc = []jen.Code{
		jen.Id("e").Dot("Present").Call(jen.Op("*").Id("v").Op("!=").Nil()),
		jen.If(jen.Op("*").Id("v").Op("==").Nil()).Block(jen.Return()),
		jen.Id("e").Dot("Len").Call(jen.Len(jen.Op("*").Id("v"))),
		loop,
	}
	dec = []jen.Code{
		jen.If(jen.Op("!").Id("d").Dot("Present").Call()).Block(jen.Op("*").Id("v").Op("=").Nil(), jen.Return()),
		jen.Id("n").Op(":=").Id("d").Dot("Len").Call(),
		jen.Op("*").Id("v").Op("=").Make(c.typ(t), jen.Id("n")),
		jen.For(jen.Range().Id("n")).Block(
			jen.Var().Id("k").Add(c.typ(u.Key())),
			jen.Var().Id("x").Add(c.typ(u.Elem())),
			jen.Id(c.dec(u.Key())).Call(jen.Id("d"), jen.Op("&").Id("k")),
			jen.Id(c.dec(u.Elem())).Call(jen.Id("d"), jen.Op("&").Id("x")),
			jen.If(jen.Id("d").Dot("Err").Call().Op("!=").Nil()).Block(jen.Return()),
			jen.Parens(jen.Op("*").Id("v")).Index(jen.Id("k")).Op("=").Id("x"),
		),
	}
	return enc, dec
}

// basicWire returns the codec method and the Go conversion for a basic
// type: Int/int64, Uint/uint64, Float/float64, Bool/bool, String/string.
func basicWire(b *types.Basic) (method, conv string) {
	switch {
	case b.Info()&types.IsBoolean != 0:
		return "Bool", "bool"
	case b.Info()&types.IsUnsigned != 0:
		return "Uint", "uint64"
	case b.Info()&types.IsInteger != 0:
		return "Int", "int64"
	case b.Info()&types.IsFloat != 0:
		return "Float", "float64"
	default:
		return "String", "string"
	}
}

// typ renders t as jennifer code, qualifying names of other packages.
func (c *codecs) typ(t types.Type) *jen.Statement {
	switch t := t.(type) {
	case *types.Named:
		obj := t.Obj()
		var s *jen.Statement
		if obj.Pkg() == nil || obj.Pkg() == c.pkg {
			s = jen.Id(obj.Name())
		} else {
			s = jen.Qual(obj.Pkg().Path(), obj.Name())
		}
		if args := t.TypeArgs(); args != nil && args.Len() > 0 {
			var list []jen.Code
			for i := 0; i < args.Len(); i++ {
				list = append(list, c.typ(args.At(i)))
			}
			s = s.Types(list...)
		}
		return s
	case *types.Alias:
		return c.typ(types.Unalias(t))
	case *types.Basic:
		return jen.Id(t.Name())
	case *types.Pointer:
		return jen.Op("*").Add(c.typ(t.Elem()))
	case *types.Slice:
		return jen.Index().Add(c.typ(t.Elem()))
	case *types.Array:
		return jen.Index(jen.Lit(int(t.Len()))).Add(c.typ(t.Elem()))
	case *types.Map:
		return jen.Map(c.typ(t.Key())).Add(c.typ(t.Elem()))
	case *types.Struct:
		var fields []jen.Code
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			if f.Embedded() {
				fields = append(fields, c.typ(f.Type()))
			} else {
				fields = append(fields, jen.Id(f.Name()).Add(c.typ(f.Type())))
			}
		}
		return jen.Struct(fields...)
	}
	panic(fmt.Sprintf("gen: no syntax for type %s", t))
}

// isSync reports whether t is one of package sync's primitives, which
// guard state rather than hold it.
func isSync(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "sync" {
		return false
	}
	switch n.Obj().Name() {
	case "Mutex", "RWMutex", "Once", "WaitGroup", "Cond":
		return true
	}
	return false
}

// isSyncPointer reports whether t points to one of package sync's
// primitives.
func isSyncPointer(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && isSync(p.Elem())
}

// isTime reports whether t is time.Time.
func isTime(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time"
}
