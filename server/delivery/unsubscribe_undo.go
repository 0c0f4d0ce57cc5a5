package delivery

import (
	"context"
	"slices"

	stockbell "github.com/stockbell/stockbell"
)

// Undo restores the alerts a removal from the unsubscribe page ended, as
// its Undo button (undo, the token Remove returned) asks, and says for
// each alert what became of it. The button works for the link's contact
// and shop only: a token of another shop is not valid (EUNAUTHORIZED), one
// naming another contact's alerts is EINVALID naming "undo". Once the
// button expired nothing is restored, each alert's result being
// stockbell.UndoExpired; the store refuses an unsubscribe older than
// stockbell.UnsubscribeUndoWindow in any case.
func (u *Unsubscribes) Undo(ctx context.Context, token, undo string) ([]stockbell.UndoneAlert, error) {
	sub, contact, err := u.tokenSubscription(ctx, token)
	if err != nil {
		return nil, err
	}
	button, err := u.Signer.ParseUndoToken(undo)
	if err != nil {
		return nil, err
	}
	if button.ShopID != sub.ShopID {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This undo button is not valid.")
	}
	alerts, err := u.contactAlerts(ctx, sub, contact)
	if err != nil {
		return nil, err
	}
	named := slices.DeleteFunc(slices.Clone(alerts), func(a *stockbell.Subscription) bool { return !slices.Contains(button.SubscriptionIDs, a.ID) })
	if len(named) != len(slices.Compact(slices.Sorted(slices.Values(button.SubscriptionIDs)))) {
		return nil, stockbell.FieldErrorf("undo", "This undo button is not for these alerts.")
	}
	outcomes, err := u.restore(ctx, sub.ShopID, button)
	if err != nil {
		return nil, err
	}
	undone := make([]stockbell.UndoneAlert, 0, len(named))
	for _, a := range named {
		undone = append(undone, stockbell.UndoneAlert{ContactAlert: u.contactAlert(ctx, a), Result: outcomes[a.ID]})
	}
	return undone, nil
}

// restore asks the store to restore the button's alerts, unless the
// button expired, and returns each alert's result by id.
func (u *Unsubscribes) restore(ctx context.Context, shopID int64, button UndoToken) (map[int64]stockbell.UndoResult, error) {
	results := map[int64]stockbell.UndoResult{}
	if !u.Clock.Now().Before(button.Expires) {
		for _, id := range button.SubscriptionIDs {
			results[id] = stockbell.UndoExpired
		}
		return results, nil
	}
	outcomes, err := u.Subscriptions.UndoRemoval(ctx, shopID, button.SubscriptionIDs, button.Started, button.Issued())
	for _, o := range outcomes {
		results[o.SubscriptionID] = o.Result
	}
	return results, err
}
