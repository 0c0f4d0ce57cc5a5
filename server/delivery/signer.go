package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"

	stockbell "github.com/stockbell/stockbell"
)

// MinKeyLength is the shortest signing key a Signer accepts.
const MinKeyLength = 32

// Lengths of the truncated MACs. An unsubscribe token carries 128 bits; a
// short link code 48 bits, enough against guessing over HTTP and short
// enough for an SMS.
const (
	tokenMACLength = 16
	codeMACLength  = 6
)

// UnsubscribeToken is what an unsubscribe link identifies: a
// subscription, its shop, and the channel of the message that carried the
// link — whose contact (the email address or the phone number) the link
// speaks for.
type UnsubscribeToken struct {
	SubscriptionID int64
	ShopID         int64
	// Channel is email or sms; empty in links made before it was recorded
	// (then the subscription's email, or its phone when it has none).
	Channel stockbell.Channel
}

// Channel codes in a token: one byte after the ids.
var channelCodes = map[stockbell.Channel]byte{stockbell.ChannelEmail: 'e', stockbell.ChannelSMS: 's'}

// Signer makes and verifies the signed tokens of unsubscribe and
// confirmation links, of the unsubscribe page's Undo button and the signed codes of short links (HMAC-SHA256,
// compared in constant time). Each uses its own key derived from the one
// given. Previous keys (of
// before a key rotation) still verify, so links already sent keep working;
// new links are signed with the current key only.
type Signer struct {
	unsubscribeKeys [][]byte // the current key's first
	linkKeys        [][]byte
	confirmKeys     [][]byte
	undoKeys        [][]byte
}

// NewSigner returns a Signer for a secret key of at least MinKeyLength
// bytes; previous keys only verify.
func NewSigner(key []byte, previous ...[]byte) (*Signer, error) {
	s := &Signer{}
	for _, k := range append([][]byte{key}, previous...) {
		if len(k) < MinKeyLength {
			return nil, stockbell.FieldErrorf("key", "The signing key must have at least %d bytes, got %d.", MinKeyLength, len(k))
		}
		s.unsubscribeKeys = append(s.unsubscribeKeys, derive(k, "unsubscribe"))
		s.linkKeys = append(s.linkKeys, derive(k, "short link"))
		s.confirmKeys = append(s.confirmKeys, derive(k, "confirmation"))
		s.undoKeys = append(s.undoKeys, derive(k, "unsubscribe undo"))
	}
	return s, nil
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("stockbell delivery: " + purpose))
	return m.Sum(nil)
}

// UnsubscribeToken returns the URL-safe token of a subscription's
// unsubscribe link.
func (s *Signer) UnsubscribeToken(t UnsubscribeToken) string {
	payload := binary.AppendUvarint(nil, uint64(t.SubscriptionID))
	payload = binary.AppendUvarint(payload, uint64(t.ShopID))
	if code, ok := channelCodes[t.Channel]; ok {
		payload = append(payload, code)
	}
	return seal(s.unsubscribeKeys[0], payload, tokenMACLength)
}

// ParseUnsubscribeToken verifies a token. Returns EUNAUTHORIZED for a token
// that is malformed or not signed with this key.
func (s *Signer) ParseUnsubscribeToken(token string) (UnsubscribeToken, error) {
	payload, err := open(s.unsubscribeKeys, token, tokenMACLength)
	if err != nil {
		return UnsubscribeToken{}, err
	}
	invalid := stockbell.Errorf(stockbell.EUNAUTHORIZED, "This unsubscribe link is not valid.")
	sub, n := binary.Uvarint(payload)
	shop, m := binary.Uvarint(payload[max(n, 0):])
	if n <= 0 || m <= 0 || n+m < len(payload)-1 || n+m > len(payload) {
		return UnsubscribeToken{}, invalid
	}
	t := UnsubscribeToken{SubscriptionID: int64(sub), ShopID: int64(shop)}
	if rest := payload[n+m:]; len(rest) == 1 {
		for ch, code := range channelCodes {
			if rest[0] == code {
				t.Channel = ch
			}
		}
		if t.Channel == "" {
			return UnsubscribeToken{}, invalid
		}
	}
	return t, nil
}

// LinkCode returns the short, signed code of a message's link.
func (s *Signer) LinkCode(messageID int64) string {
	return seal(s.linkKeys[0], binary.AppendUvarint(nil, uint64(messageID)), codeMACLength)
}

// ParseLinkCode returns the message id a code encodes. Returns
// EUNAUTHORIZED for a malformed or forged code.
func (s *Signer) ParseLinkCode(code string) (int64, error) {
	payload, err := open(s.linkKeys, code, codeMACLength)
	if err != nil {
		return 0, err
	}
	id, n := binary.Uvarint(payload)
	if n <= 0 || n != len(payload) {
		return 0, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This link is not valid.")
	}
	return int64(id), nil
}

// seal returns base64url(payload || HMAC(payload)[:macLength]).
func seal(key, payload []byte, macLength int) string {
	return base64.RawURLEncoding.EncodeToString(append(payload, mac(key, payload)[:macLength]...))
}

// open verifies a sealed value with any of the keys and returns its payload.
func open(keys [][]byte, sealed string, macLength int) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err == nil && len(raw) <= macLength {
		err = errors.New("too short")
	}
	if err == nil && base64.RawURLEncoding.EncodeToString(raw) != sealed {
		// The decoder skips line breaks and ignores a last character's
		// spare bits: only the one canonical spelling of a value is valid.
		err = errors.New("not canonical")
	}
	if err != nil {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This link is not valid.")
	}
	payload, sum := raw[:len(raw)-macLength], raw[len(raw)-macLength:]
	if stockbell.SignedWithAnyKey(keys, sum, func(key []byte) []byte { return mac(key, payload)[:macLength] }) {
		return payload, nil
	}
	return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This link is not valid.")
}

func mac(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return m.Sum(nil)
}
