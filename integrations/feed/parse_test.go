package feed_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
)

func parseFile(t *testing.T, name string, format feed.Format) ([]stockbell.FeedItem, *feed.ParseResult) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return parseAll(t, f, format)
}

func parseAll(t *testing.T, r io.Reader, format feed.Format) ([]stockbell.FeedItem, *feed.ParseResult) {
	t.Helper()
	var items []stockbell.FeedItem
	res, err := feed.Parse(r, format, func(it stockbell.FeedItem) error {
		items = append(items, it)
		return nil
	})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return items, res
}

func TestParseReference(t *testing.T) {
	want := []stockbell.FeedItem{
		{ID: "TSHIRT-S", Title: "T-shirt, small", Link: "https://shop.example.com/products/tshirt?size=s",
			ImageURL: "https://shop.example.com/tshirt.png", Price: "10", Quantity: 0},
		{ID: "TSHIRT-M", Title: "T-shirt, medium", Link: "https://shop.example.com/products/tshirt?size=m",
			ImageURL: "https://shop.example.com/tshirt.png", Price: "10.50", Quantity: 12},
		{ID: "1001", Title: "Mug", Link: "https://shop.example.com/products/mug", Price: "7.5", Quantity: 3},
	}
	for _, format := range []feed.Format{feed.JSON, feed.XML} {
		items, res := parseFile(t, "reference."+string(format), format)
		if format == feed.XML {
			want[2].Title = "Mug & saucer"
		}
		if fmt.Sprint(items) != fmt.Sprint(want) {
			t.Errorf("%s items:\n got %+v\nwant %+v", format, items, want)
		}
		if res.Items != 3 || res.Valid != 3 || res.Rejected != 0 {
			t.Errorf("%s result = %+v", format, res)
		}
	}
}

func TestParseRejectsBadItemsByPosition(t *testing.T) {
	cases := map[feed.Format][]stockbell.SyncRejection{
		feed.JSON: {
			{Position: 2, Reason: "item has no id"},
			{Position: 3, Reason: "item has no id"},
			{Position: 4, Reason: "id is an object, not a string or number"},
			{Position: 5, ID: "NO-QTY", Reason: "inventory_quantity is missing"},
			{Position: 6, ID: "WORDS", Reason: `inventory_quantity "plenty" is not a number`},
			{Position: 7, ID: "NEG", Reason: "inventory_quantity -2 is negative"},
			{Position: 8, ID: "HALF", Reason: "inventory_quantity 1.5 is not a whole number"},
			{Position: 9, ID: "BOOL", Reason: "inventory_quantity is a boolean, not a number"},
			{Position: 10, ID: "OK-1", Reason: "duplicate id (first listed at position 1)"},
			{Position: 11, Reason: "item is not an object"},
			{Position: 12, Reason: "item is not an object"},
		},
		feed.XML: {
			{Position: 2, Reason: "item has no id"},
			{Position: 3, ID: "  ", Reason: "item has no id"},
			{Position: 4, ID: "NO-QTY", Reason: "inventory_quantity is missing"},
			{Position: 5, ID: "WORDS", Reason: `inventory_quantity "plenty" is not a number`},
			{Position: 6, ID: "NEG", Reason: "inventory_quantity -2 is negative"},
			{Position: 7, ID: "HALF", Reason: "inventory_quantity 1.5 is not a whole number"},
			{Position: 8, ID: "OK-1", Reason: "duplicate id (first listed at position 1)"},
		},
	}
	for format, want := range cases {
		items, res := parseFile(t, "bad-items."+string(format), format)
		if len(items) != 2 || items[0].ID != "OK-1" || items[0].Title != "Fine" || items[1].ID != "OK-2" || items[1].Quantity != 7 {
			t.Errorf("%s valid items = %+v", format, items)
		}
		if fmt.Sprint(res.Rejections) != fmt.Sprint(want) {
			t.Errorf("%s rejections:\n got %+v\nwant %+v", format, res.Rejections, want)
		}
		if res.Rejected != len(want) || res.Items != len(want)+2 || res.Valid != 2 {
			t.Errorf("%s counts = %+v", format, res)
		}
	}
}

