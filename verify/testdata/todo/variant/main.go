// Command variant is the todo app answering differently on purpose: verify
// must tell it from the monolith.
package main

import (
	"flag"
	"log"
	"net/http"

	"example.com/todo/internal/todos"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*addr, todos.New(todos.Options{Variant: true}).Handler()))
}
