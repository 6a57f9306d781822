module example.com/compileerror

go 1.26
