package contact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mentions reports whether text names value — an email address or a
// phone number in E.164, as Canonical gives them — as a whole, ignoring
// case: not as a part of a longer address or number. "ann@example.com" is
// named in `To: <Ann@Example.com>.` but not in "joann@example.com",
// "x.ann@example.com", "tag+ann@example.com" or "ann@example.com.au", and
// "+493012345678" is not named in "+4930123456789".
//
// An address is taken to start after any character that cannot end the
// local part of a usual address (letters, digits, and . _ - + do), so
// "mailto:ann@…" and "email=ann@…" name ann@…; an address whose local part
// ends with one of the rarer characters the standard allows there (such as
// = or /) is read as naming the address after it.
//
// A phone number is named in its international form, + and the country
// code, however its digits are grouped: "+1 415-555-0100", "+1 (415)
// 555.0100" and "+14155550100" name +14155550100 (see phoneSeparators).
// A national form ("(415) 555-0100") is not read: it names a number only
// with a country the text does not give, and the same digits are another
// country's number too.
//
// Text that embeds JSON is read with its escapes decoded (readText): a
// mention in an error message that quotes a JSON body, such as
// `{\"to\":\"\u003cb\u00fccher@example.com\u003e\"}`, is read as the
// address it spells.
func Mentions(text, value string) bool {
	return len(mentionSpans(text, value, 1)) > 0
}

// ReplaceMentions returns text with every mention of value (as Mentions
// reads one: whole, ignoring case, however escaped or punctuated) replaced
// by with, and whether any was. The rest of the text is kept as it was:
// "550 <Ann@Example.com>: mailbox unavailable" becomes "550 <[erased]>:
// mailbox unavailable", and joann@example.com stays. Should a mention
// escape the scan, the whole text is replaced: a mention is never left.
func ReplaceMentions(text, value, with string) (string, bool) {
	spans := mentionSpans(text, value, -1)
	if len(spans) == 0 {
		return text, false
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(text[last:s.start])
		b.WriteString(with)
		last = s.end
	}
	b.WriteString(text[last:])
	if out := b.String(); !Mentions(out, value) {
		return out, true
	}
	return with, true
}

// span is a mention's bytes in the text.
type span struct{ start, end int }

// mentionSpans returns the whole mentions of value in text, at most limit
// of them (all when limit < 0), in order, not overlapping. A value that is
// + and digits is a phone number; any other, an address.
func mentionSpans(text, value string, limit int) []span {
	value = strings.ToLower(value)
	if value == "" {
		return nil
	}
	want := []rune(value)
	units := readText(text)
	match := emailAt
	if PhonePattern(value) != "" {
		match = phoneAt
	}
	var spans []span
	for i := 0; i < len(units) && len(spans) != limit; i++ {
		if end, ok := match(units, i, want); ok {
			spans = append(spans, span{units[i].start, units[end-1].end})
			i = end - 1
		}
	}
	return spans
}

// emailAt reports whether the units from i on spell the address want,
// ignoring case, as a whole, and the index of the unit after it.
func emailAt(units []unit, i int, want []rune) (int, bool) {
	if i+len(want) > len(units) {
		return 0, false
	}
	for k, r := range want {
		if unicode.ToLower(units[i+k].r) != r {
			return 0, false
		}
	}
	end := i + len(want)
	before, after, next := runeAt(units, i-1), runeAt(units, end), runeAt(units, end+1)
	if inLocalPart(before) || inDomain(after) || (after == '.' && inDomain(next)) {
		return 0, false
	}
	return end, true
}

// phoneAt reports whether the units from i on spell the number want (+
// and its digits) with its digits grouped by separators, as a whole: no
// digit or + before it, and no digit after it, nor after a separator.
func phoneAt(units []unit, i int, want []rune) (int, bool) {
	if units[i].r != '+' || isDigit(runeAt(units, i-1)) || runeAt(units, i-1) == '+' {
		return 0, false
	}
	at := i + 1
	for k, d := range want[1:] {
		if k > 0 {
			at += separatorRun(units, at)
		}
		if runeAt(units, at) != d {
			return 0, false
		}
		at++
	}
	if isDigit(runeAt(units, at)) || isDigit(runeAt(units, at+separatorRun(units, at))) {
		return 0, false
	}
	return at, true
}

// phoneSeparators are the characters that group a phone number's digits,
// one at a time or, without a dot, up to maxSeparatorRun together: "415
// 555-0100", "(415) 555.0100", "030/1234567".
const phoneSeparators = " -.()/"

// maxSeparatorRun is the longest run of separators between two digits of
// one number: "1 (415" has two, "555 - 0100" three.
const maxSeparatorRun = 3

// separatorRun returns how many units from at are a run of separators
// that can stand between two digits of one number, and 0 if none can: a
// dot only alone, as a sentence's full stop is followed by a space.
func separatorRun(units []unit, at int) int {
	n := 0
	for n < maxSeparatorRun && strings.ContainsRune(phoneSeparators, runeAt(units, at+n)) {
		n++
	}
	if !isDigit(runeAt(units, at+n)) {
		return 0
	}
	if n > 1 {
		for _, u := range units[at : at+n] {
			if u.r == '.' {
				return 0
			}
		}
	}
	return n
}

// runeAt is the rune of units[i], or utf8.RuneError outside the text.
func runeAt(units []unit, i int) rune {
	if i < 0 || i >= len(units) {
		return utf8.RuneError
	}
	return units[i].r
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// inLocalPart reports whether r may end the local part of a usual email
// address (see Mentions).
func inLocalPart(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-+", r))
}

// inDomain reports whether r may continue a domain name.
func inDomain(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_')
}

// PhonePattern returns a regular expression (in the syntax Go's regexp
// and PostgreSQL's ~ share) that finds, in a text, every spelling of the
// number e164 that Mentions reads, and some more: + and the digits, any
// run of up to maxSeparatorRun separators between two of them. It is a
// database's search for candidates, which Mentions then reads; "" for a
// value that is not + and digits.
func PhonePattern(e164 string) string {
	if len(e164) < 2 || e164[0] != '+' {
		return ""
	}
	var b strings.Builder
	b.WriteString(`\+`)
	for i, d := range e164[1:] {
		if !isDigit(d) {
			return ""
		}
		if i > 0 {
			b.WriteString(`[ ()./-]{0,3}`)
		}
		b.WriteRune(d)
	}
	return b.String()
}
