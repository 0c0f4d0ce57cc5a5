package delivery

import (
	"encoding/binary"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ConfirmationToken is what a double opt-in link names: a confirmation,
// its shop, and when the link stops working.
type ConfirmationToken struct {
	ConfirmationID int64
	ShopID         int64
	Expires        time.Time // to the second
}

// ConfirmationToken returns the URL-safe token of a confirmation link.
func (s *Signer) ConfirmationToken(t ConfirmationToken) string {
	payload := binary.AppendUvarint(nil, uint64(t.ConfirmationID))
	payload = binary.AppendUvarint(payload, uint64(t.ShopID))
	payload = binary.AppendUvarint(payload, uint64(t.Expires.Unix()))
	return seal(s.confirmKeys[0], payload, tokenMACLength)
}

// ParseConfirmationToken verifies a confirmation token at now. Returns
// EUNAUTHORIZED for a token that is malformed, not signed with this key
// (or a previous one), or expired.
func (s *Signer) ParseConfirmationToken(token string, now time.Time) (ConfirmationToken, error) {
	payload, err := open(s.confirmKeys, token, tokenMACLength)
	if err != nil {
		return ConfirmationToken{}, err
	}
	var fields [3]uint64
	for i := range fields {
		n := 0
		if fields[i], n = binary.Uvarint(payload); n <= 0 {
			return ConfirmationToken{}, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This confirmation link is not valid.")
		}
		payload = payload[n:]
	}
	if len(payload) != 0 {
		return ConfirmationToken{}, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This confirmation link is not valid.")
	}
	t := ConfirmationToken{ConfirmationID: int64(fields[0]), ShopID: int64(fields[1]), Expires: time.Unix(int64(fields[2]), 0).UTC()}
	if !now.Before(t.Expires) {
		return ConfirmationToken{}, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This confirmation link has expired.")
	}
	return t, nil
}
