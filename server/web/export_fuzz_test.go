package web

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// FuzzExportRow: whatever text a subscriber or the platform put in a
// subscription or a product, its row in the subscribers' CSV reads back
// as the same cells, one line per row, and no cell of that text starts as
// a spreadsheet formula.
func FuzzExportRow(f *testing.F) {
	f.Add("jane@example.com", "en", "T-shirt", "Small", "TS-S", "snippet")
	f.Add("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\r\n")
	f.Add("a,b", "\"q\"", "line\nbreak", "", "😀", "\x00")
	f.Fuzz(func(t *testing.T, email, locale, productTitle, variantTitle, sku, source string) {
		sub := &stockbell.Subscription{ID: 7, Email: email, Locale: locale, Source: source, Status: stockbell.SubscriptionQueued,
			Channels: stockbell.Channels{stockbell.ChannelEmail}, CreatedAt: time.Unix(0, 0)}
		v := &stockbell.VariantWithProduct{ProductTitle: productTitle}
		v.Title, v.SKU, v.PlatformID = variantTitle, sku, sku
		row := exportRow(sub, v)
		var buf bytes.Buffer
		out := csv.NewWriter(&buf)
		if err := out.Write(row); err != nil {
			t.Fatal(err)
		}
		out.Flush()
		read, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(read) != 1 || !slices.Equal(read[0], csvRead(row)) {
			t.Fatalf("row %q read back as %q, %v", row, read, err)
		}
		for _, text := range []string{email, locale, productTitle, variantTitle, sku, source} {
			for _, c := range row {
				if text != "" && c == text && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
					t.Fatalf("cell %q starts as a formula", c)
				}
			}
		}
	})
}

// csvRead is what encoding/csv reads back for a written cell: a quoted
// field's \r\n is read as \n.
func csvRead(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = strings.ReplaceAll(c, "\r\n", "\n")
	}
	return out
}
