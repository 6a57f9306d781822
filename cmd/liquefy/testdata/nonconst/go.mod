module example.com/nonconst

go 1.22
