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
