package graph

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/liquefy/liquefy"
)

// Geometry of the drawing, in SVG user units (pixels). Text is set in a
// monospace font so that its width, charWidth per byte, is known.
const (
	margin     = 20
	headerY    = 56  // top of the first box in a column
	columnGap  = 90  // between columns, where edges run
	rowGap     = 14  // between boxes of a column
	padX       = 10  // text inset in a box
	titleSize  = 12  // font size of a box's title
	lineSize   = 10  // font size of its other lines
	lineHeight = 14  // baseline to baseline
	charWidth  = 0.6 // em per character of the monospace font
	minBox     = 120 // narrowest box
	groupPad   = 10  // residue group around its boxes
)

// A box is a node placed in the drawing.
type box struct {
	*node
	x, y, w, h float64
}

// A layout is a graph with every box placed.
type layout struct {
	g      *graph
	boxes  map[string]*box
	order  []*box
	width  float64
	height float64
	group  *[4]float64 // residue group: x, y, w, h
}

// Draw renders the fluxion graph of in as SVG with this package's own
// layered layout, without Graphviz: routes, fluxions and contexts in
// three columns, the residue in a dashed box across the last two, a
// legend below. The bytes depend only on in.
func Draw(in *liquefy.Inspection) []byte {
	l := place(build(in))
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s"`+
		` font-family="ui-monospace, Menlo, Consolas, monospace" role="img" aria-label="fluxion graph of %s">`+"\n",
		num(l.width), num(l.height), num(l.width), num(l.height), esc(l.g.title))
	fmt.Fprintf(&b, "<title>fluxion graph of %s</title>\n", esc(l.g.title))
	b.WriteString(`<defs><marker id="lq-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7"` +
		` orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5d6d7e"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>`+"\n", num(l.width), num(l.height))
	l.writeHeaders(&b)
	l.writeGroup(&b)
	l.writeEdges(&b)
	for _, bx := range l.order {
		writeBox(&b, bx)
	}
	l.writeLegend(&b)
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// place sizes every box and stacks each column's boxes; the residue
// boxes of the fluxion and context columns start at one height, so that
// one rectangle can hold them.
func place(g *graph) *layout {
	l := &layout{g: g, boxes: map[string]*box{}}

	// Column widths from the widest text.
	var widths [3]float64
	for _, n := range g.nodes {
		widths[n.col] = max(widths[n.col], boxWidth(n))
	}
	var xs [3]float64
	x := float64(margin)
	for c := range xs {
		xs[c] = x
		x += widths[c] + columnGap
	}
	l.width = x - columnGap + margin

	// Stack the columns, residue below.
	var bottom [3]float64
	for c := colRoutes; c <= colState; c++ {
		y := float64(headerY)
		for _, n := range g.column(c) {
			if !n.residue {
				y = l.add(n, xs[c], y, widths[c])
			}
		}
		bottom[c] = y
	}
	l.height = max(bottom[0], bottom[1], bottom[2])
	if g.hasResidue() {
		l.placeResidue(xs, widths, max(bottom[1], bottom[2])+2*groupPad+lineHeight)
	}
	l.height += legendHeight + margin
	l.width = max(l.width, legendWidth()+2*margin)
	return l
}

// add places n at x, y and returns the y of the next box below it.
func (l *layout) add(n *node, x, y, w float64) float64 {
	bx := &box{node: n, x: x, y: y, w: w, h: boxHeight(n)}
	l.boxes[n.id] = bx
	l.order = append(l.order, bx)
	return y + bx.h + rowGap
}

// placeResidue stacks the residue boxes of the fluxion and context
// columns from top and frames them.
func (l *layout) placeResidue(xs, widths [3]float64, top float64) {
	end := top
	for _, c := range []column{colFluxions, colState} {
		y := top
		for _, n := range l.g.column(c) {
			if n.residue {
				y = l.add(n, xs[c], y, widths[c])
			}
		}
		end = max(end, y)
	}
	gx := xs[colFluxions] - groupPad
	gy := top - groupPad - lineHeight
	l.group = &[4]float64{gx, gy, xs[colState] + widths[colState] + groupPad - gx, end - rowGap + groupPad - gy}
	l.height = max(l.height, gy+l.group[3]+rowGap)
}

// boxWidth is the width that fits n's longest line.
func boxWidth(n *node) float64 {
	w := textWidth(n.title, titleSize)
	for _, s := range n.lines {
		w = max(w, textWidth(s, lineSize))
	}
	return max(minBox, w+2*padX)
}

// boxHeight is the height of n's title and lines.
func boxHeight(n *node) float64 {
	return float64(lineHeight*(1+len(n.lines)) + 10)
}

// textWidth is the width of s set at size in the monospace font.
func textWidth(s string, size float64) float64 {
	return float64(len([]rune(s))) * size * charWidth
}

