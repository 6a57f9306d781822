module example.com/keyedpkg

go 1.26
