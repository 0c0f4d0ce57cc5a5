package stockbell

import "time"

// UnsubscribeUndoWindow is how long an unsubscribe made from a message's
// link can be undone: long enough to come back to the page after a
// mistaken click or a change of mind the same day, short enough that an
// old page left open restores nothing the shopper has forgotten about.
const UnsubscribeUndoWindow = 24 * time.Hour

// EventResubscribed: the shopper undid an unsubscribe from the page of
// the link (detail: restored_status, the status the subscription went back
// to, and unsubscribed_at). It is not a sign-up: reports count it in no
// subscribed figure, and the unsubscribe it undid stays counted on its
// day.
const EventResubscribed EventKind = "resubscribed"

// UndoResult is what undoing an unsubscribe did for one subscription.
type UndoResult string

// Undo results.
const (
	// UndoRestored: the subscription is back as it was when it was
	// unsubscribed (queued in its place by sign-up time, pending,
	// or notified with the flow's later steps still to come).
	UndoRestored UndoResult = "restored"
	// UndoExpired: more than UnsubscribeUndoWindow passed since.
	UndoExpired UndoResult = "expired"
	// UndoSubscribedAgain: the contact signed up for the variant again
	// since; that sign-up stands.
	UndoSubscribedAgain UndoResult = "subscribed_again"
	// UndoVariantGone: the variant or its product was removed from the
	// shop's catalog.
	UndoVariantGone UndoResult = "variant_gone"
	// UndoNotUndoable: the subscription is not as an unsubscribe left it
	// (restored already, never unsubscribed, or its number replied STOP
	// since), or it was held in a manual flow's batch, whose alert the
	// unsubscribe skipped.
	UndoNotUndoable UndoResult = "not_undoable"
)

// UndoOutcome is the result of undoing the unsubscribe of one subscription.
type UndoOutcome struct {
	SubscriptionID int64
	Result         UndoResult
}

// UndoneAlert is one alert of an undone removal as the unsubscribe page
// shows it: the alert and what the undo did for it.
type UndoneAlert struct {
	ContactAlert
	Result UndoResult
}
