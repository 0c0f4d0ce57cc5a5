package store_test

import (
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// benchCatalog opens a database of the dialect with one shop of 100
// variants stocked at three locations each, read an hour ago.
func benchCatalog(b *testing.B, dialect store.Dialect) (*store.DB, *stockbell.Shop) {
	b.Helper()
	db := storetest.Open(b, dialect)
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "bench.myshopify.com"})
	if err != nil {
		b.Fatal(err)
	}
	read := time.Now().UTC().Add(-time.Hour)
	for p := range 10 {
		up := stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: fmt.Sprint("p", p), Published: true}
		for v := range 10 {
			up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: fmt.Sprint("v", p*10+v), Tracked: true,
				Levels: []stockbell.LocationLevel{{LocationID: "a", Available: 1, UpdatedAt: read},
					{LocationID: "b", Available: 2, UpdatedAt: read}, {LocationID: "c", Available: 0, UpdatedAt: read}}})
		}
		if _, err := db.UpsertProduct(ctx, up); err != nil {
			b.Fatal(err)
		}
	}
	return db, shop
}

// BenchmarkApplyStockChange measures one webhook's stock change: lock,
// order it against the stored level, write the level, re-sum, event and
// job, in one transaction. Each change is a second newer than the last, so
// every one is applied.
func BenchmarkApplyStockChange(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			db, shop := benchCatalog(b, dialect)
			at := time.Now().UTC()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: fmt.Sprint("v", i%100),
					LocationID: "b", Available: i % 7, At: at.Add(time.Duration(i) * time.Second)})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBaselineWriteTx is the floor ApplyStockChange is compared with:
// one transaction updating one variant row and committing.
func BenchmarkBaselineWriteTx(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			db, shop := benchCatalog(b, dialect)
			query := db.DB.Rebind(`UPDATE variants SET stock = ? WHERE shop_id = ? AND platform_id = ?`)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				tx, err := db.DB.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, query, i%7, shop.ID, fmt.Sprint("v", i%100)); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordReceipt measures storing a webhook receipt with its job,
// the work done before a platform's webhook is acknowledged.
func BenchmarkRecordReceipt(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			db, shop := benchCatalog(b, dialect)
			payload := []byte(`{"inventory_item_id":808950810,"location_id":905684977,"available":6,"updated_at":"2025-03-01T12:00:00Z"}`)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				_, err := db.RecordReceipt(ctx, &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, ShopID: &shop.ID,
					Domain: shop.Domain, EventID: fmt.Sprint("evt-", i), Topic: "inventory_levels/update", Payload: payload})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCatalogResync measures a catalog sync of 1,000 stored variants,
// ten products of 100 upserted whole, each variant read at one location:
// with every stock as it was (the common sync: no level applied, no
// stock_changed event), and with every stock changed (each variant's
// level applied, its stock recomputed and its event written with the
// product's others in one statement).
func BenchmarkCatalogResync(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		for _, changing := range []bool{false, true} {
			b.Run(fmt.Sprint(dialect, "/changing=", changing), func(b *testing.B) {
				db := storetest.Open(b, dialect)
				shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformMagento, Domain: "m.example"})
				must(b, err)
				syncCatalog(b, db, shop.ID, 3)
				b.ResetTimer()
				for i := 1; b.Loop(); i++ {
					available := 3
					if changing {
						available += i % 2
					}
					syncCatalog(b, db, shop.ID, available)
				}
			})
		}
	}
}

// syncCatalog upserts ten products of 100 variants, each with the same
// stock at the default location.
func syncCatalog(b *testing.B, db *store.DB, shopID int64, available int) {
	for p := range 10 {
		up := stockbell.ProductUpsert{ShopID: shopID, PlatformID: fmt.Sprint("p", p), Published: true, AllVariants: true, Source: "magento:catalog"}
		for v := range 100 {
			up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: fmt.Sprint("v", p*100+v), Tracked: true,
				Levels: []stockbell.LocationLevel{{Available: available}}})
		}
		_, err := db.UpsertProduct(ctx, up)
		must(b, err)
	}
}
