package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
)

// exportChunk is how many subscriptions one read of the export takes.
const exportChunk = 1000

// exportColumns are the CSV export's header.
var exportColumns = []string{"id", "email", "phone", "channels", "status", "locale", "product", "variant", "sku",
	"variant_id", "product_id", "subscribed_at", "notified_at", "marketing_consent", "sms_consent", "source"}

// exportSubscribers writes the shop's subscribers matching the list's
// search and filters as CSV (report's writer: quoted, formula-guarded, with
// a byte order mark when ?bom=1 or ?bom=true; another bom than those,
// 0 or false is refused, csvOptionsOf), oldest first, reading them
// in chunks. A read failing after rows went out breaks the download off
// (endCSV).
func (a *Admin) exportSubscribers(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	q, err := readSubscriberQuery(r.URL.Query())
	opts, optsErr := csvOptionsOf(r.URL.Query())
	if err == nil {
		err = optsErr
	}
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	out := a.csvResponse(w, s, "subscribers")
	err = a.writeSubscribersCSV(r.Context(), out, q.filter(s.ShopID), opts)
	a.endCSV(w, r, s, out, err)
}

// writeSubscribersCSV writes the subscribers matching filter to w, a
// chunk of them at a time.
func (a *Admin) writeSubscribersCSV(ctx context.Context, w io.Writer, filter stockbell.SubscriptionFilter, opts report.CSVOptions) error {
	filter.Limit = exportChunk
	// Each read goes on from the last subscriber written (in the order
	// they were made) rather than skipping as many as were written: a
	// subscriber leaving the filter meanwhile (notified by a restock, when
	// the export is of the queue) would shift others out of the file.
	var after int64
	filter.AfterID = &after
	// The first read comes before the first byte (the byte order mark), so
	// that its failure still gets an error page.
	subs, _, err := a.Subscriptions.FindSubscriptions(ctx, filter)
	if err != nil {
		return err
	}
	out := report.NewCSVWriter(w, opts)
	if err := out.Write(exportColumns...); err != nil {
		return err
	}
	variants := variantCache{catalog: a.Catalog, shopID: *filter.ShopID}
	for len(subs) > 0 {
		for _, sub := range subs {
			v, err := variants.get(ctx, sub.VariantID)
			if err != nil {
				return err
			}
			if err := out.Write(exportRow(sub, v)...); err != nil {
				return err
			}
		}
		if len(subs) < exportChunk {
			break
		}
		after = subs[len(subs)-1].ID
		if subs, _, err = a.Subscriptions.FindSubscriptions(ctx, filter); err != nil {
			return err
		}
	}
	return out.Flush()
}

func exportRow(sub *stockbell.Subscription, v *stockbell.VariantWithProduct) []string {
	notified := ""
	if sub.NotifiedAt != nil {
		notified = sub.NotifiedAt.UTC().Format(time.RFC3339)
	}
	channels := make([]string, len(sub.Channels))
	for i, c := range sub.Channels {
		channels[i] = string(c)
	}
	return []string{strconv.FormatInt(sub.ID, 10), sub.Email, sub.Phone, strings.Join(channels, " "), string(sub.Status),
		sub.Locale, v.ProductTitle, v.Title, v.SKU, v.PlatformID, v.ProductPlatformID,
		sub.CreatedAt.UTC().Format(time.RFC3339), notified, strconv.FormatBool(sub.MarketingConsent),
		strconv.FormatBool(sub.SMSConsent), sub.Source}
}

// exportName keeps the letters, digits, dots and dashes of a domain.
func exportName(domain string) string {
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(domain))
}
