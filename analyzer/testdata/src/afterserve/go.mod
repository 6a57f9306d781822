module example.com/afterserve

go 1.26
