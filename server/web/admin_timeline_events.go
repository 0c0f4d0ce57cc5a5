package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/moneytext"
)

// What a subscriber's timeline says of each event (describeEvent), in the
// merchant's words.

func skipReasonText(reason string) string {
	return stockbell.SkipReason(reason).Words()
}

// describeEvent turns one event into a timeline line. herBatches are the
// batches that held or notified her (several when her alert was skipped as
// sold out and she was queued again; none yet when empty).
func describeEvent(e *stockbell.Event, d detail, herBatches map[int64]bool, tl *stockbell.SubscriberTimeline) timelineEntry {
	switch e.Kind {
	case stockbell.EventSubscribed:
		return timelineEntry{What: "Subscribed to " + variantName(&tl.Variant), Tone: "info",
			Why: "Asked to hear by " + channelList(d["channels"]) + sourceWords(d.text("source")) + "."}
	case stockbell.EventStockChanged:
		return timelineEntry{What: fmt.Sprintf("Restock seen: stock %d → %d", detailInt(d, "old_stock"), detailInt(d, "new_stock")), Tone: "info",
			Why: stockSource(d)}
	case stockbell.EventRestocked:
		return timelineEntry{What: fmt.Sprintf("Back in stock with %s", plural(int(detailInt(d, "stock")), "unit")), Tone: "info",
			Why: "The stock reached the minimum inventory, so a batch of alerts started."}
	case stockbell.EventBatchStarted:
		return describeBatch(d, herBatches, tl)
	case stockbell.EventHeld:
		return describeHeld(d, tl)
	case stockbell.EventNotified:
		return describeNotified(d)
	case stockbell.EventBatchDecided:
		return describeBatchDecision(d)
	case stockbell.EventMessageSent:
		return timelineEntry{What: "Message " + strconv.FormatInt(detailInt(d, "step"), 10) + " sent by " + channelName(stockbell.Channel(d.text("channel"))),
			Tone: "good", Why: "Accepted by the provider" + providerWords(d.text("provider_id")) + "."}
	case stockbell.EventMessageFailed:
		return timelineEntry{What: "Message " + strconv.FormatInt(detailInt(d, "step"), 10) + " failed", Tone: "bad",
			Why: "The provider refused it: " + d.text("reason")}
	case stockbell.EventSkipped:
		return describeSkip(e, d)
	case stockbell.EventWaitStarted:
		until, _ := d.time("until")
		return timelineEntry{What: "Wait between batches started", Tone: "wait",
			Why: "Stock is counted again at " + formatDateTime(until) + " (a wait of " + waitWords(d.text("wait")) + ") for the shoppers waiting then, sign-ups meanwhile included."}
	case stockbell.EventWaitEnded:
		return timelineEntry{What: "Wait between batches ended", Tone: "info", Why: "Stock was counted again to size the next batch."}
	case stockbell.EventUnsubscribed:
		return timelineEntry{What: "Unsubscribed", Tone: "bad", Why: "Asked for no more alerts (from the link in a message or the alerts page)."}
	case stockbell.EventResubscribed:
		return describeResubscribed(d)
	case stockbell.EventConfirmed:
		how := "Pressed the button on the confirmation link's page"
		if d.text("method") == string(stockbell.ConfirmedByReply) {
			how = "Replied YES to the confirmation text"
		}
		return timelineEntry{What: "Confirmed by " + channelName(stockbell.Channel(d.text("channel"))), Tone: "good",
			Why: how + "; waiting in the queue from then."}
	case stockbell.EventConverted:
		after := "ordered after the alert."
		if d.text("via") == string(stockbell.AttributedToClick) {
			after = "ordered after following the alert's link."
		}
		return timelineEntry{What: "Bought", Tone: "good",
			Why: "Order " + d.text("order_id") + ", " + plural(int(detailInt(d, "quantity")), "unit") + boughtFor(d) + ", " + after}
	case stockbell.EventRemoved:
		return describeRemoved(d)
	case stockbell.EventSettingsChanged:
		return timelineEntry{What: "Settings changed", Tone: "info", Why: settingsChangeWords(d)}
	}
	return timelineEntry{What: strings.ReplaceAll(string(e.Kind), "_", " "), Tone: "info"}
}

