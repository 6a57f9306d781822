// Command clean is splittable as written: every line that looks like a
// finding stays silent, for the reason said beside it.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"strings"
)

var (
	addr   = flag.String("addr", "127.0.0.1:8080", "listen address")
	config = map[string]string{} // written in init and main only: replicated
	banner string                // written in main before serving: replicated
)

func init() {
	config["greeting"] = "hello"
}

func hello(w http.ResponseWriter, r *http.Request) {
	// Request-local state: a map, a buffer and a channel made per request.
	local := map[string]int{}
	local[r.URL.Path]++
	var buf bytes.Buffer
	buf.WriteString(strings.ToUpper(config["greeting"]))
	ch := make(chan int, 1)
	ch <- local[r.URL.Path]
	<-ch
	json.NewEncoder(w).Encode(map[string]string{"msg": buf.String(), "banner": banner})
}

func main() {
	flag.Parse()
	banner = os.Getenv("BANNER")
	os.WriteFile(os.DevNull, nil, 0) // start-up code, not a handler
	http.HandleFunc("GET /hello", hello)
	http.ListenAndServe(*addr, nil)
}
