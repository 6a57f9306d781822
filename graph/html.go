package graph

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/liquefy/liquefy"
)

// HTML returns one self-contained page for in: the fluxion graph drawn
// inline by Draw (so the page is the same on every machine, Graphviz or
// not), then the routes, the state roots with the reasons for their
// classes, and the contexts as tables. It needs no network, no script
// and no file beside it. The bytes depend only on in.
func HTML(in *liquefy.Inspection) ([]byte, error) {
	var b bytes.Buffer
	data := page{In: in, Graph: template.HTML(Draw(in)), Classes: classes}
	if err := pageTemplate.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	return b.Bytes(), nil
}

// page is what the page template reads.
type page struct {
	In      *liquefy.Inspection
	Graph   template.HTML // the SVG, trusted: Draw escapes every text
	Classes []string
}

// pageTemplate is the page; its style sheet gives every class the
// colours of the drawing.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"join":   func(s []string) string { return strings.Join(s, ", ") },
	"fill":   func(c string) template.CSS { f, _ := colour(c); return template.CSS(f) },
	"stroke": func(c string) template.CSS { _, s := colour(c); return template.CSS(s) },
	"kind":   kindClass,
	"dash":   func(s string) string { return or(s, "–") },
}).Parse(pageSource))

// kindClass is the class a fluxion kind is coloured by.
func kindClass(kind string) string {
	switch kind {
	case "keyed":
		return classKeyed
	case "singleton":
		return classSingleton
	case "residue":
		return classNotSplittable
	default:
		return classStateless
	}
}

// or returns s, or dflt when s is empty.
func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

const pageSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="liquefy {{.In.Liquefy}}">
<title>liquefy: {{.In.Module}}</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #17202a; margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 84rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #d5d8dc; padding-bottom: .2rem; }
.meta { color: #566573; margin: 0; }
figure { margin: 0; overflow-x: auto; border: 1px solid #d5d8dc; border-radius: 6px; background: #fff; }
figure svg { display: block; max-width: none; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #e5e7e9; }
th { background: #f4f6f6; font-weight: 600; }
code, .pos { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.pos { color: #566573; white-space: nowrap; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; border: 1px solid; font-size: 12px; white-space: nowrap; }
{{range .Classes}}.badge.{{.}} { background: {{fill .}}; border-color: {{stroke .}}; }
{{end}}ul.reasons { margin: 0; padding-left: 1.1rem; }
.empty { color: #839192; }
</style>
</head>
<body>
<header>
<h1>{{.In.Module}}</h1>
<p class="meta">main package <code>{{.In.Package}}</code> · go {{.In.GoVersion}} · {{.In.Partitions}} partitions per keyed context · liquefy {{.In.Liquefy}}</p>
{{with .In.Served}}<p class="meta">served by <code>{{.Call}}</code> at <span class="pos">{{.Pos}}</span>{{with .Mux}}, mux <code>{{.}}</code>{{end}}{{with .Wrappers}}, wrapped by <code>{{join .}}</code>{{end}}</p>{{end}}
</header>

<section id="graph">
<h2>Fluxion graph</h2>
<figure>
{{.Graph}}
</figure>
</section>

<section id="routes">
<h2>Routes ({{len .In.Routes}})</h2>
{{if .In.Routes}}<table id="routes-table">
<thead><tr><th>pattern</th><th>handler</th><th>fluxion</th><th>kind</th><th>context</th><th>roots</th><th>writes</th><th>position</th></tr></thead>
<tbody>
{{range .In.Routes}}<tr><td><code>{{.Pattern}}</code>{{if .Implicit}} <span class="badge stateless">implicit</span>{{end}}</td><td><code>{{.Handler}}</code></td><td><code>{{.Fluxion}}</code></td><td><span class="badge {{kind .Kind}}">{{.Kind}}</span></td><td>{{dash .Context}}</td><td>{{dash (join .Roots)}}</td><td>{{dash (join .Writes)}}</td><td class="pos">{{.Pos}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p class="empty">No routes.</p>{{end}}
</section>

<section id="roots">
<h2>State roots ({{len .In.Roots}})</h2>
{{if .In.Roots}}<table id="roots-table">
<thead><tr><th>root</th><th>kind</th><th>type</th><th>class</th><th>context</th><th>guards</th><th>reasons</th><th>declared</th></tr></thead>
<tbody>
{{range .In.Roots}}<tr><td><code>{{.Name}}</code></td><td>{{.Kind}}</td><td><code>{{.Type}}</code></td><td><span class="badge {{.Class}}">{{.Class}}</span></td><td>{{dash .Context}}</td><td>{{dash (join .Guards)}}</td><td>{{if .Reasons}}<ul class="reasons">{{range .Reasons}}<li>{{.What}} <span class="pos">{{.Pos}}</span></li>{{end}}</ul>{{else}}–{{end}}</td><td class="pos">{{.Pos}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p class="empty">No state roots: every route is stateless.</p>{{end}}
</section>

<section id="contexts">
<h2>Contexts ({{len .In.Contexts}})</h2>
{{if .In.Contexts}}<table id="contexts-table">
<thead><tr><th>context</th><th>class</th><th>roots</th><th>routes</th></tr></thead>
<tbody>
{{range .In.Contexts}}<tr><td><code>{{.Name}}</code></td><td><span class="badge {{.Class}}">{{.Class}}</span></td><td>{{dash (join .Roots)}}</td><td>{{dash (join .Routes)}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p class="empty">No execution contexts.</p>{{end}}
</section>
</body>
</html>
`
