package delivery

import (
	"encoding/binary"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// UndoToken is what the Undo button of the unsubscribe page names: the
// shop, the subscriptions a removal ended, when the button stops
// working (stockbell.UnsubscribeUndoWindow after the removal) and when the
// removal started.
type UndoToken struct {
	ShopID          int64
	Expires         time.Time // to the second
	SubscriptionIDs []int64
	// Started is when the removal began, to the microsecond (what both
	// databases keep), after it read the contact's alerts: an alert
	// unsubscribed before then was not ended by it. Zero in a button
	// made before buttons named it, which undoes as it did then.
	Started time.Time
}

// startedMarker stands where a subscription id would in a token that
// names its removal's start (ids start at 1): the start follows it.
const startedMarker = 0

// Issued is when the removal the button undoes was made, to the second:
// an unsubscribe of its alerts recorded later is another removal, which
// the button does not undo (a replay after an undo and a second removal).
func (t UndoToken) Issued() time.Time { return t.Expires.Add(-stockbell.UnsubscribeUndoWindow) }

// UndoToken returns the URL-safe token of an Undo button:
// base64url(uvarint(shop id) ‖ uvarint(expiry, Unix seconds) ‖
// [uvarint(0) ‖ uvarint(start, Unix microseconds)] ‖
// uvarint(subscription id)… ‖ HMAC-SHA256[:16]), with a key of its own.
// The start is left out when zero.
func (s *Signer) UndoToken(t UndoToken) string {
	payload := binary.AppendUvarint(nil, uint64(t.ShopID))
	payload = binary.AppendUvarint(payload, uint64(t.Expires.Unix()))
	if !t.Started.IsZero() {
		payload = binary.AppendUvarint(payload, startedMarker)
		payload = binary.AppendUvarint(payload, uint64(t.Started.UnixMicro()))
	}
	for _, id := range t.SubscriptionIDs {
		payload = binary.AppendUvarint(payload, uint64(id))
	}
	return seal(s.undoKeys[0], payload, tokenMACLength)
}

// ParseUndoToken verifies an Undo token. Returns EUNAUTHORIZED for a
// token that is malformed or not signed with this key (or a previous one).
// An expired token is returned as it is, so that the page can say it
// expired rather than that it is not valid.
func (s *Signer) ParseUndoToken(token string) (UndoToken, error) {
	payload, err := open(s.undoKeys, token, tokenMACLength)
	if err != nil {
		return UndoToken{}, err
	}
	var fields []uint64
	for len(payload) > 0 {
		v, n := binary.Uvarint(payload)
		if n <= 0 {
			return UndoToken{}, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This undo button is not valid.")
		}
		fields, payload = append(fields, v), payload[n:]
	}
	if len(fields) < 3 {
		return UndoToken{}, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This undo button is not valid.")
	}
	t := UndoToken{ShopID: int64(fields[0]), Expires: time.Unix(int64(fields[1]), 0).UTC()}
	ids := fields[2:]
	if ids[0] == startedMarker {
		if len(ids) < 3 {
			return UndoToken{}, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This undo button is not valid.")
		}
		t.Started, ids = time.UnixMicro(int64(ids[1])).UTC(), ids[2:]
	}
	for _, id := range ids {
		t.SubscriptionIDs = append(t.SubscriptionIDs, int64(id))
	}
	return t, nil
}
