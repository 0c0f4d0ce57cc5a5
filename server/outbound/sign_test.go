package outbound_test

import (
	"testing"

	"github.com/stockbell/stockbell/server/outbound"
)

// The Standard Webhooks specification's test vector.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignatureMatchesTheSpecificationsVector(t *testing.T) {
	key, err := outbound.ParseSecret(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := outbound.Sign(key, vectorID, vectorTimestamp, []byte(vectorBody)); got != vectorSignature {
		t.Fatalf("Sign = %s, want %s", got, vectorSignature)
	}
	if outbound.FormatSecret(key) != vectorSecret {
		t.Fatalf("FormatSecret = %s", outbound.FormatSecret(key))
	}
	if !outbound.Verify(key, vectorID, vectorTimestamp, []byte(vectorBody), "v1,bm90IHRoaXM= "+vectorSignature) {
		t.Fatal("a header with a rotated-out signature and the right one does not verify")
	}
	for name, body := range map[string]string{"body changed": `{"test": 2432232315}`} {
		if outbound.Verify(key, vectorID, vectorTimestamp, []byte(body), vectorSignature) {
			t.Errorf("%s: verified", name)
		}
	}
	if outbound.Verify(key, vectorID, vectorTimestamp+1, []byte(vectorBody), vectorSignature) {
		t.Error("another timestamp verified")
	}
}

func TestNewSecretsDiffer(t *testing.T) {
	a, shownA := outbound.NewSecret()
	b, _ := outbound.NewSecret()
	if string(a) == string(b) || len(a) != 24 || len(shownA) != len(vectorSecret) {
		t.Fatalf("secrets: %x %x %q", a, b, shownA)
	}
}
