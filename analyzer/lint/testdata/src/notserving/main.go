// Command notserving is a tool of the module, not an HTTP app: it keeps
// a channel and writes files, and gets no findings, because no code of
// it serves HTTP.
package main

import (
	"net/http"
	"os"
)

var work = make(chan string)

func main() {
	go func() { work <- "x" }()
	os.WriteFile(os.DevNull, []byte(<-work), 0)
	http.Get("http://127.0.0.1:1/") // a client, not a server
}