// describeResubscribed: the shopper undid an unsubscribe from a link, and
// the subscription went back to the status it had (restored_status).
func describeResubscribed(d detail) timelineEntry {
	back := map[string]string{
		string(stockbell.SubscriptionQueued):   "back in the queue in their first place.",
		string(stockbell.SubscriptionPending):  "waiting for their confirmation again.",
		string(stockbell.SubscriptionNotified): "the follow-ups still to come are sent when due (any that came due meanwhile stay skipped).",
	}[d.text("restored_status")]
	if back == "" {
		back = "their alert goes on as before."
	}
	return timelineEntry{What: "Resubscribed", Tone: "good", Why: "Undid their unsubscribe from the page of its link: " + back}
}

// describeRemoved: the merchant took her out of the queue, out of the
// batch that held her for approval (its id in the detail), or removed her
// sign-up before she confirmed it.
func describeRemoved(d detail) timelineEntry {
	entry := timelineEntry{What: "Removed from the queue", Tone: "bad", Why: "Removed in the admin by " + orYou(d.text("by")) + "."}
	if batch := detailInt(d, "batch_id"); batch != 0 {
		entry.What = "Removed from batch " + strconv.FormatInt(batch, 10)
		entry.Why = "Removed in the admin by " + orYou(d.text("by")) + " before the batch was approved: their alert was not sent."
	} else if d.text("previous_status") == string(stockbell.SubscriptionPending) {
		entry.What = "Sign-up removed"
		entry.Why = "Removed in the admin by " + orYou(d.text("by")) + " before the shopper confirmed: confirming now does not put them in the queue."
	}
	return entry
}

// describeNotified: she was notified, as her batch started or when the
// merchant approved it.
func describeNotified(d detail) timelineEntry {
	entry := timelineEntry{What: "Notified in batch " + strconv.FormatInt(detailInt(d, "batch_id"), 10), Tone: "good",
		Why: "Among the oldest in line; the first message (" + channelName(stockbell.Channel(d.text("channel"))) + ") was prepared."}
	if d["approved"] == true {
		entry.Why = "You approved the batch; the first message (" + channelName(stockbell.Channel(d.text("channel"))) + ") was queued for sending."
	}
	return entry
}

// describeHeld: her first message waits in a batch for the merchant's
// approval, or waited until the merchant approved or discarded the batch
// (its batch_decided event), which the line then says, with when.
func describeHeld(d detail, tl *stockbell.SubscriberTimeline) timelineEntry {
	batch := detailInt(d, "batch_id")
	entry := timelineEntry{What: "Held for your approval in batch " + strconv.FormatInt(batch, 10), Tone: "wait"}
	prepared := "Among the oldest in line; the first message (" + channelName(stockbell.Channel(d.text("channel"))) + ") was prepared and "
	decision, at, ok := heldBatchDecision(tl, batch)
	switch {
	case ok && decision == "discarded":
		entry.What, entry.Tone = entry.What+", then discarded", "bad"
		entry.Why = prepared + "held for your approval (the flow is manual). You discarded the batch on " + formatDateTime(at) + ": their alert was not sent."
	case ok:
		entry.What, entry.Tone = entry.What+", then approved", "good"
		entry.Why = prepared + "held for your approval (the flow is manual). You approved the batch on " + formatDateTime(at) + ": their alert was queued for sending."
	default:
		entry.Why = prepared + "waits for your approval (the flow is manual). Not notified yet."
	}
	return entry
}

