// Package store keeps items for the routes package.
package store

var items = map[string]string{} // class:singleton

var limit = 10 // class:replicated

// Put stores v under k.
func Put(k, v string) {
	if len(items) < limit {
		items[k] = v
	}
}
