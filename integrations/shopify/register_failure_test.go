package shopify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/internal/synclogcheck"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// registrationFailures are the ways a webhook registration fails other
// than a refusal of the token or of a scope, each made and undone on the
// test's shop, with what its sync log reason must name: what Shopify
// answered and what to check.
var registrationFailures = []struct {
	name  string
	fail  func(e *env)
	mend  func(e *env)
	names []string
}{
	{"address refused", // webhookSubscriptionCreate's userErrors
		func(e *env) { e.in.Config.AppURL = "http://app.example" },
		func(e *env) { e.in.Config.AppURL = "https://app.example" },
		[]string{"Address protocol http:// is not supported", "webhookSubscription.callbackUrl", "http://app.example/webhooks/shopify",
			"HTTPS", "STOCKBELL_PUBLIC_URL", shopify.SubscribedTopics[0]}},
	{"Admin API failing",
		func(e *env) { e.fake.AdminStatus = http.StatusServiceUnavailable },
		func(e *env) { e.fake.AdminStatus = 0 },
		[]string{"503", "shopifystatus.com"}},
	{"shop frozen",
		func(e *env) { e.fake.AdminStatus = http.StatusPaymentRequired },
		func(e *env) { e.fake.AdminStatus = 0 },
		[]string{"402 Payment Required", "froze the shop", "outstanding balance"}},
	{"Admin API unreachable",
		func(e *env) { e.in.Admin.Config.AdminURL = "http://127.0.0.1:1/{shop}" },
		func(e *env) { e.in.Admin.Config.AdminURL = e.fake.AdminURL() },
		[]string{"could not be reached", "connection refused"}},
	{"Admin API too slow", // each answer comes after the client's timeout
		func(e *env) {
			e.in.Admin.HTTP.Timeout = 20 * time.Millisecond
			e.fake.Answered = func(string) { time.Sleep(100 * time.Millisecond) }
		},
		func(e *env) { e.in.Admin.HTTP.Timeout, e.fake.Answered = 30*time.Second, nil },
		[]string{"did not answer in time", "list the shop's webhooks", "shopifystatus.com"}},
}

// TestRegisterWebhooksFailuresAreLogged: a webhook registration that
// fails for any reason but a refusal (Shopify refusing the address with
// userErrors, its Admin API answering 5xx, or not reached at all) fails
// its job, to be retried, and records in the shop's sync log, on the
// admin's banner, what Shopify answered and what to check: one entry
// however many runs meet the same failure. The registration that then
// succeeds ends it.
func TestRegisterWebhooksFailuresAreLogged(t *testing.T) {
	for _, c := range registrationFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				c.fail(e)
				synclogcheck.WantFailuresLogged(t, e.webhooksJob(shop.ID), func() { c.mend(e) }, c.names)
				if topics := e.topics(); len(topics) != len(shopify.SubscribedTopics) {
					t.Fatalf("after the recovery the shop is subscribed to %v", topics)
				}
			})
		})
	}
}

// webhooksJob is the shop's webhook registration as a sync log source.
func (e *env) webhooksJob(shopID int64) synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: shopID, Source: shopify.WebhooksSource, What: "registration",
		Run: func(ctx context.Context) error {
			return e.in.RegisterWebhooks(ctx, stockbell.ShopifyRegisterWebhooksJob{ShopID: shopID})
		}}
}

// TestRegisterWebhooksStoppedIsNotLogged: a registration cut short
// because the process is stopping did not fail: nothing is in the sync
// log.
func TestRegisterWebhooksStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		synclogcheck.WantStoppedNotLogged(t, e.webhooksJob(shop.ID), e.stopOnAnswer)
	})
}
