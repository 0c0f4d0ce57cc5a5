package web

import (
	"fmt"
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
// a byte order mark when ?bom=1), oldest first, reading them in chunks.
func (a *Admin) exportSubscribers(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	q := readSubscriberQuery(r.URL.Query())
	filter := q.filter(s.ShopID)
	filter.Limit = exportChunk
	// Each read goes on from the last subscriber written (in the order
	// they were made) rather than skipping as many as were written: a
	// subscriber leaving the filter meanwhile (notified by a restock, when
	// the export is of the queue) would shift others out of the file.
	var after int64
	filter.AfterID = &after
	name := fmt.Sprintf("stockbell-subscribers-%s-%s.csv", exportName(s.Shop.Domain), a.Clock.Now().UTC().Format("2006-01-02"))
	subs, _, err := a.Subscriptions.FindSubscriptions(r.Context(), filter)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	out, err := report.NewCSVWriter(w, report.ParseCSVOptions(r.URL.Query()))
	if err != nil {
		return
	}
	out.Write(exportColumns...)
	variants := variantCache{catalog: a.Catalog, shopID: s.ShopID}
	for len(subs) > 0 {
		for _, sub := range subs {
			v, err := variants.get(r.Context(), sub.VariantID)
			if err != nil {
				a.Logger.Error("export stopped", "shop_id", s.ShopID, "err", err)
				return
			}
			if err := out.Write(exportRow(sub, v)...); err != nil {
				return // the client went away
			}
		}
		if len(subs) < exportChunk {
			break
		}
		after = subs[len(subs)-1].ID
		if subs, _, err = a.Subscriptions.FindSubscriptions(r.Context(), filter); err != nil {
			a.Logger.Error("export stopped", "shop_id", s.ShopID, "err", err)
			return
		}
	}
	out.Flush()
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
