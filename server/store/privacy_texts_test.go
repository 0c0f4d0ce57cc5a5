package store_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// textKey names one stored text: a receipt's payload or last error, an
// outbound webhook delivery's payload, or a string of one attempt's
// recorded error of a job.
type textKey struct {
	source  string
	id      int64
	attempt int
	field   string
}

func (k textKey) String() string {
	return fmt.Sprintf("%s %d attempt %d %s", k.source, k.id, k.attempt, k.field)
}

// storedTextRow is a stored text and what a data request says of it.
type storedTextRow struct {
	text                 string
	platform, topic, job string
	at                   time.Time
}

// allStoredTexts reads every receipt's payload and last error, every
// outbound webhook delivery's payload and every job's recorded errors, of
// every shop.
func allStoredTexts(t *testing.T, db *store.DB) map[textKey]storedTextRow {
	t.Helper()
	out := map[textKey]storedTextRow{}
	var receipts []struct {
		ID         int64     `db:"id"`
		Platform   string    `db:"platform"`
		Topic      string    `db:"topic"`
		ReceivedAt time.Time `db:"received_at"`
		Payload    []byte    `db:"payload"`
		LastError  string    `db:"last_error"`
	}
	must(t, db.DB.SelectContext(ctx, &receipts, `SELECT id, platform, topic, received_at, payload, last_error FROM webhook_receipts`))
	for _, r := range receipts {
		row := storedTextRow{platform: r.Platform, topic: r.Topic, at: r.ReceivedAt.UTC()}
		row.text = string(r.Payload)
		out[textKey{"webhook_receipt", r.ID, 0, "payload"}] = row
		row.text = r.LastError
		out[textKey{"webhook_receipt", r.ID, 0, "last_error"}] = row
	}
	query := `SELECT id, kind, created_at, json(args), COALESCE(json(errors), '[]') FROM river_job`
	if db.Dialect == store.Postgres {
		query = `SELECT id, kind, created_at, args::text, COALESCE(array_to_json(errors)::text, '[]') FROM river_job`
	}
	rows, err := db.DB.QueryContext(ctx, query)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, args, text string
		var queuedAt time.Time
		must(t, rows.Scan(&id, &kind, &queuedAt, &args, &text))
		if kind == (stockbell.WebhookDeliveryJob{}).Kind() {
			var d stockbell.WebhookDeliveryJob
			must(t, json.Unmarshal([]byte(args), &d))
			out[textKey{"job", id, 0, "payload"}] = storedTextRow{text: d.Payload, job: kind, at: queuedAt.UTC()}
		}
		var errs []attemptError
		must(t, json.Unmarshal([]byte(text), &errs))
		for _, e := range errs {
			out[textKey{"job", id, e.Attempt, "error"}] = storedTextRow{text: e.Error, job: kind, at: e.At.UTC()}
			out[textKey{"job", id, e.Attempt, "trace"}] = storedTextRow{text: e.Trace, job: kind, at: e.At.UTC()}
		}
	}
	must(t, rows.Err())
	return out
}

// redactAsExported erases the contact (RedactContact) after a data
// request for it, and checks that the request reported as stored texts
// exactly the texts the erasure emptied or rewrote, want of them, each as
// it was stored and with what and when it is.
func redactAsExported(t *testing.T, db *store.DB, c stockbell.Contact, want int) {
	t.Helper()
	before := allStoredTexts(t, db)
	data, err := db.ContactData(ctx, c)
	must(t, err)
	must(t, db.RedactContact(ctx, c))
	after := allStoredTexts(t, db)
	var erased []textKey
	for key, row := range before {
		if after[key].text != row.text {
			erased = append(erased, key)
		}
	}
	exported := map[textKey]*stockbell.StoredText{}
	for _, s := range data.StoredTexts {
		exported[textKey{s.Source, s.ID, s.Attempt, s.Field}] = s
	}
	sortKeys := func(a, b textKey) int { return strings.Compare(a.String(), b.String()) }
	slices.SortFunc(erased, sortKeys)
	if reported := slices.SortedFunc(maps.Keys(exported), sortKeys); !slices.Equal(reported, erased) || len(data.StoredTexts) != len(exported) {
		t.Fatalf("stored texts reported:\n%v\nthe erasure changed:\n%v", reported, erased)
	}
	if len(erased) != want {
		t.Fatalf("the erasure changed %d stored texts, want %d: %v", len(erased), want, erased)
	}
	for key, s := range exported {
		row := before[key]
		got := storedTextRow{text: s.Text, platform: string(s.Platform), topic: s.Topic, job: s.JobKind, at: row.at}
		if got != row || !s.At.Equal(row.at) || s.Truncated || s.StoredBytes != len(row.text) {
			t.Errorf("%v reported as %+v, stored as %+v", key, s, row)
		}
	}
}

// TestContactDataReportsLongPayloadsAroundTheMentions: a payload beyond
// MaxStoredTextBytes (an order of many lines) is reported as the passages
// around each mention of the contact, with its stored length, and stays
// within the bound.
func TestContactDataReportsLongPayloadsAroundTheMentions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		line := `{"title":"Lamp","sku":"L-1","quantity":1},`
		lines := strings.Repeat(line, stockbell.MaxStoredTextBytes/len(line))
		payload := `{"line_items":[` + lines + `{}],"customer":{"email":"ann@example.com"},"shipping_lines":[` + lines + `{}],` +
			`"note":"ship to ANN@example.com"}`
		id := storePayload(t, db, shop, "o1", payload)

		data, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Email: "ann@example.com"})
		must(t, err)
		if len(data.StoredTexts) != 1 {
			t.Fatalf("stored texts reported: %+v, want the order's payload", data.StoredTexts)
		}
		got := data.StoredTexts[0]
		if got.ID != id || got.Field != "payload" || !got.Truncated || got.StoredBytes != len(payload) {
			t.Fatalf("the long payload reported as %+v", got)
		}
		if len(got.Text) > stockbell.MaxStoredTextBytes {
			t.Errorf("the reported text is %d bytes, over %d", len(got.Text), stockbell.MaxStoredTextBytes)
		}
		passages := strings.Split(got.Text, " … ")
		if len(passages) != 2 || !strings.Contains(passages[0], `"customer":{"email":"ann@example.com"}`) ||
			!strings.HasSuffix(passages[1], `"note":"ship to ANN@example.com"}`) {
			t.Fatalf("the passages reported: %q", passages)
		}
		for _, p := range passages {
			if !strings.Contains(payload, p) || !contact.Mentions(p, "ann@example.com") {
				t.Errorf("passage %q is not a part of the payload naming the contact", p)
			}
		}
	})
}
