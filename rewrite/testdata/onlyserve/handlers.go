package main

import "net/http"

func newHandler() http.Handler {
	return http.NotFoundHandler()
}
