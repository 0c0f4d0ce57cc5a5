package stockbell

import (
	"bytes"
	"testing"
)

func TestSignedWithAnyKey(t *testing.T) {
	current, previous, other := []byte("current"), []byte("previous"), []byte("other")
	macUnder := func(key []byte) []byte { return append(bytes.Clone(key), '!') }
	keys := [][]byte{current, previous}
	for _, key := range keys {
		if !SignedWithAnyKey(keys, macUnder(key), macUnder) {
			t.Errorf("a MAC under %q did not verify", key)
		}
	}
	if SignedWithAnyKey(keys, macUnder(other), macUnder) {
		t.Error("a MAC under a key not given verified")
	}
	if SignedWithAnyKey(nil, macUnder(current), macUnder) {
		t.Error("a MAC verified with no keys")
	}
}
