module example.com/noroutes

go 1.26
