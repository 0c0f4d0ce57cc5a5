package web

import (
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// confirmWhere names where a pending subscriber is asked to confirm a
// channel, and how.
func confirmWhere(ch stockbell.Channel) string {
	if ch == stockbell.ChannelSMS {
		return "phone (reply YES or tap its link)"
	}
	return "email (its link)"
}

// awaitedChannels are the channels a pending subscriber has still to
// confirm, texts first.
func awaitedChannels(tl *stockbell.SubscriberTimeline) []stockbell.Channel {
	var out []stockbell.Channel
	for _, ch := range []stockbell.Channel{stockbell.ChannelSMS, stockbell.ChannelEmail} {
		if tl.Subscription.Awaiting.Has(ch) {
			out = append(out, ch)
		}
	}
	return out
}

// openConfirmation is the latest confirmation asked of the channel and not
// given, or nil.
func openConfirmation(tl *stockbell.SubscriberTimeline, ch stockbell.Channel) *stockbell.Confirmation {
	var c *stockbell.Confirmation
	for _, each := range tl.Confirmations {
		if each.Channel == ch && each.ConfirmedAt == nil {
			c = each
		}
	}
	return c
}

// confirmationFailed reports whether a pending subscriber's request to
// confirm a channel could not be sent: the page then offers to send it
// again.
func confirmationFailed(tl *stockbell.SubscriberTimeline) bool {
	if tl.Subscription.Status != stockbell.SubscriptionPending {
		return false
	}
	for _, ch := range awaitedChannels(tl) {
		if c := openConfirmation(tl, ch); c != nil && c.SentAt == nil && c.FailedAt != nil {
			return true
		}
	}
	return false
}

// confirmationWords says, for each channel a pending subscriber has still
// to confirm, whether its request was sent (and when), could not be sent
// (when, and the provider's reason) or has not been sent yet, as the
// store records it.
func confirmationWords(tl *stockbell.SubscriberTimeline) string {
	var out []string
	for _, ch := range awaitedChannels(tl) {
		c := openConfirmation(tl, ch)
		switch {
		case c == nil:
			out = append(out, "No confirmation request to their "+confirmWhere(ch)+" is recorded")
		case c.SentAt != nil:
			out = append(out, "A confirmation request was sent to their "+confirmWhere(ch)+" on "+formatDateTime(*c.SentAt))
		case c.FailedAt != nil:
			out = append(out, "The confirmation request to their "+confirmWhere(ch)+" could not be sent on "+formatDateTime(*c.FailedAt)+
				": "+strings.TrimRight(c.Failure, ". "))
		default:
			out = append(out, "The confirmation request to their "+confirmWhere(ch)+" has not been sent yet (it was queued on "+
				formatDateTime(c.RequestedAt)+")")
		}
	}
	return strings.Join(out, "; ")
}

// failedConfirmationEntries are the timeline's entries of the confirmation
// requests that could not be sent: no event records them, their rows do
// (a request queued again clears its failure, and its entry with it).
func failedConfirmationEntries(tl *stockbell.SubscriberTimeline) []timelineEntry {
	var out []timelineEntry
	for _, c := range tl.Confirmations {
		if c.FailedAt == nil {
			continue
		}
		entry := timelineEntry{At: *c.FailedAt, Tone: "bad", What: "The confirmation request by " + channelName(c.Channel) + " could not be sent"}
		if reason := strings.TrimRight(c.Failure, ". "); reason != "" {
			entry.Why = reason + "."
		}
		out = append(out, entry)
	}
	return out
}
