package feed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// Format is a feed document's syntax.
type Format string

// The feed formats: a JSON array of items, or XML <Products><Product>….
const (
	JSON Format = "json"
	XML  Format = "xml"
)

// DocumentError says why a document cannot be read as a whole (malformed,
// truncated, not a list of items). A sync that meets one changes nothing.
type DocumentError struct {
	Reason string
}

func (e *DocumentError) Error() string { return e.Reason }

// ParseResult counts what a document listed.
type ParseResult struct {
	// Items counts the items listed, valid or not; Valid those emitted.
	Items int
	Valid int
	// Rejections are the first MaxSyncRejectionsLogged bad items; Rejected
	// counts them all.
	Rejections []stockbell.SyncRejection
	Rejected   int
	// RejectedIDs are the ids of the bad items that name a usable one:
	// items still listed, which keep what their last good listing stored.
	RejectedIDs []string
}

func (p *ParseResult) reject(position int, id string, reason itemError) {
	p.Rejected++
	if listed := strings.TrimSpace(id); listed != "" && len(listed) <= MaxIDLength {
		p.RejectedIDs = append(p.RejectedIDs, listed)
	}
	if len(p.Rejections) < stockbell.MaxSyncRejectionsLogged {
		p.Rejections = append(p.Rejections, stockbell.SyncRejection{Position: position, ID: cut(id, MaxIDLength), Reason: string(reason)})
	}
}

// Parse reads a feed document as a stream, one item at a time, and calls
// emit with each valid item in document order; ids are unique (a repeated
// id is rejected, its first listing kept). Bad items are counted in the
// result with their position and reason. A malformed or truncated document
// returns a *DocumentError; an error from the reader or from emit is
// returned as it is. Either way the caller must not keep what was emitted.
func Parse(r io.Reader, format Format, emit func(stockbell.FeedItem) error) (*ParseResult, error) {
	src := &sourceReader{r: r}
	p := &parser{result: &ParseResult{}, seen: dedupe{}, emit: emit, src: src}
	body, skipped := skipByteOrderMark(src)
	p.skipped = int64(skipped)
	switch format {
	case JSON:
		return p.result, p.json(body)
	case XML:
		return p.result, p.xml(body)
	}
	return nil, fmt.Errorf("feed: unknown format %q", format)
}

// skipByteOrderMark drops a UTF-8 byte order mark that starts a document,
// as files saved by Windows tools and many export scripts begin: neither
// Go decoder accepts one, though RFC 8259 lets a JSON parser ignore it and
// XML reads it as the encoding's signature.
// It returns the reader and how many bytes it dropped.
func skipByteOrderMark(r io.Reader) (io.Reader, int) {
	buffered := bufio.NewReader(r)
	if head, _ := buffered.Peek(len(byteOrderMark)); string(head) == byteOrderMark {
		n, _ := buffered.Discard(len(byteOrderMark))
		return buffered, n
	}
	return buffered, 0
}

const byteOrderMark = "\ufeff"

type parser struct {
	result *ParseResult
	seen   dedupe
	emit   func(stockbell.FeedItem) error
	src    *sourceReader
	// skipped is the byte order mark's length, or 0; lines turns the JSON
	// decoder's offsets into lines, with dec (the bytes it holds).
	skipped int64
	lines   *lineCounter
	dec     *json.Decoder
	// scanned counts the bytes the JSON decoder's scanner has read: the
	// items decoded so far (see decodeItem).
	scanned int64
}

// sourceReader remembers the error its reader failed with (other than
// EOF), so that a failure to read (the network, the size cap) is told
// apart from a malformed document.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// readError returns the reader's own error when err comes from it.
func (p *parser) readError(err error) error {
	if p.src.err != nil && (errors.Is(err, p.src.err) || err == p.src.err) {
		return p.src.err
	}
	return nil
}

// item validates one listed item and emits it or records why not.
func (p *parser) item(raw *rawItem) error {
	p.result.Items++
	position := p.result.Items
	item, bad := raw.validate()
	// The first listing of an id wins even when it is bad: a later one is
	// a repeat, not a correction.
	if id := raw.usableID(); id != "" {
		if repeat := p.seen.check(id, position); repeat != "" {
			bad = repeat
		}
	}
	if bad != "" {
		p.result.reject(position, raw.ID, bad)
		return nil
	}
	p.result.Valid++
	return p.emit(item)
}

// jsonItem holds an item's fields as raw JSON, so that any kind of value
// is read and judged rather than failing the decoder.
type jsonItem struct {
	ID        json.RawMessage `json:"id"`
	Title     json.RawMessage `json:"title"`
	Link      json.RawMessage `json:"link"`
	ImageLink json.RawMessage `json:"image_link"`
	Price     json.RawMessage `json:"price"`
	Quantity  json.RawMessage `json:"inventory_quantity"`
}

func (p *parser) json(r io.Reader) error {
	p.lines = &lineCounter{r: r}
	dec := json.NewDecoder(p.lines)
	p.dec = dec
	if err := p.expectDelim(dec, '[', "the document is not a JSON array of items"); err != nil {
		return p.jsonError(err)
	}
	for dec.More() {
		var it *jsonItem
		err := p.decodeItem(dec, &it)
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) || (err == nil && it == nil) {
			p.result.Items++
			p.result.reject(p.result.Items, "", "item is not an object")
			continue
		} else if err != nil {
			return p.jsonError(err)
		}
		raw := rawItem{}
		raw.ID, raw.hasID, raw.badID = jsonText(it.ID)
		raw.Quantity, raw.hasQuantity, raw.badQuantity = jsonText(it.Quantity)
		raw.Title, _, _ = jsonText(it.Title)
		raw.Link, _, _ = jsonText(it.Link)
		raw.ImageLink, _, _ = jsonText(it.ImageLink)
		raw.Price, _, _ = jsonText(it.Price)
		if err := p.item(&raw); err != nil {
			return err
		}
	}
	if err := p.expectDelim(dec, ']', "the JSON array is not closed"); err != nil {
		return p.jsonError(err)
	}
	if _, err := p.token(dec); err != io.EOF {
		if err == nil {
			return &DocumentError{Reason: "malformed JSON: there is more after the array of items"}
		}
		return p.jsonError(err)
	}
	return nil
}

