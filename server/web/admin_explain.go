package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

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
	d, on := detailOf(e), formatDateTime(e.CreatedAt)+byRemover(detailOf(e))
	if batch := detailInt(d, "batch_id"); batch != 0 {
		return "Already removed from batch " + strconv.FormatInt(batch, 10) + " on " + on + ": their alert will not be sent. Nothing was changed."
	}
	if d.text("previous_status") == string(stockbell.SubscriptionPending) {
		return "Sign-up already removed on " + on + ", before the shopper confirmed it. Nothing was changed."
	}
	return "Already removed from the queue on " + on + ". Nothing was changed."
}

// byRemover is " by ana@example.com", who removed the subscriber, or
// nothing when the removal's record names no one.
func byRemover(d detail) string {
	if who := removerWords(d); who != "" {
		return " by " + who
	}
	return ""
}

// explainRemoved: taken out of a batch, out of waiting for their
// confirmation, or out of the queue, on the date of the removal's event,
// the record of it: the batch they were held in ("batch_id") and the
// status they had ("previous_status"). Without that event in the
// timeline, the subscription's last change dates it.
func explainRemoved(tl *stockbell.SubscriberTimeline) (answer, more string) {
	d, on := detail{}, formatDateTime(tl.Subscription.UpdatedAt)
	if e := removalEvent(tl); e != nil {
		d, on = detailOf(e), formatDateTime(e.CreatedAt)+byRemover(detailOf(e))
	}
	if batch := detailInt(d, "batch_id"); batch != 0 {
		return "Removed from batch " + strconv.FormatInt(batch, 10) + " on " + on + ", before the batch was approved.",
			"Their alert was not sent; nothing is sent to this subscriber about this item."
	}
	if d.text("previous_status") == string(stockbell.SubscriptionPending) {
		return "Sign-up removed on " + on + ", before the shopper confirmed it.",
			"Confirming now (by the link, or a YES reply to the text) does not put them in the queue; nothing is sent to this subscriber about this item."
	}
	return "Removed from the queue on " + on + ".", "Nothing is sent to this subscriber about this item."
}

// explainDiscarded: not notified, as the batch that held her last was
// discarded, by whom and when its decision records; a decision recorded
// before Stockbell kept who decided names no one.
func explainDiscarded(tl *stockbell.SubscriberTimeline) string {
	outcome := heldOutcome{at: tl.Subscription.UpdatedAt}
	for i := len(tl.Events) - 1; i >= 0; i-- {
		if e := tl.Events[i]; e.Kind == stockbell.EventHeld && e.SubscriptionID != nil {
			d := detailOf(e)
			if o, ok := heldBatchDecision(tl, detailInt(d, "batch_id"), detailInt(d, "message_id")); ok {
				outcome = o
			}
			break
		}
	}
	if who := deciderWords(outcome.by); who != "" {
		return "Not notified: " + who + " discarded their batch's alert on " + formatDateTime(outcome.at) + "."
	}
	return "Not notified: their batch's alert was discarded on " + formatDateTime(outcome.at) + "."
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
		return explainNotified(tl, settings, now)
	case stockbell.SubscriptionHeld:
		return "Not notified yet: in a batch waiting for your approval since " + formatDateTime(heldSince(tl)) + " (the flow is manual).",
			"Approve the batch on the Flow page to send the alert, or discard it (or remove this subscriber alone from it, below): then nothing is sent to this subscriber about this item."
	case stockbell.SubscriptionDiscarded:
		return explainDiscarded(tl), "Nothing is sent to this subscriber about this item."
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

// explainNotified describes what her first message became: a text held
// for her quiet hours says so, and until when.
func explainNotified(tl *stockbell.SubscriberTimeline, settings *stockbell.RestockSettings, now time.Time) (string, string) {
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
		if words := heldWords(settings, m, now); words != "" {
			return "Notified on " + when + ": the " + by + " is held for quiet hours.", words + "; it is sent then, nothing else to do."
		}
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

// settingsChangeWords lists what a settings_changed event changed.
func settingsChangeWords(d detail) string {
	names := map[string]string{"min_inventory": "minimum inventory", "per_unit": "customers per unit", "wait": "wait between batches",
		"attribution_window": "attribution window", "time_zone": "time zone",
		"quiet_hours_start": "quiet hours start", "quiet_hours_end": "quiet hours end"}
	var parts []string
	for _, key := range []string{"min_inventory", "per_unit", "wait", "attribution_window", "time_zone", "quiet_hours_start", "quiet_hours_end"} {
		if pair, ok := d[key].([]any); ok && len(pair) == 2 {
			parts = append(parts, fmt.Sprintf("%s %s → %s", names[key], settingWords(pair[0]), settingWords(pair[1])))
		}
	}
	for _, toggle := range []struct{ key, name string }{{"email_double_opt_in", "email double opt-in"}, {"quiet_hours", "SMS quiet hours"}} {
		if pair, ok := d[toggle.key].([]any); ok && len(pair) == 2 {
			parts = append(parts, toggle.name+" turned "+map[bool]string{true: "on", false: "off"}[pair[1] == true])
		}
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
