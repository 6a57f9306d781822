module example.com/implicit

go 1.26
