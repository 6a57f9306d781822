package main

import (
	"fmt"
	"net/http"
	"time"
)

var (
	status = "starting" // class:background
	port   = 8080       // class:replicated
)

func main() {
	port = 8081                                                                   // before serving
	http.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) { // route:stateless
		fmt.Fprint(w, status, port)
	})
	go http.ListenAndServe(fmt.Sprintf(":%d", port), nil)
	for {
		status = time.Now().String() // after serving starts
		time.Sleep(time.Second)
	}
}
