package delivery

import (
	"encoding/binary"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// UndoToken is what the Undo button of the unsubscribe page names: the
// shop, the subscriptions a removal ended, and when the button stops
// working (stockbell.UnsubscribeUndoWindow after the removal).
type UndoToken struct {
	ShopID          int64
	Expires         time.Time // to the second
	SubscriptionIDs []int64
}

// Issued is when the removal the button undoes was made, to the second:
// an unsubscribe of its alerts recorded later is another removal, which
// the button does not undo (a replay after an undo and a second removal).
func (t UndoToken) Issued() time.Time { return t.Expires.Add(-stockbell.UnsubscribeUndoWindow) }

// UndoToken returns the URL-safe token of an Undo button:
// base64url(uvarint(shop id) ‖ uvarint(expiry, Unix seconds) ‖
// uvarint(subscription id)… ‖ HMAC-SHA256[:16]), with a key of its own.
func (s *Signer) UndoToken(t UndoToken) string {
	payload := binary.AppendUvarint(nil, uint64(t.ShopID))
	payload = binary.AppendUvarint(payload, uint64(t.Expires.Unix()))
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
	for _, id := range fields[2:] {
		t.SubscriptionIDs = append(t.SubscriptionIDs, int64(id))
	}
	return t, nil
}
