package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	prefix := flag.String("prefix", "/api", "route prefix")
	flag.Parse()
	http.HandleFunc(*prefix+"/items", func(w http.ResponseWriter, r *http.Request) {})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
