package oauth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strconv"

	stockbell "github.com/stockbell/stockbell"
)

// Versions of the sealed format, the first byte of every sealed token.
const (
	// sealUnbound (1) authenticated the purpose only. Such tokens are no
	// longer opened; Reseal turns them into sealBound ones.
	sealUnbound byte = 1
	// sealBound (2) authenticates the purpose and the shop's id: a token
	// copied into another shop's row does not open there.
	sealBound byte = 2
)

// sealPurpose binds sealed bytes to their purpose: a token sealed here
// cannot be replayed as another kind of sealed value under the same key.
const sealPurpose = "stockbell platform access token"

// boundAAD is the associated data of a token sealed for a shop.
func boundAAD(shopID int64) []byte {
	return []byte(sealPurpose + "\x00shop:" + strconv.FormatInt(shopID, 10))
}

// Sealer seals platform access tokens with AES-256-GCM, bound to the shop
// they belong to (its id is the associated data). The key is derived from
// the server's secret key with HKDF-SHA256; previous keys, when given,
// still open tokens sealed before a key rotation.
type Sealer struct {
	aeads []cipher.AEAD
}

var _ stockbell.TokenSealer = (*Sealer)(nil)

// MinKeyLen is the shortest secret key a Sealer accepts, in bytes.
const MinKeyLen = 32

// NewSealer returns a sealer for the secret key; previous keys only open.
func NewSealer(key []byte, previous ...[]byte) (*Sealer, error) {
	s := &Sealer{}
	for i, k := range append([][]byte{key}, previous...) {
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("oauth: sealing key %d is %d bytes, want at least %d", i, len(k), MinKeyLen)
		}
		aead, err := newAEAD(k)
		if err != nil {
			return nil, err
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

func newAEAD(secret []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, "stockbell token sealing v1", 32)
	if err != nil {
		return nil, fmt.Errorf("oauth: derive sealing key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	return cipher.NewGCM(block)
}

// Seal encrypts and authenticates the shop's token with the current key:
// version byte, random nonce, ciphertext.
func (s *Sealer) Seal(shopID int64, token []byte) ([]byte, error) {
	aead := s.aeads[0]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(token)+aead.Overhead())
	out[0] = sealBound
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("oauth: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], token, boundAAD(shopID)), nil
}

// Open returns the shop's token, or EUNAUTHORIZED when no known key sealed
// it for that shop or the bytes were altered.
func (s *Sealer) Open(shopID int64, sealed []byte) ([]byte, error) {
	token, _, err := s.open(sealed, sealBound, boundAAD(shopID))
	return token, err
}

// Reseal returns the token sealed with the current key and bound to the
// shop, and whether that differs from what was stored: a token sealed with
// a previous key, or in the unbound format, is resealed; one already sealed
// with the current key for the shop is returned as it is. EUNAUTHORIZED
// when no known key opens it.
func (s *Sealer) Reseal(shopID int64, sealed []byte) ([]byte, bool, error) {
	if len(sealed) > 0 && sealed[0] == sealUnbound {
		token, _, err := s.open(sealed, sealUnbound, []byte(sealPurpose))
		if err != nil {
			return nil, false, err
		}
		out, err := s.Seal(shopID, token)
		return out, err == nil, err
	}
	token, keyIndex, err := s.open(sealed, sealBound, boundAAD(shopID))
	if err != nil || keyIndex == 0 {
		return sealed, false, err
	}
	out, err := s.Seal(shopID, token)
	return out, err == nil, err
}

// open tries every key and returns the token and the index of the key
// that opened it.
func (s *Sealer) open(sealed []byte, version byte, aad []byte) ([]byte, int, error) {
	for i, aead := range s.aeads {
		n := aead.NonceSize()
		if len(sealed) < 1+n+aead.Overhead() || sealed[0] != version {
			break
		}
		if token, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], aad); err == nil {
			return token, i, nil
		}
	}
	return nil, 0, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The sealed token cannot be opened with the configured keys for this shop.")
}
