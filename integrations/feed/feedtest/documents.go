// Package feedtest plays a merchant's feed host for tests: documents in
// the reference JSON and XML shapes (generated, or streamed without being
// held in memory), and a loopback HTTP server that serves them with ETag
// and Last-Modified validators and 304 answers, basic-auth or header
// protected feeds, redirects, chosen statuses and content types, and
// bodies cut short.
package feedtest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Item is one feed item in the reference shape.
type Item struct {
	ID                string   `json:"id" xml:"id"`
	Title             string   `json:"title" xml:"title"`
	Link              string   `json:"link" xml:"link"`
	Description       string   `json:"description,omitempty" xml:"description,omitempty"`
	Price             float64  `json:"price" xml:"price"`
	ImageLink         string   `json:"image_link" xml:"image_link"`
	Categories        []string `json:"categories,omitempty" xml:"categories>category,omitempty"`
	InventoryQuantity int      `json:"inventory_quantity" xml:"inventory_quantity"`
	InventoryPolicy   int      `json:"inventory_policy,omitempty" xml:"inventory_policy,omitempty"`
}

// NewItem returns item number i of a generated catalog with a quantity.
func NewItem(i, quantity int) Item {
	id := fmt.Sprintf("SKU-%06d", i)
	return Item{ID: id, Title: "Item " + id, Link: "https://shop.example.com/products/" + strings.ToLower(id),
		Price: 10 + float64(i%100)/4, ImageLink: "https://cdn.example.com/" + id + ".png",
		Categories: []string{"apparel"}, InventoryQuantity: quantity, InventoryPolicy: 1}
}

// Items returns n generated items, each with the given quantity.
func Items(n, quantity int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = NewItem(i, quantity)
	}
	return items
}

// Document renders items as a JSON array or an XML <Products> document.
func Document(format string, items []Item) []byte {
	var buf bytes.Buffer
	writeDocument(&buf, format, len(items), func(i int) Item { return items[i] })
	return buf.Bytes()
}

// writeDocument writes n items produced by item, in the format.
func writeDocument(w io.Writer, format string, n int, item func(int) Item) {
	open, sep, end := "[", ",\n", "]\n"
	if format == "xml" {
		open, sep, end = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Products>\n", "\n", "\n</Products>\n"
	}
	io.WriteString(w, open)
	for i := range n {
		if i > 0 {
			io.WriteString(w, sep)
		}
		writeItem(w, format, item(i))
	}
	io.WriteString(w, end)
}

func writeItem(w io.Writer, format string, it Item) {
	if format == "xml" {
		raw, _ := xml.Marshal(struct {
			XMLName xml.Name `xml:"Product"`
			Item
		}{Item: it})
		w.Write(raw)
		return
	}
	raw, _ := json.Marshal(it)
	w.Write(raw)
}

// Generator streams a generated document of N items, each with a
// description of DescriptionBytes, without holding it in memory. Quantity
// gives each item's quantity (nil: item i has i%3). Bytes counts what was
// read.
type Generator struct {
	Format           string
	N                int
	DescriptionBytes int
	Quantity         func(i int) int
	Bytes            int64

	next    int
	buf     bytes.Buffer
	started bool
	done    bool
}

// Stream returns a generator of n items with descriptions of descBytes.
func Stream(format string, n, descBytes int) *Generator {
	return &Generator{Format: format, N: n, DescriptionBytes: descBytes}
}

// Read implements io.Reader.
func (g *Generator) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && !g.done {
		g.fill()
	}
	if g.buf.Len() == 0 && g.done {
		return 0, io.EOF
	}
	n, _ := g.buf.Read(p)
	g.Bytes += int64(n)
	return n, nil
}

// fill renders the next few items (the whole document is the same text as
// Document would write).
func (g *Generator) fill() {
	if !g.started {
		g.started = true
		if g.Format == "xml" {
			g.buf.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Products>\n")
		} else {
			g.buf.WriteString("[")
		}
	}
	for range 64 {
		if g.next == g.N {
			g.done = true
			if g.Format == "xml" {
				g.buf.WriteString("\n</Products>\n")
			} else {
				g.buf.WriteString("]\n")
			}
			return
		}
		if g.next > 0 {
			g.buf.WriteString(map[bool]string{true: "\n", false: ",\n"}[g.Format == "xml"])
		}
		writeItem(&g.buf, g.Format, g.item(g.next))
		g.next++
	}
}

func (g *Generator) item(i int) Item {
	quantity := i % 3
	if g.Quantity != nil {
		quantity = g.Quantity(i)
	}
	it := NewItem(i, quantity)
	if g.DescriptionBytes > 0 {
		it.Description = strings.Repeat("d", g.DescriptionBytes)
	}
	return it
}
