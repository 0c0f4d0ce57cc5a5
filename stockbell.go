// Package stockbell is the domain of Stockbell, an open-source back-in-stock
// app server: merchants install it as a Shopify or BigCommerce app, or
// connect an inventory-aware catalog feed (Magento 2 and PrestaShop are
// planned); shoppers
// subscribe to sold-out variants through a storefront snippet; when stock
// returns, the restock engine notifies them by email or SMS, oldest first, in
// batches sized by the restocked quantity.
//
// This package holds the domain types, the service interfaces and the Error
// type. It imports only the standard library.
//
// Architecture map and the dependency rule:
//
//	stockbell (root)      domain types and service interfaces
//	migrations/           embedded SQL schema, one folder per dialect
//	oauth/                platform install steps, token sealing
//	integrations/<p>/     verify and parse what each platform sends; talk to its API
//	snippet/              the storefront snippet, bundled by esbuild at start-up
//	server/store          sqlx implementation of the services (SQLite, PostgreSQL)
//	server/jobs           the durable job queue (River)
//	server/restock        the restock engine
//	server/delivery       email and SMS senders, unsubscribe and short-link services
//	server/web            the one HTTP layer: every route, error answers, JSON and HTML
//	server (main)         configuration and wiring: the only package that imports everything
//
// Everything may import the root package; the root imports only the standard
// library. Adapters (server/store, integrations/*, server/delivery, snippet,
// oauth) never import each other; they meet only in server/main.go through
// the interfaces declared here. A test (dependency_test.go) enforces this.
package stockbell

import (
	"context"
	"time"
)

// Clock tells the time. Every component takes one so that tests control time
// instead of sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Sleep waits d, or until ctx ends (returning its error): the wall-clock
// wait of API clients between attempts; tests give the clients their own.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ClockFunc adapts a function to the Clock interface.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }
