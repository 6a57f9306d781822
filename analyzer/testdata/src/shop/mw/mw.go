// Package mw holds the shop's middleware.
package mw

import (
	"log"
	"net/http"
	"time"
)

// Logger is where requests are logged.
var Logger = log.Default() // class:replicated

// Log logs every request.
func Log(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		Logger.Printf("%s %s %v", r.Method, r.URL.Path, time.Since(start))
	})
}

// Recover turns panics into 500s.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
