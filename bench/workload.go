package bench

import (
	"fmt"
	"math/rand/v2"
	"net/http"
)

// The todo mix, in percent of measured requests; the rest are POSTs.
const (
	todoGetShare = 80
	todoPutShare = 15
)

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// TodoWorkload returns the benchmark mix for the todo test app over the
// key space 1..keys: setup creates the todos 1..keys (on a fresh server)
// with POST /todos, and next(i) is, in 80% of cases, GET /todos/{id}; in
// 15%, PUT /todos/{id}; in 5%, POST /todos. The key and the operation of
// request i depend only on seed and i, so two runs with the same seed send
// the same requests, whatever the concurrency.
func TodoWorkload(keys int, seed uint64) (setup []Request, next func(i int) Request) {
	keys = max(keys, 1)
	for k := 1; k <= keys; k++ {
		setup = append(setup, todoPost(fmt.Sprintf("task %d", k)))
	}
	next = func(i int) Request {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		op, key := r.IntN(100), r.IntN(keys)+1
		switch {
		case op < todoGetShare:
			return Request{Method: http.MethodGet, Path: fmt.Sprintf("/todos/%d", key)}
		case op < todoGetShare+todoPutShare:
			body := fmt.Sprintf(`{"title":"task %d, edit %d","done":%t}`, key, i, i%2 == 0)
			return Request{Method: http.MethodPut, Path: fmt.Sprintf("/todos/%d", key),
				Header: jsonHeader, Body: []byte(body)}
		default:
			return todoPost(fmt.Sprintf("extra task %d", i))
		}
	}
	return setup, next
}

func todoPost(title string) Request {
	return Request{Method: http.MethodPost, Path: "/todos", Header: jsonHeader,
		Body: []byte(fmt.Sprintf(`{"title":%q}`, title))}
}
