// Command todo serves a small in-memory todo list over HTTP.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"

	"example.com/todo/internal/todos"
)

func main() {
	def := os.Getenv("TODO_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	addr := flag.String("addr", def, "listen address (default $TODO_ADDR)")
	flag.Parse()
	log.Printf("todo: listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, todos.New(todos.Options{}).Handler()))
}
