package bench

import (
	"fmt"
	"math/rand/v2"
	"net/http"
)

// The todo mix, in percent of measured requests: reads of a list or of
// its first item, then writes (renaming a list, replacing its first item);
// the rest add an item.
const (
	todoListGetShare = 40
	todoItemGetShare = 40
	todoListPutShare = 10
	todoItemPutShare = 5
)

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// TodoWorkload returns the benchmark mix for the todo test app over the
// lists list-1..list-keys: setup creates each list with PUT /lists/{id}
// and gives it item 1 with POST /lists/{id}/items (on a fresh server), and
// next(i) is, in 40% of cases, GET /lists/{id}; in 40%, GET
// /lists/{id}/items/1; in 10%, PUT /lists/{id} (a rename); in 5%, PUT
// /lists/{id}/items/1; in 5%, POST /lists/{id}/items. Every request
// answers 2xx. The list and the operation of request i depend only on
// seed and i, so two runs with the same seed send the same requests,
// whatever the concurrency.
func TodoWorkload(keys int, seed uint64) (setup []Request, next func(i int) Request) {
	keys = max(keys, 1)
	for k := 1; k <= keys; k++ {
		id := todoListID(k)
		setup = append(setup,
			todoJSON(http.MethodPut, "/lists/"+id, fmt.Sprintf(`{"title":"list %d"}`, k)),
			todoJSON(http.MethodPost, "/lists/"+id+"/items", fmt.Sprintf(`{"title":"first task of list %d"}`, k)))
	}
	next = func(i int) Request {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		op, id := r.IntN(100), todoListID(r.IntN(keys)+1)
		switch {
		case op < todoListGetShare:
			return Request{Method: http.MethodGet, Path: "/lists/" + id}
		case op < todoListGetShare+todoItemGetShare:
			return Request{Method: http.MethodGet, Path: "/lists/" + id + "/items/1"}
		case op < todoListGetShare+todoItemGetShare+todoListPutShare:
			return todoJSON(http.MethodPut, "/lists/"+id, fmt.Sprintf(`{"title":"%s, edit %d"}`, id, i))
		case op < todoListGetShare+todoItemGetShare+todoListPutShare+todoItemPutShare:
			return todoJSON(http.MethodPut, "/lists/"+id+"/items/1",
				fmt.Sprintf(`{"title":"first task, edit %d","done":%t}`, i, i%2 == 0))
		default:
			return todoJSON(http.MethodPost, "/lists/"+id+"/items", fmt.Sprintf(`{"title":"extra task %d"}`, i))
		}
	}
	return setup, next
}

// todoListID names list k of the workload.
func todoListID(k int) string { return fmt.Sprintf("list-%d", k) }

func todoJSON(method, path, body string) Request {
	return Request{Method: method, Path: path, Header: jsonHeader, Body: []byte(body)}
}
