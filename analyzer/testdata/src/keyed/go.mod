module example.com/keyed

go 1.26
