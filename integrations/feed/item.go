package feed

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	stockbell "github.com/stockbell/stockbell"
)

// Limits on an item's fields. An id longer than MaxIDLength rejects the
// item; longer text is cut, and a longer link or image link is dropped (a
// cut URL would point somewhere else).
const (
	MaxIDLength    = 255
	MaxTitleLength = 1000
	MaxURLLength   = 2048
	MaxPriceLength = 64
	// MaxQuantity is the largest inventory_quantity accepted.
	MaxQuantity = math.MaxInt32
)

// rawItem is one item as the document spells it, before validation: each
// field is its text, and present reports which fields were there at all.
type rawItem struct {
	ID, Title, Link, ImageLink, Price, Quantity string
	hasID, hasQuantity                          bool
	// badID and badQuantity name a value of the wrong kind (an object,
	// a boolean); the item is rejected with it.
	badID, badQuantity string
}

// itemError is why one item cannot be applied.
type itemError string

// validate turns a raw item into a FeedItem or says why it cannot be one.
func (r *rawItem) validate() (stockbell.FeedItem, itemError) {
	id := strings.TrimSpace(r.ID)
	switch {
	case r.badID != "":
		return stockbell.FeedItem{}, itemError("id is " + r.badID + ", not a string or number")
	case !r.hasID || id == "":
		return stockbell.FeedItem{}, "item has no id"
	case len(id) > MaxIDLength:
		return stockbell.FeedItem{}, itemError(fmt.Sprintf("id is longer than %d bytes", MaxIDLength))
	}
	quantity, err := r.quantity()
	if err != "" {
		return stockbell.FeedItem{}, err
	}
	return stockbell.FeedItem{
		ID:       id,
		Title:    cut(strings.TrimSpace(r.Title), MaxTitleLength),
		Link:     linkText(r.Link),
		ImageURL: linkText(r.ImageLink),
		Price:    cut(strings.TrimSpace(r.Price), MaxPriceLength),
		Quantity: quantity,
	}, ""
}

// usableID is the item's id when it can name an item (text or a number,
// not blank, at most MaxIDLength bytes), whatever else is wrong with it;
// "" otherwise.
func (r *rawItem) usableID() string {
	id := strings.TrimSpace(r.ID)
	if r.badID != "" || !r.hasID || len(id) > MaxIDLength {
		return ""
	}
	return id
}

// quantity parses inventory_quantity: a whole, non-negative number, as a
// JSON number or numeric text ("7", "7.0").
func (r *rawItem) quantity() (int, itemError) {
	text := strings.TrimSpace(r.Quantity)
	switch {
	case r.badQuantity != "":
		return 0, itemError("inventory_quantity is " + r.badQuantity + ", not a number")
	case !r.hasQuantity || text == "":
		return 0, "inventory_quantity is missing"
	}
	if !decimalNumber.MatchString(text) {
		return 0, itemError(fmt.Sprintf("inventory_quantity %q is not a number", cut(text, 32)))
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, itemError(fmt.Sprintf("inventory_quantity %q is not a number", cut(text, 32)))
		}
		if f != math.Trunc(f) {
			return 0, itemError(fmt.Sprintf("inventory_quantity %s is not a whole number", cut(text, 32)))
		}
		if f < 0 {
			return 0, itemError(fmt.Sprintf("inventory_quantity %s is negative", cut(text, 32)))
		}
		if f > MaxQuantity {
			return 0, itemError(fmt.Sprintf("inventory_quantity %s is over %d", cut(text, 32), MaxQuantity))
		}
		return int(f), ""
	}
	switch {
	case n < 0:
		return 0, itemError(fmt.Sprintf("inventory_quantity %d is negative", n))
	case n > MaxQuantity:
		return 0, itemError(fmt.Sprintf("inventory_quantity %d is over %d", n, MaxQuantity))
	}
	return int(n), ""
}

// decimalNumber is a number as JSON writes one (a sign allowed): Go's
// parsers also take hexadecimal, digit separators and "Inf", which no feed
// means as a stock.
var decimalNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$`)

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func linkText(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > MaxURLLength {
		return ""
	}
	return s
}

// dedupe remembers the ids seen so far in a document: an id listed again
// is rejected, the first listing kept.
type dedupe map[string]int

func (d dedupe) check(id string, position int) itemError {
	if first, ok := d[id]; ok {
		return itemError(fmt.Sprintf("duplicate id (first listed at position %d)", first))
	}
	d[id] = position
	return ""
}
