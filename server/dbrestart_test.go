package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/stockbell/stockbell/integrations"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// acknowledged is what the server answered 2xx to, by phase of the test.
type acknowledged struct {
	mu            sync.Mutex
	emails        []string
	events        []string
	afterRecovery atomic.Int64
	recovered     atomic.Bool
	refused       atomic.Int64
}

func (a *acknowledged) add(list *[]string, id string) {
	a.mu.Lock()
	*list = append(*list, id)
	a.mu.Unlock()
	if a.recovered.Load() {
		a.afterRecovery.Add(1)
	}
}

// TestDatabaseRestartUnderLoad runs the real server on a PostgreSQL of its
// own, drives storefront subscriptions and Shopify webhooks at it, and
// crashes and restarts the database in the middle. While the database is
// down /readyz answers 503; once it is back the same server process serves
// again (requests are acknowledged and jobs run) without a restart; and
// every subscription and webhook the server acknowledged is in the
// database, every webhook processed.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	pg := startThrowawayPostgres(t)
	m, fake := restartServer(t, pg.url())
	installShop(t, m, fake)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	noErr(t, err)
	eventually(t, m, "the catalog sync", func() bool {
		_, err := m.DB.FindVariant(context.Background(), shop.ID, "642667041472713922")
		return err == nil
	})

	ack := &acknowledged{}
	stop := make(chan struct{})
	var load sync.WaitGroup
	for w := range 4 {
		load.Add(1)
		go func() {
			defer load.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if w%2 == 0 {
					subscribeOnce(m, shop, ack, fmt.Sprintf("w%d-%d@example.com", w, i), fmt.Sprintf("198.51.%d.%d", w, i%250+1))
				} else {
					webhookOnce(m, fake, ack, fmt.Sprintf("evt-%d-%d", w, i), i)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	time.Sleep(2 * time.Second)
	pg.crash(t)
	crashedAt := time.Now()
	waitForCondition(t, 10*time.Second, func() bool { return readyz(m) == http.StatusServiceUnavailable })
	t.Logf("/readyz answered 503 %s after the database went down", time.Since(crashedAt).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	if code := readyz(m); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d while the database is down, want 503", code)
	}
	pg.start(t)
	startedAt := time.Now()
	waitForCondition(t, 30*time.Second, func() bool { return readyz(m) == http.StatusOK })
	ack.recovered.Store(true)
	t.Logf("ready again %s after the database came back", time.Since(startedAt).Round(time.Millisecond))
	waitForCondition(t, 30*time.Second, func() bool { return ack.afterRecovery.Load() >= 20 })
	close(stop)
	load.Wait()

	checkNothingAcknowledgedLost(t, m, ack)
}

// restartServer is the Shopify end-to-end server on dbURL, behind a
// trusted proxy so that each simulated shopper has an address of their own
// under the shipped per-address limit.
func restartServer(t *testing.T, dbURL string) (*Main, *shopifytest.Fake) {
	fake := shopifytest.New(shopifytest.NewClock(time.Now()))
	t.Cleanup(fake.Close)
	fake.Do(e2eShop, func(s *shopifytest.Shop) {
		s.Products = []*shopifytest.Product{{ID: 788032119674292922, Title: "Example T-Shirt", Handle: "example-t-shirt",
			Status: "ACTIVE", Published: true, UpdatedAt: time.Now().Add(-time.Hour),
			Variants: []*shopifytest.Variant{{ID: 642667041472713922, Title: "Small", Price: "19.99",
				Policy: "DENY", InventoryItemID: 1070325040, Tracked: true,
				Levels: []shopifytest.Level{{LocationID: 24826418, Available: 0}}}}}}
	})
	m := startServerAt(t, map[string]string{
		"STOCKBELL_TRUSTED_PROXIES": "127.0.0.1/32", "STOCKBELL_DATABASE_URL": dbURL,
		"SHOPIFY_API_KEY": fake.APIKey, "SHOPIFY_API_SECRET": fake.Secret, "STOCKBELL_SHOPIFY_ADMIN_URL": fake.AdminURL(),
	})
	return m, fake
}

var loadClient = &http.Client{Timeout: 10 * time.Second}

func subscribeOnce(m *Main, shop *stockbell.Shop, ack *acknowledged, email, ip string) {
	body, _ := json.Marshal(map[string]any{"shop": shop.PublicKey, "variant_id": "642667041472713922", "email": email, "channels": []string{"email"}})
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/api/storefront/v1/subscriptions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := loadClient.Do(req)
	if err != nil {
		ack.refused.Add(1)
		return
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		ack.add(&ack.emails, email)
	} else {
		ack.refused.Add(1)
	}
}

func webhookOnce(m *Main, fake *shopifytest.Fake, ack *acknowledged, eventID string, i int) {
	at := time.Now().UTC()
	resp, err := fake.SendWebhook(m.URL()+"/webhooks/shopify", shopifytest.Webhook{Topic: "inventory_levels/update", Shop: e2eShop,
		Body: levelUpdate(24826418, 0, at.Add(time.Duration(i)*time.Microsecond)), EventID: eventID})
	if err != nil {
		ack.refused.Add(1)
		return
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		ack.add(&ack.events, eventID)
	} else {
		ack.refused.Add(1)
	}
}

func readyz(m *Main) int {
	resp, err := loadClient.Get(m.URL() + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// checkNothingAcknowledgedLost: every acknowledged subscription and
// webhook is stored, and every acknowledged webhook gets processed by the
// same server's jobs.
func checkNothingAcknowledgedLost(t *testing.T, m *Main, ack *acknowledged) {
	ack.mu.Lock()
	emails, events := ack.emails, ack.events
	ack.mu.Unlock()
	t.Logf("acknowledged %d subscriptions and %d webhooks (%d after recovery); %d requests refused while the database was away",
		len(emails), len(events), ack.afterRecovery.Load(), ack.refused.Load())
	if ack.refused.Load() == 0 {
		t.Fatal("no request was refused: the database was never away while the load ran")
	}
	for _, email := range emails {
		if n := countRowsArgs(t, m, `SELECT COUNT(*) FROM subscriptions WHERE email = ?`, email); n != 1 {
			t.Fatalf("acknowledged subscription %s: %d rows, want 1", email, n)
		}
	}
	for _, id := range events {
		if n := countRowsArgs(t, m, `SELECT COUNT(*) FROM webhook_receipts WHERE event_id = ?`, id); n != 1 {
			t.Fatalf("acknowledged webhook %s: %d receipts, want 1", id, n)
		}
	}
	waitForCondition(t, jobsRecoveryWait, func() bool {
		return countRowsArgs(t, m, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`) == 0
	})
}

// jobsRecoveryWait bounds how long the acknowledged webhooks may take to
// be processed once the database is back, by the drainer's shipped
// settings: a receipt that failed while the database was down is retried
// with backoff (1 s, 16 s, 81 s after its first, second and third
// failures), and one whose claim's outcome was lost with the connection
// waits out the claim's lease (integrations.DefaultLease).
const jobsRecoveryWait = integrations.DefaultLease + 2*time.Minute

func countRowsArgs(t *testing.T, m *Main, query string, args ...any) int {
	t.Helper()
	var n int
	noErr(t, m.DB.DB.Get(&n, m.DB.DB.Rebind(query), args...))
	return n
}
