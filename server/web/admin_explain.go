package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// skipReasons say, in the merchant's words, why nobody (or no message)
// was sent.
var skipReasons = map[stockbell.SkipReason]string{
	stockbell.SkipBelowMinimum:     "the stock was below the minimum inventory",
	stockbell.SkipWaitingPeriod:    "a wait between batches was running",
	stockbell.SkipShopUninstalled:  "Stockbell was not installed on the shop",
	stockbell.SkipProductDeleted:   "the product was deleted",
	stockbell.SkipVariantDeleted:   "the variant was removed from its product",
	stockbell.SkipProductHidden:    "the product was not published",
	stockbell.SkipFlowDraft:        "the flow was a draft",
	stockbell.SkipUnsubscribed:     "the subscriber had unsubscribed",
	stockbell.SkipOutOfStockAgain:  "the item had sold out again (this message is sent only while it is in stock)",
	stockbell.SkipSmartSending:     "smart sending: the subscriber had received another message shortly before",
	stockbell.SkipNoContact:        "the subscriber left no contact for this channel",
	stockbell.SkipStepRemoved:      "this message was removed from the flow",
	stockbell.SkipDiscarded:        "you discarded it in manual mode",
	stockbell.SkipRemoved:          "you removed the subscriber from their batch before approving it",
	stockbell.SkipSubscriptionGone: "the subscriber was no longer waiting for this item",
	stockbell.SkipSoldOutAgain:     "the item had sold out again when the wait between batches ended, so no batch followed",
}

