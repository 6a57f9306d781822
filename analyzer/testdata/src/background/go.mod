module example.com/background

go 1.26
