package web_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReportEmailCarriesEveryRowOfTheReportsPage: the activity report
// email, received by a real SMTP server, has every row of the Reports
// page's activity table for its day in the shop's time zone, in the
// page's words and with the page's numbers: the shoppers in stock-sized
// batches and the batches to everyone waiting among them.
func TestReportEmailCarriesEveryRowOfTheReportsPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newAdminFixture(t, db)
		now := f.clock.Now().UTC()
		f.clock.Add(now.Truncate(24 * time.Hour).Add(18 * time.Hour).Sub(now)) // 13:00 or 14:00 in New York
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		zone := "America/New_York"
		if _, err := db.UpdateSettings(ctx, w.shop.ID, stockbell.SettingsUpdate{TimeZone: &zone}); err != nil {
			t.Fatal(err)
		}
		for _, e := range []struct{ kind, detail string }{{"restocked", `{}`}, {"batch_started", `{"size": 3}`},
			{"batch_started", `{"size": 2}`}, {"batch_started", `{"size": "everyone"}`}} {
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, kind, variant_id, detail, created_at) VALUES (?, ?, ?, ?, ?)`),
				w.shop.ID, e.kind, w.variant.ID, e.detail, f.clock.Now().Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
		}
		sink := smtptest.Start(t, smtptest.Options{})
		sender, err := delivery.NewSMTPSender(delivery.SMTPConfig{Host: sink.Host(), Port: sink.Port(0), Security: delivery.SMTPNone,
			FromAddress: "reports@stockbell.test"}, "test", f.clock)
		if err != nil {
			t.Fatal(err)
		}
		sub := scheduleReport(t, db, w.shop.ID, "boss@example.com", stockbell.ReportDaily)
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: f.clock}
		s := &report.Scheduler{Reports: reports, Schedule: db, Shops: db, Links: testReportLinks, Clock: f.clock, Sender: sender}
		loc, _ := time.LoadLocation(zone)
		day := f.clock.Now().In(loc).Format("2006-01-02")
		email, err := s.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: day, PeriodEnd: day})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sender.Send(ctx, *email); err != nil {
			t.Fatal(err)
		}
		if sink.Count() != 1 {
			t.Fatalf("the SMTP server received %d messages, want 1", sink.Count())
		}
		text := mailText(t, sink.Messages()[0].Parse(t))
		page := f.signIn(t, w.shop).get("/admin/reports?from=" + day + "&to=" + day)
		rows := regexp.MustCompile(`<tr><th scope="row">([^<]+)</th><td class="num">([\d,]+)</td></tr>`).FindAllStringSubmatch(page.Body, -1)
		if len(rows) < 10 {
			t.Fatalf("the Reports page shows %d activity rows:\n%s", len(rows), page.Body)
		}
		for _, row := range rows {
			if line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(row[1]) + ` +` + row[2] + `$`); !line.MatchString(text) {
				t.Errorf("the Reports page shows %q %s; the email lacks it:\n%s", row[1], row[2], text)
			}
		}
		for _, want := range []string{"Shoppers in stock-sized batches", "Batches to everyone waiting"} {
			if !regexp.MustCompile(`(?m)^  ` + want + ` +[1-9]`).MatchString(text) {
				t.Errorf("the email does not count %q:\n%s", want, text)
			}
		}
	})
}

// mailText is the text/plain part of a received email, however its
// multipart parts nest.
func mailText(t *testing.T, m *mail.Message) string {
	t.Helper()
	text, err := textPart(m.Header.Get("Content-Type"), m.Body)
	if err != nil || text == "" {
		t.Fatalf("the email has no text part (%v)", err)
	}
	return text
}

func textPart(contentType string, body io.Reader) (string, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	if mediaType == "text/plain" {
		b, err := io.ReadAll(body)
		return strings.ReplaceAll(string(b), "\r\n", "\n"), err
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		return "", nil
	}
	parts := multipart.NewReader(body, params["boundary"])
	for {
		p, err := parts.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if text, err := textPart(p.Header.Get("Content-Type"), p); text != "" || err != nil {
			return text, err
		}
	}
}
