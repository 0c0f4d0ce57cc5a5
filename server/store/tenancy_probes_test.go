package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

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
	"FindReportSubscriptions": func(t *testing.T, db *store.DB, fx *tenancy) {
		subs, err := db.FindReportSubscriptions(ctx, fx.a.ID)
		unseen(t, "FindReportSubscriptions", subs, err)
		if slices.ContainsFunc(subs, func(r *stockbell.ReportSubscription) bool { return r.ID == fx.bReport }) {
			t.Error("FindReportSubscriptions of shop A lists B's report")
		}
	},
	"DeleteReportSubscription": func(t *testing.T, db *store.DB, fx *tenancy) {
		wantCodeOf(t, "DeleteReportSubscription", db.DeleteReportSubscription(ctx, fx.a.ID, fx.bReport), stockbell.ENOTFOUND)
	},
	"ChangeReportFrequency": func(t *testing.T, db *store.DB, fx *tenancy) {
		r, err := db.ChangeReportFrequency(ctx, fx.a.ID, fx.bReport, stockbell.ReportMonthly)
		wantCodeOf(t, "ChangeReportFrequency", err, stockbell.ENOTFOUND)
		unseen(t, "ChangeReportFrequency", r, err)
	},
	"CreateReportSubscription": func(t *testing.T, db *store.DB, fx *tenancy) {
		r, err := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: fx.a.ID, Email: secret + "-report@example.com",
			Report: stockbell.ReportActivity, Frequency: stockbell.ReportWeekly, CreatedBy: "a-user"})
		must(t, err)
		if r.ShopID != fx.a.ID || r.ID == fx.bReport {
			t.Errorf("shop A's report subscription answered B's: %+v", r)
		}
		must(t, db.DeleteReportSubscription(ctx, fx.a.ID, r.ID))
	},
	"ClaimReportPeriod": func(t *testing.T, db *store.DB, fx *tenancy) {
		claimed, err := db.ClaimReportPeriod(ctx, fx.a.ID, fx.bReport, "2026-02-01", "2026-02-07")
		wantCodeOf(t, "ClaimReportPeriod", err, stockbell.ENOTFOUND)
		if claimed {
			t.Error("ClaimReportPeriod through shop A claimed B's report")
		}
	},
	"FindReportDelivery": func(t *testing.T, db *store.DB, fx *tenancy) {
		d, err := db.FindReportDelivery(ctx, fx.a.ID, fx.bReportDelivery)
		wantCodeOf(t, "FindReportDelivery", err, stockbell.ENOTFOUND)
		unseen(t, "FindReportDelivery", d, err)
	},
	"MarkReportSent": func(t *testing.T, db *store.DB, fx *tenancy) {
		wantCodeOf(t, "MarkReportSent", db.MarkReportSent(ctx, fx.a.ID, fx.bReportDelivery), stockbell.ENOTFOUND)
	},
	"DeleteVanishedVariant": func(t *testing.T, db *store.DB, fx *tenancy) {
		sync, err := db.BeginStockRead(ctx)
		must(t, err)
		deleted, err := db.DeleteVanishedVariant(ctx, fx.a.ID, secret+"-variant", sync)
		refused(t, "DeleteVanishedVariant", err)
		if deleted {
			t.Errorf("DeleteVanishedVariant through shop A deleted shop B's variant")
		}
	},
	"DeleteProduct": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "DeleteProduct", db.DeleteProduct(ctx, fx.a.ID, secret+"-product"))
	},
	"DeleteVanishedProduct": func(t *testing.T, db *store.DB, fx *tenancy) {
		sync, err := db.BeginStockRead(ctx)
		must(t, err)
		deleted, err := db.DeleteVanishedProduct(ctx, fx.a.ID, secret+"-product", sync)
		refused(t, "DeleteVanishedProduct", err)
		if deleted {
			t.Errorf("DeleteVanishedProduct through shop A deleted shop B's product")
		}
	},
	"HoldsProduct": func(t *testing.T, db *store.DB, fx *tenancy) {
		held, err := db.HoldsProduct(ctx, fx.a.ID, secret+"-product")
		must(t, err)
		if held {
			t.Error("HoldsProduct of shop A answers true for B's product")
		}
	},
	"HoldsItem": func(t *testing.T, db *store.DB, fx *tenancy) {
		held, err := db.HoldsItem(ctx, fx.a.ID, secret+"-item")
		must(t, err)
		if held {
			t.Error("HoldsItem of shop A answers true for B's item")
		}
	},
	"FindVariant": func(t *testing.T, db *store.DB, fx *tenancy) {
		v, err := db.FindVariant(ctx, fx.a.ID, secret+"-variant")
		wantCodeOf(t, "FindVariant", err, stockbell.ENOTFOUND)
		unseen(t, "FindVariant", v, err)
	},
	"FindVariantForSignup": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.FindVariantForSignup(ctx, fx.b.ID, secret+"-variant") // kept in memory if sold out
		must(t, err)
		v, err := db.FindVariantForSignup(ctx, fx.a.ID, secret+"-variant")
		wantCodeOf(t, "FindVariantForSignup", err, stockbell.ENOTFOUND)
		unseen(t, "FindVariantForSignup", v, err)
	},
	"FindVariants": func(t *testing.T, db *store.DB, fx *tenancy) {
		vs, _, err := db.FindVariants(ctx, stockbell.VariantFilter{ShopID: &fx.a.ID, Limit: 100})
		unseen(t, "FindVariants", vs, err)
		item := secret + "-item"
		vs, _, err = db.FindVariants(ctx, stockbell.VariantFilter{ShopID: &fx.a.ID, InventoryItemID: &item, Limit: 100})
		unseen(t, "FindVariants by inventory item", vs, err)
	},
	"FindProducts": func(t *testing.T, db *store.DB, fx *tenancy) {
		ps, total, err := db.FindProducts(ctx, fx.a.ID, 1000)
		unseen(t, "FindProducts", ps, err)
		if total != len(ps) {
			t.Errorf("FindProducts of shop A counts %d products and lists %d", total, len(ps))
		}
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
		email := stockbell.ChannelEmail
		ms, n, err = db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &fx.a.ID, SubscriptionIDs: []int64{fx.bSub}, Channel: &email, Limit: 100})
		unseen(t, "FindMessages by subscriptions and channel", ms, err)
		if n != 0 {
			t.Errorf("FindMessages of shop A by subscriptions and channel counts %d of B's", n)
		}
	},
	"ApproveMessage": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "ApproveMessage", db.ApproveMessage(ctx, fx.a.ID, fx.bMsg))
	},
	"FindMessageDeliveries": func(t *testing.T, db *store.DB, fx *tenancy) {
		ds, err := db.FindMessageDeliveries(ctx, fx.a.ID, []int64{fx.bMsg})
		unseen(t, "FindMessageDeliveries", ds, err)
		if len(ds) != 0 {
			t.Errorf("FindMessageDeliveries of shop A found B's message: %d", len(ds))
		}
	},
	"AdvanceSend": func(t *testing.T, db *store.DB, fx *tenancy) {
		// B's message pending for the probe, so that only the shop keeps it
		// from being finished, released or leased.
		setStatus := func(status stockbell.MessageStatus) {
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE messages SET status = ? WHERE id = ?`), status, fx.bMsg)
			must(t, err)
		}
		setStatus(stockbell.MessagePending)
		defer setStatus(stockbell.MessageHeld)
		res, err := db.AdvanceSend(ctx, fx.a.ID, stockbell.SendStep{
			Finished: []stockbell.MessageResult{{MessageID: fx.bMsg, Status: stockbell.MessageSkipped, Reason: "probe"}},
			Released: []stockbell.AttemptRelease{{MessageID: fx.bMsg, Reason: "probe", OutcomeUnknown: true}},
			Begin:    fx.bMsg, LeaseUntil: db.Clock.Now().Add(time.Minute)})
		must(t, err)
		var attempts int
		var errText string
		must(t, db.DB.QueryRowxContext(ctx, db.DB.Rebind(`SELECT attempts, error FROM messages WHERE id = ?`), fx.bMsg).Scan(&attempts, &errText))
		if res.Outcome != stockbell.AttemptDone || attempts != 0 || errText != "" {
			t.Errorf("AdvanceSend through shop A acted on B's message: %+v, %d attempts, error %q", res, attempts, errText)
		}
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
	"CountHeldBatches": func(t *testing.T, db *store.DB, fx *tenancy) {
		n, err := db.CountHeldBatches(ctx, fx.a.ID)
		must(t, err)
		if n != 0 {
			t.Errorf("CountHeldBatches of shop A counts %d of B's", n)
		}
		if n, err := db.CountHeldBatches(ctx, fx.b.ID); err != nil || n != 1 {
			t.Errorf("CountHeldBatches of shop B: %d %v, want its held batch", n, err)
		}
	},
	"ApproveHeldBatch": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.ApproveHeldBatch(ctx, fx.a.ID, fx.bBatch, decider)
		wantCodeOf(t, "ApproveHeldBatch", err, stockbell.ENOTFOUND)
	},
	"FindHeldBatchDecision": func(t *testing.T, db *store.DB, fx *tenancy) {
		if _, err := db.FindHeldBatchDecision(ctx, fx.b.ID, fx.bBatch); err != nil {
			t.Errorf("FindHeldBatchDecision of shop B: %v, want its batch's decision", err)
		}
		d, err := db.FindHeldBatchDecision(ctx, fx.a.ID, fx.bBatch)
		wantCodeOf(t, "FindHeldBatchDecision", err, stockbell.ENOTFOUND)
		unseen(t, "FindHeldBatchDecision", d, err)
	},
	"DiscardHeldBatch": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.DiscardHeldBatch(ctx, fx.a.ID, fx.bBatch, decider)
		wantCodeOf(t, "DiscardHeldBatch", err, stockbell.ENOTFOUND)
	},
	"RecordLandingClick": func(t *testing.T, db *store.DB, fx *tenancy) {
		recorded, err := db.RecordLandingClick(ctx, fx.a.ID, fx.bMsg, 0)
		wantCodeOf(t, "RecordLandingClick", err, stockbell.ENOTFOUND)
		if recorded {
			t.Error("RecordLandingClick through shop A recorded a click on B's message")
		}
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
	"UpdateSettingsIfUnchanged": func(t *testing.T, db *store.DB, fx *tenancy) {
		s, err := db.FindSettings(ctx, fx.a.ID)
		must(t, err)
		minimum := 9
		_, err = db.UpdateSettingsIfUnchanged(ctx, fx.a.ID, stockbell.SettingsUpdate{MinInventory: &minimum}, s.UpdatedAt)
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
	"UpdateFlowIfUnchanged": func(t *testing.T, db *store.DB, fx *tenancy) {
		f, err := db.FindFlow(ctx, fx.a.ID)
		must(t, err)
		must(t, db.UpdateFlowIfUnchanged(ctx, f, f.UpdatedAt))
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
	"FindStorefrontOrigins": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.FindStorefrontOrigins(ctx, fx.b.ID) // kept in memory
		must(t, err)
		o, err := db.FindStorefrontOrigins(ctx, fx.a.ID)
		unseen(t, "FindStorefrontOrigins", o, err)
	},
	"GrantShopUser": func(t *testing.T, db *store.DB, fx *tenancy) {
		must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: fx.a.ID, UserID: "a-user", Email: "a@example.com", GrantedAt: db.Clock.Now()}))
	},
	"RevokeShopUser": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "RevokeShopUser", db.RevokeShopUser(ctx, fx.a.ID, secret+"-user", db.Clock.Now()))
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
		_, err := db.RemoveSubscription(ctx, fx.a.ID, fx.bSub, stockbell.AdminUser{ID: "a-user"})
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
		// The failure B's feed last met, twice: A's repeat is A's own entry.
		for range 2 {
			must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: fx.a.ID, Source: "feed", Failure: secret}))
		}
	},
	"FindSyncLog": func(t *testing.T, db *store.DB, fx *tenancy) {
		es, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: fx.a.ID, Limit: 100})
		unseen(t, "FindSyncLog", es, err)
	},
	"SyncFinishedSince": func(t *testing.T, db *store.DB, fx *tenancy) {
		if recent, err := db.SyncFinishedSince(ctx, fx.a.ID, secret, time.Time{}); err != nil || recent {
			t.Errorf("SyncFinishedSince through shop A counted B's sync: %v, %v", recent, err)
		}
	},
	"FindFailingSyncs": func(t *testing.T, db *store.DB, fx *tenancy) {
		es, err := db.FindFailingSyncs(ctx, fx.a.ID)
		unseen(t, "FindFailingSyncs", es, err)
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
		// A complete listing of A's product of that id deletes none of B's.
		_, err = db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: fx.a.ID, PlatformID: secret + "-product", Title: "A's own", Published: true,
			AllVariants: true, Variants: []stockbell.VariantUpsert{{PlatformID: secret + "-other", Title: "A's other", Tracked: true}}})
		must(t, err)
		// A's recovery of the source B's sync is failing on ends nothing of
		// B's, and a recovery naming B is refused.
		for _, shopID := range []int64{fx.a.ID, fx.b.ID} {
			_, err = db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: fx.a.ID, PlatformID: secret + "-product", Title: "A's own", Published: true,
				Recovered: &stockbell.SyncReport{ShopID: shopID, Source: "feed", Items: 1, Quiet: true}})
			if shopID == fx.b.ID {
				wantCodeOf(t, "UpsertProduct", err, stockbell.EINVALID)
			} else {
				must(t, err)
			}
		}
	},
	"ApplyStockChange": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: fx.a.ID, VariantPlatformID: secret + "-variant",
			InventoryItemID: secret + "-item", LocationID: stockbell.DefaultLocation, Available: 7, At: db.Clock.Now(), Read: &stockbell.StockRead{}})
		refused(t, "ApplyStockChange", err)
	},
	"ApplyStockChanges": func(t *testing.T, db *store.DB, fx *tenancy) {
		outcomes, err := db.ApplyStockChanges(ctx, []stockbell.StockChange{
			{ShopID: fx.a.ID, VariantPlatformID: secret + "-variant", LocationID: stockbell.DefaultLocation, Available: 7, At: db.Clock.Now()},
			{ShopID: fx.a.ID, InventoryItemID: secret + "-item", LocationID: stockbell.DefaultLocation, Available: 7, At: db.Clock.Now()}})
		must(t, err)
		for _, o := range outcomes {
			refused(t, "ApplyStockChanges", o.Err)
		}
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
		fx.addTextsNamingSubscriber(t, db)
		data, err := db.ContactData(ctx, stockbell.Contact{ShopID: fx.a.ID, Email: secret + "@example.com"})
		must(t, err)
		if len(data.Subscriptions)+len(data.Messages)+len(data.Events)+len(data.StoredTexts) != 0 {
			t.Errorf("ContactData of shop A answered B's subscriber: %+v", data)
		}
	},
	"RedactContact": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "RedactContact", db.RedactContact(ctx, stockbell.Contact{ShopID: fx.a.ID, Email: secret + "@example.com"}))
	},
	"RecordOutboxMessage": func(t *testing.T, db *store.DB, fx *tenancy) {
		m := &stockbell.OutboxMessage{ShopID: fx.a.ID, MessageID: &fx.bMsg, Channel: stockbell.ChannelEmail, Recipient: "a@example.com",
			Subject: "A", Text: "A", SentAt: db.Clock.Now()}
		must(t, db.RecordOutboxMessage(ctx, m))
		if m.MessageID != nil {
			t.Errorf("shop A's outbox message was kept as B's message %d", *m.MessageID)
		}
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
	"FindAdminEmails": func(t *testing.T, db *store.DB, fx *tenancy) {
		emails, err := db.FindAdminEmails(ctx, fx.a.ID)
		unseen(t, "FindAdminEmails", emails, err)
	},
	"CreateAPIKey": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, key, err := db.CreateAPIKey(ctx, fx.a.ID, "A's key")
		must(t, err)
		if key.ShopID != fx.a.ID {
			t.Errorf("an API key made for shop A is shop %d's", key.ShopID)
		}
	},
	"FindAPIKeys": func(t *testing.T, db *store.DB, fx *tenancy) {
		keys, err := db.FindAPIKeys(ctx, fx.a.ID)
		unseen(t, "FindAPIKeys", keys, err)
	},
	"RevokeAPIKey": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.RevokeAPIKey(ctx, fx.a.ID, fx.bAPIKey)
		wantCodeOf(t, "RevokeAPIKey", err, stockbell.ENOTFOUND)
	},
	"CreateWebhookEndpoint": func(t *testing.T, db *store.DB, fx *tenancy) {
		e, err := db.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: fx.a.ID, URL: "https://a.example/hook",
			EventTypes: stockbell.WebhookEventTypes[:1]}, []byte("a"))
		must(t, err)
		if e.ShopID != fx.a.ID {
			t.Errorf("an endpoint made for shop A is shop %d's", e.ShopID)
		}
	},
	"FindWebhookEndpoints": func(t *testing.T, db *store.DB, fx *tenancy) {
		es, err := db.FindWebhookEndpoints(ctx, fx.a.ID)
		unseen(t, "FindWebhookEndpoints", es, err)
	},
	"FindWebhookEndpoint": func(t *testing.T, db *store.DB, fx *tenancy) {
		e, err := db.FindWebhookEndpoint(ctx, fx.a.ID, fx.bEndpoint)
		wantCodeOf(t, "FindWebhookEndpoint", err, stockbell.ENOTFOUND)
		unseen(t, "FindWebhookEndpoint", e, err)
	},
	"DeleteWebhookEndpoint": func(t *testing.T, db *store.DB, fx *tenancy) {
		wantCodeOf(t, "DeleteWebhookEndpoint", db.DeleteWebhookEndpoint(ctx, fx.a.ID, fx.bEndpoint), stockbell.ENOTFOUND)
	},
	"SetWebhookEndpointEnabled": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.SetWebhookEndpointEnabled(ctx, fx.a.ID, fx.bEndpoint, false)
		wantCodeOf(t, "SetWebhookEndpointEnabled", err, stockbell.ENOTFOUND)
	},
	"EachActivity": func(t *testing.T, db *store.DB, fx *tenancy) {
		var seen []*stockbell.ActivityRecord
		err := db.EachActivity(ctx, stockbell.ActivityFilter{ShopID: fx.a.ID, VariantID: fx.bVariant.ID, Since: db.Clock.Now().Add(-48 * time.Hour),
			Until: db.Clock.Now().Add(48 * time.Hour)}, func(r *stockbell.ActivityRecord) error { seen = append(seen, r); return nil })
		if len(seen) != 0 {
			t.Errorf("EachActivity of shop A streamed %d of B's records (%v)", len(seen), err)
		}
	},
	"EachQueuedSubscriber": func(t *testing.T, db *store.DB, fx *tenancy) {
		var seen []*stockbell.QueuedSubscriber
		err := db.EachQueuedSubscriber(ctx, fx.a.ID, func(q *stockbell.QueuedSubscriber) error { seen = append(seen, q); return nil })
		unseen(t, "EachQueuedSubscriber", seen, err)
	},
	"FindVariantOutcomes": func(t *testing.T, db *store.DB, fx *tenancy) {
		out, err := db.FindVariantOutcomes(ctx, fx.a.ID, []int64{fx.bVariant.ID}, db.Clock.Now().Add(-48*time.Hour), db.Clock.Now().Add(48*time.Hour))
		for _, o := range out {
			if o != (stockbell.VariantOutcome{VariantID: o.VariantID}) {
				t.Errorf("FindVariantOutcomes of shop A counts B's variant: %+v", o)
			}
		}
		unseen(t, "FindVariantOutcomes", out, err)
	},
	"CountNotifiedConverted": func(t *testing.T, db *store.DB, fx *tenancy) {
		for _, filter := range conversionFilters(db, fx) {
			notified, converted, err := db.CountNotifiedConverted(ctx, filter)
			must(t, err)
			if notified+converted != 0 {
				t.Errorf("CountNotifiedConverted of shop A (%+v) counts %d, %d of B's", filter, notified, converted)
			}
		}
	},
	"FindConversionTotals": func(t *testing.T, db *store.DB, fx *tenancy) {
		for _, filter := range conversionFilters(db, fx) {
			totals, err := db.FindConversionTotals(ctx, filter)
			unseen(t, "FindConversionTotals", totals, err)
			if len(totals) != 0 {
				t.Errorf("FindConversionTotals of shop A (%+v) lists %d of B's", filter, len(totals))
			}
		}
	},
	"FindVariantByID": func(t *testing.T, db *store.DB, fx *tenancy) {
		v, err := db.FindVariantByID(ctx, fx.a.ID, fx.bVariant.ID)
		wantCodeOf(t, "FindVariantByID", err, stockbell.ENOTFOUND)
		unseen(t, "FindVariantByID", v, err)
	},
	"FindInventoryLevels": func(t *testing.T, db *store.DB, fx *tenancy) {
		levels, err := db.FindInventoryLevels(ctx, fx.a.ID, fx.bVariant.ID)
		if len(levels) != 0 {
			t.Errorf("FindInventoryLevels of shop A answered B's levels: %v (%v)", levels, err)
		}
	},
	"FindRestockState": func(t *testing.T, db *store.DB, fx *tenancy) {
		s, err := db.FindRestockState(ctx, fx.a.ID, fx.bVariant.ID)
		wantCodeOf(t, "FindRestockState", err, stockbell.ENOTFOUND)
		unseen(t, "FindRestockState", s, err)
	},
	"RecordSkip": func(t *testing.T, db *store.DB, fx *tenancy) {
		err := db.RecordSkip(ctx, fx.a.ID, fx.bVariant.ID, stockbell.SkipBelowMinimum, nil)
		wantCodeOf(t, "RecordSkip", err, stockbell.ENOTFOUND)
	},
	"StartBatch": func(t *testing.T, db *store.DB, fx *tenancy) {
		_, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: fx.a.ID, VariantID: fx.bVariant.ID, Size: 1, Stock: 1, PerUnit: 1,
			Wait: time.Hour, Cutoff: db.Clock.Now()})
		wantCodeOf(t, "StartBatch", err, stockbell.ENOTFOUND)
	},
	"EndWait": func(t *testing.T, db *store.DB, fx *tenancy) {
		ended, err := db.EndWait(ctx, stockbell.WaitEnd{ShopID: fx.a.ID, VariantID: fx.bVariant.ID, Until: db.Clock.Now(), Reason: stockbell.SkipBelowMinimum})
		wantCodeOf(t, "EndWait", err, stockbell.ENOTFOUND)
		if ended {
			t.Error("EndWait through shop A ended B's waiting period")
		}
	},
	"ClaimChunk": func(t *testing.T, db *store.DB, fx *tenancy) {
		res, err := db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: fx.a.ID, BatchID: fx.bRestock, Chunk: 1, Limit: 10})
		wantCodeOf(t, "ClaimChunk", err, stockbell.ENOTFOUND)
		if res != nil && res.Claimed != 0 {
			t.Errorf("ClaimChunk through shop A claimed %d of B's subscribers", res.Claimed)
		}
	},
	"FindMessageDelivery": func(t *testing.T, db *store.DB, fx *tenancy) {
		for _, id := range []int64{fx.bMsg, fx.bPendingMsg} {
			d, err := db.FindMessageDelivery(ctx, fx.a.ID, id)
			wantCodeOf(t, "FindMessageDelivery", err, stockbell.ENOTFOUND)
			unseen(t, "FindMessageDelivery", d, err)
		}
	},
	"BeginAttempt": func(t *testing.T, db *store.DB, fx *tenancy) {
		outcome, _, err := db.BeginAttempt(ctx, fx.a.ID, fx.bPendingMsg, db.Clock.Now().Add(time.Minute))
		wantCodeOf(t, "BeginAttempt", err, stockbell.ENOTFOUND)
		if err == nil && outcome != stockbell.AttemptDone {
			t.Errorf("BeginAttempt through shop A on B's message: outcome %d", outcome)
		}
	},
	"FinishMessage": func(t *testing.T, db *store.DB, fx *tenancy) {
		done, err := db.FinishMessage(ctx, stockbell.MessageResult{ShopID: fx.a.ID, MessageID: fx.bPendingMsg, Status: stockbell.MessageSent})
		refused(t, "FinishMessage", err)
		if done {
			t.Error("FinishMessage through shop A finished B's message")
		}
	},
	"ReleaseAttempt": func(t *testing.T, db *store.DB, fx *tenancy) {
		refused(t, "ReleaseAttempt", db.ReleaseAttempt(ctx, fx.a.ID, fx.bPendingMsg, "timeout", true))
	},
	"FindSubscriptionByID": func(t *testing.T, db *store.DB, fx *tenancy) {
		s, err := db.FindSubscriptionByID(ctx, fx.a.ID, fx.bSub)
		wantCodeOf(t, "FindSubscriptionByID", err, stockbell.ENOTFOUND)
		unseen(t, "FindSubscriptionByID", s, err)
	},
	"Unsubscribe": func(t *testing.T, db *store.DB, fx *tenancy) {
		wantCodeOf(t, "Unsubscribe", db.Unsubscribe(ctx, fx.a.ID, fx.bSub), stockbell.ENOTFOUND)
	},
	"EndSubscription": func(t *testing.T, db *store.DB, fx *tenancy) {
		ended, err := db.EndSubscription(ctx, fx.a.ID, fx.bSub)
		wantCodeOf(t, "EndSubscription", err, stockbell.ENOTFOUND)
		if ended {
			t.Error("EndSubscription through shop A ended B's subscription")
		}
	},
	"UndoUnsubscribe": func(t *testing.T, db *store.DB, fx *tenancy) {
		outcomes, err := db.UndoUnsubscribe(ctx, fx.a.ID, []int64{fx.bSub}, time.Now())
		wantCodeOf(t, "UndoUnsubscribe", err, stockbell.ENOTFOUND)
		unseen(t, "UndoUnsubscribe", outcomes, err)
	},
	"UndoRemoval": func(t *testing.T, db *store.DB, fx *tenancy) {
		outcomes, err := db.UndoRemoval(ctx, fx.a.ID, []int64{fx.bSub}, time.Time{}, time.Now())
		wantCodeOf(t, "UndoRemoval", err, stockbell.ENOTFOUND)
		unseen(t, "UndoRemoval", outcomes, err)
	},
	"WebhookEndpointSecret": func(t *testing.T, db *store.DB, fx *tenancy) {
		e, sealed, err := db.WebhookEndpointSecret(ctx, fx.a.ID, fx.bEndpoint)
		wantCodeOf(t, "WebhookEndpointSecret", err, stockbell.ENOTFOUND)
		unseen(t, "WebhookEndpointSecret", e, err)
		if strings.Contains(string(sealed), secret) {
			t.Error("WebhookEndpointSecret through shop A answered B's sealed secret")
		}
	},
	"RecordWebhookDelivery": func(t *testing.T, db *store.DB, fx *tenancy) {
		e, err := db.RecordWebhookDelivery(ctx, stockbell.WebhookDelivery{ShopID: fx.a.ID, EndpointID: fx.bEndpoint, Error: "gone",
			Final: true, MessageAt: db.Clock.Now()})
		wantCodeOf(t, "RecordWebhookDelivery", err, stockbell.ENOTFOUND)
		unseen(t, "RecordWebhookDelivery", e, err)
	},
	"RenewShopToken": func(t *testing.T, db *store.DB, fx *tenancy) {
		before, err := db.FindShopByID(ctx, fx.b.ID)
		must(t, err)
		_, err = db.RenewShopToken(ctx, fx.a.ID, func(shop *stockbell.Shop) (*stockbell.ShopTokenRenewal, error) {
			if shop.ID != fx.a.ID {
				t.Errorf("RenewShopToken of shop A passed shop %d", shop.ID)
			}
			return &stockbell.ShopTokenRenewal{SealedToken: []byte("a-renewed"), SealedRefreshToken: []byte("a-refresh")}, nil
		})
		must(t, err)
		after, err := db.FindShopByID(ctx, fx.b.ID)
		must(t, err)
		if string(after.SealedToken) != string(before.SealedToken) || after.SealedRefreshToken != nil {
			t.Error("RenewShopToken of shop A changed shop B's token")
		}
	},
	"UpdateShopDetails": func(t *testing.T, db *store.DB, fx *tenancy) {
		must(t, db.UpdateShopDetails(ctx, fx.a.ID, stockbell.ShopDetails{Name: "A again", OwnerEmail: "owner-a@example.com"}))
	},
}

// conversionFilters are shop A's conversion filters over the last and
// next two days: unfiltered, and naming shop B's variant, product and the
// channel of B's alerts.
func conversionFilters(db *store.DB, fx *tenancy) []stockbell.ActivityFilter {
	all := stockbell.ActivityFilter{ShopID: fx.a.ID, Since: db.Clock.Now().Add(-48 * time.Hour), Until: db.Clock.Now().Add(48 * time.Hour)}
	variant, product, channel := all, all, all
	variant.VariantID, product.ProductID, channel.Channel = fx.bVariant.ID, fx.bVariant.ProductID, stockbell.ChannelEmail
	return []stockbell.ActivityFilter{all, variant, product, channel}
}

// addTextsNamingSubscriber gives B stored texts naming its subscriber: a
// webhook receipt's payload and last error, the same of a receipt known
// by B's domain alone, the recorded errors of a job of B's, and two
// outbound webhook deliveries naming the subscriber, one of B's and one
// that names B by its domain alone, with errors.
func (fx *tenancy) addTextsNamingSubscriber(t *testing.T, db *store.DB) {
	named := secret + "@example.com"
	for i, shopID := range []*int64{&fx.b.ID, nil} {
		r := &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, ShopID: shopID, Domain: fx.b.Domain,
			EventID: fmt.Sprintf("%s-%d", secret, i), Topic: "customers/data_request", Payload: []byte(`{"customer":{"email":"` + named + `"}}`)}
		_, err := db.RecordReceipt(ctx, r)
		must(t, err)
		must(t, db.RetryReceipt(ctx, r.ID, time.Minute, "no subscriber "+named))
	}
	failed := attemptError{At: db.Clock.Now(), Attempt: 1, Error: "550 <" + named + ">: mailbox unavailable"}
	queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: fx.b.ID, MessageID: fx.bMsg}, "retryable", failed)
	delivery := `{"data":{"shop":"` + fx.b.Domain + `","subscription":{"email":"` + named + `"}},"type":"message.failed"}`
	queueFailedJob(t, db, stockbell.WebhookDeliveryJob{EndpointID: fx.bEndpoint, MessageID: "msg_" + secret, Type: "message.failed",
		Payload: delivery}, "retryable", failed)
	queueFailedJob(t, db, stockbell.WebhookDeliveryJob{ShopID: fx.b.ID, EndpointID: fx.bEndpoint, MessageID: "msg_" + secret + "_2",
		Type: "message.failed", Payload: delivery}, "retryable", failed)
}