func skipReasonText(reason string) string {
	if text, ok := skipReasons[stockbell.SkipReason(reason)]; ok {
		return text
	}
	return reason
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
		return timelineEntry{What: "Held for your approval in batch " + strconv.FormatInt(detailInt(d, "batch_id"), 10), Tone: "wait",
			Why: "Among the oldest in line; the first message (" + channelName(stockbell.Channel(d.text("channel"))) +
				") was prepared and waits for your approval (the flow is manual). Not notified yet."}
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

// removalEvent is the merchant's latest removal of a subscriber, or nil.
func removalEvent(tl *stockbell.SubscriberTimeline) *stockbell.Event {
	for i := len(tl.Events) - 1; i >= 0; i-- {
		if e := tl.Events[i]; e.Kind == stockbell.EventRemoved {
			return e
		}
	}
	return nil
}

// removedAlready is the notice after a removal of a subscriber removed
// before (a double click, a second tab): what that removal did, and when,
// read from its event.
func removedAlready(tl *stockbell.SubscriberTimeline) string {
	e := removalEvent(tl)
	if e == nil {
		return "Already removed: nothing was changed."
	}
	d, on := detailOf(e), formatDateTime(e.CreatedAt)
	if batch := detailInt(d, "batch_id"); batch != 0 {
		return "Already removed from batch " + strconv.FormatInt(batch, 10) + " on " + on + ": their alert will not be sent. Nothing was changed."
	}
	if d.text("previous_status") == string(stockbell.SubscriptionPending) {
		return "Sign-up already removed on " + on + ", before the shopper confirmed it. Nothing was changed."
	}
	return "Already removed from the queue on " + on + ". Nothing was changed."
}

// explainRemoved: taken out of a batch, out of waiting for their
// confirmation, or out of the queue, on the date of the removal's event,
// the record of it: the batch they were held in ("batch_id") and the
// status they had ("previous_status"). Without that event in the
// timeline, the subscription's last change dates it.
func explainRemoved(tl *stockbell.SubscriberTimeline) (answer, more string) {
	d, on := detail{}, formatDateTime(tl.Subscription.UpdatedAt)
	if e := removalEvent(tl); e != nil {
		d, on = detailOf(e), formatDateTime(e.CreatedAt)
	}
	if batch := detailInt(d, "batch_id"); batch != 0 {
		return "Removed from batch " + strconv.FormatInt(batch, 10) + " on " + on + ", before you approved it.",
			"Their alert was not sent; nothing is sent to this subscriber about this item."
	}
	if d.text("previous_status") == string(stockbell.SubscriptionPending) {
		return "Sign-up removed on " + on + ", before the shopper confirmed it.",
			"Confirming now (by the link, or a YES reply to the text) does not put them in the queue; nothing is sent to this subscriber about this item."
	}
	return "Removed from the queue on " + on + ".", "Nothing is sent to this subscriber about this item."
}

// explainSubscriber answers "why did this shopper (not) get an email?" in one
// sentence, with a second one of detail.
func explainSubscriber(shop *stockbell.Shop, tl *stockbell.SubscriberTimeline, flow *stockbell.Flow, settings *stockbell.RestockSettings, now time.Time) (answer, more string) {
	s := &tl.Subscription
	switch s.Status {
	case stockbell.SubscriptionUnsubscribed:
		return "Unsubscribed on " + formatDateTime(s.UpdatedAt) + ".", "Nothing more is sent to this subscriber about this item."
	case stockbell.SubscriptionCancelled:
		return explainRemoved(tl)
	case stockbell.SubscriptionNotified:
		return explainNotified(tl)
	case stockbell.SubscriptionHeld:
		return "Not notified yet: in a batch waiting for your approval since " + formatDateTime(heldSince(tl)) + " (the flow is manual).",
			"Approve the batch on the Flow page to send the alert, or discard it (or remove this subscriber alone from it, below): then nothing is sent to this subscriber about this item."
	case stockbell.SubscriptionDiscarded:
		return "Not notified: you discarded their batch's alert on " + formatDateTime(s.UpdatedAt) + ".",
			"Nothing is sent to this subscriber about this item."
	case stockbell.SubscriptionPending:
		return "Waiting for the shopper to confirm since " + formatDateTime(s.CreatedAt) + ".",
			confirmationWords(tl) + ". Until they confirm they are not in the queue, are not notified and take no place in a batch."
	}
	answer = fmt.Sprintf("Waiting: %s in line of %d for %s.", ordinal(tl.Position), tl.Queued, variantName(&tl.Variant))
	v := &tl.Variant
	switch {
	case !shop.Active():
		more = "Stockbell is not installed on the shop: nobody is notified until it is installed again."
	case v.Deleted:
		more = "The product was deleted on the platform: nobody waiting for it is notified."
	case v.VariantDeleted:
		more = "The variant was removed from the product on the platform: nobody waiting for it is notified unless the platform lists it again."
	case !v.Published:
		more = "The product is not published: nobody is notified until it is."
	case flow.Status == stockbell.FlowDraft:
		more = "The flow is a draft: nobody is notified until it is live or manual."
	case tl.WaitingUntil != nil && tl.WaitingUntil.After(now):
		more = "A wait between batches runs until " + formatDateTime(*tl.WaitingUntil) + "; stock is counted again then and the next batch sized from it."
	case v.Tracked && v.InventoryPolicy != stockbell.InventoryContinue && v.Stock < settings.MinInventory:
		more = fmt.Sprintf("Stock is %s; nobody is notified until it reaches the minimum inventory of %s.", plural(v.Stock, "unit"), plural(settings.MinInventory, "unit"))
	default:
		more = "The item is in stock: the engine is about to decide (this takes a few seconds)."
	}
	return answer, more
}

// heldSince is when her batch was held: when her first message was
// prepared.
func heldSince(tl *stockbell.SubscriberTimeline) time.Time {
	if len(tl.Messages) == 0 {
		return tl.Subscription.UpdatedAt
	}
	return tl.Messages[0].CreatedAt
}

// explainNotified describes what her first message became.
func explainNotified(tl *stockbell.SubscriberTimeline) (string, string) {
	when := formatDateTime(tl.Subscription.NotifiedAt)
	if len(tl.Messages) == 0 {
		return "Notified on " + when + ".", ""
	}
	m := tl.Messages[0]
	by := channelName(m.Channel)
	switch m.Status {
	case stockbell.MessageSent:
		return "Notified on " + when + ": the " + by + " was sent to " + m.Recipient + ".", laterSteps(tl)
	case stockbell.MessagePending:
		return "Notified on " + when + ": the " + by + " is being sent.", "It is due " + formatDateTime(m.DueAt) + "."
	case stockbell.MessageFailed:
		return "Notified on " + when + ", but the " + by + " failed.", "The provider said: " + m.Error
	}
	return "Notified on " + when + ", but the " + by + " was not sent.", "Because " + skipReasonText(m.Error) + "."
}

func laterSteps(tl *stockbell.SubscriberTimeline) string {
	if len(tl.Messages) < 2 {
		return ""
	}
	return fmt.Sprintf("%d messages in all; see each one below.", len(tl.Messages))
}

func variantName(v *stockbell.VariantWithProduct) string {
	if v.Title == "" || v.Title == "Default Title" || v.Title == v.ProductTitle {
		return v.ProductTitle
	}
	return v.ProductTitle + " – " + v.Title
}

// languageNames are the languages Stockbell's own texts are written in.
var languageNames = map[string]string{"en": "English", "fr": "French", "de": "German", "es": "Spanish"}

// languageWords is a subscriber's language for a merchant: "in English",
// "in French (fr-CA)", or the code of a language without Stockbell texts.
func languageWords(locale string) string {
	base, _, _ := strings.Cut(strings.ToLower(locale), "-")
	name, ok := languageNames[base]
	switch {
	case !ok:
		return "language " + locale
	case base == locale:
		return "in " + name
	}
	return "in " + name + " (" + locale + ")"
}

func channelList(v any) string {
	list, _ := v.([]any)
	var names []string
	for _, c := range list {
		if s, ok := c.(string); ok {
			names = append(names, channelName(stockbell.Channel(s)))
		}
	}
	if len(names) == 0 {
		return "email"
	}
	return strings.Join(names, " and ")
}

func sourceWords(source string) string {
	switch source {
	case "snippet":
		return ", with the button on the product page"
	case "":
		return ""
	}
	return " (" + source + ")"
}

func stockSource(d detail) string {
	where := d.text("location_id")
	if where == "" || where == stockbell.DefaultLocation {
		where = ""
	} else {
		where = " at location " + where
	}
	if src := d.text("source"); src != "" {
		return "Reported" + where + " by " + stockSourceName(src) + "."
	}
	return "Reported" + where + "."
}

// stockSourceNames are the stock changes' sources that are not the sync
// log's, in words.
var stockSourceNames = map[string]string{
	"shopify:inventory_levels/update": "Shopify's inventory webhook",
	"shopify:reconcile":               "Shopify stock check",
	// The catalog sync's stock changes recorded before they took its sync
	// log source, shopify:catalog.
	"shopify:catalog_sync":   "Shopify catalog sync",
	"shopify:reread":         "Shopify stock re-read",
	"shopify:refresh":        "Shopify product re-read",
	"demo:inventory/restock": "the demo shop's Simulate restock",
}

// stockSourceName is where a stock change came from, for a merchant: a
// sync or check by its sync log name ("Magento stock check"), another
// platform webhook by its platform and topic.
func stockSourceName(source string) string {
	if name, ok := stockSourceNames[source]; ok {
		return name
	}
	if name, ok := syncSourceNames[source]; ok {
		return name
	}
	platform, topic, _ := strings.Cut(source, ":")
	if p := stockbell.Platform(platform); p.Valid() && strings.Contains(topic, "/") {
		return "a " + p.Name() + " webhook (" + topic + ")"
	}
	return syncSourceName(source)
}

func providerWords(id string) string {
	if strings.HasPrefix(id, "dev-") {
		return " (the development sender: see the outbox)"
	}
	if id != "" {
		return " (id " + id + ")"
	}
	return ""
}

func waitWords(goDuration string) string {
	if d, err := time.ParseDuration(goDuration); err == nil {
		return formatDuration(d)
	}
	return goDuration
}

func orYou(who string) string {
	if who == "" {
		return "you"
	}
	return who
}

// settingsChangeWords lists what a settings_changed event changed.
func settingsChangeWords(d detail) string {
	names := map[string]string{"min_inventory": "minimum inventory", "per_unit": "customers per unit", "wait": "wait between batches",
		"attribution_window": "attribution window", "time_zone": "time zone"}
	var parts []string
	for _, key := range []string{"min_inventory", "per_unit", "wait", "attribution_window", "time_zone"} {
		if pair, ok := d[key].([]any); ok && len(pair) == 2 {
			parts = append(parts, fmt.Sprintf("%s %s → %s", names[key], settingWords(pair[0]), settingWords(pair[1])))
		}
	}
	if pair, ok := d["email_double_opt_in"].([]any); ok && len(pair) == 2 {
		parts = append(parts, "email double opt-in turned "+map[bool]string{true: "on", false: "off"}[pair[1] == true])
	}
	if status := d.text("flow_status"); status != "" {
		parts = append(parts, fmt.Sprintf("the flow is now %s with %d message(s)", status, detailInt(d, "flow_steps")))
	}
	if len(parts) == 0 {
		return "The shop's settings changed."
	}
	return "Changed: " + strings.Join(parts, "; ") + "."
}

// settingWords writes a setting's value as recorded: a duration (stored as
// Go writes one, 1h30m0s) in words, a number or a time zone as it is.
func settingWords(v any) string {
	switch v := v.(type) {
	case string:
		return waitWords(v)
	case float64: // a JSON number: 1000000, not 1e+06
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// ordinal writes 1st, 2nd, 3rd, 4th, 11th, 21st…
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return formatNumber(n) + suffix
}