func TestParseRefusesBadDocuments(t *testing.T) {
	for _, c := range []struct {
		name   string
		format feed.Format
		doc    string
		reason string
	}{
		{"empty", feed.JSON, "  ", "the document is empty"},
		{"object", feed.JSON, `{"id":"A","inventory_quantity":1}`, "not a JSON array"},
		{"malformed", feed.JSON, `[{"id":"A","inventory_quantity":1},{"id":"B",}]`, "malformed JSON at line 1 (byte 46)"},
		{"no comma", feed.JSON, "[{\"id\":\"A\",\"inventory_quantity\":1}\n {\"id\":\"B\",\"inventory_quantity\":1}]", "malformed JSON at line 2 (byte 37) after 1 item: invalid character '{' after an item, want a comma"},
		{"truncated", feed.JSON, `[{"id":"A","inventory_quantity":1},{"id":"B","inventory_qu`, "ends early (truncated after 1 item)"},
		{"unclosed", feed.JSON, `[{"id":"A","inventory_quantity":1}`, "ends early"},
		{"trailing", feed.JSON, `[{"id":"A","inventory_quantity":1}] []`, "more after the array"},
		{"empty xml", feed.XML, "", "the document is empty"},
		{"root", feed.XML, `<rss><Product><id>A</id></Product></rss>`, "root element is <rss>"},
		{"malformed xml", feed.XML, `<Products><Product><id>A</id></Prodct></Products>`, "malformed XML at line 1"},
		{"truncated xml", feed.XML, "<Products>\n<Product><id>A</id><inventory_quantity>1</inventory_quantity></Product>\n<Product><id>B</i", "ends early (truncated after 1 item)"},
		{"second root", feed.XML, `<Products></Products><Products></Products>`, "second element after the root"},
		{"charset", feed.XML, `<?xml version="1.0" encoding="no-such-charset"?><Products></Products>`, "malformed XML"},
	} {
		emitted := 0
		_, err := feed.Parse(strings.NewReader(c.doc), c.format, func(stockbell.FeedItem) error { emitted++; return nil })
		var doc *feed.DocumentError
		if !errors.As(err, &doc) || !strings.Contains(doc.Reason, c.reason) {
			t.Errorf("%s: err = %v, want a document error with %q", c.name, err, c.reason)
		}
	}
}

func TestParseLatin1XML(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Products><Product><id>A</id><title>Caf\xe9</title><inventory_quantity>1</inventory_quantity></Product></Products>"
	items, _ := parseAll(t, strings.NewReader(doc), feed.XML)
	if len(items) != 1 || items[0].Title != "Café" {
		t.Fatalf("items = %+v", items)
	}
}

// A failing reader (the network, the size cap) is reported as itself, not
// as a malformed document, and so is an error from emit.
func TestParsePassesReaderAndEmitErrorsThrough(t *testing.T) {
	boom := errors.New("connection reset")
	for _, format := range []feed.Format{feed.JSON, feed.XML} {
		doc := feedtest.Document(string(format), feedtest.Items(50, 1))
		r := io.MultiReader(bytes.NewReader(doc[:len(doc)/2]), &failingReader{boom})
		_, err := feed.Parse(r, format, func(stockbell.FeedItem) error { return nil })
		if !errors.Is(err, boom) {
			t.Errorf("%s: reader failure came back as %v", format, err)
		}
		stop := errors.New("stop")
		_, err = feed.Parse(bytes.NewReader(doc), format, func(stockbell.FeedItem) error { return stop })
		if !errors.Is(err, stop) {
			t.Errorf("%s: emit failure came back as %v", format, err)
		}
	}
}

type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }

