package runtime

import (
	"bytes"
	"io"
	"net/http"
)

// FormValue returns what r.FormValue(name) returns to the handler, for a
// request whose body the gateway holds in body, without consuming r's
// own body: generated key functions of routes keyed by a form value call
// it. It parses a copy of the request, so the query, a URL-encoded body
// and a multipart form weigh as they do for the handler.
func FormValue(r *http.Request, body []byte, name string) string {
	c := r.Clone(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(body))
	c.Form, c.PostForm, c.MultipartForm = nil, nil, nil
	v := c.FormValue(name)
	if c.MultipartForm != nil {
		c.MultipartForm.RemoveAll()
	}
	return v
}
