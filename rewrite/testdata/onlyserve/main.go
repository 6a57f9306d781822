// Command onlyserve uses net/http in this file only to serve, so the
// rewrite must drop the import here and keep it in handlers.go.
package main

import (
	"log"
	"net/http"
)

func main() {
	log.Fatal(http.ListenAndServe(":8080", newHandler()))
}
