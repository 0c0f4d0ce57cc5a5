package stockbell

import "crypto/hmac"

// SignedWithAnyKey reports whether sum is the MAC that macUnder computes
// under one of keys, each compared in constant time. Keys come current
// first, then those of before a key rotation, which still verify so that
// links already sent keep working; only the current key signs.
func SignedWithAnyKey(keys [][]byte, sum []byte, macUnder func(key []byte) []byte) bool {
	for _, key := range keys {
		if hmac.Equal(sum, macUnder(key)) {
			return true
		}
	}
	return false
}
