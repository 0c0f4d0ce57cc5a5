package stockbell

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// FuzzVerifyModulePost: whatever header and body a module's post carries,
// the check never panics and answers nil or EUNAUTHORIZED; it accepts a
// header only when one of its v1 parts is the body's signature with the
// secret; a post signed now verifies, and fails once its body changes.
func FuzzVerifyModulePost(f *testing.F) {
	now := time.Unix(1767225600, 0)
	f.Add(SignModulePost("hush", now, []byte(`{"sku":"A"}`)), []byte(`{"sku":"A"}`), "hush", []byte("x"))
	f.Add("t=1767225600,v1=00,v0=zz", []byte{}, "", []byte{})
	f.Add("v1="+strings.Repeat("ab", 32)+",t=9999999999999", []byte("b"), "s", []byte("y"))
	f.Fuzz(func(t *testing.T, header string, body []byte, secret string, extra []byte) {
		err := VerifyModulePost(header, body, secret, now)
		if err != nil && ErrorCode(err) != EUNAUTHORIZED {
			t.Fatalf("error %v is not EUNAUTHORIZED", err)
		}
		if err == nil && (secret == "" || !strings.Contains(strings.ToLower(header), "v1="+bodyMAC(t, header, secret, body))) {
			t.Fatalf("accepted header %q for body %q", header, body)
		}
		if secret == "" {
			return
		}
		signed := SignModulePost(secret, now, body)
		if err := VerifyModulePost(signed, body, secret, now); err != nil {
			t.Fatalf("a post signed now was refused: %v", err)
		}
		if err := VerifyModulePost(signed, append(append([]byte{}, body...), append(extra, '!')...), secret, now); err == nil {
			t.Fatal("a post verified after its body changed")
		}
	})
}

// bodyMAC is the hex MAC of the body with the secret under the header's
// t= digits as sent (the check accepted the header, so it has them).
func bodyMAC(t *testing.T, header, secret string, body []byte) string {
	sig, err := parseModuleSignature(header)
	if err != nil {
		t.Fatalf("accepted a header that does not parse: %v", err)
	}
	return hex.EncodeToString(moduleMAC(secret, sig.timestamp, body))
}
