package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stockbell/stockbell/contact"
)

// contactSearch is how a database finds the texts that may name a
// contact, its candidates, which mentionsContact or withoutContact then
// read: those holding one of the spellings of its addresses (as JSON
// text may spell them: candidateSpellings) as likePattern reads them, or
// one of its phone numbers, however its digits are grouped and whichever
// international prefix it is written with (contact.PhoneSearches).
//
// What it costs: no index serves a search inside a text, so the shop's
// rows are all read by the database, as before; for each, one LIKE per
// address spelling (a few wildcards more for an address beyond ASCII) and
// two substring searches per number (+ or 00 and the country code's first
// digit, which no punctuation splits), and only in a row that holds one
// of those its regular expression (PostgreSQL's ~; on SQLite Go's regexp,
// linear in the text: sqliteRegexp), each beginning with its prefix, which
// either engine finds before it tries the rest (contact.PhoneSearches). The
// rows returned are those holding the number in some punctuation, few
// beyond those that name it.
type contactSearch struct {
	spellings []string // lower-case
	phones    []string // in E.164
}

// searchFor returns the search for the needles (contactNeedles).
func searchFor(needles []string) contactSearch {
	var s contactSearch
	var addresses []string
	for _, n := range needles {
		if contact.PhoneSearches(n) != nil {
			s.phones = append(s.phones, n)
		} else {
			addresses = append(addresses, n)
		}
	}
	s.spellings = candidateSpellings(addresses)
	return s
}

// condition returns the SQL condition that the text expression expr is a
// candidate, and its arguments. escaped says expr is bytes as
// PostgreSQL's encode(…, 'escape') writes them as text (a byte beyond
// ASCII as \ooo, a backslash doubled). A search for nothing is false.
func (s contactSearch) condition(d Dialect, expr string, escaped bool) (string, []any) {
	var terms []string
	var args []any
	for _, pattern := range likePatterns(s.spellings, escaped) {
		terms = append(terms, `lower(`+expr+`) LIKE ? ESCAPE '\'`)
		args = append(args, pattern)
	}
	find, matches := `instr(`+expr+`, ?) > 0`, expr+` REGEXP ?`
	if d == Postgres {
		find, matches = `strpos(`+expr+`, ?) > 0`, expr+` ~ ?`
	}
	for _, phone := range s.phones {
		for _, search := range contact.PhoneSearches(phone) {
			terms = append(terms, `(`+find+` AND `+matches+`)`)
			args = append(args, search.Prefix, search.Pattern)
		}
	}
	if len(terms) == 0 {
		return "1 = 0", nil
	}
	return strings.Join(terms, " OR "), args
}

// likePatterns are the LIKE patterns (\ escapes) that find the spellings
// in a lower-cased text, once each. Where a database cannot fold case
// and where escapes may differ, a pattern has wildcards and
// contact.Mentions decides:
//   - a character beyond ASCII is any one character (_): SQLite's lower()
//     folds ASCII alone, so BÜCHER@… stays bÜcher@…, and so does
//     PostgreSQL's under the C locale; in bytes read by encode(…,
//     'escape') it is any characters (%), its bytes being \ooo each;
//   - an escape \uXXXX is \u and any four characters, as the upper case
//     of an escaped letter is another code point (\u00dc for \u00fc);
//   - a backslash is any characters: quoted in a JSON string again (as
//     the job queue keeps an error), an escape's backslash is doubled.
func likePatterns(spellings []string, escaped bool) []string {
	var out []string
	for _, s := range spellings {
		if p := likePattern(s, escaped); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// likePattern is the LIKE pattern of one spelling (see likePatterns).
func likePattern(spelling string, escaped bool) string {
	var b strings.Builder
	b.WriteByte('%')
	for i := 0; i < len(spelling); {
		r, size := utf8.DecodeRuneInString(spelling[i:])
		switch {
		case r == '\\' && strings.HasPrefix(spelling[i+1:], "u") && i+6 <= len(spelling):
			b.WriteString("%u____")
			size = 6
		case r == '\\':
			b.WriteByte('%')
		case r >= utf8.RuneSelf && escaped:
			b.WriteByte('%')
		case r >= utf8.RuneSelf:
			b.WriteByte('_')
		default:
			b.WriteString(escapeLike(string(r)))
		}
		i += size
	}
	b.WriteByte('%')
	return b.String()
}

// candidateSpellings are the needles as JSON text may spell them, for the
// databases' search: as they are, as Go escapes them (& as \u0026), and
// as PHP does by default (every non-ASCII character as \uXXXX, / as \/),
// the platform modules' language.
func candidateSpellings(needles []string) []string {
	var out []string
	add := func(s string) {
		if s = strings.ToLower(s); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, n := range needles {
		add(n)
		quoted, _ := json.Marshal(n)
		add(string(quoted[1 : len(quoted)-1]))
		var php strings.Builder
		for _, r := range n {
			switch {
			case r == '/':
				php.WriteString(`\/`)
			case r > 0xffff:
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&php, `\u%04x\u%04x`, r1, r2)
			case r > 0x7f:
				fmt.Fprintf(&php, `\u%04x`, r)
			default:
				php.WriteRune(r)
			}
		}
		add(php.String())
	}
	return out
}

// escapeLike escapes LIKE's wildcards and the escape character itself.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
