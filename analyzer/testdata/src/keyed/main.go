// Command keyed holds the cases of keyed state inference: maps that every
// route reaches through one key taken from the request, and the traps
// that keep a map whole.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Item is a value kept by key.
type Item struct {
	Name  string
	Count int
	When  time.Time // encodes itself
}

// counter is an entry reached through a pointer.
type counter struct{ N int }

// fav is an entry that a route also keeps in a global.
type fav struct {
	N int // class:singleton
}

// sub holds a channel: it cannot be encoded.
type sub struct {
	topic string
	ch    chan string
}

var (
	// Keyed: every route selects its entry by the path's id.
	byPath = map[string]Item{} // class:keyed

	// Singleton: one route reads byID[id], another ranges over it.
	ranged = map[string]int{} // class:singleton

	// Singleton: two keys in one request.
	pairs = map[string]int{} // class:singleton

	// Singleton: the key is a global counter.
	seq     int                // class:singleton
	numbers = map[int]string{} // class:singleton

	// Keyed by a field of the JSON body.
	byJSON = map[string]string{} // class:keyed

	// Keyed by a header through strings.ToLower.
	byUser = map[string]int{} // class:keyed

	// Keyed by strconv.Atoi of a path value.
	byNum = map[int]string{} // class:keyed

	// Replicated: written only in init.
	defaults = map[string]string{} // class:replicated

	// Keyed: a map of pointers, entries changed through the pointer.
	counters = map[string]*counter{} // class:keyed

	// Keyed: a map of structs, read then written back.
	accounts = map[string]Item{} // class:keyed

	// Not splittable: its entries hold a channel.
	subs = map[string]*sub{} // class:not-splittable

	// Keyed: a sync.Map keyed by a cookie.
	sessions sync.Map // class:keyed

	// Background: a goroutine started in main writes it; handlers read it.
	rates = map[string]float64{} // class:background

	// Keyed: the global a shadowing local has the name of.
	shadow = map[string]int{} // class:keyed

	// Keyed together: two maps behind one mutex, one key per request.
	mu     sync.Mutex
	names  = map[string]string{} // class:keyed
	scores = map[string]int{}    // class:keyed

	// Singleton together: two maps behind one mutex, one of them ranged.
	mu2   sync.Mutex
	left  = map[string]int{} // class:singleton
	right = map[string]int{} // class:singleton

	// Singleton: the key is read from another map.
	aliases = map[string]string{} // class:replicated
	targets = map[string]int{}    // class:singleton

	// Singleton: the map is encoded whole.
	dumped = map[string]int{} // class:singleton

	// Singleton: a path value of a route on a sub-mux is not the served
	// route's; the gateway matches "/api/" only and cannot read it.
	apiItems = map[string]int{} // class:singleton

	// Singleton: main keeps an entry in last too, and a route changes it
	// through last, so the map's key does not cover every access to its
	// entries.
	favorites = map[string]*fav{} // class:singleton
	last      *fav                // a pointer: its fields are the roots

	// Not splittable: the values are interfaces.
	anys = map[string]any{} // class:not-splittable

	// Not splittable: the values are structs of another package with
	// unexported fields.
	buffers = map[string]*bytes.Buffer{} // class:not-splittable

	// Singleton: parsed in base 16, which is not in the vocabulary.
	hex = map[int64]string{} // class:singleton

	// Singleton: the key has a default chosen by a branch.
	defaulted = map[string]int{} // class:singleton

	// Keyed by a query parameter, and by a form value.
	byQuery = map[string]int{} // class:keyed
	byForm  = map[string]int{} // class:keyed

	// Keyed by a body field decoded with json.Unmarshal.
	byBody = map[int]string{} // class:keyed

	// Singleton: the key is the time of the request.
	byTime = map[int64]bool{} // class:singleton

	// Singleton: cleared by a route.
	cleared = map[string]int{} // class:singleton

	// Keyed: the loop variable a closure captures is replicated.
	loopm = map[string]int{} // class:keyed

	// Singleton: every key stores the one pointer def, so the entries
	// share it; def is written through them.
	def     = &tally{}            // class:singleton
	aliased = map[string]*tally{} // class:singleton

	// Keyed: the look-alike stores a fresh &tally{} for each key.
	freshed = map[string]*tally{} // class:keyed

	// Singleton: stores a pointer taken from another map's entry.
	pool   = map[string]*tally{} // class:singleton
	pooled = map[string]*tally{} // class:singleton

	// Singleton: stores a slice that a global also holds.
	common = make([]int, 1)     // class:singleton
	sliced = map[string][]int{} // class:singleton

	// Keyed: stores a copy of a global struct, which holds no pointers.
	proto  = tally{N: 1}        // class:replicated
	copied = map[string]tally{} // class:keyed
)

// tally is an entry that some routes share between keys.
type tally struct{ N int }

func init() {
	defaults["greeting"] = "hello"
}

func getPath(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, byPath[r.PathValue("id")].Name)
}

func putPath(w http.ResponseWriter, r *http.Request) {
	byPath[r.PathValue("id")] = Item{Name: r.FormValue("name"), When: time.Now()}
}

