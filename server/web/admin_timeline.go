package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// timelineEntry is one line of a subscriber's timeline, in the merchant's
// words: what happened, why, and how it turned out for her.
type timelineEntry struct {
	At     time.Time
	After  string // "2 hours after subscribing"
	What   string
	Why    string
	Tone   string // good, bad, wait, info (the dot's colour and the word beside it)
	ToneAs string // the tone in words, for screen readers and colour-blind readers
}

// timelineData is the subscriber page.
type timelineData struct {
	T *stockbell.SubscriberTimeline
	// Notice, when set, is the page's notice in words read from the
	// timeline (a removal posted again says what the first one did).
	Notice string
	Answer string
	Detail string
	// Held says her first message waits in a batch for approval: the
	// answer then links to the Flow page, where batches are decided.
	Held bool
	// ConfirmationFailed says a pending shopper's confirmation request
	// could not be sent: the page offers to send it again.
	ConfirmationFailed bool
	Entries            []timelineEntry
	Messages           []messageView
	Flow               *stockbell.Flow
	Settings           *stockbell.RestockSettings
}

// messageView is one of her messages with its clicks.
type messageView struct {
	*stockbell.Message
	Clicks int
	Reason string
}

// subscriberPage shows one subscriber: the answer to "why (no) email?",
// then every event about her and her variant while she waited.
func (a *Admin) subscriberPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		a.Fail(w, r, s, stockbell.Errorf(stockbell.ENOTFOUND, "No such subscriber."))
		return
	}
	tl, err := a.Subscribers.FindSubscriberTimeline(r.Context(), s.ShopID, id)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	data := &timelineData{T: tl}
	if err = a.addBatchDecisions(r.Context(), s.ShopID, tl); err == nil {
		data.Flow, err = a.Flows.FindFlow(r.Context(), s.ShopID)
	}
	if err == nil {
		data.Settings, err = a.Settings.FindSettings(r.Context(), s.ShopID)
	}
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	data.Messages = messageViews(tl, data.Settings, a.Clock.Now())
	data.Answer, data.Detail = explainSubscriber(s.Shop, tl, data.Flow, data.Settings, a.Clock.Now())
	data.Held = len(tl.Messages) > 0 && tl.Messages[0].Status == stockbell.MessageHeld
	data.ConfirmationFailed = confirmationFailed(tl)
	data.Entries = timelineEntries(tl)
	if r.URL.Query().Get("notice") == removedAlreadyNotice && tl.Subscription.Status == stockbell.SubscriptionCancelled {
		data.Notice = removedAlready(tl)
	}
	title := tl.Subscription.Email
	if title == "" {
		title = tl.Subscription.Phone
	}
	a.Render(w, r, s, http.StatusOK, "subscriber", title, data)
}

// messageViews are her messages with their clicks, and why each was not
// sent: skipped for a reason, or held for quiet hours (until when).
func messageViews(tl *stockbell.SubscriberTimeline, settings *stockbell.RestockSettings, now time.Time) []messageView {
	clicks := map[int64]int{}
	for _, c := range tl.Clicks {
		clicks[c.MessageID]++
	}
	out := make([]messageView, len(tl.Messages))
	for i, m := range tl.Messages {
		out[i] = messageView{Message: m, Clicks: clicks[m.ID], Reason: skipReasonText(m.Error)}
		if words := heldWords(settings, m, now); words != "" {
			out[i].Reason = words
		}
	}
	return out
}

// timelineEntries describes each event, and each click, oldest first.
func timelineEntries(tl *stockbell.SubscriberTimeline) []timelineEntry {
	start := tl.Subscription.CreatedAt
	her := herBatches(tl)
	var out []timelineEntry
	for _, e := range tl.Events {
		entry := describeEvent(e, detailOf(e), her, tl)
		entry.At = e.CreatedAt
		out = append(out, entry)
	}
	out = append(out, failedConfirmationEntries(tl)...)
	channels := map[int64]*stockbell.Message{}
	for _, m := range tl.Messages {
		channels[m.ID] = m
	}
	for _, c := range tl.Clicks {
		what := "Clicked the link in a message"
		if m := channels[c.MessageID]; m != nil {
			what = "Clicked the link in the " + channelName(m.Channel) + " (message " + strconv.Itoa(m.Step) + ")"
		}
		out = append(out, timelineEntry{At: c.ClickedAt, What: what, Why: "Opened the product page from the alert.", Tone: "good"})
	}
	sortEntries(out)
	for i := range out {
		out[i].After = sinceWords(out[i].At.Sub(start))
		out[i].ToneAs = map[string]string{"good": "done", "bad": "not sent", "wait": "waiting", "info": "noted"}[out[i].Tone]
	}
	return out
}

// sortEntries orders entries by time (stable: events keep their order).
func sortEntries(entries []timelineEntry) {
	for i := 1; i < len(entries); i++ {
		for j := i; j > 0 && entries[j].At.Before(entries[j-1].At); j-- {
			entries[j], entries[j-1] = entries[j-1], entries[j]
		}
	}
}

// herBatches returns the ids of the batches that took her out of the
// queue (held or notified her): several when her alert was skipped as
// sold out and she was queued again.
func herBatches(tl *stockbell.SubscriberTimeline) map[int64]bool {
	batches := map[int64]bool{}
	for _, e := range tl.Events {
		if (e.Kind == stockbell.EventNotified || e.Kind == stockbell.EventHeld) && e.SubscriptionID != nil {
			batches[detailInt(detailOf(e), "batch_id")] = true
		}
	}
	return batches
}

// detail is an event's JSON detail.
type detail map[string]any

func detailOf(e *stockbell.Event) detail {
	d := detail{}
	json.Unmarshal([]byte(e.Detail), &d)
	return d
}

func detailInt(d detail, key string) int64 {
	switch v := d[key].(type) {
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

func (d detail) text(key string) string {
	if v, ok := d[key].(string); ok {
		return v
	}
	return ""
}

func (d detail) time(key string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, d.text(key))
	return t, err == nil
}

// sinceWords writes how long after subscribing something happened. Only
// what happened within the same second is "when subscribing": a restock
// seconds later (the demo shop's first run) says so.
func sinceWords(d time.Duration) string {
	switch {
	case d < time.Second:
		return "when subscribing"
	case d < time.Minute:
		return plural(int(d/time.Second), "second") + " after subscribing"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " after subscribing"
	case d < 48*time.Hour:
		return formatDuration(d.Truncate(time.Minute)) + " after subscribing"
	}
	return plural(int(d/(24*time.Hour)), "day") + " after subscribing"
}

func channelName(c stockbell.Channel) string {
	if c == stockbell.ChannelSMS {
		return "text message"
	}
	return "email"
}
