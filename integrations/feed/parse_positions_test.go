package feed_test

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
)

// TestParseJSONSyntaxErrorPositions: in documents of a few items spaced
// every way JSON allows, a syntax error inside an item or a missing comma
// between two is named by the line and byte it is at.
func TestParseJSONSyntaxErrorPositions(t *testing.T) {
	ws := []string{"", " ", "\n", " \n  ", "\t"}
	for trial := 0; trial < 2000; trial++ {
		r := rand.New(rand.NewSource(int64(trial)))
		var b strings.Builder
		b.WriteString(ws[r.Intn(5)] + "[" + ws[r.Intn(5)])
		n := r.Intn(6)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(ws[r.Intn(5)] + "," + ws[r.Intn(5)])
			}
			if r.Intn(4) == 0 {
				b.WriteString("5")
			} else {
				fmt.Fprintf(&b, "{\"id\":%s\"X%d\",%s\"inventory_quantity\":1}", ws[r.Intn(5)], i, ws[r.Intn(5)])
			}
		}
		if n > 0 {
			b.WriteString(ws[r.Intn(5)] + "," + ws[r.Intn(5)])
		}
		pos := b.Len()
		bad := pos + 6 // the @
		if n > 0 && r.Intn(3) == 0 {
			s := strings.TrimRight(b.String(), " \n\t,")
			b.Reset()
			b.WriteString(s + ws[r.Intn(5)])
			bad = b.Len()
			b.WriteString("{\"id\":\"Z\",\"inventory_quantity\":1}]")
		} else {
			b.WriteString("{\"id\" @}]")
		}
		doc := b.String()
		line := strings.Count(doc[:bad], "\n") + 1
		_, err := feed.Parse(strings.NewReader(doc), feed.JSON, func(stockbell.FeedItem) error { return nil })
		var de *feed.DocumentError
		want := fmt.Sprintf("line %d (byte %d)", line, bad+1)
		if !errors.As(err, &de) || !strings.Contains(de.Reason, want) {
			t.Fatalf("%q: %v, want %s", doc, err, want)
		}
	}
}

// TestParseJSONSyntaxErrorPositionsOutsideItems: a syntax error before the
// array of items (a misplaced delimiter, a bad value) or after it is named
// by the line and byte of its offending character, counted in the
// document as served (a byte order mark included).
func TestParseJSONSyntaxErrorPositionsOutsideItems(t *testing.T) {
	ws := []string{"", " ", "\n", " \n  ", "\t", "\r\n"}
	bad := []string{",", ":", "]", "}", "x", "tx", "nul!", "-"}
	for trial := 0; trial < 500; trial++ {
		r := rand.New(rand.NewSource(int64(trial)))
		var b strings.Builder
		if r.Intn(4) == 0 {
			b.WriteString("\ufeff")
		}
		b.WriteString(ws[r.Intn(len(ws))])
		if r.Intn(2) == 0 {
			fmt.Fprintf(&b, "[%s{\"id\":\"A\",\"inventory_quantity\":1}%s]%s", ws[r.Intn(len(ws))], ws[r.Intn(len(ws))], ws[r.Intn(len(ws))])
		}
		b.WriteString(bad[r.Intn(len(bad))])
		at := b.Len() // the offending character is the last
		if bad := b.String(); strings.HasSuffix(bad, "-") {
			b.WriteString("x")
			at++
		}
		doc := b.String()
		line := strings.Count(doc[:at-1], "\n") + 1
		_, err := feed.Parse(strings.NewReader(doc), feed.JSON, func(stockbell.FeedItem) error { return nil })
		var de *feed.DocumentError
		want := fmt.Sprintf("line %d (byte %d)", line, at)
		if !errors.As(err, &de) || !strings.Contains(de.Reason, want) {
			t.Fatalf("%q: %v, want %s", doc, err, want)
		}
	}
}
