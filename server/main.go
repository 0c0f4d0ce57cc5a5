// Command stockbell is the Stockbell server: the storefront API, platform
// installs and webhooks, the job workers and the operator subcommands. It
// is the only package that imports every other one; it reads the
// configuration (config.go, the one place that reads the environment),
// opens the database and wires the components together (wire.go). Build it
// with
//
//	go build -o stockbell ./server
//
// Usage:
//
//	stockbell [serve]          run the server (the default)
//	stockbell migrate          create or migrate the database and exit
//	stockbell backup --to FILE copy the SQLite database while the server runs
//	stockbell shop list        list installed shops
//	stockbell shop add         add a catalog feed shop
//	stockbell feed sync        sync a feed shop's feed now
//	stockbell settings get|set restock settings of a shop
//	stockbell admin link       a one-time sign-in link to a shop's admin
//	stockbell apikey create|list|revoke  keys to a shop's JSON admin API
//	stockbell version          the build's version and source revision
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(Execute(signalContext(), os.Args[1:], os.Getenv, os.Environ(), os.Stdout, os.Stderr))
}

// signalContext ends at the first SIGINT or SIGTERM, which starts the
// graceful shutdown (bounded by STOCKBELL_SHUTDOWN_TIMEOUT). Signals are
// then left to their default action, so a second one ends the process at
// once: an operator's second Ctrl-C, or a supervisor that will not wait.
// The default action is back before the context ends, so that whoever
// sees it end can count on it.
func signalContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		signal.Stop(signals)
		cancel()
	}()
	return ctx
}
