package store_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// secret marks every text of shop B's rows: a read through shop A whose
// answer contains it has shown A something of B's.
const secret = "b-secret"

// tenancy is two shops: B with a catalog, a subscriber, a held message of
// a batch and a pending one, a restock batch, an origin, a user, settings,
// a webhook secret, an API key, an outbound webhook endpoint and a
// scheduled report with a claimed delivery; A, the shop every probe acts
// through, with a catalog of its own.
type tenancy struct {
	a, b                     *stockbell.Shop
	bVariant                 *stockbell.VariantWithProduct
	bSub, bMsg, bBatch       int64
	bPendingMsg, bRestock    int64
	bAPIKey, bEndpoint       int64
	bReport, bReportDelivery int64
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
	// Notified, as its event says, with its reminder held; and a decision
	// on its batch recorded.
	_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE subscriptions SET status = ?, notified_at = ? WHERE id = ?`),
		stockbell.SubscriptionNotified, now, fx.bSub)
	must(t, err)
	_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, variant_id, kind, detail, created_at) VALUES (?, ?, ?, ?, ?)`),
		fx.b.ID, fx.bVariant.ID, stockbell.EventBatchDecided, fmt.Sprintf(`{"batch_id":%d,"decision":"approved","messages":1}`, fx.bBatch), now)
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
	must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: fx.b.ID, Source: secret, StartedAt: now, FinishedAt: now}))
	_, err = db.EnsureWebhookSecret(ctx, stockbell.WebhookSecret{ShopID: fx.b.ID, Hash: strings.Repeat("b", 64), Sealed: []byte(secret)})
	must(t, err)
	_, key, err := db.CreateAPIKey(ctx, fx.b.ID, secret+" key")
	must(t, err)
	endpoint, err := db.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: fx.b.ID, URL: "https://" + secret + ".example/hook",
		Description: secret, EventTypes: stockbell.WebhookEventTypes[:1]}, []byte(secret))
	must(t, err)
	fx.bAPIKey, fx.bEndpoint = key.ID, endpoint.ID
	fx.addBatchWork(t, db)
	fx.addScheduledReport(t, db)
	return fx
}

