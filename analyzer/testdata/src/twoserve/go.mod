module example.com/twoserve

go 1.26
