module example.com/noserve

go 1.26
