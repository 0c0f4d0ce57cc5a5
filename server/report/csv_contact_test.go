package report_test

import (
	"bytes"
	"reflect"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestActivityExportNamesTheContactItsChannelReached: kim waits by email
// and SMS and is told by text, which she clicks. The export's notified and
// clicked rows, on the sms channel, named her email address as the
// contact, which no text reaches; they name her phone. Her sign-up, on
// both channels, names her email as before.
func TestActivityExportNamesTheContactItsChannelReached(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		kim := subscribe(t, db, f.shop.ID, f.large.ID, "kim@example.com", "+15555550111", "email,sms", stockbell.SubscriptionNotified,
			local(10, 11, 0), true)
		text := notify(t, db, f.shop.ID, f.large.ID, kim, stockbell.ChannelSMS, local(11, 9, 2))
		_, err := db.RecordClick(ctx, text)
		must(t, err)
		var buf bytes.Buffer
		q := report.ActivityQuery{Days: report.Days{From: days().From, To: days().From.AddDate(0, 0, 10)}, VariantID: f.large.ID}
		must(t, f.reports.WriteActivityCSV(ctx, &buf, f.shop.ID, q, report.CSVOptions{}))
		var got [][]string
		for _, row := range readCSV(t, buf.String(), false)[1:] {
			if row[8] == itoa(kim) {
				got = append(got, []string{row[2], row[9], row[10]}) // kind, contact, channel
			}
		}
		want := [][]string{{"subscribed", "kim@example.com", "email sms"}, {"notified", "'+15555550111", "sms"}, {"clicked", "'+15555550111", "sms"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("kim's rows (kind, contact, channel):\n%q\nwant\n%q", got, want)
		}
	})
}
