module example.com/servemux

go 1.26