// writeHeaders writes the title and the column headings.
func (l *layout) writeHeaders(b *bytes.Buffer) {
	fmt.Fprintf(b, `<text x="%d" y="22" font-size="14" font-weight="bold" fill="#17202a">%s</text>`+"\n", margin, esc(l.g.title))
	for i, h := range []string{"routes", "fluxions", "contexts and state"} {
		for _, bx := range l.order {
			if int(bx.col) == i {
				fmt.Fprintf(b, `<text x="%s" y="44" font-size="11" fill="#566573">%s</text>`+"\n", num(bx.x), h)
				break
			}
		}
	}
}

// writeGroup frames the residue.
func (l *layout) writeGroup(b *bytes.Buffer) {
	if l.group == nil {
		return
	}
	g := l.group
	_, stroke := colour(classNotSplittable)
	fmt.Fprintf(b, `<g class="residue"><rect x="%s" y="%s" width="%s" height="%s" rx="8" fill="none" stroke="%s" stroke-dasharray="6 4"/>`,
		num(g[0]), num(g[1]), num(g[2]), num(g[3]), stroke)
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="11" fill="%s">%s</text></g>`+"\n",
		num(g[0]+groupPad), num(g[1]+lineHeight), stroke, esc(residueLabel))
}

// writeEdges draws each edge as a curve from the right side of its source
// to the left side of its target. The edges leaving or entering one box
// are spread along its side, in edge order, so that they stay apart.
func (l *layout) writeEdges(b *bytes.Buffer) {
	outs, ins := map[string]int{}, map[string]int{}
	for _, e := range l.g.edges {
		outs[e.from]++
		ins[e.to]++
	}
	outAt, inAt := map[string]int{}, map[string]int{}
	for _, e := range l.g.edges {
		from, to := l.boxes[e.from], l.boxes[e.to]
		x1, y1 := from.x+from.w, spreadY(from, outAt[e.from], outs[e.from])
		x2, y2 := to.x, spreadY(to, inAt[e.to], ins[e.to])
		outAt[e.from]++
		inAt[e.to]++
		dx := (x2 - x1) / 2
		dash := ""
		if e.reads {
			dash = ` stroke-dasharray="4 3"`
		}
		fmt.Fprintf(b, `<path class="edge" d="M%s,%s C%s,%s %s,%s %s,%s" fill="none" stroke="#5d6d7e"`+
			` stroke-width="1.2"%s marker-end="url(#lq-arrow)"/>`+"\n",
			num(x1), num(y1), num(x1+dx), num(y1), num(x2-dx), num(y2), num(x2), num(y2), dash)
	}
}

// spreadY is the height at which the i-th of n edges meets bx's side:
// the middle for one edge, evenly apart within the inner half otherwise.
func spreadY(bx *box, i, n int) float64 {
	if n <= 1 {
		return bx.y + bx.h/2
	}
	return bx.y + bx.h/4 + bx.h/2*float64(i)/float64(n-1)
}

// writeBox draws one box with its title and lines.
func writeBox(b *bytes.Buffer, bx *box) {
	fill, stroke := colour(bx.class)
	fmt.Fprintf(b, `<g class="node %s" id="%s"><title>%s</title>`, esc(bx.class), esc(svgID(bx.id)), esc(bx.tip))
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="6" fill="%s" stroke="%s" stroke-width="1.5"/>`,
		num(bx.x), num(bx.y), num(bx.w), num(bx.h), fill, stroke)
	y := bx.y + 5 + lineHeight
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%d" font-weight="bold" fill="#17202a">%s</text>`,
		num(bx.x+padX), num(y-2), titleSize, esc(bx.title))
	for _, s := range bx.lines {
		y += lineHeight
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%d" fill="#34495e">%s</text>`, num(bx.x+padX), num(y-2), lineSize, esc(s))
	}
	b.WriteString("</g>\n")
}

// legendHeight is the room the legend takes below the columns.
const legendHeight = 30

// writeLegend draws one swatch per class along the bottom.
func (l *layout) writeLegend(b *bytes.Buffer) {
	x, y := float64(margin), l.height-margin-legendHeight/2
	b.WriteString(`<g class="legend">`)
	for _, c := range classes {
		fill, stroke := colour(c)
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="14" height="14" rx="3" fill="%s" stroke="%s"/>`, num(x), num(y-11), fill, stroke)
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="11" fill="#17202a">%s</text>`, num(x+19), num(y), c)
		x += legendStep(c)
	}
	b.WriteString("</g>\n")
}

// legendStep is the room one class takes in the legend.
func legendStep(class string) float64 {
	return 19 + textWidth(class, 11) + 18
}

// legendWidth is the width of the whole legend.
func legendWidth() float64 {
	var w float64
	for _, c := range classes {
		w += legendStep(c)
	}
	return w
}

// svgID turns a node id into an XML id: "fluxion:get-todos" becomes
// "lq-fluxion-get-todos"; other bytes that XML ids refuse become '_'.
func svgID(id string) string {
	var s strings.Builder
	s.WriteString("lq-")
	for _, r := range id {
		switch {
		case r == ':':
			s.WriteByte('-')
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			s.WriteRune(r)
		default:
			s.WriteByte('_')
		}
	}
	return s.String()
}

// num writes a coordinate with at most one decimal.
func num(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}

// esc escapes text for XML.
func esc(s string) string {
	return html.EscapeString(s)
}