// decodeItem decodes the next item, giving a syntax error in it the
// offset of its byte in the stream. The decoder's own offset counts only
// the bytes its scanner read, across items, and leaves out the comma
// before each item after the first, which Decode reads apart: it falls
// behind by a byte an item. (More, called before, has read the space
// before the comma.)
func (p *parser) decodeItem(dec *json.Decoder, it **jsonItem) error {
	start := dec.InputOffset()
	if p.result.Items > 0 {
		if next := make([]byte, 1); readByte(dec.Buffered(), next) && next[0] != ',' {
			return &DocumentError{Reason: fmt.Sprintf("malformed JSON at %s after %s: invalid character %q after an item, want a comma",
				p.position(start+1), countItems(p.result.Items), next[0])}
		}
		start++ // the comma
	}
	err := dec.Decode(it)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		syntax.Offset = start + syntax.Offset - p.scanned
		return err
	}
	p.scanned += dec.InputOffset() - start
	return err
}

// readByte reads one byte into b, reporting whether there was one.
func readByte(r io.Reader, b []byte) bool {
	n, _ := r.Read(b)
	return n == 1
}

// token reads the next token, giving a syntax error in it the offset of
// its byte as decodeItem does (the bytes up to and including it). Token
// counts a misplaced delimiter's offset without the delimiter, and a bad
// value's by its scanner alone, which leaves out the space Token skipped
// and counts the items decoded before.
func (p *parser) token(dec *json.Decoder) (json.Token, error) {
	dec.More() // skips the space before the token
	start := dec.InputOffset()
	first := make([]byte, 1)
	delim := readByte(dec.Buffered(), first) && strings.IndexByte(",:]}", first[0]) >= 0
	tok, err := dec.Token()
	var syntax *json.SyntaxError
	switch {
	case !errors.As(err, &syntax):
	case delim:
		syntax.Offset = start + 1
	default:
		syntax.Offset = start + syntax.Offset - p.scanned
	}
	return tok, err
}

// expectDelim reads the next token and wants it to be delim.
func (p *parser) expectDelim(dec *json.Decoder, delim json.Delim, reason string) error {
	tok, err := p.token(dec)
	if err != nil {
		if err == io.EOF && delim == '[' {
			return &DocumentError{Reason: "the document is empty"}
		}
		return err
	}
	if tok != delim {
		return &DocumentError{Reason: reason}
	}
	return nil
}

// jsonError turns a decoder error into a DocumentError, leaving the
// reader's own errors (network, size cap) as they are.
func (p *parser) jsonError(err error) error {
	var syntax *json.SyntaxError
	var doc *DocumentError
	if rerr := p.readError(err); rerr != nil {
		return rerr
	}
	switch {
	case errors.As(err, &doc):
		return err
	case errors.As(err, &syntax):
		return &DocumentError{Reason: fmt.Sprintf("malformed JSON at %s after %s: %v", p.position(syntax.Offset), countItems(p.result.Items), err)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &DocumentError{Reason: fmt.Sprintf("the document ends early (truncated after %s)", countItems(p.result.Items))}
	}
	return &DocumentError{Reason: fmt.Sprintf("malformed JSON after %s: %v", countItems(p.result.Items), err)}
}

// jsonText returns a value's text (a string, or a number as written), and
// whether the value was there; bad names a value of another kind.
func jsonText(raw json.RawMessage) (text string, present bool, bad string) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", true, "not valid text"
		}
		return s, true, ""
	case '{':
		return "", true, "an object"
	case '[':
		return "", true, "an array"
	case 't', 'f':
		return "", true, "a boolean"
	}
	return string(raw), true, ""
}

// position names where a JSON syntax error is, from the decoder's offset
// (bytes read up to and including the offending one): its line when that
// is still known, and its byte in the document as served.
func (p *parser) position(offset int64) string {
	at := p.skipped + offset
	held, _ := io.ReadAll(p.dec.Buffered())
	if line, ok := p.lines.line(max(offset-1, 0), held); ok {
		return fmt.Sprintf("line %d (byte %d)", line, at)
	}
	return fmt.Sprintf("byte %d", at)
}

// lineCounter counts the newlines in what the JSON decoder reads, and
// keeps nothing: the line of a byte is told, when an error needs it, from
// that count and the bytes the decoder still holds, which are all those
// of the value or token it was reading.
type lineCounter struct {
	r     io.Reader
	read  int64 // the bytes read
	lines int   // the newlines among them
}

func (l *lineCounter) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	l.read += int64(n)
	l.lines += bytes.Count(b[:n], newline)
	return n, err
}

var newline = []byte{'\n'}

// line returns the 1-based line of the byte at offset, given held, the
// last bytes read; false when that byte is not among them.
func (l *lineCounter) line(offset int64, held []byte) (int, bool) {
	from := l.read - int64(len(held))
	if offset < from || offset > l.read {
		return 0, false
	}
	return l.lines - bytes.Count(held[offset-from:], newline) + 1, true
}

// countItems is "1 item" or "N items", as a reason counts the items read.
func countItems(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}
