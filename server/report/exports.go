package report

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// QueuedColumns is the header of the queued subscribers export.
// subscribed_at is UTC; subscribed_day is its date in the shop's time zone.
var QueuedColumns = []string{"product", "variant", "sku", "variant_id", "product_id", "email", "phone", "channels",
	"subscribed_at", "position", "subscription_id", "subscribed_day"}

// ActivityColumns is the header of the activity export.
var ActivityColumns = []string{"at", "day", "kind", "product", "variant", "sku", "variant_id", "product_id", "subscription_id",
	"contact", "channel", "reason", "batch_size", "order_id", "quantity", "revenue", "currency"}

// WriteQueuedCSV writes every subscriber queued now at the shop as CSV: a
// header row, then one row per subscriber by variant and place in its
// queue, streamed from the store row by row.
func (r *Reports) WriteQueuedCSV(ctx context.Context, w io.Writer, shopID int64, opts CSVOptions) error {
	loc, err := r.location(ctx, shopID)
	if err != nil {
		return err
	}
	out := NewCSVWriter(w, opts)
	if err := out.Write(QueuedColumns...); err != nil {
		return err
	}
	err = r.Store.EachQueuedSubscriber(ctx, shopID, func(s *stockbell.QueuedSubscriber) error {
		return out.Write(s.Product, s.Variant, s.SKU, id(s.VariantID), id(s.ProductID), s.Email, s.Phone,
			joinChannels(s.Channels), s.SubscribedAt.UTC().Format(time.RFC3339), strconv.Itoa(s.Position), id(s.SubscriptionID),
			s.SubscribedAt.In(loc).Format(dateLayout))
	})
	if err != nil {
		return err
	}
	return out.Flush()
}

// WriteActivityCSV writes the shop's activity matching q as CSV, one row
// per record, oldest first, streamed from the store. Times are UTC; day is
// the date in the shop's time zone. Returns EINVALID for a bad range
// before writing anything.
func (r *Reports) WriteActivityCSV(ctx context.Context, w io.Writer, shopID int64, q ActivityQuery, opts CSVOptions) error {
	loc, err := r.location(ctx, shopID)
	if err != nil {
		return err
	}
	filter, _, _, err := r.activityFilter(shopID, q, loc)
	if err != nil {
		return err
	}
	out := NewCSVWriter(w, opts)
	if err := out.Write(ActivityColumns...); err != nil {
		return err
	}
	err = r.Store.EachActivity(ctx, filter, func(rec *stockbell.ActivityRecord) error {
		return out.Write(activityRow(rec, loc)...)
	})
	if err != nil {
		return err
	}
	return out.Flush()
}

// activityRow is one activity record's cells.
func activityRow(rec *stockbell.ActivityRecord, loc *time.Location) []string {
	size, quantity, revenue := "", "", ""
	if rec.Kind == stockbell.EventBatchStarted {
		size = strconv.Itoa(rec.BatchSize)
		if rec.Everyone {
			size = "everyone"
		}
	}
	if rec.Kind == stockbell.EventConverted {
		quantity, revenue = strconv.Itoa(rec.Quantity), rec.Revenue.String()
	}
	return []string{rec.At.UTC().Format(time.RFC3339), rec.At.In(loc).Format(dateLayout), string(rec.Kind), rec.Product, rec.Variant,
		rec.SKU, id(rec.VariantID), id(rec.ProductID), id(rec.SubscriptionID), rec.Contact, rec.Channel, rec.Reason, size,
		rec.OrderID, quantity, revenue, rec.Currency}
}

// id writes an id, or nothing for none.
func id(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func joinChannels(cs stockbell.Channels) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = string(c)
	}
	return strings.Join(parts, " ")
}
