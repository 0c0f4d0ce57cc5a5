package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestDevelopmentOnlyOnLoopback: without STOCKBELL_ENV, a public URL off
// loopback means production (which wants a key); development on such a
// URL is refused, so development's defaults never reach the internet.
func TestDevelopmentOnlyOnLoopback(t *testing.T) {
	for _, c := range []struct {
		vars    map[string]string
		env     string
		setting string // the setting an error names, "" for none
	}{
		{map[string]string{}, "development", ""},
		{map[string]string{"STOCKBELL_PUBLIC_URL": "http://localhost:8080"}, "development", ""},
		{map[string]string{"STOCKBELL_PUBLIC_URL": "http://127.0.0.1:9000"}, "development", ""},
		{map[string]string{"STOCKBELL_PUBLIC_URL": "http://[::1]:9000"}, "development", ""},
		{map[string]string{"STOCKBELL_PUBLIC_URL": "http://shop.localhost"}, "development", ""},
		{map[string]string{"STOCKBELL_PUBLIC_URL": "https://app.example.com"}, "production", "STOCKBELL_SECRET_KEY"},
		{map[string]string{"SHOPIFY_APP_URL": "https://tunnel.trycloudflare.com"}, "production", "STOCKBELL_SECRET_KEY"},
		{map[string]string{"STOCKBELL_PUBLIC_URL": "http://10.0.0.5:8080", "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32)}, "production", "STOCKBELL_PUBLIC_URL"},
		{map[string]string{"STOCKBELL_PUBLIC_URL": "http://localhost.example.com", "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32)}, "production", "STOCKBELL_PUBLIC_URL"},
		{map[string]string{"STOCKBELL_PUBLIC_URL": "https://app.example.com", "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32)}, "production", ""},
		{map[string]string{"STOCKBELL_ENV": "development", "STOCKBELL_PUBLIC_URL": "https://app.example.com"}, "", "STOCKBELL_ENV"},
	} {
		cfg, err := loadConfig(&cliEnv{getenv: testEnv(t, c.vars)})
		switch {
		case c.setting == "" && err != nil:
			t.Errorf("%v: %v", c.vars, err)
		case c.setting != "" && (err == nil || !strings.HasPrefix(err.Error(), c.setting+":")):
			t.Errorf("%v: error %v, want one naming %s", c.vars, err, c.setting)
		case err == nil && cfg.Env != c.env:
			t.Errorf("%v: env %s, want %s", c.vars, cfg.Env, c.env)
		}
	}
}

// TestKeyFileChecks: a development key file readable by others, or too
// short, is refused with a message naming the file.
func TestKeyFileChecks(t *testing.T) {
	for _, c := range []struct {
		name, content string
		mode          os.FileMode
		want          string
	}{
		{"readable by others", strings.Repeat("ab", 32), 0o644, "readable by others"},
		{"readable by the group", strings.Repeat("ab", 32), 0o640, "readable by others"},
		{"short", strings.Repeat("ab", 16), 0o600, "at least 32 bytes"},
		{"not hex", strings.Repeat("zz", 32), 0o600, "at least 32 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "secret.key")
			noErr(t, os.WriteFile(path, []byte(c.content), c.mode))
			noErr(t, os.Chmod(path, c.mode))
			_, err := loadConfig(&cliEnv{getenv: testEnv(t, map[string]string{"STOCKBELL_DATA_DIR": dir})})
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one naming %s and saying %q", err, path, c.want)
			}
		})
	}
	t.Run("generated, then read again", func(t *testing.T) {
		dir := t.TempDir()
		env := &cliEnv{getenv: testEnv(t, map[string]string{"STOCKBELL_DATA_DIR": dir})}
		first, err := loadConfig(env)
		noErr(t, err)
		info, err := os.Stat(filepath.Join(dir, "secret.key"))
		noErr(t, err)
		if info.Mode().Perm() != 0o600 || len(first.SecretKey) < 32 {
			t.Fatalf("generated key file mode %04o, key of %d bytes", info.Mode().Perm(), len(first.SecretKey))
		}
		again, err := loadConfig(env)
		noErr(t, err)
		if string(again.SecretKey) != string(first.SecretKey) {
			t.Fatal("the key file written at the first start is not the key of the next")
		}
	})
}

func TestPreviousSecretKey(t *testing.T) {
	key := strings.Repeat("ab", 32)
	for _, c := range []struct {
		previous, want string
	}{
		{"short", "at least 32 bytes"},
		{key, "the same as STOCKBELL_SECRET_KEY"},
	} {
		_, err := loadConfig(&cliEnv{getenv: testEnv(t, map[string]string{"STOCKBELL_SECRET_KEY": key, "STOCKBELL_SECRET_KEY_PREVIOUS": c.previous})})
		if err == nil || !strings.HasPrefix(err.Error(), "STOCKBELL_SECRET_KEY_PREVIOUS:") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("previous %q: error %v, want one naming STOCKBELL_SECRET_KEY_PREVIOUS saying %q", c.previous, err, c.want)
		}
	}
	cfg, err := loadConfig(&cliEnv{getenv: testEnv(t, map[string]string{"STOCKBELL_SECRET_KEY": key, "STOCKBELL_SECRET_KEY_PREVIOUS": strings.Repeat("cd", 32)})})
	noErr(t, err)
	if prev := cfg.PreviousSubKeys("links", 32); len(prev) != 1 || string(prev[0]) == string(cfg.SubKey("links", 32)) {
		t.Fatalf("previous sub-keys %x", prev)
	}
}

// TestReplicasStartingTogetherShareTheGeneratedKey: development servers
// and commands started at once on one data directory (replicas sharing it,
// or `stockbell migrate` beside `serve`) all use the one key the file ends
// up holding, none another it generated at the same moment, and none fails
// on a file another is still writing.
func TestReplicasStartingTogetherShareTheGeneratedKey(t *testing.T) {
	const starts = 16
	for round := range 20 {
		dir := t.TempDir()
		keys := make([]string, starts)
		errs := make([]error, starts)
		var ready, done sync.WaitGroup
		ready.Add(1)
		for i := range starts {
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Wait()
				cfg, err := loadConfig(&cliEnv{getenv: testEnv(t, map[string]string{"STOCKBELL_DATA_DIR": dir})})
				if errs[i] = err; err == nil {
					keys[i] = string(cfg.SecretKey)
				}
			}()
		}
		ready.Done()
		done.Wait()
		stored, err := developmentKey(filepath.Join(dir, "secret.key"))
		noErr(t, err)
		for i := range starts {
			if errs[i] != nil {
				t.Fatalf("round %d: start %d: %v", round, i, errs[i])
			}
			if keys[i] != string(stored) {
				t.Fatalf("round %d: start %d uses a key other than the one the file holds", round, i)
			}
		}
	}
}

// TestKeyFileWithoutHardLinks: on a filesystem without hard links (some
// network and FUSE mounts) a development start still generates its key
// file, renamed into place whole, and a second start reads the same key.
func TestKeyFileWithoutHardLinks(t *testing.T) {
	linkKeyFile = func(oldname, newname string) error {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: syscall.EPERM}
	}
	t.Cleanup(func() { linkKeyFile = os.Link })
	path := filepath.Join(t.TempDir(), "data", "secret.key")
	made, err := developmentKey(path)
	noErr(t, err)
	read, err := developmentKey(path)
	noErr(t, err)
	if string(read) != string(made) {
		t.Fatal("a second start read another key than the first generated")
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v %v, want mode 0600", info, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".secret.key-*")); len(left) != 0 {
		t.Errorf("files left beside the key: %v", left)
	}
}

// TestSecretKeyErrorsAreReportedWithTheOthers: a secret key that cannot be
// had (a development key file others may read, a data directory that is a
// file, no key in production) is
// reported together with the other wrong settings, one line (or JSON
// record) each in the order the settings are read, by serve and by the
// commands that seal platform credentials, rather than only once the
// others are fixed; and a start refused so writes no key file.
func TestSecretKeyErrorsAreReportedWithTheOthers(t *testing.T) {
	openKeyFile := func(t *testing.T) string {
		dir := t.TempDir()
		path := filepath.Join(dir, "secret.key")
		noErr(t, os.WriteFile(path, []byte(strings.Repeat("ab", 32)), 0o644))
		noErr(t, os.Chmod(path, 0o644))
		return dir
	}
	feedAdd := []string{"shop", "add", "--platform", "feed", "--domain", "shop.example.com", "--feed-url", "https://shop.example.com/feed.json"}
	notADirectory := filepath.Join(t.TempDir(), "file")
	noErr(t, os.WriteFile(notADirectory, nil, 0o600))
	for _, c := range []struct {
		name    string
		vars    map[string]string
		args    []string
		setting string // the second line's, after STOCKBELL_WORKERS
		want    string // what that line says
	}{
		{"serve, key file readable by others", map[string]string{"STOCKBELL_DATA_DIR": openKeyFile(t)}, []string{"serve"}, "STOCKBELL_SECRET_KEY", "readable by others"},
		{"shop add, key file readable by others", map[string]string{"STOCKBELL_DATA_DIR": openKeyFile(t)}, feedAdd, "STOCKBELL_SECRET_KEY", "readable by others"},
		{"serve, no key in production", map[string]string{"STOCKBELL_ENV": "production", "STOCKBELL_PUBLIC_URL": "https://app.example.com"},
			[]string{"serve"}, "STOCKBELL_SECRET_KEY", "required in production"},
		{"serve, data directory a file", map[string]string{"STOCKBELL_DATA_DIR": notADirectory}, []string{"serve"}, "STOCKBELL_DATA_DIR", "not a directory"},
	} {
		for _, format := range []string{"text", "json"} {
			t.Run(c.name+", "+format, func(t *testing.T) {
				vars := map[string]string{"STOCKBELL_WORKERS": "many", "STOCKBELL_LOG_FORMAT": format}
				for k, v := range c.vars {
					vars[k] = v
				}
				code, _, stderr := run(t, testEnv(t, vars), c.args...)
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				if code != 1 || len(lines) != 2 {
					t.Fatalf("exit %d, want 1 and 2 lines (STOCKBELL_WORKERS, then %s), got %q", code, c.setting, stderr)
				}
				for i, setting := range []string{"STOCKBELL_WORKERS", c.setting} {
					if got := lineSetting(t, format, lines[i]); got != setting {
						t.Errorf("line %d: %q, want the error of %s", i+1, lines[i], setting)
					}
				}
				if !strings.Contains(lines[1], c.want) {
					t.Errorf("the line of %s %q does not say %q", c.setting, lines[1], c.want)
				}
			})
		}
	}
	t.Run("no key file written by a refused start", func(t *testing.T) {
		dir := t.TempDir()
		code, _, stderr := run(t, testEnv(t, map[string]string{"STOCKBELL_DATA_DIR": dir, "STOCKBELL_WORKERS": "many"}), "serve")
		if code != 1 {
			t.Fatalf("exit %d, want 1: %s", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "secret.key")); !os.IsNotExist(err) {
			t.Errorf("a start refused for STOCKBELL_WORKERS left a key file (%v)", err)
		}
	})
}

// lineSetting is the setting a command's error line names: the text
// line's "error: SETTING: …", or the JSON record's setting field.
func lineSetting(t *testing.T, format, line string) string {
	t.Helper()
	if format == "json" {
		var record struct{ Level, Setting string }
		if err := json.Unmarshal([]byte(line), &record); err != nil || record.Level != "ERROR" {
			t.Errorf("%q is not an ERROR record", line)
		}
		return record.Setting
	}
	setting, _, _ := strings.Cut(strings.TrimPrefix(line, "error: "), ":")
	return setting
}

// TestBothWrongSecretKeysAreReported: a current and a previous secret key
// that are both too short are reported together, one line each, by every
// command (migrate among them), rather than the previous key's only once
// the current one is fixed.
func TestBothWrongSecretKeysAreReported(t *testing.T) {
	for _, command := range []string{"serve", "migrate"} {
		code, _, stderr := run(t, testEnv(t, map[string]string{"STOCKBELL_SECRET_KEY": "short", "STOCKBELL_SECRET_KEY_PREVIOUS": "also short"}), command)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 1 || len(lines) != 2 {
			t.Fatalf("%s: exit %d, want 1 and 2 lines, got %q", command, code, stderr)
		}
		for i, setting := range []string{"STOCKBELL_SECRET_KEY", "STOCKBELL_SECRET_KEY_PREVIOUS"} {
			if got := lineSetting(t, "text", lines[i]); got != setting {
				t.Errorf("%s: line %d: %q, want the error of %s", command, i+1, lines[i], setting)
			}
		}
	}
}
