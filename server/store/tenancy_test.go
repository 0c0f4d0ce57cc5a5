package store_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// secret marks every text of shop B's rows: a read through shop A whose
// answer contains it has shown A something of B's.
const secret = "b-secret"

// tenancy is two shops: B with a catalog, a subscriber, a held message of
// a batch, an origin, a user, settings and a webhook secret; A, the shop every probe acts
// through, with a catalog of its own.
type tenancy struct {
	a, b               *stockbell.Shop
	bVariant           *stockbell.VariantWithProduct
	bSub, bMsg, bBatch int64
}

func newTenancy(t *testing.T, db *store.DB) *tenancy {
	fx := &tenancy{a: install(t, db, stockbell.PlatformShopify, "a-shop.myshopify.com"),
		b: install(t, db, stockbell.PlatformShopify, secret+".myshopify.com")}
	product(t, db, fx.a.ID, "a-product", map[string]int{"a-variant": 0})
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: fx.b.ID, PlatformID: secret + "-product", Title: secret + " lamp", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: secret + "-variant", InventoryItemID: secret + "-item", Title: secret + " red", Tracked: true,
			Levels: []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation, Available: 0, UpdatedAt: db.Clock.Now()}}}}})
	must(t, err)
	fx.bVariant = variant(t, db, fx.b.ID, secret+"-variant")
	sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: fx.b.ID, VariantID: fx.bVariant.ID,
		Email: secret + "@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
	must(t, err)
	fx.bSub, fx.bBatch = sub.ID, 4242
	now := db.Clock.Now()
	must(t, db.DB.GetContext(ctx, &fx.bMsg, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient,
		status, due_at, created_at) VALUES (?, ?, 1, 'email', ?, ?, ?, ?) RETURNING id`), fx.b.ID, fx.bSub, secret+"@example.com", stockbell.MessageHeld, now, now))
	_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, variant_id, subscription_id, kind, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`), fx.b.ID, fx.bVariant.ID, fx.bSub, stockbell.EventNotified, fmt.Sprintf(`{"batch_id":%d}`, fx.bBatch), now)
	must(t, err)
	must(t, db.AddShopOrigin(ctx, fx.b.ID, "https://"+secret+".example"))
	must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: fx.b.ID, UserID: secret + "-user", Email: secret + "-owner@example.com", Owner: true, GrantedAt: now}))
	minimum := 3
	_, err = db.UpdateSettings(ctx, fx.b.ID, stockbell.SettingsUpdate{MinInventory: &minimum})
	must(t, err)
	_, err = db.RecordClick(ctx, fx.bMsg)
	must(t, err)
	must(t, db.RecordOutboxMessage(ctx, &stockbell.OutboxMessage{ShopID: fx.b.ID, Channel: stockbell.ChannelEmail, Recipient: secret + "@example.com",
		Subject: secret, Text: secret, SentAt: now}))
	must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: fx.b.ID, Source: "feed", Failure: secret, StartedAt: now, FinishedAt: now}))
	_, err = db.EnsureWebhookSecret(ctx, stockbell.WebhookSecret{ShopID: fx.b.ID, Hash: strings.Repeat("b", 64), Sealed: []byte(secret)})
	must(t, err)
	return fx
}

// shopTables are the tables holding shops' rows, read whole for B
// before and after the probes: nothing of B may change.
var shopTables = []string{"shops", "products", "variants", "subscriptions", "messages", "events", "shop_origins",
	"shop_users", "restock_settings", "flows", "conversions", "feeds", "webhook_secrets", "restock_batches"}

func (fx *tenancy) digest(t *testing.T, db *store.DB) string {
	var out strings.Builder
	for _, table := range shopTables {
		column := "shop_id"
		if table == "shops" {
			column = "id"
		}
		rows, err := db.DB.QueryxContext(ctx, db.DB.Rebind(`SELECT * FROM `+table+` WHERE `+column+` = ? ORDER BY 1`), fx.b.ID)
		must(t, err)
		for rows.Next() {
			row := map[string]any{}
			must(t, rows.MapScan(row))
			raw, _ := json.Marshal(row)
			fmt.Fprintf(&out, "%s %s\n", table, raw)
		}
		must(t, rows.Err())
		rows.Close()
	}
	return out.String()
}

// unseen fails when what a read through shop A answered shows any of B's
// (an error may repeat the id asked for; it is not checked).
func unseen(t *testing.T, method string, answer any, err error) {
	t.Helper()
	raw, _ := json.Marshal(answer)
	if strings.Contains(string(raw), secret) {
		t.Errorf("%s through shop A showed shop B's rows: %s %v", method, raw, err)
	}
}

