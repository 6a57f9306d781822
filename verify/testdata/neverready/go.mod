module example.com/neverready

go 1.24
