package lib // want "is not a main package"

func F() {}