// refused fails unless acting through shop A on B's row was refused as not
// found (or, for a state check, as a conflict) or found nothing to do.
func refused(t *testing.T, method string, err error) {
	t.Helper()
	if code := stockbell.ErrorCode(err); err != nil && code != stockbell.ENOTFOUND && code != stockbell.ECONFLICT {
		t.Errorf("%s through shop A on B's row: %v, want not found", method, err)
	}
}

// probes act through shop A on shop B's rows, one per store method that
// takes the shop id (as an argument or as its input's ShopID).
var probes = map[string]func(t *testing.T, db *store.DB, fx *tenancy){
	"DailyActivity": func(t *testing.T, db *store.DB, fx *tenancy) {
		days, err := db.DailyActivity(ctx, fx.a.ID, db.Clock.Now().Add(-48*time.Hour), db.Clock.Now().Add(48*time.Hour))
		must(t, err)
		for _, d := range days {
			if d.Subscribed != 0 || d.Notified != 0 || d.Clicked != 0 || d.Restocks != 0 {
				t.Errorf("DailyActivity of shop A counts B's activity: %+v", d)
			}
		}
	},
	"DeleteProduct": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "DeleteProduct", db.DeleteProduct(ctx, fx.a.ID, secret+"-product"))
	},
	"FindVariant": func(t *testing.T, db *store.DB, fx *tenancy) {
		v, err := db.FindVariant(ctx, fx.a.ID, secret+"-variant")
		wantCodeOf(t, "FindVariant", err, stockbell.ENOTFOUND)
		unseen(t, "FindVariant", v, err)
	},
	"FindVariants": func(t *testing.T, db *store.DB, fx *tenancy) {
		vs, _, err := db.FindVariants(ctx, stockbell.VariantFilter{ShopID: &fx.a.ID, Limit: 100})
		unseen(t, "FindVariants", vs, err)
	},
	"FindDemand": func(t *testing.T, db *store.DB, fx *tenancy) {
		d, _, err := db.FindDemand(ctx, stockbell.DemandFilter{ShopID: fx.a.ID, Limit: 100})
		unseen(t, "FindDemand", d, err)
	},
	"FindEvents": func(t *testing.T, db *store.DB, fx *tenancy) {
		es, _, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &fx.a.ID, Limit: 100})
		unseen(t, "FindEvents", es, err)
		if slices.ContainsFunc(es, func(e *stockbell.Event) bool { return e.ShopID == fx.b.ID }) {
			t.Error("FindEvents of shop A lists B's events")
		}
	},
	"FindMessages": func(t *testing.T, db *store.DB, fx *tenancy) {
		ms, n, err := db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &fx.a.ID, SubscriptionID: &fx.bSub, Limit: 100})
		unseen(t, "FindMessages", ms, err)
		if n != 0 {
			t.Errorf("FindMessages of shop A counts %d of B's", n)
		}
	},
	"ApproveMessage": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "ApproveMessage", db.ApproveMessage(ctx, fx.a.ID, fx.bMsg))
	},
	"DiscardMessage": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "DiscardMessage", db.DiscardMessage(ctx, fx.a.ID, fx.bMsg))
	},
	"FindHeldBatches": func(t *testing.T, db *store.DB, fx *tenancy) {
		hb, err := db.FindHeldBatches(ctx, fx.a.ID)
		unseen(t, "FindHeldBatches", hb, err)
		if len(hb) != 0 {
			t.Errorf("FindHeldBatches of shop A lists %d of B's", len(hb))
		}
	},
	"ApproveHeldBatch": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.ApproveHeldBatch(ctx, fx.a.ID, fx.bBatch)
		wantCodeOf(t, "ApproveHeldBatch", err, stockbell.ENOTFOUND)
	},
	"DiscardHeldBatch": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.DiscardHeldBatch(ctx, fx.a.ID, fx.bBatch)
		wantCodeOf(t, "DiscardHeldBatch", err, stockbell.ENOTFOUND)
	},
	"CountClicks": func(t *testing.T, db *store.DB, fx *tenancy) {
		n, err := db.CountClicks(ctx, stockbell.ClickFilter{ShopID: &fx.a.ID})
		must(t, err)
		if n != 0 {
			t.Errorf("CountClicks of shop A counts %d of B's", n)
		}
	},
	"FindOutboxMessages": func(t *testing.T, db *store.DB, fx *tenancy) {
		ms, _, err := db.FindOutboxMessages(ctx, stockbell.OutboxFilter{ShopID: &fx.a.ID, Limit: 100})
		unseen(t, "FindOutboxMessages", ms, err)
	},
	"FindSettings": func(t *testing.T, db *store.DB, fx *tenancy) {
		s, err := db.FindSettings(ctx, fx.a.ID)
		must(t, err)
		if s.MinInventory == 3 {
			t.Error("FindSettings of shop A answered B's minimum")
		}
	},
	"UpdateSettings": func(t *testing.T, db *store.DB, fx *tenancy) {
		minimum := 9
		_, err := db.UpdateSettings(ctx, fx.a.ID, stockbell.SettingsUpdate{MinInventory: &minimum})
		must(t, err)
	},
	"FindFlow": func(t *testing.T, db *store.DB, fx *tenancy) {
		f, err := db.FindFlow(ctx, fx.a.ID)
		unseen(t, "FindFlow", f, err)
	},
	"UpdateFlow": func(t *testing.T, db *store.DB, fx *tenancy) {
		f, err := db.FindFlow(ctx, fx.a.ID)
		must(t, err)
		must(t, db.UpdateFlow(ctx, f))
	},
	"AddShopOrigin": func(t *testing.T, db *store.DB, fx *tenancy) {
		must(t, db.AddShopOrigin(ctx, fx.a.ID, "https://"+secret+".example"))
		must(t, db.RemoveShopOrigin(ctx, fx.a.ID, "https://"+secret+".example"))
	},
	"RemoveShopOrigin": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "RemoveShopOrigin", db.RemoveShopOrigin(ctx, fx.a.ID, "https://"+secret+".example"))
	},
	"FindShopOrigins": func(t *testing.T, db *store.DB, fx *tenancy) {
		o, err := db.FindShopOrigins(ctx, fx.a.ID)
		unseen(t, "FindShopOrigins", o, err)
	},
	"GrantShopUser": func(t *testing.T, db *store.DB, fx *tenancy) {
		must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: fx.a.ID, UserID: "a-user", Email: "a@example.com", GrantedAt: db.Clock.Now()}))
	},
	"RevokeShopUser": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "RevokeShopUser", db.RevokeShopUser(ctx, fx.a.ID, secret+"-user"))
	},
	"FindShopUser": func(t *testing.T, db *store.DB, fx *tenancy) {
		u, err := db.FindShopUser(ctx, fx.a.ID, secret+"-user")
		wantCodeOf(t, "FindShopUser", err, stockbell.ENOTFOUND)
		unseen(t, "FindShopUser", u, err)
	},
	"FindSubscriberTimeline": func(t *testing.T, db *store.DB, fx *tenancy) {
		tl, err := db.FindSubscriberTimeline(ctx, fx.a.ID, fx.bSub)
		wantCodeOf(t, "FindSubscriberTimeline", err, stockbell.ENOTFOUND)
		unseen(t, "FindSubscriberTimeline", tl, err)
	},
	"RemoveSubscription": func(t *testing.T, db *store.DB, fx *tenancy) {
		err := db.RemoveSubscription(ctx, fx.a.ID, fx.bSub, stockbell.AdminUser{ID: "a-user"})
		wantCodeOf(t, "RemoveSubscription", err, stockbell.ENOTFOUND)
	},
	"FindSubscriptions": func(t *testing.T, db *store.DB, fx *tenancy) {
		subs, _, err := db.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &fx.a.ID, ID: &fx.bSub, Limit: 100})
		unseen(t, "FindSubscriptions", subs, err)
		search := secret
		subs, _, err = db.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &fx.a.ID, Search: &search, Limit: 100})
		unseen(t, "FindSubscriptions", subs, err)
	},
	"CreateSubscription": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: fx.a.ID, VariantID: fx.bVariant.ID,
			Email: "a@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
		if err == nil {
			t.Error("CreateSubscription for shop A accepted B's variant")
		}
	},
	"RecordOrder": func(t *testing.T, db *store.DB, fx *tenancy) {
		must(t, db.RecordOrder(ctx, stockbell.Order{ShopID: fx.a.ID, PlatformID: "a-order-1", Email: secret + "@example.com",
			Lines: []stockbell.OrderLine{{VariantPlatformID: secret + "-variant", Quantity: 1}}, Currency: "USD", CreatedAt: db.Clock.Now()}))
	},
	"RecordSync": func(t *testing.T, db *store.DB, fx *tenancy) {
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: fx.a.ID, Source: "feed", StartedAt: db.Clock.Now(), FinishedAt: db.Clock.Now()}))
	},
	"FindSyncLog": func(t *testing.T, db *store.DB, fx *tenancy) {
		es, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: fx.a.ID, Limit: 100})
		unseen(t, "FindSyncLog", es, err)
	},
	"EachFeedItemState": func(t *testing.T, db *store.DB, fx *tenancy) {
		var seen []stockbell.FeedItemState
		err := db.EachFeedItemState(ctx, fx.a.ID, func(s stockbell.FeedItemState) error { seen = append(seen, s); return nil })
		unseen(t, "EachFeedItemState", seen, err)
	},
	"UnpublishFeedItems": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.UnpublishFeedItems(ctx, fx.a.ID, "a-owner", []string{secret + "-product"})
		refused(t, "UnpublishFeedItems", err)
	},
	"FindFeed": func(t *testing.T, db *store.DB, fx *tenancy) {
		f, err := db.FindFeed(ctx, fx.a.ID)
		unseen(t, "FindFeed", f, err)
	},
	"AcquireFeedLease": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.AcquireFeedLease(ctx, fx.a.ID, "a-owner", db.Clock.Now().Add(time.Minute))
		refused(t, "AcquireFeedLease", err)
	},
	"ReleaseFeedLease": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "ReleaseFeedLease", db.ReleaseFeedLease(ctx, fx.a.ID, "a-owner"))
	},
	"UpsertProduct": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: fx.a.ID, PlatformID: secret + "-product", Title: "A's own", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: secret + "-variant", InventoryItemID: secret + "-item", Title: "A's own", Tracked: true}}})
		must(t, err)
	},
	"ApplyStockChange": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: fx.a.ID, VariantPlatformID: secret + "-variant",
			InventoryItemID: secret + "-item", LocationID: stockbell.DefaultLocation, Available: 7, At: db.Clock.Now(), Read: &stockbell.StockRead{}})
		refused(t, "ApplyStockChange", err)
	},
	"ApplyFeedItems": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.ApplyFeedItems(ctx, stockbell.FeedBatch{ShopID: fx.a.ID, Owner: "a-owner", At: db.Clock.Now(),
			Items: []stockbell.FeedItem{{ID: secret + "-variant", Title: "A's own", Quantity: 7}}})
		refused(t, "ApplyFeedItems", err)
	},
	"FinishFeedSync": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "FinishFeedSync", db.FinishFeedSync(ctx, stockbell.FeedSyncEnd{ShopID: fx.a.ID, Owner: "a-owner",
			Report: stockbell.SyncReport{ShopID: fx.a.ID, Source: "feed", StartedAt: db.Clock.Now(), FinishedAt: db.Clock.Now()}}))
	},
	"ContactData": func(t *testing.T, db *store.DB, fx *tenancy) {
		data, err := db.ContactData(ctx, stockbell.Contact{ShopID: fx.a.ID, Email: secret + "@example.com"})
		must(t, err)
		if len(data.Subscriptions)+len(data.Messages)+len(data.Events) != 0 {
			t.Errorf("ContactData of shop A answered B's subscriber: %+v", data)
		}
	},
	"RedactContact": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "RedactContact", db.RedactContact(ctx, stockbell.Contact{ShopID: fx.a.ID, Email: secret + "@example.com"}))
	},
	"RecordOutboxMessage": func(t *testing.T, db *store.DB, fx *tenancy) {
		must(t, db.RecordOutboxMessage(ctx, &stockbell.OutboxMessage{ShopID: fx.a.ID, Channel: stockbell.ChannelEmail, Recipient: "a@example.com",
			Subject: "A", Text: "A", SentAt: db.Clock.Now()}))
	},
	"CreateSignInLink": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, link, err := db.CreateSignInLink(ctx, stockbell.SignInLinkCreate{ShopID: fx.a.ID, Email: "a@example.com", TTL: time.Minute})
		must(t, err)
		if link.ShopID != fx.a.ID {
			t.Errorf("a sign-in link for shop A opens shop %d", link.ShopID)
		}
	},
	"EnsureWebhookSecret": func(t *testing.T, db *store.DB, fx *tenancy) {
		got, err := db.EnsureWebhookSecret(ctx, stockbell.WebhookSecret{ShopID: fx.a.ID, Hash: strings.Repeat("a", 64), Sealed: []byte("a")})
		must(t, err)
		if got.ShopID != fx.a.ID {
			t.Errorf("shop A's webhook secret is shop %d's", got.ShopID)
		}
	},
	"FindShopWebhookSecret": func(t *testing.T, db *store.DB, fx *tenancy) {
		got, err := db.FindShopWebhookSecret(ctx, fx.a.ID)
		if err == nil && (got.ShopID != fx.a.ID || string(got.Sealed) == secret) {
			t.Errorf("FindShopWebhookSecret of shop A answered B's secret: %+v", got)
		}
		refused(t, "FindShopWebhookSecret", err)
	},
	"UpdateShopDetails": func(t *testing.T, db *store.DB, fx *tenancy) {
		must(t, db.UpdateShopDetails(ctx, fx.a.ID, stockbell.ShopDetails{Name: "A again"}))
	},
}

