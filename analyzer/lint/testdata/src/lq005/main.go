// Command lq005 keeps notes as files on the local disk.
package main

import (
	"net/http"
	"os"
	"path/filepath"
)

const dir = "notes"

func save(w http.ResponseWriter, r *http.Request) {
	name := filepath.Join(dir, filepath.Base(r.PathValue("name")))
	os.WriteFile(name, []byte(r.FormValue("text")), 0o644) // want `route PUT /notes/{name} changes local files with os.WriteFile: each process of the liquefied service has its own disk`
}

func remove(w http.ResponseWriter, r *http.Request) {
	f, err := os.OpenFile(filepath.Join(dir, "log"), os.O_APPEND|os.O_WRONLY, 0o644) // want `route DELETE /notes/{name} changes local files with os.OpenFile`
	if err == nil {
		f.Close()
	}
	os.Remove(filepath.Join(dir, filepath.Base(r.PathValue("name")))) // want `route DELETE /notes/{name} changes local files with os.Remove`
}

func read(w http.ResponseWriter, r *http.Request) {
	// Reading files is the same in every process that ships them, and
	// opening one read-only changes nothing: both stay silent.
	data, _ := os.ReadFile(filepath.Join(dir, filepath.Base(r.PathValue("name"))))
	if f, err := os.OpenFile(filepath.Join(dir, "log"), os.O_RDONLY, 0); err == nil {
		f.Close()
	}
	w.Write(data)
}

func main() {
	os.MkdirAll(dir, 0o755) // start-up code, not a handler: silent
	http.HandleFunc("PUT /notes/{name}", save)
	http.HandleFunc("DELETE /notes/{name}", remove)
	http.HandleFunc("GET /notes/{name}", read)
	http.ListenAndServe("127.0.0.1:8080", nil)
}
