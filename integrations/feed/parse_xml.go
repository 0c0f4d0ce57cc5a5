package feed

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// xmlItem is one <Product> element; the field elements are named as the
// JSON fields are.
type xmlItem struct {
	ID        *string `xml:"id"`
	Title     string  `xml:"title"`
	Link      string  `xml:"link"`
	ImageLink string  `xml:"image_link"`
	Price     string  `xml:"price"`
	Quantity  *string `xml:"inventory_quantity"`
}

// xml reads <Products><Product>…</Product>…</Products>. Elements other
// than <Product> inside the root are skipped. Go's decoder expands no
// entities a document declares, so a document cannot grow in memory;
// besides XML's own it reads HTML's named entities (&eacute;, &nbsp;),
// which feeds written by a CMS carry in titles and descriptions.
func (p *parser) xml(r io.Reader) error {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charset.NewReaderLabel
	dec.Entity = xml.HTMLEntity
	if err := p.xmlRoot(dec); err != nil {
		return err
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return p.xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !strings.EqualFold(t.Name.Local, "product") {
				if err := dec.Skip(); err != nil {
					return p.xmlError(err)
				}
				continue
			}
			if err := p.xmlItem(dec, &t); err != nil {
				return err
			}
		case xml.EndElement:
			return p.xmlEnd(dec)
		}
	}
}

// xmlRoot reads up to the root element, which must be <Products>.
func (p *parser) xmlRoot(dec *xml.Decoder) error {
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return &DocumentError{Reason: "the document is empty"}
		} else if err != nil {
			return p.xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !strings.EqualFold(t.Name.Local, "products") {
				return &DocumentError{Reason: fmt.Sprintf("the XML root element is <%s>, want <Products>", t.Name.Local)}
			}
			return nil
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return &DocumentError{Reason: "malformed XML: text before the root element"}
			}
		}
	}
}

func (p *parser) xmlItem(dec *xml.Decoder, start *xml.StartElement) error {
	var it xmlItem
	if err := dec.DecodeElement(&it, start); err != nil {
		return p.xmlError(err)
	}
	raw := rawItem{Title: it.Title, Link: it.Link, ImageLink: it.ImageLink, Price: it.Price}
	if it.ID != nil {
		raw.ID, raw.hasID = *it.ID, true
	}
	if it.Quantity != nil {
		raw.Quantity, raw.hasQuantity = *it.Quantity, true
	}
	return p.item(&raw)
}

// xmlEnd wants nothing but comments and space after the root element.
func (p *parser) xmlEnd(dec *xml.Decoder) error {
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return p.xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return &DocumentError{Reason: "malformed XML: a second element after the root"}
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return &DocumentError{Reason: "malformed XML: text after the root element"}
			}
		}
	}
}

// xmlError turns a decoder error into a DocumentError, leaving the
// reader's own errors (network, size cap) as they are.
func (p *parser) xmlError(err error) error {
	var syntax *xml.SyntaxError
	if rerr := p.readError(err); rerr != nil {
		return rerr
	}
	switch {
	case errors.As(err, &syntax) && strings.Contains(syntax.Msg, "unexpected EOF"):
		return &DocumentError{Reason: fmt.Sprintf("the document ends early (truncated after %s)", countItems(p.result.Items))}
	case errors.As(err, &syntax):
		return &DocumentError{Reason: fmt.Sprintf("malformed XML at line %d after %s: %s", syntax.Line, countItems(p.result.Items), syntax.Msg)}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &DocumentError{Reason: fmt.Sprintf("the document ends early (truncated after %s)", countItems(p.result.Items))}
	}
	return &DocumentError{Reason: fmt.Sprintf("malformed XML after %s: %v", countItems(p.result.Items), err)}
}
