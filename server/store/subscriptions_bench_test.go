package store_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// BenchmarkSubscriptionBatch measures the group writer's part of
// storefront posts: one op is one batch of 16 new contacts on a sold-out
// variant (the batch's insert, their subscribed events, the commit), as
// the writer runs 16 concurrent posts it gathered. Per op, so divide by 16
// for a post. cpu-us/post is the process's CPU time (user and system) per
// post: on SQLite all of the database's work, on PostgreSQL the client's.
//
//	go test ./server/store -run '^$' -bench SubscriptionBatch -benchmem -benchtime 500x
func BenchmarkSubscriptionBatch(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			db := storetest.Open(b, dialect)
			shop := install(b, db, stockbell.PlatformShopify, "bench.myshopify.com")
			product(b, db, shop.ID, "1", map[string]int{"111": 0})
			v := variant(b, db, shop.ID, "111")
			creates := make([]stockbell.SubscriptionCreate, 16)
			b.ReportAllocs()
			cpu := processCPU(b)
			for i := 0; b.Loop(); i++ {
				for j := range creates {
					creates[j] = stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Channels: stockbell.Channels{stockbell.ChannelEmail},
						Email: fmt.Sprintf("shopper%d@example.com", i*len(creates)+j), Source: "snippet"}
				}
				_, created, errs := store.CreateSubscriptionsInOneBatch(db, creates)
				for j := range creates {
					if errs[j] != nil || !created[j] {
						b.Fatalf("post %d: created %v, %v", j, created[j], errs[j])
					}
				}
			}
			b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/float64(b.N*len(creates)), "cpu-us/post")
		})
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
