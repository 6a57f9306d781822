// Command site serves a small blog: pages rendered from embedded templates
// with content from a JSON config file, and static assets.
package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"flag"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"os"
	"slices"
	"sort"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config is the site's content, read from a JSON file at start-up.
type Config struct {
	Title   string `json:"title"`
	Tagline string `json:"tagline"`
	Author  string `json:"author"`
	Nav     []Link `json:"nav"`
	Posts   []Post `json:"posts"`
}

// Link is an entry in the navigation bar.
type Link struct {
	Label string `json:"label"`
	Href  string `json:"href"`
}

// Post is one article.
type Post struct {
	Slug  string   `json:"slug"`
	Title string   `json:"title"`
	Date  string   `json:"date"`
	Tags  []string `json:"tags"`
	Body  []string `json:"body"`
}

// page is what every template receives.
type page struct {
	Site  *Config
	Theme string
	Posts []Post
	Post  Post
	Tag   string
	Path  string
}

var (
	cfg   *Config
	pages map[string]*template.Template
	theme string
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	configPath := flag.String("config", "config.json", "site configuration file")
	flag.StringVar(&theme, "theme", "light", "colour theme: light or dark")
	flag.Parse()

	var err error
	if cfg, err = loadConfig(*configPath); err != nil {
		log.Fatal(err)
	}
	if pages, err = parseTemplates(); err != nil {
		log.Fatal(err)
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", home)
	mux.HandleFunc("GET /about", about)
	mux.HandleFunc("GET /posts", postList)
	mux.HandleFunc("GET /posts/{slug}", postPage)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.FS(static))))
	mux.HandleFunc("/", notFound)

	log.Printf("site %q listening on %s", cfg.Title, *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// loadConfig reads the site configuration and sorts posts newest first.
func loadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("parse config %s: %w", path, err)
	}
	sort.Slice(c.Posts, func(i, j int) bool { return c.Posts[i].Date > c.Posts[j].Date })
	return &c, nil
}

// parseTemplates builds one template set per page, each with the layout.
func parseTemplates() (map[string]*template.Template, error) {
	set := map[string]*template.Template{}
	for _, name := range []string{"home", "posts", "post", "about", "notfound"} {
		t, err := template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		set[name] = t
	}
	return set, nil
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func render(w http.ResponseWriter, status int, name string, p page) {
	p.Site, p.Theme = cfg, theme
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		log.Printf("render %s: %v", name, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

func home(w http.ResponseWriter, r *http.Request) {
	latest := cfg.Posts
	if len(latest) > 2 {
		latest = latest[:2]
	}
	render(w, http.StatusOK, "home", page{Posts: latest})
}

func about(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusOK, "about", page{})
}

func postList(w http.ResponseWriter, r *http.Request) {
	tag := r.URL.Query().Get("tag")
	var list []Post
	for _, p := range cfg.Posts {
		if tag == "" || slices.Contains(p.Tags, tag) {
			list = append(list, p)
		}
	}
	render(w, http.StatusOK, "posts", page{Posts: list, Tag: tag})
}

func postPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	for _, p := range cfg.Posts {
		if p.Slug == slug {
			render(w, http.StatusOK, "post", page{Post: p})
			return
		}
	}
	notFound(w, r)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusNotFound, "notfound", page{Path: r.URL.Path})
}
