package stockbell

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// How platform modules sign what they post.
//
// Platforms without inventory webhooks of their own (Magento 2,
// PrestaShop) run a small Stockbell module that posts each stock change to
// Stockbell. Every post carries one header:
//
//	X-Stockbell-Signature: t=<unix seconds>,v1=<hex>
//
// where <hex> is the hex HMAC-SHA256 (lowercase; either case verifies), keyed with the shop's
// module secret (its bytes as the merchant pasted them), of the decimal
// timestamp, a full stop and the raw body bytes: HMAC(secret, "<t>." +
// body). The header's parts are comma-separated key=value pairs in any
// order, without spaces; t appears once; v1 may appear more than once (any
// one matching is enough, so a secret can be rotated); other keys are
// ignored, so a later scheme can be added beside v1.
//
// A post whose timestamp is more than ModuleSignatureTolerance away from
// Stockbell's clock, in either direction, is refused as a replay. This is
// the one place Stockbell's clock meets a platform's: it bounds how long a
// captured post stays usable, and never orders stock changes.

// ModuleSignatureHeader is the header a module's post carries its
// signature in.
const ModuleSignatureHeader = "X-Stockbell-Signature"

// ModuleSignatureTolerance is how far a post's timestamp may be from now,
// either way, before the post is refused as a replay.
const ModuleSignatureTolerance = 5 * time.Minute

// moduleSignatureScheme is the one signature scheme posts carry today.
const moduleSignatureScheme = "v1"

// SignModulePost returns the X-Stockbell-Signature header value for body
// posted at timestamp, signed with secret. Tests and tools use it to post
// as a module would.
func SignModulePost(secret string, timestamp time.Time, body []byte) string {
	t := strconv.FormatInt(timestamp.Unix(), 10)
	return "t=" + t + "," + moduleSignatureScheme + "=" + hex.EncodeToString(moduleMAC(secret, t, body))
}

// VerifyModulePost checks the X-Stockbell-Signature header value of a
// module's post against its raw body and the shop's secret, at now. It
// returns an EUNAUTHORIZED *Error saying what is wrong: a missing or
// malformed header, no matching signature, or a timestamp outside
// ModuleSignatureTolerance. An empty secret never verifies.
func VerifyModulePost(header string, body []byte, secret string, now time.Time) error {
	parsed, err := parseModuleSignature(header)
	if err != nil {
		return err
	}
	if secret == "" || !parsed.matches(secret, body) {
		return Errorf(EUNAUTHORIZED, "The %s header does not match the body and the shop's module secret.", ModuleSignatureHeader)
	}
	return checkModuleTimestamp(parsed.unix, now)
}

// moduleSignature is a parsed X-Stockbell-Signature header.
type moduleSignature struct {
	timestamp string // as sent: the MAC covers these exact digits
	unix      int64
	macs      [][]byte
}

// parseModuleSignature splits the header into its timestamp and v1 MACs.
func parseModuleSignature(header string) (moduleSignature, error) {
	var sig moduleSignature
	if header == "" {
		return sig, Errorf(EUNAUTHORIZED, "The %s header is missing.", ModuleSignatureHeader)
	}
	for _, part := range strings.Split(header, ",") {
		if err := sig.add(part); err != nil {
			return sig, err
		}
	}
	switch {
	case sig.timestamp == "":
		return sig, malformedModuleSignature("it has no t= timestamp")
	case len(sig.macs) == 0:
		return sig, malformedModuleSignature("it has no v1= signature")
	}
	return sig, nil
}

// add records one key=value part of the header.
func (sig *moduleSignature) add(part string) error {
	key, value, ok := strings.Cut(part, "=")
	if !ok {
		return malformedModuleSignature("a part is not key=value")
	}
	switch key {
	case "t":
		return sig.setTimestamp(value)
	case moduleSignatureScheme:
		mac, err := hex.DecodeString(value)
		if err != nil || len(mac) != sha256.Size {
			return malformedModuleSignature("v1 is not 64 hex digits")
		}
		sig.macs = append(sig.macs, mac)
	}
	return nil
}

func (sig *moduleSignature) setTimestamp(value string) error {
	if sig.timestamp != "" {
		return malformedModuleSignature("t appears more than once")
	}
	if value == "" || len(value) > 12 || strings.TrimLeft(value, "0123456789") != "" {
		return malformedModuleSignature("t is not whole Unix seconds")
	}
	unix, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return malformedModuleSignature("t is not whole Unix seconds")
	}
	sig.timestamp, sig.unix = value, unix
	return nil
}

// matches reports whether any v1 MAC is the body's, compared in constant
// time.
func (sig moduleSignature) matches(secret string, body []byte) bool {
	want := moduleMAC(secret, sig.timestamp, body)
	found := false
	for _, mac := range sig.macs {
		if hmac.Equal(mac, want) {
			found = true
		}
	}
	return found
}

// checkModuleTimestamp refuses a signed time too far from now.
func checkModuleTimestamp(unix int64, now time.Time) error {
	skew := now.Sub(time.Unix(unix, 0))
	if skew > ModuleSignatureTolerance {
		return Errorf(EUNAUTHORIZED, "The post was signed %s ago, more than the %s allowed; it is refused as a replay.", skew.Truncate(time.Second), ModuleSignatureTolerance)
	}
	if skew < -ModuleSignatureTolerance {
		return Errorf(EUNAUTHORIZED, "The post was signed %s ahead of Stockbell's clock, more than the %s allowed; check the store's clock.", (-skew).Truncate(time.Second), ModuleSignatureTolerance)
	}
	return nil
}

func moduleMAC(secret, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

func malformedModuleSignature(why string) *Error {
	return Errorf(EUNAUTHORIZED, "The %s header is malformed: %s (expected t=<unix seconds>,v1=<hex HMAC-SHA256>).", ModuleSignatureHeader, why)
}
