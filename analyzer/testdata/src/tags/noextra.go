//go:build !extra

package main

func register() {}
