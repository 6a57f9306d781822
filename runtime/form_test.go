package runtime

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFormValue checks that FormValue answers as the handler's own
// r.FormValue would, and leaves the request's body for the handler.
func TestFormValue(t *testing.T) {
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	w.WriteField("user", "multi")
	w.Close()

	for _, tc := range []struct {
		name, method, target, ctype, body string
	}{
		{"query", "GET", "/x?user=q", "", ""},
		{"urlencoded body first", "POST", "/x?user=q", "application/x-www-form-urlencoded", "user=b"},
		{"query when the body lacks it", "POST", "/x?user=q", "application/x-www-form-urlencoded", "other=1"},
		{"multipart", "POST", "/x", w.FormDataContentType(), mp.String()},
		{"none", "GET", "/x", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			got := FormValue(r, []byte(tc.body), "user")
			if rest, _ := io.ReadAll(r.Body); string(rest) != tc.body {
				t.Errorf("FormValue consumed the request's body: %q left", rest)
			}
			r2 := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.ctype != "" {
				r2.Header.Set("Content-Type", tc.ctype)
			}
			if want := r2.FormValue("user"); got != want {
				t.Errorf("FormValue = %q, r.FormValue = %q", got, want)
			}
		})
	}
}
