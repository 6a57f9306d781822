// Command track makes values of a type whose state is persisted, in the
// forms the rewrite must record, and of a type whose state is not.
package main

import "net/http"

type store struct{ notes map[string]string }

type other struct{ n int }

func newStore() *store { return &store{notes: map[string]string{}} }

func main() {
	a := newStore()
	b := new(store)
	c := &other{n: 1} // not tracked: its state is not persisted
	d := store{}      // a value, not a pointer the handlers share
	_, _, _, _ = a, b, c, d
	http.ListenAndServe(":8080", nil)
}
