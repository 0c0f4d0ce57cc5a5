package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store"
)

// Environment of the server process TestAcknowledgedWebhooksSurviveKill starts.
const (
	durableDBEnv   = "STOCKBELL_DURABILITY_DB"
	durableAddrEnv = "STOCKBELL_DURABILITY_ADDR"
	durableSecret  = "durability-webhook-secret"
)

// TestDurabilityServerProcess is the real server as a process of its own;
// it runs only when TestAcknowledgedWebhooksSurviveKill starts this test
// binary, which kills it with SIGKILL.
func TestDurabilityServerProcess(t *testing.T) {
	dbURL := os.Getenv(durableDBEnv)
	if dbURL == "" {
		t.Skip("run as a child of TestAcknowledgedWebhooksSurviveKill")
	}
	addr := os.Getenv(durableAddrEnv)
	startServer(t, testEnv(t, map[string]string{
		"STOCKBELL_ADDR": addr, "STOCKBELL_PUBLIC_URL": "http://" + addr, "STOCKBELL_DATABASE_URL": dbURL,
		"SHOPIFY_API_KEY": "durability", "SHOPIFY_API_SECRET": durableSecret,
	}))
	time.Sleep(3 * time.Minute) // until the parent kills it
}

// TestAcknowledgedWebhooksSurviveKill sends signed Shopify webhooks from 16
// concurrent clients to a server process, kills the process with SIGKILL
// in the middle of the load, and checks that every webhook answered 200 is
// in the database: an acknowledgement means durably stored.
func TestAcknowledgedWebhooksSurviveKill(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { acknowledgedSurviveKill(t, dbURL) })
	}
}

func acknowledgedSurviveKill(t *testing.T, dbURL string) {
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run", "^TestDurabilityServerProcess$", "-test.v")
	cmd.Env = append(os.Environ(), durableDBEnv+"="+dbURL, durableAddrEnv+"="+addr)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "http://" + addr
	waitReady(t, url)

	var acked sync.Map
	var nAcked, nFailed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var next atomic.Int64
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := "kill-" + strconv.FormatInt(next.Add(1), 10)
				resp, err := client.Do(signedInventoryWebhook(url+"/webhooks/shopify", id))
				if err == nil && resp.StatusCode == http.StatusOK {
					acked.Store(id, true)
					nAcked.Add(1)
				} else {
					nFailed.Add(1)
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}
	for nAcked.Load() < 500 {
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("killed with %d webhooks acknowledged, %d failed or cut off", nAcked.Load(), nFailed.Load())
	if nFailed.Load() == 0 {
		t.Fatal("no request was cut off by the kill: the load did not overlap it")
	}
	assertStored(t, dbURL, &acked)
}

// assertStored checks that every acknowledged event id is a stored receipt.
func assertStored(t *testing.T, dbURL string, acked *sync.Map) {
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []string
	if err := db.DB.Select(&ids, `SELECT event_id FROM webhook_receipts`); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, id := range ids {
		stored[id] = true
	}
	missing := 0
	acked.Range(func(k, _ any) bool {
		if !stored[k.(string)] {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("%d acknowledged webhooks are not in the database (%d stored)", missing, len(ids))
	}
}

// signedInventoryWebhook is a Shopify inventory_levels/update webhook
// signed with durableSecret, for a shop Stockbell does not know (it is
// stored all the same and dropped when processed).
func signedInventoryWebhook(url, eventID string) *http.Request {
	body := fmt.Sprintf(`{"inventory_item_id":1070325040,"location_id":24826418,"available":3,"updated_at":%q}`,
		time.Now().UTC().Format(time.RFC3339))
	mac := hmac.New(sha256.New, []byte(durableSecret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	req.Header.Set("X-Shopify-Shop-Domain", "durability.myshopify.com")
	req.Header.Set("X-Shopify-Topic", "inventory_levels/update")
	req.Header.Set("X-Shopify-Event-Id", eventID)
	return req
}

// waitReady polls the server at url until /readyz answers 200, for up
// to 60 s.
func waitReady(t *testing.T, url string) {
	url += "/readyz" // /healthz answers 200 while the server is still starting
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server at %s did not become ready", url)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