// heldBatchDecision returns the merchant's decision on her batch and
// when it was made, when it applied to her: approved, she was notified
// in it (an approved notified event naming it); discarded, her message
// was skipped as discarded. A shopper removed from the batch, or who
// unsubscribed, before the decision was not decided on.
func heldBatchDecision(tl *stockbell.SubscriberTimeline, batch int64) (decision string, at time.Time, ok bool) {
	for _, e := range tl.Events {
		if d := detailOf(e); e.Kind == stockbell.EventBatchDecided && detailInt(d, "batch_id") == batch {
			decision, at = d.text("decision"), e.CreatedAt
		}
	}
	if decision == "discarded" {
		for _, m := range tl.Messages {
			if m.Status == stockbell.MessageSkipped && stockbell.SkipReason(m.Error) == stockbell.SkipDiscarded {
				return decision, at, true
			}
		}
		return "", time.Time{}, false
	}
	for _, e := range tl.Events {
		if d := detailOf(e); e.Kind == stockbell.EventNotified && d["approved"] == true && detailInt(d, "batch_id") == batch {
			return decision, at, decision != ""
		}
	}
	return "", time.Time{}, false
}

// describeBatchDecision: the merchant approved or discarded a batch of a
// manual flow.
func describeBatchDecision(d detail) timelineEntry {
	id, n := strconv.FormatInt(detailInt(d, "batch_id"), 10), int(detailInt(d, "messages"))
	if d.text("decision") == "discarded" {
		return timelineEntry{What: "Batch " + id + " discarded", Tone: "info", Why: "You discarded it: its " + plural(n, "message") + " will not be sent."}
	}
	were := " were"
	if n == 1 {
		were = " was"
	}
	return timelineEntry{What: "Batch " + id + " approved", Tone: "info", Why: "You approved it: its " + plural(n, "message") + were + " queued for sending."}
}

// describeBatch says how a batch was sized and whether she was in it.
func describeBatch(d detail, herBatches map[int64]bool, tl *stockbell.SubscriberTimeline) timelineEntry {
	id := detailInt(d, "batch_id")
	entry := timelineEntry{What: "Batch " + strconv.FormatInt(id, 10) + " started", Tone: "info"}
	if d.text("size") == "everyone" {
		entry.Why = "Sized for everyone waiting (customers per unit is 0)."
	} else {
		size, stock, per := detailInt(d, "size"), detailInt(d, "stock"), detailInt(d, "per_unit")
		entry.Why = fmt.Sprintf("Sized from stock: %d × %d per unit = the oldest %d.", stock, per, size)
	}
	switch {
	case herBatches[id]:
		entry.Why += " This subscriber was in this batch."
		entry.Tone = "good"
	case len(herBatches) == 0 && tl.Subscription.Status == stockbell.SubscriptionQueued:
		entry.Why += " This subscriber was further back in line."
		entry.Tone = "wait"
	default:
		entry.Why += " This subscriber was not in this batch."
	}
	return entry
}

// describeSkip: a decision to notify nobody (about her variant), or a
// message of hers that was not sent.
func describeSkip(e *stockbell.Event, d detail) timelineEntry {
	reason := stockbell.SkipReason(d.text("reason"))
	if e.SubscriptionID != nil {
		entry := timelineEntry{What: "Message " + strconv.FormatInt(detailInt(d, "step"), 10) + " (" + channelName(stockbell.Channel(d.text("channel"))) + ") not sent",
			Tone: "bad", Why: "Because " + skipReasonText(string(reason)) + "."}
		if d["requeued"] == true {
			entry.Why += " Told nothing, the subscriber went back in the queue in their place."
		}
		return entry
	}
	why := "Because " + skipReasonText(string(reason))
	switch reason {
	case stockbell.SkipBelowMinimum:
		why = fmt.Sprintf("Stock was %s, below the minimum inventory of %s.", plural(int(detailInt(d, "stock")), "unit"),
			plural(int(detailInt(d, "min_inventory")), "unit"))
	case stockbell.SkipWaitingPeriod:
		if until, ok := d.time("waiting_until"); ok {
			why = "A wait between batches was running until " + formatDateTime(until) + "; stock is counted again then."
		}
	default:
		why += "."
	}
	return timelineEntry{What: "Nobody notified", Tone: "wait", Why: why}
}

// boughtFor is what a conversion's lines were bought for, as merchants
// read amounts (" for €50.00"), or nothing when its event does not say.
func boughtFor(d detail) string {
	revenue, err := stockbell.ParseAmount(d.text("revenue"))
	if err != nil {
		return ""
	}
	return " for " + moneytext.Merchant(stockbell.Money{Currency: d.text("currency"), Amount: revenue})
}
