package web

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
	"github.com/stockbell/stockbell/server/restock"
)

// heldText is a text held for its recipient's quiet hours, and until when.
type heldText struct {
	Message *stockbell.Message
	Until   time.Time
}

// heldUntil is until when a message is held for its recipient's quiet
// hours now, by the send run's own rule (restock.HeldForQuietHoursUntil),
// or the zero time when it is not held.
func heldUntil(settings *stockbell.RestockSettings, m *stockbell.Message, now time.Time) time.Time {
	return restock.HeldForQuietHoursUntil(settings, m, now)
}

// heldTexts reads the pending texts of a page of the shop's subscriptions
// and returns, by subscription, the one held for quiet hours that goes
// first; nothing (and no read) when the shop's quiet hours are off.
func heldTexts(ctx context.Context, messages stockbell.MessageService, settings *stockbell.RestockSettings, shopID int64,
	subs []*stockbell.Subscription, now time.Time) (map[int64]heldText, error) {
	if !settings.QuietHours || len(subs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(subs))
	for i, s := range subs {
		ids[i] = s.ID
	}
	sms, pending := stockbell.ChannelSMS, stockbell.MessagePending
	filter := stockbell.MessageFilter{ShopID: &shopID, SubscriptionIDs: ids, Channel: &sms, Status: &pending, Limit: heldTextsRead}
	out := map[int64]heldText{}
	for {
		texts, total, err := messages.FindMessages(ctx, filter)
		if err != nil {
			return nil, err
		}
		for _, m := range texts {
			until := heldUntil(settings, m, now)
			if first, ok := out[m.SubscriptionID]; !until.IsZero() && (!ok || until.Before(first.Until)) {
				out[m.SubscriptionID] = heldText{Message: m, Until: until}
			}
		}
		filter.Offset += len(texts)
		if len(texts) < heldTextsRead || filter.Offset >= total {
			return out, nil
		}
	}
}

// heldTextsRead is how many pending texts heldTexts reads at a time: a
// page of subscriptions (up to the API's 500) may have more than one read
// returns, and every one is read.
const heldTextsRead = 1000

// heldWords is quietHoldWords of a message held for quiet hours now, or
// "" for one that is not (or without settings).
func heldWords(settings *stockbell.RestockSettings, m *stockbell.Message, now time.Time) string {
	if settings == nil {
		return ""
	}
	if until := heldUntil(settings, m, now); !until.IsZero() {
		return quietHoldWords(settings, heldText{Message: m, Until: until}, now)
	}
	return ""
}

// quietHoldWords says that a text is held for its recipient's quiet hours
// and until when: in the recipient's time, when their number tells one
// time zone whose clock differs from the shop's, with the shop's time
// beside it ("Held for quiet hours until 09:00 tomorrow the recipient's
// time (03:00 tomorrow your time)"); else in the shop's time alone.
func quietHoldWords(settings *stockbell.RestockSettings, h heldText, now time.Time) string {
	shop := settings.Location()
	yours := clockWords(h.Until, now, shop) + " your time"
	if zones := contact.TimeZones(h.Message.Recipient); len(zones) == 1 && !sameClock(h.Until, zones[0], shop) {
		return "Held for quiet hours until " + clockWords(h.Until, now, zones[0]) + " the recipient's time (" + yours + ")"
	}
	return "Held for quiet hours until " + yours
}

// clockWords writes a time on the clock of loc, with its day when it is
// not today's there: "09:00", "09:00 tomorrow", "09:00 on 9 Dec".
func clockWords(t, now time.Time, loc *time.Location) string {
	local, today := t.In(loc), now.In(loc)
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	switch days := day(local).Sub(day(today)) / (24 * time.Hour); days {
	case 0:
		return local.Format("15:04")
	case 1:
		return local.Format("15:04") + " tomorrow"
	}
	return local.Format("15:04 on 2 Jan")
}

// sameClock tells whether two time zones read the same at t.
func sameClock(t time.Time, a, b *time.Location) bool {
	_, offA := t.In(a).Zone()
	_, offB := t.In(b).Zone()
	return offA == offB
}
