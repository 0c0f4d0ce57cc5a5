package outbound

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// secretBytes is the size of a signing key: 192 bits, shown as 32 base64
// characters after whsec_.
const secretBytes = 24

// NewSecret returns a fresh signing key and the secret shown to the
// merchant: "whsec_" and the key in base64.
func NewSecret() (key []byte, shown string) {
	key = make([]byte, secretBytes)
	rand.Read(key)
	return key, FormatSecret(key)
}

// FormatSecret shows a signing key as the specification does: whsec_ and
// its standard base64.
func FormatSecret(key []byte) string {
	return stockbell.WebhookSecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret reads a whsec_ secret back into its key. Returns EINVALID.
func ParseSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, stockbell.WebhookSecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, stockbell.FieldErrorf("secret", "A signing secret is whsec_ and base64.")
	}
	return key, nil
}

// Sign returns the webhook-signature header of a message: "v1," and the
// base64 HMAC-SHA256, under key, of "msgID.timestamp.body".
func Sign(key []byte, msgID string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify reports whether a webhook-signature header (one or more
// space-separated signatures, as during a secret's rotation) holds a v1
// signature of the message under key, compared in constant time. It is
// what a receiver does; tests use it to check what was sent.
func Verify(key []byte, msgID string, timestamp int64, body []byte, header string) bool {
	want := Sign(key, msgID, timestamp, body)
	for _, sig := range strings.Fields(header) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}