func getRanged(w http.ResponseWriter, r *http.Request) { ranged[r.PathValue("id")]++ }

func listRanged(w http.ResponseWriter, r *http.Request) {
	for k, v := range ranged {
		fmt.Fprintln(w, k, v)
	}
}

func swap(w http.ResponseWriter, r *http.Request) {
	a, b := r.PathValue("a"), r.PathValue("b")
	pairs[a], pairs[b] = pairs[b], pairs[a]
}

func next(w http.ResponseWriter, r *http.Request) {
	seq++
	numbers[seq] = r.FormValue("v")
}

func postJSON(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID    string `json:"id"`
		Value string `json:"value"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	byJSON[in.ID] = in.Value
}

func hit(w http.ResponseWriter, r *http.Request) {
	user := strings.ToLower(r.Header.Get("X-User"))
	byUser[user]++
}

func getNum(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		http.Error(w, "bad number", http.StatusBadRequest)
		return
	}
	fmt.Fprint(w, byNum[n])
}

func putNum(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		http.Error(w, "bad number", http.StatusBadRequest)
		return
	}
	byNum[n] = r.FormValue("v")
}

func greet(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, defaults["greeting"]) }

func incr(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c := counters[id]
	if c == nil {
		c = &counter{}
		counters[id] = c
	}
	c.N++
	fmt.Fprint(w, c.N)
}

func deposit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	acc := accounts[id]
	acc.Count += 10
	accounts[id] = acc
}

func subscribe(w http.ResponseWriter, r *http.Request) {
	subs[r.PathValue("topic")] = &sub{topic: r.PathValue("topic"), ch: make(chan string, 1)}
}

func login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("sid")
	if err != nil {
		http.Error(w, "no session", http.StatusUnauthorized)
		return
	}
	if v, ok := sessions.Load(c.Value); ok {
		fmt.Fprint(w, v.(int))
		return
	}
	sessions.Store(c.Value, 1)
}

func poll() {
	for {
		rates["EUR"] = 1.1
		time.Sleep(time.Minute)
	}
}

func rate(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rates[r.PathValue("c")]) }

func getShadow(w http.ResponseWriter, r *http.Request) {
	shadow[r.PathValue("id")]++
}

func listShadow(w http.ResponseWriter, r *http.Request) {
	shadow := map[string]int{"local": 1} // a local of the same name: not state
	for k := range shadow {
		fmt.Fprintln(w, k)
	}
}

func setScore(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	mu.Lock()
	defer mu.Unlock()
	names[id] = r.FormValue("name")
	scores[id]++
}

func getScore(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprint(w, scores[r.PathValue("id")])
}

func setLeft(w http.ResponseWriter, r *http.Request) {
	mu2.Lock()
	defer mu2.Unlock()
	left[r.PathValue("id")]++
	right[r.PathValue("id")]--
}

func countRight(w http.ResponseWriter, r *http.Request) {
	mu2.Lock()
	defer mu2.Unlock()
	fmt.Fprint(w, len(right))
}

func target(w http.ResponseWriter, r *http.Request) {
	targets[aliases[r.PathValue("name")]]++
}

func dump(w http.ResponseWriter, r *http.Request) {
	dumped[r.PathValue("id")]++
	json.NewEncoder(w).Encode(dumped)
}

func putAny(w http.ResponseWriter, r *http.Request) { anys[r.PathValue("id")] = r.FormValue("v") }

func putBuffer(w http.ResponseWriter, r *http.Request) {
	buffers[r.PathValue("id")] = bytes.NewBufferString(r.FormValue("v"))
}

func putHex(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(r.PathValue("h"), 16, 64)
	if err != nil {
		return
	}
	hex[n] = r.FormValue("v")
}

func withDefault(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" {
		id = "anonymous"
	}
	defaulted[id]++
}

func queried(w http.ResponseWriter, r *http.Request) { byQuery[r.URL.Query().Get("user")]++ }

func formed(w http.ResponseWriter, r *http.Request) { byForm[strings.TrimSpace(r.FormValue("k"))]++ }

func unmarshaled(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var in struct {
		N    int `json:"n"`
		Text string
	}
	if json.Unmarshal(data, &in) != nil {
		return
	}
	byBody[in.N] = in.Text
}

func stamp(w http.ResponseWriter, r *http.Request) { byTime[time.Now().Unix()] = true }

func setCleared(w http.ResponseWriter, r *http.Request) { cleared[r.PathValue("id")] = 1 }

func clearAll(w http.ResponseWriter, r *http.Request) { clear(cleared) }

func pick(w http.ResponseWriter, r *http.Request) {
	f := favorites[r.PathValue("id")]
	if f == nil {
		f = &fav{}
		favorites[r.PathValue("id")] = f
	}
	f.N++
}

func bump(w http.ResponseWriter, r *http.Request) {
	if last != nil {
		last.N++
	}
}

func bumpAliased(w http.ResponseWriter, r *http.Request) {
	k := r.PathValue("k")
	if aliased[k] == nil {
		aliased[k] = def // every key shares one value
	}
	aliased[k].N++
	fmt.Fprintln(w, aliased[k].N)
}

func bumpFreshed(w http.ResponseWriter, r *http.Request) {
	k := r.PathValue("k")
	if freshed[k] == nil {
		freshed[k] = &tally{} // a value of this key alone
	}
	freshed[k].N++
	fmt.Fprintln(w, freshed[k].N)
}

func bumpPooled(w http.ResponseWriter, r *http.Request) {
	k := r.PathValue("k")
	p := pool[k]
	if p == nil {
		p = &tally{}
		pool[k] = p
	}
	pooled[k] = p // the entry of pool, shared
	pooled[k].N++
}

func bumpSliced(w http.ResponseWriter, r *http.Request) {
	k := r.PathValue("k")
	sliced[k] = common // the global's array, shared
	sliced[k][0]++
}

func bumpCopied(w http.ResponseWriter, r *http.Request) {
	k := r.PathValue("k")
	if _, ok := copied[k]; !ok {
		copied[k] = proto // a copy: tally holds no pointers
	}
	c := copied[k]
	c.N++
	copied[k] = c
}

func main() {
	seed := &fav{}
	favorites["seed"], last = seed, seed
	go poll()
	http.HandleFunc("GET /path/{id}", getPath)         // route:keyed key:path/id
	http.HandleFunc("PUT /path/{id}", putPath)         // route:keyed key:path/id
	http.HandleFunc("GET /ranged/{id}", getRanged)     // route:singleton
	http.HandleFunc("GET /ranged", listRanged)         // route:singleton
	http.HandleFunc("POST /swap/{a}/{b}", swap)        // route:singleton
	http.HandleFunc("POST /next", next)                // route:singleton
	http.HandleFunc("POST /json", postJSON)            // route:keyed key:json/id
	http.HandleFunc("POST /hit", hit)                  // route:keyed key:header/X-User/strings.ToLower
	http.HandleFunc("GET /num/{n}", getNum)            // route:keyed key:path/n/strconv.Atoi
	http.HandleFunc("PUT /num/{n}", putNum)            // route:keyed key:path/n/strconv.Atoi
	http.HandleFunc("GET /greet", greet)               // route:stateless
	http.HandleFunc("POST /counters/{id}", incr)       // route:keyed key:path/id
	http.HandleFunc("POST /accounts/{id}", deposit)    // route:keyed key:path/id
	http.HandleFunc("POST /subs/{topic}", subscribe)   // route:residue
	http.HandleFunc("POST /login", login)              // route:keyed key:cookie/sid
	http.HandleFunc("GET /rates/{c}", rate)            // route:stateless
	http.HandleFunc("POST /shadow/{id}", getShadow)    // route:keyed key:path/id
	http.HandleFunc("GET /shadow", listShadow)         // route:stateless
	http.HandleFunc("PUT /scores/{id}", setScore)      // route:keyed key:path/id
	http.HandleFunc("GET /scores/{id}", getScore)      // route:keyed key:path/id
	http.HandleFunc("POST /left/{id}", setLeft)        // route:singleton
	http.HandleFunc("GET /right", countRight)          // route:singleton
	http.HandleFunc("POST /targets/{name}", target)    // route:singleton
	http.HandleFunc("POST /dump/{id}", dump)           // route:singleton
	http.HandleFunc("PUT /anys/{id}", putAny)          // route:residue
	http.HandleFunc("PUT /buffers/{id}", putBuffer)    // route:residue
	http.HandleFunc("PUT /hex/{h}", putHex)            // route:singleton
	http.HandleFunc("POST /default/{id}", withDefault) // route:singleton
	http.HandleFunc("POST /query", queried)            // route:keyed key:query/user
	http.HandleFunc("POST /form", formed)              // route:keyed key:form/k/strings.TrimSpace
	http.HandleFunc("POST /body", unmarshaled)         // route:keyed key:json/n
	http.HandleFunc("POST /stamp", stamp)              // route:singleton
	http.HandleFunc("PUT /cleared/{id}", setCleared)   // route:singleton
	http.HandleFunc("DELETE /cleared", clearAll)       // route:singleton
	for i := range 1 {                                 // class:replicated
		http.HandleFunc("POST /loop/{id}", func(w http.ResponseWriter, r *http.Request) { // route:keyed key:path/id
			loopm[r.PathValue("id")] += i
		})
	}
	http.HandleFunc("POST /favorites/{id}", pick)     // route:singleton
	http.HandleFunc("POST /bump", bump)               // route:singleton
	http.HandleFunc("POST /aliased/{k}", bumpAliased) // route:singleton
	http.HandleFunc("POST /freshed/{k}", bumpFreshed) // route:keyed key:path/k
	http.HandleFunc("POST /pooled/{k}", bumpPooled)   // route:singleton
	http.HandleFunc("POST /sliced/{k}", bumpSliced)   // route:singleton
	http.HandleFunc("POST /copied/{k}", bumpCopied)   // route:keyed key:path/k
	api := http.NewServeMux()
	api.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { apiItems[r.PathValue("id")]++ }) // route:singleton
	http.Handle("/api/", http.StripPrefix("/api", api))                                                               // route:singleton
	http.ListenAndServe(":8080", nil)
}
