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
		return describeHeld(e, d, tl)
	case stockbell.EventNotified:
		return describeNotified(e, d, tl)
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
// sign-up before she confirmed it; who did, when the removal recorded it.
func describeRemoved(d detail) timelineEntry {
	by := "Removed in the admin (who removed them was not recorded)"
	if who := removerWords(d); who != "" {
		by = "Removed in the admin by " + who
	}
	entry := timelineEntry{What: "Removed from the queue", Tone: "bad", Why: by + "."}
	if batch := detailInt(d, "batch_id"); batch != 0 {
		entry.What = "Removed from batch " + strconv.FormatInt(batch, 10)
		entry.Why = by + " before the batch was approved: their alert was not sent."
	} else if d.text("previous_status") == string(stockbell.SubscriptionPending) {
		entry.What = "Sign-up removed"
		entry.Why = by + " before the shopper confirmed: confirming now does not put them in the queue."
	}
	return entry
}

// describeNotified: she was notified, as her batch started or when the
// merchant approved it (who did, when the approval recorded it).
func describeNotified(e *stockbell.Event, d detail, tl *stockbell.SubscriberTimeline) timelineEntry {
	channel := channelName(stockbell.Channel(d.text("channel")))
	entry := timelineEntry{What: "Notified in batch " + strconv.FormatInt(detailInt(d, "batch_id"), 10), Tone: "good",
		Why: "Among the oldest in line; the first message (" + channel + ") was prepared."}
	if d["approved"] == true {
		entry.Why = "The batch was approved; the first message (" + channel + ") was queued for sending."
		if who := decisionMaker(batchDecisionAfter(tl, detailInt(d, "batch_id"), "approved", e.ID)); who != "" {
			entry.Why = "Approved by " + who + "; the first message (" + channel + ") was queued for sending."
		}
	}
	return entry
}

// describeHeld: her first message waits in a batch for the merchant's
// approval, or waited until the merchant approved or discarded the batch
// with her in it, which the line then says, with when and by whom; or it
// left the batch unsent (she was removed from it, or unsubscribed).
func describeHeld(e *stockbell.Event, d detail, tl *stockbell.SubscriberTimeline) timelineEntry {
	batch := detailInt(d, "batch_id")
	entry := timelineEntry{What: "Held for your approval in batch " + strconv.FormatInt(batch, 10), Tone: "wait"}
	prepared := "Among the oldest in line; the first message (" + channelName(stockbell.Channel(d.text("channel"))) + ") was prepared and "
	outcome, ok := heldBatchDecision(tl, batch, detailInt(d, "message_id"))
	switch {
	case ok && outcome.decision == "discarded":
		entry.What, entry.Tone = entry.What+", then discarded", "bad"
		entry.Why = prepared + "held for your approval (the flow is manual). " + outcome.words("Discarded") + ": their alert was not sent."
	case ok:
		entry.What, entry.Tone = entry.What+", then approved", "good"
		entry.Why = prepared + "held for your approval (the flow is manual). " + outcome.words("Approved") + ": their alert was queued for sending."
	case outcome.skipped != "":
		entry.Tone = "bad"
		entry.Why = prepared + "held for your approval (the flow is manual), then not sent, because " + skipReasonText(outcome.skipped) + "."
	default:
		entry.Why = prepared + "waits for your approval (the flow is manual). Not notified yet."
	}
	return entry
}

// heldOutcome is what became of her held message in one batch: the
// merchant's decision that applied to it (when, by whom), or the reason
// it was skipped otherwise (removed, unsubscribed).
type heldOutcome struct {
	decision string
	at       time.Time
	by       stockbell.AdminUser
	skipped  string
}

// words says "Discarded by ana@example.com on …", naming no one when the
// decision's record does not.
func (o heldOutcome) words(verb string) string {
	if who := deciderWords(o.by); who != "" {
		verb += " by " + who
	}
	return verb + " on " + formatDateTime(o.at)
}

// heldBatchDecision returns the merchant's decision on her batch when it
// applied to her, that batch's own held message (messageID, named by her
// held event): discarded, that message was skipped as discarded;
// approved, she was notified in the batch by its approval. A message of
// hers in another batch, or a decision made after she left the batch
// (removed, unsubscribed), does not count. The decision's batch_decided
// event, written in the same transaction after her own event, gives who
// and when; without it (outside the timeline) her own event gives when.
func heldBatchDecision(tl *stockbell.SubscriberTimeline, batch, messageID int64) (heldOutcome, bool) {
	for _, e := range tl.Events {
		d := detailOf(e)
		switch {
		case e.SubscriptionID == nil:
		case e.Kind == stockbell.EventNotified && d["approved"] == true && detailInt(d, "batch_id") == batch:
			return decisionOutcome(tl, batch, "approved", e), true
		case e.Kind != stockbell.EventSkipped || messageID == 0 || detailInt(d, "message_id") != messageID:
		case d.text("reason") == string(stockbell.SkipDiscarded):
			return decisionOutcome(tl, batch, "discarded", e), true
		default:
			return heldOutcome{skipped: d.text("reason")}, false
		}
	}
	return heldOutcome{}, false
}

// decisionOutcome is the decision on batch that her own event (the skip
// of her message, or her notification) records the effect of.
func decisionOutcome(tl *stockbell.SubscriberTimeline, batch int64, decision string, hers *stockbell.Event) heldOutcome {
	o := heldOutcome{decision: decision, at: hers.CreatedAt}
	if e := batchDecisionAfter(tl, batch, decision, hers.ID); e != nil {
		o.at, o.by = e.CreatedAt, decidedBy(detailOf(e))
	}
	return o
}

// batchDecisionAfter is the first batch_decided event of the timeline
// that records the decision on batch after the event afterID (the
// decision's own transaction writes it last), or nil.
func batchDecisionAfter(tl *stockbell.SubscriberTimeline, batch int64, decision string, afterID int64) *stockbell.Event {
	var first *stockbell.Event
	for _, e := range tl.Events {
		d := detailOf(e)
		if e.Kind == stockbell.EventBatchDecided && e.ID > afterID && detailInt(d, "batch_id") == batch &&
			d.text("decision") == decision && (first == nil || e.ID < first.ID) {
			first = e
		}
	}
	return first
}

// decisionMaker names who made a batch_decided event's decision; "" for
// no event, or one that names no one.
func decisionMaker(e *stockbell.Event) string {
	if e == nil {
		return ""
	}
	return deciderWords(decidedBy(detailOf(e)))
}

// describeBatchDecision: the merchant approved or discarded a batch of a
// manual flow; who did, when the decision recorded it (a decision
// recorded before Stockbell kept who decided names no one).
func describeBatchDecision(d detail) timelineEntry {
	id, n := strconv.FormatInt(detailInt(d, "batch_id"), 10), int(detailInt(d, "messages"))
	verb, how, result := "approved", "Approved", " queued for sending."
	if n == 1 {
		result = " was" + result
	} else {
		result = " were" + result
	}
	if d.text("decision") == "discarded" {
		verb, how, result = "discarded", "Discarded", " will not be sent."
	}
	entry := timelineEntry{What: "Batch " + id + " " + verb, Tone: "info",
		Why: how + " in the admin (who " + verb + " it was not recorded): its " + plural(n, "message") + result}
	if who := deciderWords(decidedBy(d)); who != "" {
		entry.What += " by " + who
		entry.Why = how + " in the admin: its " + plural(n, "message") + result
	}
	return entry
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
