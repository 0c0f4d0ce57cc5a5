package stockbell

import (
	"strings"
	"testing"
	"time"
)

// The fixed vector was computed outside Go, with
//
//	printf '%s' "1767225600.$body" | openssl dgst -sha256 -hmac hush-module-secret
//
// and matches PHP's hash_hmac('sha256', "1767225600.$body", 'hush-module-secret').
const (
	vectorSecret = "hush-module-secret"
	vectorUnix   = 1767225600 // 2026-01-01T00:00:00Z
	vectorBody   = `{"sku":"TSHIRT-S","qty":3,"is_in_stock":true,"source":"default","updated_at":"2026-01-01 00:00:00"}`
	vectorHeader = "t=1767225600,v1=8a416227c44ac6534dc8ff4498ffe8c52d40ebb365b78bea9de424a48514e2a8"
)

var vectorTime = time.Unix(vectorUnix, 0).UTC()

func TestSignModulePostVector(t *testing.T) {
	if got := SignModulePost(vectorSecret, vectorTime, []byte(vectorBody)); got != vectorHeader {
		t.Fatalf("SignModulePost = %q, want %q", got, vectorHeader)
	}
}

func TestVerifyModulePostAcceptsVector(t *testing.T) {
	for _, header := range []string{
		vectorHeader,
		"v1=8a416227c44ac6534dc8ff4498ffe8c52d40ebb365b78bea9de424a48514e2a8,t=1767225600",
		"t=1767225600,v1=" + strings.Repeat("00", 32) + ",v1=8a416227c44ac6534dc8ff4498ffe8c52d40ebb365b78bea9de424a48514e2a8",
		"t=1767225600,v2=whatever,v1=8A416227C44AC6534DC8FF4498FFE8C52D40EBB365B78BEA9DE424A48514E2A8",
	} {
		if err := VerifyModulePost(header, []byte(vectorBody), vectorSecret, vectorTime); err != nil {
			t.Errorf("VerifyModulePost(%q) = %v, want nil", header, err)
		}
	}
}

func TestVerifyModulePostWindow(t *testing.T) {
	for _, c := range []struct {
		name string
		now  time.Duration // Stockbell's clock minus the signed time
		ok   bool
	}{
		{"just signed", 0, true},
		{"five minutes old", 5 * time.Minute, true},
		{"five minutes ahead", -5 * time.Minute, true},
		{"a second past five minutes old", 5*time.Minute + time.Second, false},
		{"a second past five minutes ahead", -5*time.Minute - time.Second, false},
		{"a day old", 24 * time.Hour, false},
	} {
		err := VerifyModulePost(vectorHeader, []byte(vectorBody), vectorSecret, vectorTime.Add(c.now))
		if (err == nil) != c.ok {
			t.Errorf("%s: VerifyModulePost = %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && ErrorCode(err) != EUNAUTHORIZED {
			t.Errorf("%s: code %q, want %q", c.name, ErrorCode(err), EUNAUTHORIZED)
		}
	}
}

func TestVerifyModulePostRefuses(t *testing.T) {
	body := []byte(vectorBody)
	mac := "8a416227c44ac6534dc8ff4498ffe8c52d40ebb365b78bea9de424a48514e2a8"
	for _, c := range []struct {
		name, header, secret, body, want string
	}{
		{"no header", "", vectorSecret, vectorBody, "missing"},
		{"wrong secret", vectorHeader, "another-secret", vectorBody, "does not match"},
		{"empty secret", SignModulePost("", vectorTime, body), "", vectorBody, "does not match"},
		{"body changed", vectorHeader, vectorSecret, strings.Replace(vectorBody, `"qty":3`, `"qty":30`, 1), "does not match"},
		{"timestamp changed", "t=1767225601,v1=" + mac, vectorSecret, vectorBody, "does not match"},
		{"timestamp respelt", "t=01767225600,v1=" + mac, vectorSecret, vectorBody, "does not match"},
		{"no timestamp", "v1=" + mac, vectorSecret, vectorBody, "no t= timestamp"},
		{"no signature", "t=1767225600", vectorSecret, vectorBody, "no v1= signature"},
		{"two timestamps", "t=1767225600,t=1767225600,v1=" + mac, vectorSecret, vectorBody, "more than once"},
		{"negative timestamp", "t=-1767225600,v1=" + mac, vectorSecret, vectorBody, "whole Unix seconds"},
		{"fractional timestamp", "t=1767225600.5,v1=" + mac, vectorSecret, vectorBody, "whole Unix seconds"},
		{"short signature", "t=1767225600,v1=" + mac[:62], vectorSecret, vectorBody, "64 hex digits"},
		{"base64 signature", "t=1767225600,v1=ikFiJ8RKxlNNyP9EmP/oxS1A67Nlt4vqneQkpIUU4qg=", vectorSecret, vectorBody, "64 hex digits"},
		{"spaces", "t=1767225600, v1=" + mac, vectorSecret, vectorBody, "no v1= signature"},
		{"not key=value", "t=1767225600,v1", vectorSecret, vectorBody, "not key=value"},
	} {
		err := VerifyModulePost(c.header, []byte(c.body), c.secret, vectorTime)
		if err == nil {
			t.Errorf("%s: VerifyModulePost(%q) accepted", c.name, c.header)
			continue
		}
		if ErrorCode(err) != EUNAUTHORIZED || !strings.Contains(ErrorMessage(err), c.want) {
			t.Errorf("%s: VerifyModulePost(%q) = %v, want unauthorized mentioning %q", c.name, c.header, err, c.want)
		}
	}
}

func TestVerifyModulePostRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	body := []byte(`{"sku":"MUG","qty":0,"is_in_stock":false}`)
	header := SignModulePost("s3cret", now, body)
	if err := VerifyModulePost(header, body, "s3cret", now.Add(time.Minute)); err != nil {
		t.Fatalf("round trip: %v", err)
	}
}
