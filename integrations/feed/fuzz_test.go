package feed_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
)

// FuzzParse: whatever a feed serves, as JSON or XML, the parser never
// panics; it fails only with a *DocumentError, and every item it emits has
// a unique id within the limits, valid UTF-8 text within the limits and a
// quantity in range; every item listed is either emitted or counted
// rejected.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"reference.json", "reference.xml", "bad-items.json", "bad-items.xml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, strings.HasSuffix(name, ".xml"))
	}
	f.Add([]byte(`[{"id":"a","inventory_quantity":"7"},{"id":"a","inventory_quantity":1}]`), false)
	f.Add([]byte(`<Products><Product><id>x</id><inventory_quantity>-1</inventory_quantity></Product>`), true)
	f.Add([]byte(`[`), false)
	f.Fuzz(func(t *testing.T, doc []byte, xml bool) {
		format := feed.JSON
		if xml {
			format = feed.XML
		}
		seen := map[string]bool{}
		emitted := 0
		result, err := feed.Parse(strings.NewReader(string(doc)), format, func(item stockbell.FeedItem) error {
			emitted++
			checkFeedItem(t, item, seen)
			return nil
		})
		if err != nil {
			docErr, ok := errors.AsType[*feed.DocumentError](err)
			if !ok {
				t.Fatalf("error %v is not a *DocumentError", err)
			}
			checkLineOfByte(t, docErr.Reason, doc)
			return
		}
		if result.Items != result.Valid+result.Rejected || emitted != result.Valid {
			t.Fatalf("%d items listed, %d valid, %d rejected, %d emitted", result.Items, result.Valid, result.Rejected, emitted)
		}
		if result.Rejected < len(result.Rejections) || len(result.Rejections) > stockbell.MaxSyncRejectionsLogged {
			t.Fatalf("%d rejected with %d reasons kept", result.Rejected, len(result.Rejections))
		}
	})
}

// checkLineOfByte: a reason naming a line and a byte names the byte's
// line, and a byte within the document.
func checkLineOfByte(t *testing.T, reason string, doc []byte) {
	t.Helper()
	var line, at int
	if _, err := fmt.Sscanf(reason[strings.Index(reason, " at ")+1:], "at line %d (byte %d)", &line, &at); err != nil {
		return
	}
	if at < 1 || at > len(doc) || bytes.Count(doc[:at-1], []byte{'\n'})+1 != line {
		t.Fatalf("%q: %s names a byte on another line", doc, reason)
	}
}

func checkFeedItem(t *testing.T, item stockbell.FeedItem, seen map[string]bool) {
	t.Helper()
	if item.ID == "" || len(item.ID) > feed.MaxIDLength || seen[item.ID] {
		t.Fatalf("emitted id %q (seen before: %v)", item.ID, seen[item.ID])
	}
	seen[item.ID] = true
	if item.Quantity < 0 || item.Quantity > feed.MaxQuantity {
		t.Fatalf("item %q has quantity %d", item.ID, item.Quantity)
	}
	for _, text := range []string{item.ID, item.Title, item.Link, item.ImageURL, item.Price} {
		if !utf8.ValidString(text) {
			t.Fatalf("item %q carries invalid UTF-8 %q", item.ID, text)
		}
	}
	if len(item.Link) > feed.MaxURLLength || len(item.ImageURL) > feed.MaxURLLength || len(item.Price) > feed.MaxPriceLength {
		t.Fatalf("item %q has a field over its limit: %+v", item.ID, item)
	}
}
