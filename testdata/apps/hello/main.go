// Command hello is a small stateless JSON API: it echoes requests, adds
// numbers, greets people, sets and reads cookies, and redirects.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", handleIndex)
	mux.HandleFunc("GET /healthz", handleHealth)
	mux.HandleFunc("/echo", handleEcho)
	mux.HandleFunc("GET /greet/{name}", handleGreet)
	mux.HandleFunc("POST /sum", handleSum)
	mux.HandleFunc("GET /calc/{op}/{a}/{b}", handleCalc)
	mux.HandleFunc("GET /files/{path...}", handleFiles)
	mux.HandleFunc("GET /old-greeting", handleOldGreeting)
	mux.HandleFunc("POST /login", handleLogin)
	mux.HandleFunc("GET /me", handleMe)
	mux.HandleFunc("POST /logout", handleLogout)
	mux.HandleFunc("/panic", handlePanic)
	mux.HandleFunc("api.example.test/", handleAPIHost)

	log.Printf("hello listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// writeJSON encodes v as the JSON body of a response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

func handleIndex(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"service": "hello",
		"routes": []string{
			"/echo", "/greet/{name}", "/sum", "/calc/{op}/{a}/{b}",
			"/files/{path...}", "/login", "/me", "/logout",
		},
	})
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

type echoReply struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   map[string][]string `json:"query"`
	Headers map[string]string   `json:"headers"`
	Body    string              `json:"body"`
}

// handleEcho answers with what it was sent. Only X- headers are echoed,
// so the answer does not depend on the client's own defaults.
func handleEcho(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	headers := map[string]string{}
	for name, values := range r.Header {
		if strings.HasPrefix(name, "X-") {
			headers[name] = strings.Join(values, ", ")
		}
	}
	writeJSON(w, http.StatusOK, echoReply{
		Method:  r.Method,
		Path:    r.URL.Path,
		Query:   r.URL.Query(),
		Headers: headers,
		Body:    string(body),
	})
}

func handleGreet(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	greeting := "Hello"
	if lang := r.URL.Query().Get("lang"); lang == "fr" {
		greeting = "Bonjour"
	} else if lang != "" && lang != "en" {
		http.Error(w, fmt.Sprintf("unknown language %q", lang), http.StatusBadRequest)
		return
	}
	w.Header().Set("X-Greeted", name)
	writeJSON(w, http.StatusOK, map[string]string{"message": greeting + ", " + name + "!"})
}

type sumRequest struct {
	Numbers []float64 `json:"numbers"`
}

type sumReply struct {
	Count  int       `json:"count"`
	Sum    float64   `json:"sum"`
	Sorted []float64 `json:"sorted"`
}

func handleSum(w http.ResponseWriter, r *http.Request) {
	var req sumRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	if len(req.Numbers) == 0 {
		http.Error(w, "numbers must not be empty", http.StatusUnprocessableEntity)
		return
	}

	reply := sumReply{Count: len(req.Numbers), Sorted: append([]float64(nil), req.Numbers...)}
	for _, n := range req.Numbers {
		reply.Sum += n
	}
	sort.Float64s(reply.Sorted)
	writeJSON(w, http.StatusOK, reply)
}

var errDivideByZero = errors.New("division by zero")

func calc(op string, a, b int64) (int64, error) {
	switch op {
	case "add":
		return a + b, nil
	case "sub":
		return a - b, nil
	case "mul":
		return a * b, nil
	case "div":
		if b == 0 {
			return 0, errDivideByZero
		}
		return a / b, nil
	}
	return 0, fmt.Errorf("unknown operation %q", op)
}

func handleCalc(w http.ResponseWriter, r *http.Request) {
	a, errA := strconv.ParseInt(r.PathValue("a"), 10, 64)
	b, errB := strconv.ParseInt(r.PathValue("b"), 10, 64)
	if errA != nil || errB != nil {
		http.Error(w, "operands must be integers", http.StatusBadRequest)
		return
	}
	result, err := calc(r.PathValue("op"), a, b)
	if errors.Is(err, errDivideByZero) {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"result": result})
}

func handleFiles(w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	segments := []string{}
	if path != "" {
		segments = strings.Split(path, "/")
	}
	writeJSON(w, http.StatusOK, map[string]any{"path": path, "segments": segments})
}

// handleOldGreeting is where greetings used to live.
func handleOldGreeting(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/greet/world", http.StatusMovedPermanently)
}

func handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	user := r.PostForm.Get("user")
	if user == "" {
		http.Error(w, "user is required", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "session", Value: "s-" + user, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: "user", Value: user, Path: "/"})
	if theme := r.PostForm.Get("theme"); theme != "" {
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: theme, Path: "/", MaxAge: 86400})
	}
	http.Redirect(w, r, "/me", http.StatusSeeOther)
}

func handleMe(w http.ResponseWriter, r *http.Request) {
	session, err := r.Cookie("session")
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Cookie realm="hello"`)
		http.Error(w, "not logged in", http.StatusUnauthorized)
		return
	}
	theme := "light"
	if c, err := r.Cookie("theme"); err == nil {
		theme = c.Value
	}
	user := strings.TrimPrefix(session.Value, "s-")
	writeJSON(w, http.StatusOK, map[string]string{"user": user, "theme": theme})
}

func handleLogout(w http.ResponseWriter, r *http.Request) {
	for _, name := range []string{"session", "user", "theme"} {
		http.SetCookie(w, &http.Cookie{Name: name, Path: "/", MaxAge: -1})
	}
	w.WriteHeader(http.StatusNoContent)
}

// handlePanic fails on purpose: the server recovers and drops the
// connection.
func handlePanic(w http.ResponseWriter, r *http.Request) {
	panic("hello: /panic was requested")
}

// handleAPIHost answers every request sent to the API host name.
func handleAPIHost(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"host": "api", "path": r.URL.Path})
}
