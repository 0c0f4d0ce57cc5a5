package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// Resync is the periodic complete catalog sync of one installed shop,
// driven through its platform's fake, for the checks every platform whose
// catalog changes arrive by webhooks alone must pass
// (CheckResyncCatchesLostWebhooks) and every periodic sync must pass
// (CheckResyncNeverOverlapsInstallSync). A check reads only the fields it
// needs.
type Resync struct {
	DB     *store.DB
	ShopID int64
	// Kind is the catalog sync's job kind; Source names it in the sync log.
	Kind, Source string
	// Now and Advance read and move the clock the integration and the
	// platform's fake share. Advance is nil for a fan-out that queues
	// every shop's sync whenever it runs (a daily one), which
	// CheckResyncNeverOverlapsInstallSync then runs at once.
	Now     func() time.Time
	Advance func(time.Duration)
	// FanOut runs the hourly fan-out (the job for shop 0); Sync runs the
	// sync of one shop, as their jobs do.
	FanOut func() error
	Sync   func(shopID int64) error
	// LoseWebhooks changes the platform's catalog and loses every webhook
	// the change sent: Gone's product is deleted, Created's created (both
	// variants' platform ids). Created has stock.
	LoseWebhooks  func()
	Gone, Created string
}

// CheckResyncCatchesLostWebhooks: outside the shop's hour the fan-out
// queues nothing; in it, it queues the shop's sync alone, which marks
// deleted the product deleted and stores the one created while their
// webhooks were lost, and is in the sync log as the first sync is.
func CheckResyncCatchesLostWebhooks(t *testing.T, r Resync) {
	t.Helper()
	mustDo(t, r.Sync(r.ShopID))
	r.LoseWebhooks()
	UntilResyncHour(t, r, false)
	mustDo(t, r.FanOut())
	if got := QueuedShops(t, r); len(got) != 0 {
		t.Fatalf("outside the shop's hour the fan-out queued the syncs of %v", got)
	}
	UntilResyncHour(t, r, true)
	mustDo(t, r.FanOut())
	queued := QueuedShops(t, r)
	if len(queued) != 1 || queued[0] != r.ShopID {
		t.Fatalf("in the shop's hour the fan-out queued the syncs of %v, want [%d]", queued, r.ShopID)
	}
	mustDo(t, r.Sync(queued[0]))
	ctx := context.Background()
	if v, err := r.DB.FindVariant(ctx, r.ShopID, r.Gone); err != nil || !v.Deleted {
		t.Errorf("the product deleted while its webhook was lost: %+v, %v; want it marked deleted", v, err)
	}
	if v, err := r.DB.FindVariant(ctx, r.ShopID, r.Created); err != nil || v.Deleted {
		t.Errorf("the product created while its webhook was lost: %+v, %v; want it stored", v, err)
	}
	if log, _ := SyncLog(t, r.DB, r.ShopID, r.Source); len(log) != 2 || log[0].Kind != stockbell.EventSyncFinished || log[0].Unpublished != 1 {
		t.Errorf("sync log %+v, want the first sync and the periodic one, which marked one product deleted", log)
	}
}

// CheckResyncNeverOverlapsInstallSync: the fan-out reaching a shop whose
// install sync is queued, then running, queues nothing more and asks the
// running sync for no second run. The shop's install queued its sync.
func CheckResyncNeverOverlapsInstallSync(t *testing.T, r Resync) {
	t.Helper()
	if r.Advance != nil {
		UntilResyncHour(t, r, true)
	}
	mustDo(t, r.FanOut())
	if got := QueuedShops(t, r); len(got) != 1 {
		t.Fatalf("with the install's sync queued, the syncs of %v are queued, want the install's alone", got)
	}
	_, err := r.DB.DB.Exec(r.DB.DB.Rebind(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = ? WHERE kind = ?`), r.Now(), r.Kind)
	mustDo(t, err)
	mustDo(t, r.FanOut())
	if got := QueuedShops(t, r); len(got) != 1 {
		t.Errorf("with the install's sync running, the syncs of %v are queued, want the install's alone", got)
	}
	var asked int
	mustDo(t, r.DB.DB.Get(&asked, `SELECT COUNT(*) FROM job_reruns`))
	if asked != 0 {
		t.Errorf("the fan-out asked the running install sync to run again (%d requests)", asked)
	}
}

// UntilResyncHour moves the clock by fan-out periods until the shop's
// periodic sync is due (or, with due false, is not).
func UntilResyncHour(t *testing.T, r Resync, due bool) {
	t.Helper()
	shop, err := r.DB.FindShopByID(context.Background(), r.ShopID)
	mustDo(t, err)
	for stockbell.CatalogResyncDue(shop, r.Now()) != due {
		r.Advance(stockbell.CatalogResyncFanOut)
	}
}

// QueuedShops returns the shops of the queued jobs of r.Kind.
func QueuedShops(t *testing.T, r Resync) []int64 {
	t.Helper()
	text := "json(args)"
	if r.DB.Dialect == store.Postgres {
		text = "args::text"
	}
	var args []string
	mustDo(t, r.DB.DB.Select(&args, r.DB.DB.Rebind(`SELECT `+text+` FROM river_job WHERE kind = ? ORDER BY id`), r.Kind))
	var shops []int64
	for _, a := range args {
		var job struct {
			ShopID int64 `json:"shop_id"`
		}
		mustDo(t, json.Unmarshal([]byte(a), &job))
		shops = append(shops, job.ShopID)
	}
	return shops
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