// TestParseStreams parses a document of about 40 MB produced on the fly:
// the heap stays far below the document's size.
func TestParseStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("large document")
	}
	for _, format := range []feed.Format{feed.JSON, feed.XML} {
		const items = 20_000
		r := feedtest.Stream(string(format), items, 2000) // ~2 KB of description per item
		var peak uint64
		var stats runtime.MemStats
		n := 0
		runtime.GC()
		res, err := feed.Parse(r, format, func(stockbell.FeedItem) error {
			if n++; n%1000 == 0 {
				runtime.ReadMemStats(&stats)
				peak = max(peak, stats.HeapAlloc)
			}
			return nil
		})
		if err != nil || res.Valid != items {
			t.Fatalf("%s: %v, %+v", format, err, res)
		}
		if peak > 16<<20 || r.Bytes < 40<<20 {
			t.Errorf("%s: heap peaked at %d MB while parsing %d MB", format, peak>>20, r.Bytes>>20)
		}
		t.Logf("%s: heap peaked at %d MB while parsing %d MB", format, peak>>20, r.Bytes>>20)
	}
}

// Windows tools and many export scripts start a UTF-8 file with a byte
// order mark; RFC 8259 lets a parser ignore it, and the XML spec reads it
// as the encoding's signature. A feed saved that way is read, not refused.
func TestParseSkipsAByteOrderMark(t *testing.T) {
	docs := map[feed.Format]string{
		feed.JSON: "\ufeff[{\"id\":\"A\",\"inventory_quantity\":1}]",
		feed.XML:  "\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Products><Product><id>A</id><inventory_quantity>1</inventory_quantity></Product></Products>",
	}
	for format, doc := range docs {
		var items []stockbell.FeedItem
		_, err := feed.Parse(strings.NewReader(doc), format, func(it stockbell.FeedItem) error {
			items = append(items, it)
			return nil
		})
		if err != nil || len(items) != 1 || items[0].ID != "A" || items[0].Quantity != 1 {
			t.Errorf("%s with a byte order mark: items %+v, err %v", format, items, err)
		}
	}
}

// A quantity written as text is a decimal number, as a JSON number is:
// Go's own number syntax (hexadecimal, digit separators) is not a stock.
func TestParseQuantityTextIsDecimal(t *testing.T) {
	doc := `[{"id":"HEX","inventory_quantity":"0x1p4"},{"id":"UNDERSCORE","inventory_quantity":"1_000"},` +
		`{"id":"INF","inventory_quantity":"Inf"},{"id":"PLAIN","inventory_quantity":" 12 "},` +
		`{"id":"POINT","inventory_quantity":"7.0"},{"id":"EXP","inventory_quantity":"1e2"},{"id":"NUM","inventory_quantity":1e2}]`
	items, res := parseAll(t, strings.NewReader(doc), feed.JSON)
	want := []stockbell.SyncRejection{
		{Position: 1, ID: "HEX", Reason: `inventory_quantity "0x1p4" is not a number`},
		{Position: 2, ID: "UNDERSCORE", Reason: `inventory_quantity "1_000" is not a number`},
		{Position: 3, ID: "INF", Reason: `inventory_quantity "Inf" is not a number`},
	}
	if fmt.Sprint(res.Rejections) != fmt.Sprint(want) {
		t.Errorf("rejections:\n got %+v\nwant %+v", res.Rejections, want)
	}
	quantities := map[string]int{}
	for _, it := range items {
		quantities[it.ID] = it.Quantity
	}
	if fmt.Sprint(quantities) != fmt.Sprint(map[string]int{"PLAIN": 12, "POINT": 7, "EXP": 100, "NUM": 100}) {
		t.Errorf("quantities = %v", quantities)
	}
}

// An id listed twice is ambiguous: its first listing wins even when that
// listing is bad, so a later one is rejected as a repeat rather than
// applied (the item keeps its last good state, as any item listed with a
// bad row does).
func TestParseFirstListingWinsEvenWhenBad(t *testing.T) {
	doc := `[{"id":"A","inventory_quantity":-2},{"id":"A","inventory_quantity":5},{"id":"B","inventory_quantity":1}]`
	items, res := parseAll(t, strings.NewReader(doc), feed.JSON)
	want := []stockbell.SyncRejection{
		{Position: 1, ID: "A", Reason: "inventory_quantity -2 is negative"},
		{Position: 2, ID: "A", Reason: "duplicate id (first listed at position 1)"},
	}
	if fmt.Sprint(res.Rejections) != fmt.Sprint(want) {
		t.Errorf("rejections:\n got %+v\nwant %+v", res.Rejections, want)
	}
	if len(items) != 1 || items[0].ID != "B" {
		t.Errorf("items = %+v, want B alone", items)
	}
}

