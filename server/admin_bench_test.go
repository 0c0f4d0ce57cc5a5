package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
)

// BenchmarkAdminPages times each admin page, server side and over
// loopback, on the development server's demo shop with 300 subscribers
// (100 of them notified in a batch, each with a message), beside /healthz
// as the baseline of the same server and client.
//
//	go test ./server -run '^$' -bench AdminPages -benchtime 200x -count 5
func BenchmarkAdminPages(b *testing.B) {
	m, client, sub := adminBenchServer(b)
	pages := []string{"/healthz", "/admin", "/admin/settings", "/admin/flow", "/admin/products", "/admin/subscribers",
		fmt.Sprintf("/admin/subscribers/%d", sub), "/admin/install", "/admin/outbox"}
	for _, path := range pages {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				resp, err := client.Get(m.URL() + path)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", path, resp.StatusCode)
				}
			}
		})
	}
}

// adminBenchServer starts a development server, fills the demo shop and
// signs a client in to its admin; it returns a notified subscriber's id.
func adminBenchServer(b *testing.B) (*Main, *http.Client, int64) {
	b.Helper()
	m := startBenchServer(b)
	ctx := context.Background()
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		b.Fatal(err)
	}
	v, err := m.DB.FindVariant(ctx, shop.ID, "sweater-m")
	if err != nil {
		b.Fatal(err)
	}
	var first int64
	for i := range 300 {
		sub, _, err := m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID,
			Email: fmt.Sprintf("shopper%03d@example.com", i), Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = sub.ID
		}
	}
	batch, err := m.DB.StartBatch(ctx, stockbell.BatchStart{ShopID: v.ShopID, VariantID: v.ID, Size: 100, Stock: 20, PerUnit: 5, Wait: time.Hour, Cutoff: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.DB.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
		b.Fatal(err)
	}
	return m, demoAdminClient(b, m.URL()), first
}

// startBenchServer runs a development server on SQLite for a benchmark.
func startBenchServer(b *testing.B) *Main {
	b.Helper()
	env := map[string]string{"STOCKBELL_DATA_DIR": b.TempDir(), "STOCKBELL_ADDR": "127.0.0.1:0"}
	getenv := func(k string) string { return env[k] }
	cfg, err := loadConfig(&cliEnv{ctx: context.Background(), getenv: getenv, stdout: io.Discard, stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	m := NewMain(cfg, newLogger(cfg, io.Discard))
	if err := m.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m
}
