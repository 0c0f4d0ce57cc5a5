package feed

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"
)

// genericTypes say nothing of a document: object stores (S3, Google Cloud
// Storage), CDNs and plain file servers answer them for a file uploaded
// without a type, so a feed served as one is told by its first characters.
var genericTypes = map[string]bool{"": true, "text/plain": true, "application/octet-stream": true, "binary/octet-stream": true}

// headBytes is how much of a document is read ahead to tell its format,
// unless it is all space (peekHead).
const headBytes = 512

// formatOf tells the format from the content type: JSON or XML types (and
// their +json, +xml suffixes) are read as such, and a generic type (or
// none) as its first characters show. What is plainly not a feed, an HTML
// page (an error or login page answered 200) or a compressed file, is
// refused under any of them, naming what it is; other types are refused.
func formatOf(contentType string, body *bufio.Reader) (Format, error) {
	media, _, err := mime.ParseMediaType(contentType)
	if contentType != "" && err != nil {
		return "", &FetchError{Reason: fmt.Sprintf("the feed's content type %q cannot be parsed", contentType)}
	}
	declared := declaredFormat(media)
	if declared == "" && !genericTypes[media] {
		return "", &FetchError{Reason: fmt.Sprintf("the feed's content type is %s, not JSON or XML", media)}
	}
	head, complete, err := peekHead(body)
	if err != nil {
		return "", readFailure(err)
	}
	if err := notAFeed(head, servedAs(media)); err != nil {
		return "", err
	}
	if declared != "" {
		return declared, nil
	}
	return sniff(head, complete, servedAs(media))
}

// peekHead reads ahead of the document headBytes, or on up to its first
// character after space and a byte order mark, as far as body's buffer
// holds: a feed a script writes may follow many blank lines. complete is
// true when head is the whole document.
func peekHead(body *bufio.Reader) (head []byte, complete bool, err error) {
	for n := headBytes; ; n = min(2*n, body.Size()) {
		head, err = body.Peek(n)
		if errors.Is(err, io.EOF) {
			return head, true, nil
		}
		if err != nil || len(trimHead(head)) > 0 || n == body.Size() {
			return head, false, err
		}
	}
}

// declaredFormat is the format a content type names, "" for none.
func declaredFormat(media string) Format {
	switch {
	case media == "application/json" || media == "text/json" || strings.HasSuffix(media, "+json"):
		return JSON
	case media == "application/xml" || media == "text/xml" || strings.HasSuffix(media, "+xml"):
		return XML
	}
	return ""
}

// readFailure is a read of the document that failed: over the size cap
// (already a *FetchError) or broken off.
func readFailure(err error) error {
	var fe *FetchError
	if errors.As(err, &fe) {
		return fe
	}
	return &FetchError{Reason: fmt.Sprintf("reading the feed broke off: %v", err)}
}

func servedAs(media string) string {
	if media == "" {
		return "served without a content type"
	}
	return "served as " + media
}

// sniff tells a document served as a generic type by its first character
// after space and a byte order mark: JSON starts with [ (or {, which the
// parser then refuses as not an array of items), XML with <.
func sniff(head []byte, complete bool, served string) (Format, error) {
	text := trimHead(head)
	switch {
	case len(text) == 0 && complete:
		return "", &FetchError{Reason: fmt.Sprintf("the feed (%s) is empty", served)}
	case len(text) == 0: // nothing but space as far as it was read ahead
		text = head
	case text[0] == '[' || text[0] == '{':
		return JSON, nil
	case text[0] == '<':
		return XML, nil
	}
	return "", &FetchError{Reason: fmt.Sprintf("the feed (%s) starts with %s, which is neither a JSON array nor XML", served, quoteHead(text))}
}

// notAFeed names a document that cannot be a feed whatever its type says:
// an HTML page, a gzip file served as such rather than gzip-encoded, or a
// UTF-16 one (its byte order mark), which neither parser reads.
func notAFeed(head []byte, served string) error {
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		return &FetchError{Reason: fmt.Sprintf("the feed is a gzip-compressed file (%s), not a JSON or XML document: serve the document itself, or send it compressed with Content-Encoding: gzip", served)}
	}
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		return &FetchError{Reason: fmt.Sprintf("the feed is encoded in UTF-16 (%s), which is not read: serve it in UTF-8", served)}
	}
	if text := trimHead(head); isHTML(text) {
		return &FetchError{Reason: fmt.Sprintf("the feed is an HTML page (%s), not a JSON or XML feed: it starts with %s", served, quoteHead(text))}
	}
	return nil
}

// htmlStarts open an HTML page; none can open a feed, whose XML root is
// <Products>.
var htmlStarts = []string{"<!doctype html", "<html", "<head", "<body", "<title"}

func isHTML(text []byte) bool {
	for _, start := range htmlStarts {
		if len(text) < len(start) || !strings.EqualFold(string(text[:len(start)]), start) {
			continue
		}
		if rest := text[len(start):]; len(rest) == 0 || strings.IndexByte(" \t\r\n>/", rest[0]) >= 0 {
			return true
		}
	}
	return false
}

// trimHead drops the space and byte order mark before a document.
func trimHead(head []byte) []byte {
	return bytes.TrimLeft(head, " \t\r\n\ufeff")
}

// quoteHead quotes the first characters of a document for an error.
func quoteHead(text []byte) string {
	n := min(len(text), 64)
	for n < len(text) && n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return fmt.Sprintf("%q", text[:n])
}
