package delivery_test

import "testing"

// TestLinkCodeLengths: a short link's code (docs/delivery.md, "Short
// links") is the message id as a varint and a 48-bit MAC in base64url, so
// its length grows with the id: 10 characters below 128, 11 below 16,384,
// 12 below 2,097,152, 14 below 268,435,456, 15 below 2^35. An SMS counts
// every character.
func TestLinkCodeLengths(t *testing.T) {
	signer := newSigner(t)
	for _, c := range []struct {
		id     int64
		length int
	}{
		{1, 10}, {127, 10}, {128, 11}, {16383, 11}, {16384, 12}, {2097151, 12},
		{2097152, 14}, {268435455, 14}, {268435456, 15}, {1<<35 - 1, 15},
	} {
		if code := signer.LinkCode(c.id); len(code) != c.length {
			t.Errorf("message %d: code %q has %d characters, want %d", c.id, code, len(code), c.length)
		}
	}
}
