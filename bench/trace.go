package bench

import "github.com/liquefy/liquefy/verify"

// TraceRequests returns the requests of a trace, as verify.ReadTrace
// parses the JSON-lines format of the bundled apps, for Config.Requests.
// The fields bench has no use for (name, ignore_headers) are left out.
func TraceRequests(t *verify.Trace) []Request {
	reqs := make([]Request, len(t.Requests))
	for i := range t.Requests {
		r := &t.Requests[i]
		reqs[i] = Request{Method: r.Method, Path: r.Path, Host: r.Host, Header: r.Header, Body: r.Payload()}
	}
	return reqs
}
