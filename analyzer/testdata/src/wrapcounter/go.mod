module example.com/wrapcounter

go 1.26