// addBatchWork gives B a restock batch and a pending message, the rows a
// batch's and a send's jobs name by id.
func (fx *tenancy) addBatchWork(t *testing.T, db *store.DB) {
	now := db.Clock.Now()
	must(t, db.DB.GetContext(ctx, &fx.bRestock, db.DB.Rebind(`INSERT INTO restock_batches (shop_id, variant_id, everyone, size, stock,
		per_unit, cutoff, created_at) VALUES (?, ?, ?, 1, 1, 1, ?, ?) RETURNING id`), fx.b.ID, fx.bVariant.ID, false, now, now))
	must(t, db.DB.GetContext(ctx, &fx.bPendingMsg, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient,
		status, due_at, created_at) VALUES (?, ?, 2, 'email', ?, ?, ?, ?) RETURNING id`), fx.b.ID, fx.bSub, secret+"@example.com", stockbell.MessagePending, now, now))
}

// addScheduledReport gives B a scheduled report with a claimed delivery.
func (fx *tenancy) addScheduledReport(t *testing.T, db *store.DB) {
	report, err := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: fx.b.ID, Email: secret + "-report@example.com",
		Report: stockbell.ReportActivity, Frequency: stockbell.ReportWeekly, CreatedBy: secret + "-user"})
	must(t, err)
	fx.bReport = report.ID
	claimed, err := db.ClaimReportPeriod(ctx, fx.b.ID, report.ID, "2026-01-01", "2026-01-07")
	must(t, err)
	if !claimed {
		t.Fatal("B's report period was not claimed")
	}
	must(t, db.DB.GetContext(ctx, &fx.bReportDelivery, db.DB.Rebind(`SELECT id FROM report_deliveries WHERE subscription_id = ?`), report.ID))
}

// shopTables are the tables holding shops' rows, read whole for B
// before and after the probes: nothing of B may change.
var shopTables = []string{"shops", "products", "variants", "subscriptions", "messages", "events", "shop_origins",
	"shop_users", "restock_settings", "flows", "conversions", "feeds", "webhook_secrets", "restock_batches", "api_keys", "webhook_endpoints",
	"report_subscriptions", "message_clicks", "sync_failures"}

// shopChildRows read the shop's rows of tables without a shop_id column,
// through their parent row.
var shopChildRows = map[string]string{
	"inventory_levels":  `SELECT l.* FROM inventory_levels l JOIN variants v ON v.id = l.variant_id WHERE v.shop_id = ? ORDER BY 1, 2`,
	"report_deliveries": `SELECT d.* FROM report_deliveries d JOIN report_subscriptions r ON r.id = d.subscription_id WHERE r.shop_id = ? ORDER BY 1`,
}

func (fx *tenancy) digest(t *testing.T, db *store.DB) string {
	var out strings.Builder
	queries := map[string]string{}
	for _, table := range shopTables {
		column := "shop_id"
		if table == "shops" {
			column = "id"
		}
		queries[table] = `SELECT * FROM ` + table + ` WHERE ` + column + ` = ? ORDER BY 1`
	}
	maps.Copy(queries, shopChildRows)
	for _, table := range slices.Sorted(maps.Keys(queries)) {
		rows, err := db.DB.QueryxContext(ctx, db.DB.Rebind(queries[table]), fx.b.ID)
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
	"Close": "the connection", "Ping": "the connection", "PoolBusy": "the connection pool", "Stats": "the connection pool", "Path": "the SQLite file", "Migrate": "the schema",
	"SchemaVersion": "the schema", "ShippedSchemaVersion": "the schema", "WithMigrationLock": "the schema", "Migrated": "the schema",
	"BackupTo": "a copy of the whole database", "MigrationsFrom": "the schema (tests)",
	"BeginTx": "a transaction for the caller's own statements", "BeginStockRead": "a read marker, no rows",
	// Shops themselves, found before any shop is known (installs, webhooks, the storefront's key, operators).
	"FindShopByID": "the shop row itself", "FindShopByDomain": "the shop row itself", "FindShopByKey": "the shop row itself (the storefront's public key)",
	"FindShopsByDomain":  "the shop rows themselves, as an operator's --shop names them",
	"IsStorefrontOrigin": "a storefront preflight names an origin, no shop; it answers only whether some installed shop allowed it",
	"FindShops":          "operators' list of shops", "InstallShop": "creates the shop row", "UninstallShop": "the shop row itself",
	"UninstallShopHolding": "the shop row itself, holding the token its platform refused",
	"DeleteShop":           "the shop row itself", "ResealTokens": "every shop's token, at start-up, with the key",
	"ConnectFeed": "creates the shop row and its feed", "FindDueFeeds": "the feed scheduler, across shops",
	"EachReportSubscription": "the report scheduler, across shops (each claim it makes then takes the subscription's shop)",
	"InstallMagentoShop":     "creates the shop row with its secret and the consumer key's activation", "FindMagentoActivation": "the identity link names only its consumer key; the shop is read from the row",
	// Rows named by what arrives before any shop is known: a signed webhook,
	// a secret's hash, a one-time token, a presented key. Each names its
	// shop itself.
	"RecordReceipt": "a platform's signed webhook", "FindWebhookSecret": "a platform's secret, by its hash",
	"UseSignInLink": "a one-time link's token", "AuthenticateAPIKey": "a presented API key, by its hash (the key names its shop)",
	"EndAdminSession":   "a signed admin session, by a hash of its CSRF token (the cookie names its shop); no shop's rows",
	"AdminSessionEnded": "a signed admin session, by a hash of its CSRF token (the cookie names its shop); no shop's rows",
	"RecordClick": "a short link (/r/{code}) is the message id under our MAC and names no shop (links already sent must keep " +
		"working); the click is recorded for the message's own shop",
	"FindLinkTarget": "a short link's preview (HEAD /r/{code}), named as RecordClick by the message id alone; it changes nothing",
	// Jobs queued before job arguments carried their shop: the one lookup of
	// a row's shop by the row's id alone, made once per such job.
	"FindJobRowShop": "the shop of a row an old job (queued without its shop id) names",
	// A receipt arrives before its shop is known (the receipt names it by
	// domain); its job or claim names the receipt alone.
	"FindReceipt": "receipt id from a job", "MarkReceiptProcessed": "receipt id from a job",
	// The receipts' drainer works across shops: a platform's webhooks arrive
	// for every shop, and one claim takes whichever are pending.
	"ClaimReceipts": "the receipts' drainer, across shops", "ClaimReceipt": "receipt id from a job",
	"MarkReceiptsProcessed": "receipt ids from the drainer's own claim", "RetryReceipt": "receipt id from the drainer's own claim",
	"ReceiptsStored":          "a signal, no rows",
	"DeleteProcessedReceipts": "the retention sweep, across shops",
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
