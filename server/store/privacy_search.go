package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/stockbell/stockbell/contact"
)

// contactSearch is how a database finds the texts that may name a
// contact, its candidates, which mentionsContact or withoutContact then
// read: those holding one of the spellings of its addresses (as JSON
// text may spell them: candidateSpellings), ignoring case, or one of its
// phone numbers, however its digits are grouped (contact.PhonePattern).
//
// What it costs: no index serves a search inside a text, so the shop's
// rows are all read by the database, as before; for each, a substring
// search per address spelling and per number (+ and the country code's
// first digit, which no punctuation splits), and only in a row that holds
// the latter a regular expression (PostgreSQL's ~; on SQLite Go's regexp,
// linear in the text: sqliteRegexp). The rows returned are those holding
// the number in some punctuation, few beyond those that name it.
type contactSearch struct {
	spellings []string // lower-case
	phones    []string // in E.164
}

// searchFor returns the search for the needles (contactNeedles).
func searchFor(needles []string) contactSearch {
	var s contactSearch
	var addresses []string
	for _, n := range needles {
		if contact.PhonePattern(n) != "" {
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
	for _, spelling := range s.spellings {
		switch {
		case escaped:
			terms = append(terms, `strpos(lower(`+expr+`), encode(?, 'escape')) > 0`)
			args = append(args, []byte(spelling))
		default:
			terms = append(terms, `lower(`+expr+`) LIKE ? ESCAPE '\'`)
			args = append(args, "%"+escapeLike(spelling)+"%")
		}
	}
	for _, phone := range s.phones {
		if d == Postgres {
			terms = append(terms, `(strpos(`+expr+`, ?) > 0 AND `+expr+` ~ ?)`)
		} else {
			terms = append(terms, `(instr(`+expr+`, ?) > 0 AND `+expr+` REGEXP ?)`)
		}
		args = append(args, phone[:2], contact.PhonePattern(phone))
	}
	if len(terms) == 0 {
		return "1 = 0", nil
	}
	return strings.Join(terms, " OR "), args
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
