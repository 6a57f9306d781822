package main

import "net/http"

func main() {
	x := undefinedThing // want "declared and not used: x" want "undefined: undefinedThing"
	var n int = "three" // want "declared and not used: n" want "cannot use \"three\""
	http.ListenAndServe(":8080", nil)
}
