package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
)

// Product is an item for sale. Prices are in cents.
type Product struct {
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Price int    `json:"price"`
}

var (
	catalog  = map[string]Product{}
	skuOrder []string
)

func init() {
	for _, p := range []Product{
		{"mug-01", "Enamel mug", 1250},
		{"tee-02", "Logo T-shirt", 2200},
		{"cap-03", "Baseball cap", 1800},
		{"pen-04", "Gel pen", 300},
	} {
		catalog[p.SKU] = p
		skuOrder = append(skuOrder, p.SKU)
	}
	sort.Strings(skuOrder)
}

// carts holds each user's cart: SKU to quantity.
var carts = struct {
	sync.Mutex
	byUser      map[string]map[string]int
	nextOrderNo int
}{byUser: map[string]map[string]int{}, nextOrderNo: 1001}

type line struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Qty      int    `json:"qty"`
	Subtotal int    `json:"subtotal"`
}

type cartView struct {
	User  string `json:"user"`
	Lines []line `json:"lines"`
	Total int    `json:"total"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func listProducts(w http.ResponseWriter, r *http.Request) {
	list := make([]Product, 0, len(skuOrder))
	for _, sku := range skuOrder {
		list = append(list, catalog[sku])
	}
	writeJSON(w, http.StatusOK, list)
}

func getProduct(w http.ResponseWriter, r *http.Request) {
	p, ok := catalog[r.PathValue("sku")]
	if !ok {
		http.Error(w, "no such product", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// view renders a cart; the caller holds carts' lock.
func view(user string, items map[string]int) cartView {
	v := cartView{User: user, Lines: []line{}}
	for sku, qty := range items {
		p := catalog[sku]
		v.Lines = append(v.Lines, line{sku, p.Name, qty, qty * p.Price})
		v.Total += qty * p.Price
	}
	sort.Slice(v.Lines, func(i, j int) bool { return v.Lines[i].SKU < v.Lines[j].SKU })
	return v
}

func getCart(w http.ResponseWriter, r *http.Request) {
	user := userOf(r)
	carts.Lock()
	v := view(user, carts.byUser[user])
	carts.Unlock()
	writeJSON(w, http.StatusOK, v)
}

func addItem(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if _, ok := catalog[req.SKU]; !ok {
		http.Error(w, fmt.Sprintf("no such product %q", req.SKU), http.StatusNotFound)
		return
	}
	if req.Qty < 1 || req.Qty > 10 {
		http.Error(w, "qty must be between 1 and 10", http.StatusUnprocessableEntity)
		return
	}

	user := userOf(r)
	carts.Lock()
	items := carts.byUser[user]
	if items == nil {
		items = map[string]int{}
		carts.byUser[user] = items
	}
	items[req.SKU] += req.Qty
	v := view(user, items)
	carts.Unlock()
	writeJSON(w, http.StatusOK, v)
}

func removeItem(w http.ResponseWriter, r *http.Request) {
	user, sku := userOf(r), r.PathValue("sku")
	carts.Lock()
	_, had := carts.byUser[user][sku]
	delete(carts.byUser[user], sku)
	v := view(user, carts.byUser[user])
	carts.Unlock()

	if !had {
		http.Error(w, "not in cart", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func checkout(w http.ResponseWriter, r *http.Request) {
	user := userOf(r)
	carts.Lock()
	items := carts.byUser[user]
	if len(items) == 0 {
		carts.Unlock()
		http.Error(w, "cart is empty", http.StatusConflict)
		return
	}
	order := struct {
		Number int `json:"number"`
		cartView
	}{carts.nextOrderNo, view(user, items)}
	carts.nextOrderNo++
	delete(carts.byUser, user)
	carts.Unlock()

	w.Header().Set("Location", fmt.Sprintf("/orders/%d", order.Number))
	writeJSON(w, http.StatusCreated, order)
}
