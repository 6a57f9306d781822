package main

import (
	"net/http"
	"time"
)

var (
	users  = map[string]string{} // class:keyed
	orders = map[string]string{} // class:keyed
)

// logging returns a closure around next.
func logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
	})
}

// auth takes and returns a HandlerFunc.
func auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		next(w, r)
	}
}

func addUser(w http.ResponseWriter, r *http.Request) { users[r.FormValue("id")] = r.FormValue("name") }
func addOrder(w http.ResponseWriter, r *http.Request) {
	orders[r.FormValue("id")] = r.FormValue("item")
}
func ping(w http.ResponseWriter, r *http.Request) {}

func main() {
	mux := http.NewServeMux()
	mux.Handle("POST /users", logging(http.HandlerFunc(addUser)))                                      // route:keyed context:users key:form/id
	mux.Handle("POST /orders", logging(auth(addOrder)))                                                // route:keyed context:orders key:form/id
	mux.Handle("GET /ping", http.TimeoutHandler(logging(http.HandlerFunc(ping)), time.Second, "slow")) // route:stateless

	api := http.NewServeMux()
	api.HandleFunc("GET /items", ping)                 // route:stateless
	mux.Handle("/api/", http.StripPrefix("/api", api)) // route:stateless

	http.ListenAndServe(":8080", logging(mux))
}
