package magento_test

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"golang.org/x/net/html"
)

// phpOrSkip returns the php binary; without it the test is skipped, or
// fails under CI=true (CI installs php-cli).
func phpOrSkip(t *testing.T) string {
	t.Helper()
	php, err := exec.LookPath("php")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("php is not installed (apt-get install php-cli)")
		}
		t.Skip("php is not installed")
	}
	return php
}

// moduleFiles lists the module's files with one of the suffixes.
func moduleFiles(t *testing.T, suffixes ...string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("module", func(path string, d os.DirEntry, err error) error {
		for _, s := range suffixes {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, s) {
				files = append(files, path)
			}
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no %v files in module/: %v", suffixes, err)
	}
	return files
}

// Every PHP file and template of the Magento module passes php -l.
func TestModulePHPLint(t *testing.T) {
	php := phpOrSkip(t)
	files := moduleFiles(t, ".php", ".phtml")
	for _, f := range files {
		if out, err := exec.Command(php, "-l", f).CombinedOutput(); err != nil {
			t.Errorf("php -l %s: %v\n%s", f, err, out)
		}
	}
	if len(files) < 10 {
		t.Errorf("only %d PHP files linted: %v", len(files), files)
	}
}

// Every XML file of the module is well-formed.
func TestModuleXMLWellFormed(t *testing.T) {
	for _, f := range moduleFiles(t, ".xml") {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(strings.NewReader(string(raw)))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Errorf("%s: %v", f, err)
				break
			}
		}
	}
}

// The module's own signer (Model/Signer.php, run through
// testdata/sign.php) makes the signature Stockbell's verifier accepts: the
// fixed vector, and a fresh post.
func TestModuleSignerMatchesVerifier(t *testing.T) {
	php := phpOrSkip(t)
	sign := func(secret string, at time.Time, body string) string {
		cmd := exec.Command(php, "testdata/sign.php", secret, strconv.FormatInt(at.Unix(), 10))
		cmd.Stdin = strings.NewReader(body)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("php testdata/sign.php: %v", err)
		}
		return string(out)
	}
	vector := `{"sku":"TSHIRT-S","qty":3,"is_in_stock":true,"source":"default","updated_at":"2026-01-01 00:00:00"}`
	vectorAt := time.Unix(1767225600, 0)
	if got, want := sign("hush-module-secret", vectorAt, vector), stockbell.SignModulePost("hush-module-secret", vectorAt, []byte(vector)); got != want {
		t.Fatalf("the module signs the vector %q, Stockbell %q", got, want)
	}
	now := time.Now()
	body := `{"shop":"shop.example.com","sku":"MUG/ÉTÉ \"2\"","qty":1.5,"is_in_stock":true,"source":"eu-1"}`
	header := sign("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", now, body)
	if err := stockbell.VerifyModulePost(header, []byte(body), "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", now); err != nil {
		t.Fatalf("Stockbell refuses the module's signature %q: %v", header, err)
	}
}

// A post Stockbell never acknowledges is sent 48 times in all, as the
// guide says (the first post and 47 re-sends by the cron, run through
// testdata/retry.php), pausing 1, 4, 9… minutes and at most an hour.
func TestModuleDropsAPostAfter48Attempts(t *testing.T) {
	php := phpOrSkip(t)
	out, err := exec.Command(php, "testdata/retry.php").Output()
	if err != nil {
		t.Fatalf("php testdata/retry.php: %v", err)
	}
	var pauses []string
	var sent string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if p, ok := strings.CutPrefix(line, "pause "); ok {
			pauses = append(pauses, p)
		}
		if n, ok := strings.CutPrefix(line, "sent "); ok {
			sent = n
		}
	}
	if sent != "48" {
		t.Errorf("the post was sent %s times, want 48", sent)
	}
	if len(pauses) < 8 || strings.Join(pauses[:3], " ") != "4 9 16" || pauses[7] != "60" || pauses[len(pauses)-1] != "60" {
		t.Errorf("pauses after the first minute = %v, want 4, 9, 16… minutes, at most an hour", pauses)
	}
}

// The product page's marker (marker.phtml, run through testdata/marker.php)
// names the product in data-stockbell-name, escaped for HTML, for a simple
// and a configurable product alike: the snippet puts the name in the
// button's accessible name.
func TestMarkerNamesTheProduct(t *testing.T) {
	php := phpOrSkip(t)
	const name = `Pull "Nord" <laine> & co d'été`
	for _, kind := range []string{"simple", "configurable"} {
		out, err := exec.Command(php, "testdata/marker.php", kind, name).Output()
		if err != nil {
			t.Fatalf("php testdata/marker.php %s: %v", kind, err)
		}
		doc, err := html.Parse(strings.NewReader(string(out)))
		if err != nil {
			t.Fatal(err)
		}
		got, found := markerAttr(doc, "data-stockbell-name")
		if !found || got != name {
			t.Errorf("%s product: data-stockbell-name %q (printed: %v), want %q\n%s", kind, got, found, name, out)
		}
	}
}

// markerAttr returns an attribute of the first element carrying
// data-stockbell-variant, and whether it has it.
func markerAttr(n *html.Node, key string) (string, bool) {
	if n.Type == html.ElementNode && slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "data-stockbell-variant" }) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if v, ok := markerAttr(c, key); ok {
			return v, ok
		}
	}
	return "", false
}

// The snippet's tag (snippet.phtml, through testdata/page.php) names the
// store as Stockbell does: its host without its scheme's default port,
// which browsers never write in an Origin, and with any other port.
func TestSnippetTagNamesTheStoreWithoutItsDefaultPort(t *testing.T) {
	php := phpOrSkip(t)
	for base, want := range map[string]string{
		"https://Magento.example:443/":  "magento.example",
		"http://magento.example:80/":    "magento.example",
		"https://magento.example/":      "magento.example",
		"https://magento.example:8443/": "magento.example:8443",
		"http://magento.example:443/":   "magento.example:443",
	} {
		out, err := exec.Command(php, "testdata/page.php", base, "https://stockbell.example", "TEE", "Tee").Output()
		if err != nil {
			t.Fatalf("php testdata/page.php %s: %v\n%s", base, err, out)
		}
		if tag := `data-shop="` + want + `"`; !strings.Contains(string(out), tag) {
			t.Errorf("store at %s: the tag does not carry %s\n%s", base, tag, out)
		}
	}
}
