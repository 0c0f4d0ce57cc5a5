// Command server is the Stockbell server: the storefront API, platform
// installs and webhooks, the job workers and the operator subcommands. It
// is the only package that imports every other one; it reads the
// configuration, opens the database and wires the components together.
//
// Usage:
//
//	go run ./server [serve]          run the server (the default)
//	go run ./server migrate          apply database migrations and exit
//	go run ./server shop list        list installed shops
//	go run ./server shop add         add a catalog feed shop
//	go run ./server feed sync        sync a feed shop's feed now
//	go run ./server settings get|set restock settings of a shop
//	go run ./server admin link       a one-time sign-in link to a shop's admin
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Execute(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}