func wantCodeOf(t *testing.T, method string, err error, code string) {
	t.Helper()
	if stockbell.ErrorCode(err) != code {
		t.Errorf("%s through shop A on B's row: %v, want %s", method, err, code)
	}
}

// unscoped are the exported methods that take no shop id, and why each
// may not: the gap between them and the rule "every method that reads or
// changes a shop's rows takes the shop id" is listed here, method by
// method, so that a new method must be classified before it exists.
var unscoped = map[string]string{
	// Not a shop's rows.
	"Close": "the connection", "Ping": "the connection", "Path": "the SQLite file", "Migrate": "the schema",
	"SchemaVersion": "the schema", "WithMigrationLock": "the schema", "Migrated": "the schema",
	"MigrationsFrom": "the schema (tests)", "BeginTx": "a transaction for the caller's own statements",
	"BeginStockRead": "a read marker, no rows",
	// Shops themselves, found before any shop is known (installs, webhooks, the storefront's key, operators).
	"FindShopByID": "the shop row itself", "FindShopByDomain": "the shop row itself", "FindShopByKey": "the shop row itself (the storefront's public key)",
	"FindShops": "operators' list of shops", "InstallShop": "creates the shop row", "UninstallShop": "the shop row itself",
	"DeleteShop": "the shop row itself", "ResealTokens": "every shop's token, at start-up, with the key",
	"ConnectFeed": "creates the shop row and its feed", "FindDueFeeds": "the feed scheduler, across shops",
	// Rows named by an id the caller holds from our own transaction (a job's
	// arguments) or a link we signed; the shop is read from the row. These
	// do not take the shop id yet.
	"FindVariantByID": "variant id from a job", "FindInventoryLevels": "variant id from a job",
	"FindRestockState": "variant id from a job", "RecordSkip": "variant id from a job", "StartBatch": "variant id from a job",
	"EndWait": "variant id from a job", "ClaimChunk": "batch id from a job", "FindMessageDelivery": "message id from a job",
	"BeginAttempt": "message id from a job", "FinishMessage": "message id from a job", "ReleaseAttempt": "message id from a job",
	"RecordClick": "message id from a signed short link", "FindSubscriptionByID": "subscription id from a signed unsubscribe link (checked against its shop)",
	"Unsubscribe": "subscription id from a signed unsubscribe link", "RecordReceipt": "a platform's signed webhook",
	"FindReceipt": "receipt id from a job", "MarkReceiptProcessed": "receipt id from a job",
	"FindWebhookSecret": "a platform's secret, by its hash", "UseSignInLink": "a one-time link's token",
}

// TestEveryStoreMethodKeepsShopsApart walks the store's whole exported
// method set: each method is either probed (through shop A, on shop B's
// rows: B's rows stay invisible and unchanged) or listed in unscoped with
// why it takes no shop id. A method in neither fails the test.
func TestEveryStoreMethodKeepsShopsApart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newTenancy(t, db)
		before := fx.digest(t, db)
		methods := reflect.TypeFor[*store.DB]()
		for i := range methods.NumMethod() {
			name := methods.Method(i).Name
			probe, scoped := probes[name]
			_, listed := unscoped[name]
			switch {
			case scoped && listed:
				t.Errorf("%s is both probed and listed as unscoped", name)
			case scoped:
				probe(t, db, fx)
			case !listed:
				t.Errorf("store method %s is not classified: probe it through another shop (probes) or say why it takes no shop id (unscoped)", name)
			}
		}
		for name := range probes {
			if _, ok := methods.MethodByName(name); !ok {
				t.Errorf("probe for %s, which the store does not have", name)
			}
		}
		if after := fx.digest(t, db); after != before {
			t.Errorf("acting through shop A changed shop B's rows:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}