// A merchant finds a syntax error by its line, as an editor shows it: the
// reason of a malformed JSON document names the line as well as the byte,
// in a document read in many chunks too.
func TestParseMalformedJSONNamesTheLine(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("\ufeff[\n")
	for i := range 3000 {
		fmt.Fprintf(&doc, "  {\"id\":\"SKU-%d\",\n   \"inventory_quantity\":1},\n", i)
	}
	doc.WriteString("  {\"id\":\"BAD\" \"inventory_quantity\":1}\n]\n") // line 6002
	_, err := feed.Parse(iotest.OneByteReader(strings.NewReader(doc.String())), feed.JSON, func(stockbell.FeedItem) error { return nil })
	var bad *feed.DocumentError
	if !errors.As(err, &bad) || !strings.Contains(bad.Reason, "malformed JSON at line 6002 (byte 142910)") || !strings.Contains(bad.Reason, "after 3000 items") {
		t.Fatalf("err = %v, want a malformed JSON error at line 6002 after 3000 items", err)
	}
}

// A syntax error deep in a large item (a long description), after a
// megabyte of items and with more after it, is named by its line too: the
// decoder holds the whole item it was reading.
func TestParseMalformedJSONNamesTheLineDeepInALargeItem(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("[\n")
	for i := range 20000 {
		fmt.Fprintf(&doc, "  {\"id\":\"SKU-%d\", \"inventory_quantity\":1},\n", i)
	}
	doc.WriteString("  {\"id\":\"BIG\",\n   \"description\":\"" + strings.Repeat("long text ", 80_000) + "\",\n\n   \"inventory_quantity\" ")
	at := doc.Len() + 1
	doc.WriteString("1},\n")
	for i := range 20000 {
		fmt.Fprintf(&doc, "  {\"id\":\"MORE-%d\", \"inventory_quantity\":1},\n", i)
	}
	doc.WriteString("]\n")
	text := doc.String()
	want := fmt.Sprintf("malformed JSON at line %d (byte %d) after 20000 items", strings.Count(text[:at-1], "\n")+1, at)
	_, err := feed.Parse(strings.NewReader(text), feed.JSON, func(stockbell.FeedItem) error { return nil })
	var bad *feed.DocumentError
	if !errors.As(err, &bad) || !strings.Contains(bad.Reason, want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// An XML feed written by a CMS often carries HTML's named entities
// (&eacute;, &nbsp;, &euro;) in titles and descriptions, which XML itself
// does not define: they are read as HTML reads them rather than failing
// the whole document. A bare & is still malformed.
func TestParseXMLWithHTMLEntities(t *testing.T) {
	doc := "<Products><Product><id>A</id><title>Caf&eacute;&nbsp;cr&egrave;me &amp; &euro;</title>" +
		"<description>x&nbsp;y&hellip;</description><inventory_quantity>1</inventory_quantity></Product></Products>"
	items, _ := parseAll(t, strings.NewReader(doc), feed.XML)
	if len(items) != 1 || items[0].Title != "Café\u00a0crème & €" {
		t.Fatalf("items = %+v", items)
	}
	_, err := feed.Parse(strings.NewReader("<Products><Product><id>A</id><title>Fish & chips</title></Product></Products>"), feed.XML,
		func(stockbell.FeedItem) error { return nil })
	var bad *feed.DocumentError
	if !errors.As(err, &bad) || !strings.Contains(bad.Reason, "malformed XML at line 1") {
		t.Fatalf("a bare & = %v, want malformed XML", err)
	}
}
