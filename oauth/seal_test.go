package oauth_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/oauth"
)

func TestSealer(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte("o"), 32), bytes.Repeat([]byte("n"), 32)
	old, err := oauth.NewSealer(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := old.Seal(7, []byte("shpat_secret"))
	if bytes.Contains(sealed, []byte("shpat_secret")) {
		t.Fatal("sealed bytes contain the token in clear")
	}
	rotated, _ := oauth.NewSealer(newKey, oldKey)
	if got, err := rotated.Open(7, sealed); err != nil || string(got) != "shpat_secret" {
		t.Fatalf("open after rotation = %q, %v", got, err)
	}
	altered := bytes.Clone(sealed)
	altered[len(altered)-1] ^= 1
	if _, err := rotated.Open(7, altered); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		t.Fatalf("open of altered bytes = %v, want EUNAUTHORIZED", err)
	}
	fresh, _ := oauth.NewSealer(newKey)
	other, _ := fresh.Seal(7, []byte("x"))
	if _, err := old.Open(7, other); err == nil {
		t.Fatal("a token sealed with another key opened")
	}
	if _, err := oauth.NewSealer([]byte("short")); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
}

// TestSealedTokenIsBoundToItsShop: a token sealed for one shop, copied into
// another shop's row, does not open there (the shop id is authenticated).
func TestSealedTokenIsBoundToItsShop(t *testing.T) {
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("k"), 32))
	sealed, _ := sealer.Seal(1, []byte("shpat_of_shop_1"))
	if _, err := sealer.Open(2, sealed); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		t.Fatalf("shop 1's token opened for shop 2: %v", err)
	}
	if _, _, err := sealer.Reseal(2, sealed); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		t.Fatalf("shop 1's token resealed for shop 2: %v", err)
	}
	if got, err := sealer.Open(1, sealed); err != nil || string(got) != "shpat_of_shop_1" {
		t.Fatalf("open for its own shop = %q, %v", got, err)
	}
}

// TestReseal: a token sealed with the previous key, or in the format
// before tokens were bound to their shop, is resealed with the current key
// for its shop; one already sealed so is left as it is.
func TestReseal(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte("o"), 32), bytes.Repeat([]byte("n"), 32)
	old, _ := oauth.NewSealer(oldKey)
	rotated, _ := oauth.NewSealer(newKey, oldKey)
	current, _ := oauth.NewSealer(newKey)
	underOld, _ := old.Seal(3, []byte("tok"))
	resealed, changed, err := rotated.Reseal(3, underOld)
	if err != nil || !changed {
		t.Fatalf("reseal of a previous key's token: changed %v, %v", changed, err)
	}
	if got, err := current.Open(3, resealed); err != nil || string(got) != "tok" {
		t.Fatalf("the resealed token does not open with the current key alone: %q, %v", got, err)
	}
	if again, changed, err := rotated.Reseal(3, resealed); err != nil || changed || !bytes.Equal(again, resealed) {
		t.Fatalf("resealing a current token changed it (%v, %v)", changed, err)
	}
	unbound := unboundSeal(t, oldKey, "legacy")
	if _, err := rotated.Open(3, unbound); err == nil {
		t.Fatal("a token in the unbound format opened without being resealed")
	}
	bound, changed, err := rotated.Reseal(3, unbound)
	if got, openErr := current.Open(3, bound); err != nil || !changed || openErr != nil || string(got) != "legacy" {
		t.Fatalf("reseal of an unbound token: %q changed %v, %v, %v", got, changed, err, openErr)
	}
}

// unboundSeal seals as Stockbell did before tokens were bound to their
// shop: version 1, the purpose alone as associated data.
func unboundSeal(t *testing.T, secret []byte, token string) []byte {
	key, err := hkdf.Key(sha256.New, secret, nil, "stockbell token sealing v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	out := make([]byte, 1+aead.NonceSize())
	out[0] = 1
	rand.Read(out[1:])
	return aead.Seal(out, out[1:], []byte(token), []byte("stockbell platform access token"))
}
