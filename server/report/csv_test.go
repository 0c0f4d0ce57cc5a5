package report_test

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strconv"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestGuardCell(t *testing.T) {
	cases := map[string]string{
		"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-2": "'-2", "@cmd": "'@cmd", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "a=b": "a=b", "Tee": "Tee", " =x": " =x", "'=x": "'=x",
	}
	for in, want := range cases {
		if got := report.GuardCell(in); got != want {
			t.Errorf("GuardCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVWriterQuotesGuardsAndOffersABOM(t *testing.T) {
	var buf bytes.Buffer
	w := report.NewCSVWriter(&buf, report.CSVOptions{BOM: true})
	must(t, w.Write(`Tee, "classic"`, "line\nbreak", "=1+1", "plain"))
	must(t, w.Flush())
	want := "\uFEFF" + `"Tee, ""classic""","line` + "\n" + `break",'=1+1,plain` + "\r\n" // RFC 4180 ends a row with CRLF
	if buf.String() != want {
		t.Fatalf("csv = %q\nwant  %q", buf.String(), want)
	}
	buf.Reset()
	w = report.NewCSVWriter(&buf, report.CSVOptions{})
	must(t, w.Write("a"))
	must(t, w.Flush())
	if buf.String() != "a\r\n" {
		t.Fatalf("without BOM: %q", buf.String())
	}
}

// readCSV parses an export, checking and dropping the BOM when it has one.
func readCSV(t *testing.T, text string, bom bool) [][]string {
	t.Helper()
	if strings.HasPrefix(text, report.BOM) != bom {
		t.Fatalf("BOM present = %t, want %t", !bom, bom)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, report.BOM))).ReadAll()
	must(t, err)
	return rows
}

func TestQueuedSubscribersExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		fay, gus, hal := f.moreQueued(t)
		addProduct(t, db, f.shop.ID, "p-evil", `Tee, "classic"`, map[string]string{"e-1": "5"}, map[string]string{"e-1": `=HYPERLINK("http://x")`})
		evil := findVariant(t, db, f.shop.ID, "e-1")
		zed := subscribe(t, db, f.shop.ID, evil.ID, "@zed@example.com", "", "email", stockbell.SubscriptionQueued, local(16, 8, 0), false)
		var buf bytes.Buffer
		must(t, f.reports.WriteQueuedCSV(ctx, &buf, f.shop.ID, report.CSVOptions{BOM: true}))
		got := readCSV(t, buf.String(), true)
		row := func(v *stockbell.VariantWithProduct, email, phone, channels, at, position string, sub int64, day string) []string {
			return []string{v.ProductTitle, v.Title, v.SKU, itoa(v.ID), itoa(v.ProductID), email, phone, channels, at, position, itoa(sub), day}
		}
		// subscribed_day is the date in the shop's time zone (New York):
		// dan, eve and cat subscribed in the evening, already the next day in UTC.
		want := [][]string{report.QueuedColumns,
			row(f.shirt, "fay@example.com", "", "email", "2025-01-14T13:00:00Z", "1", fay, "2025-01-14"),
			row(f.shirt, "gus@example.com", "", "email", "2025-01-15T13:00:00Z", "2", gus, "2025-01-15"),
			row(f.shirt, "hal@example.com", "'+15555550101", "email sms", "2025-01-15T13:00:00Z", "3", hal, "2025-01-15"),
			row(f.large, "dan@example.com", "", "email", "2025-01-13T05:30:00Z", "1", subscriptionOf(t, db, "dan@example.com"), "2025-01-13"),
			row(f.mug, "eve@example.com", "", "email", "2025-01-10T04:00:00Z", "1", subscriptionOf(t, db, "eve@example.com"), "2025-01-09"),
			row(f.mug, "cat@example.com", "", "email", "2025-01-11T04:30:00Z", "2", f.cat, "2025-01-10"),
			{`Tee, "classic"`, `'=HYPERLINK("http://x")`, "SKU-e-1", itoa(evil.ID), itoa(evil.ProductID), "'@zed@example.com", "", "email",
				"2025-01-16T13:00:00Z", "1", itoa(zed), "2025-01-16"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("export:\n%q\nwant\n%q", got, want)
		}
	})
}

func TestActivityExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var buf bytes.Buffer
		q := report.ActivityQuery{Days: days(), VariantID: f.shirt.ID}
		must(t, f.reports.WriteActivityCSV(ctx, &buf, f.shop.ID, q, report.CSVOptions{}))
		got := readCSV(t, buf.String(), false)
		shirt := []string{"Shirt", "M", "SKU-s-1", itoa(f.shirt.ID), itoa(f.shirt.ProductID)}
		row := func(at, day, kind string, sub int64, contact, channel, reason, size, order, qty, revenue, currency string) []string {
			return append(append([]string{at, day, kind}, shirt...), itoa(sub), contact, channel, reason, size, order, qty, revenue, currency)
		}
		want := [][]string{report.ActivityColumns,
			row("2025-01-10T15:00:00Z", "2025-01-10", "subscribed", f.ada, "ada@example.com", "email", "", "", "", "", "", ""),
			row("2025-01-10T15:05:00Z", "2025-01-10", "subscribed", f.bob, "bob@example.com", "email", "", "", "", "", "", ""),
			row("2025-01-10T15:10:00Z", "2025-01-10", "subscribed", f.sam, "'+15555550100", "sms", "", "", "", "", "", ""),
			row("2025-01-11T14:00:00Z", "2025-01-11", "restocked", 0, "", "", "", "", "", "", "", ""),
			row("2025-01-11T14:00:00Z", "2025-01-11", "batch_started", 0, "", "", "", "2", "", "", "", ""),
			row("2025-01-11T14:01:00Z", "2025-01-11", "notified", f.ada, "ada@example.com", "email", "", "", "", "", "", ""),
			row("2025-01-11T14:01:00Z", "2025-01-11", "notified", f.sam, "'+15555550100", "sms", "", "", "", "", "", ""),
			row("2025-01-11T14:30:00Z", "2025-01-11", "skipped", 0, "", "", "waiting_period", "", "", "", "", ""),
			row("2025-01-12T13:00:00Z", "2025-01-12", "clicked", f.ada, "ada@example.com", "email", "", "", "", "", "", ""),
			row("2025-01-12T14:00:00Z", "2025-01-12", "converted", f.ada, "ada@example.com", "email", "", "", "1001", "2", "50.00", "EUR"),
			row("2025-01-12T15:00:00Z", "2025-01-12", "unsubscribed", f.bob, "bob@example.com", "email", "", "", "", "", "", ""),
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("export:\n%q\nwant\n%q", got, want)
		}
		bad := report.ActivityQuery{Days: report.Days{From: days().To, To: days().From}}
		buf.Reset()
		err := f.reports.WriteActivityCSV(ctx, &buf, f.shop.ID, bad, report.CSVOptions{})
		if stockbell.ErrorField(err) != "to" || buf.Len() != 0 {
			t.Fatalf("reversed range wrote %q, err %v", buf.String(), err)
		}
	})
}

func itoa(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// subscriptionOf returns the id of the subscription of an email address.
func subscriptionOf(t *testing.T, db *store.DB, email string) int64 {
	t.Helper()
	var id int64
	must(t, db.DB.GetContext(ctx, &id, db.DB.Rebind(`SELECT id FROM subscriptions WHERE email = ?`), email))
	return id
}
