// Command serve calls every serving function of net/http, so that the
// rewrite test sees each form once.
package main

//go:generate echo this directive must be disarmed in the copy

import (
	"flag"
	"log"
	"net"
	web "net/http" // an import under another name
)

type app struct {
	srv web.Server // a server held by value
}

// server embeds the server whose methods it calls.
type server struct {
	*web.Server
}

func main() {
	which := flag.String("which", "plain", "serving form")
	flag.Parse()

	mux := web.NewServeMux()
	mux.HandleFunc("/", func(w web.ResponseWriter, r *web.Request) {})
	srv := &web.Server{Addr: ":8080", Handler: mux}
	a := &app{srv: web.Server{Addr: ":8081"}}
	l, _ := net.Listen("tcp", ":0")

	var err error
	switch *which {
	case "plain":
		err = web.ListenAndServe(":8080", mux) // keep this comment
	case "tls":
		err = web.ListenAndServeTLS(":8443", "cert.pem", "key.pem", nil)
	case "serve":
		err = web.Serve(l, mux)
	case "servetls":
		err = web.ServeTLS(l, mux, "cert.pem", "key.pem")
	case "server":
		err = srv.ListenAndServe()
	case "servertls":
		err = srv.ListenAndServeTLS("cert.pem", "key.pem")
	case "serverlistener":
		err = srv.Serve(l)
	case "serverlistenertls":
		err = srv.ServeTLS(l, "cert.pem", "key.pem")
	case "field":
		err = a.srv.ListenAndServe()
	case "embedded":
		s := server{Server: srv}
		err = s.ListenAndServe()
	}
	log.Fatal(err)
}
