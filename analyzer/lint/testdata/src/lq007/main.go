// Command lq007 takes over the connection of an upgrade request.
package main

import "net/http"

func upgrade(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack() // want `route GET /ws hijacks the connection with \(http.Hijacker\).Hijack: a worker of the liquefied service has no connection to hand over`
	if err != nil {
		return
	}
	buf.WriteString("HTTP/1.1 101 Switching Protocols\r\n\r\n")
	buf.Flush()
	conn.Close()
}

func main() {
	http.HandleFunc("GET /ws", upgrade)
	http.ListenAndServe("127.0.0.1:8080", nil)
}
