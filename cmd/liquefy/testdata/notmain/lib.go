// Package lib is a library, not a command: there is nothing to liquefy.
package lib

import "net/http"

// Handler answers every request with 204.
func Handler(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
