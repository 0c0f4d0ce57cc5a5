package oauth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	stockbell "github.com/stockbell/stockbell"
)

// sealVersion prefixes every sealed token so the format can change later.
const sealVersion byte = 1

// sealAAD binds sealed bytes to their purpose: a token sealed here cannot
// be replayed as another kind of sealed value under the same key.
var sealAAD = []byte("stockbell platform access token")

// Sealer seals platform access tokens with AES-256-GCM. The key is derived
// from the server's secret key with HKDF-SHA256; previous keys, when given,
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

// Seal encrypts and authenticates token: version byte, random nonce, ciphertext.
func (s *Sealer) Seal(token []byte) ([]byte, error) {
	aead := s.aeads[0]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(token)+aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("oauth: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], token, sealAAD), nil
}

// Open returns the token, or EUNAUTHORIZED when no known key sealed it or
// the bytes were altered.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	for _, aead := range s.aeads {
		n := aead.NonceSize()
		if len(sealed) < 1+n+aead.Overhead() || sealed[0] != sealVersion {
			break
		}
		if token, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], sealAAD); err == nil {
			return token, nil
		}
	}
	return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The sealed token cannot be opened with the configured keys.")
}
