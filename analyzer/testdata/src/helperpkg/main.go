package main

import (
	"net/http"
	"os"
	"os/signal"

	"example.com/helperpkg/routes"
)

type app struct {
	mux *http.ServeMux
}

func main() {
	a := &app{mux: http.NewServeMux()}
	routes.Register(a.mux)
	ctx, stop := signal.NotifyContext(nil, os.Interrupt)
	defer stop()
	srv := &http.Server{Addr: ":8080", Handler: a.mux}
	go srv.ListenAndServe()
	<-ctx.Done()
}
