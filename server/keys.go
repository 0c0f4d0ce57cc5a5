package main

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// minSecretKeyLen is the shortest secret key accepted, in bytes.
const minSecretKeyLen = 32

// LoadSecretKey sets c.SecretKey from STOCKBELL_SECRET_KEY (hex, base64 or
// text of at least 32 bytes) and c.PreviousSecretKey from
// STOCKBELL_SECRET_KEY_PREVIOUS. In development a missing key is generated
// once and kept in the data directory, so cookies and sealed tokens survive
// a restart; in production a missing key refuses to start.
func (c *Config) LoadSecretKey(getenv func(string) string) error {
	current, previous, err := setKeys(getenv)
	if err != nil {
		return err
	}
	if err := c.loadCurrentKey(current); err != nil {
		return err
	}
	if previous != nil && bytes.Equal(previous, c.SecretKey) {
		return errSameKeys
	}
	c.PreviousSecretKey = previous
	return nil
}

// errSameKeys refuses a previous key that is the current one.
var errSameKeys = &configError{"STOCKBELL_SECRET_KEY_PREVIOUS", "is the same as STOCKBELL_SECRET_KEY: give the key before the rotation"}

// checkSetKeys refuses, for every command, a secret key that is set but
// could not be used, even where the command uses none (migrate, backup):
// a migration job run with the servers' environment then fails as they
// would, rather than succeed before they refuse to start.
func (c *Config) checkSetKeys(getenv func(string) string) error {
	_, _, err := setKeys(getenv)
	return err
}

// setKeys decodes the secret keys that are set (nil when unset): each must
// hold at least 32 bytes, and the previous key must not be the current one.
func setKeys(getenv func(string) string) (current, previous []byte, err error) {
	if raw := getenv("STOCKBELL_SECRET_KEY"); raw != "" {
		if current = decodeKey(raw); len(current) < minSecretKeyLen {
			return nil, nil, &configError{"STOCKBELL_SECRET_KEY", fmt.Sprintf("must be at least %d bytes (try: openssl rand -hex 32)", minSecretKeyLen)}
		}
	}
	if raw := getenv("STOCKBELL_SECRET_KEY_PREVIOUS"); raw != "" {
		if previous = decodeKey(raw); len(previous) < minSecretKeyLen {
			return nil, nil, &configError{"STOCKBELL_SECRET_KEY_PREVIOUS", fmt.Sprintf("must be at least %d bytes, like the key it was", minSecretKeyLen)}
		}
	}
	if previous != nil && bytes.Equal(previous, current) {
		return nil, nil, errSameKeys
	}
	return current, previous, nil
}

// loadCurrentKey sets c.SecretKey to the key set, or else, in development
// only, to the data directory's generated key.
func (c *Config) loadCurrentKey(set []byte) error {
	if set != nil {
		c.SecretKey = set
		return nil
	}
	if !c.Development() {
		return &configError{"STOCKBELL_SECRET_KEY", "required in production (try: openssl rand -hex 32)"}
	}
	// The key file is the data directory's: a directory that cannot be
	// made is that setting's fault, not the key's.
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return &configError{"STOCKBELL_DATA_DIR", fmt.Sprintf("cannot make the directory for the development secret key: %v", err)}
	}
	key, err := developmentKey(filepath.Join(c.DataDir, "secret.key"))
	if err != nil {
		return &configError{"STOCKBELL_SECRET_KEY", err.Error()}
	}
	c.SecretKey = key
	return nil
}

func decodeKey(raw string) []byte {
	if b, err := hex.DecodeString(raw); err == nil && len(b) >= minSecretKeyLen {
		return b
	}
	if b, err := base64.StdEncoding.DecodeString(raw); err == nil && len(b) >= minSecretKeyLen {
		return b
	}
	return []byte(raw)
}

// developmentKey reads the key file, creating it with a random key first.
// A file others may read, or one holding fewer than 32 bytes of key, is
// refused with a message naming it.
func developmentKey(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		key, made := newKeyFile(path)
		if !errors.Is(made, os.ErrExist) {
			return key, made
		}
		// Another process started at the same moment on this directory
		// made the file first: its key is everyone's.
		info, err = os.Stat(path)
	}
	if err != nil {
		return nil, err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("the key file %s is readable by others (mode %04o): chmod 600 %s", path, perm, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) < minSecretKeyLen {
		return nil, fmt.Errorf("the key file %s does not hold a hex key of at least %d bytes: remove it to have a new one generated", path, minSecretKeyLen)
	}
	return key, nil
}

// newKeyFile writes a random key to path, which must not exist. The key is
// written to a file of its own first, then linked at path whole, so that
// processes starting together on one directory read no file or a whole
// key, never a half-written one, and only the first link is made: the
// others get os.ErrExist and read its key, rather than each keep its own.
func newKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	key := make([]byte, minSecretKeyLen)
	rand.Read(key)
	written, err := os.CreateTemp(filepath.Dir(path), ".secret.key-*") // mode 0600
	if err != nil {
		return nil, err
	}
	defer os.Remove(written.Name())
	_, err = written.WriteString(hex.EncodeToString(key) + "\n")
	if closeErr := written.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return nil, err
	}
	if err := linkKeyFile(written.Name(), path); errors.Is(err, os.ErrExist) {
		return nil, err
	} else if err != nil {
		// A filesystem without hard links (some network and FUSE mounts):
		// the file is renamed into place whole instead, where processes
		// starting together may each keep the key they wrote (the last
		// rename's stays in the file), as every replica needs the same
		// STOCKBELL_SECRET_KEY anyway.
		if err := os.Rename(written.Name(), path); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// linkKeyFile links a written key file at its path (a variable so that a
// test can play a filesystem without hard links).
var linkKeyFile = os.Link

// SubKey derives an independent key for one purpose (cookies, token
// sealing, unsubscribe links) so that no two uses share key material.
func (c *Config) SubKey(purpose string, length int) []byte {
	return deriveKey(c.SecretKey, purpose, length)
}

// PreviousSubKeys derives the purpose's key from the key before a
// rotation, when STOCKBELL_SECRET_KEY_PREVIOUS is set: components accept
// what it sealed or signed, and seal and sign only with SubKey's.
func (c *Config) PreviousSubKeys(purpose string, length int) [][]byte {
	if c.PreviousSecretKey == nil {
		return nil
	}
	return [][]byte{deriveKey(c.PreviousSecretKey, purpose, length)}
}

func deriveKey(secret []byte, purpose string, length int) []byte {
	key, err := hkdf.Key(sha256.New, secret, nil, "stockbell "+purpose, length)
	if err != nil {
		panic(err) // only for impossible lengths
	}
	return key
}
