package contact

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
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
// The international prefix 00 may stand for the + ("0044 20 7946 0958"
// names +442079460958), and the national trunk prefix may follow the
// country code in brackets ("+49 (0)30 1234567" names +49301234567). A
// national form ("(415) 555-0100") is not read: it names a number only
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

// MentionSpans returns where text names value as Mentions reads it: the
// start and end byte offsets of each mention, in order.
func MentionSpans(text, value string) [][2]int {
	spans := mentionSpans(text, value, -1)
	out := make([][2]int, len(spans))
	for i, s := range spans {
		out[i] = [2]int{s.start, s.end}
	}
	return out
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
	match := addressMatcher(value)
	if isNumber(value) {
		match = numberMatcher(value)
	}
	units := readText(text)
	var spans []span
	for i := 0; i < len(units) && len(spans) != limit; i++ {
		if end, ok := match(units, i); ok {
			spans = append(spans, span{units[i].start, units[end-1].end})
			i = end - 1
		}
	}
	return spans
}

// matcher reports whether the units from i on spell a value as a whole,
// and the index of the unit after it.
type matcher func(units []unit, i int) (int, bool)

// addressMatcher is the matcher of a lower-case address (emailAt).
func addressMatcher(address string) matcher {
	want := []rune(address)
	return func(units []unit, i int) (int, bool) { return emailAt(units, i, want) }
}

// numberMatcher is the matcher of a number in E.164 (phoneAt).
func numberMatcher(e164 string) matcher {
	digits := []rune(e164[1:])
	countryCode := countryCodeLength(e164[1:])
	return func(units []unit, i int) (int, bool) { return phoneAt(units, i, digits, countryCode) }
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

// phoneAt reports whether the units from i on spell the number whose
// digits (after +) are digits, its country code their first countryCode:
// its international prefix (afterInternationalPrefix), then its digits
// grouped by separators, the trunk prefix in brackets allowed after the
// country code (afterTrunkPrefix), as a whole: no digit or + before it,
// and no digit after it, nor after a separator.
func phoneAt(units []unit, i int, digits []rune, countryCode int) (int, bool) {
	at, ok := afterInternationalPrefix(units, i)
	if !ok {
		return 0, false
	}
	for k, d := range digits {
		// A national number beginning with 0 (Italy's) is written with
		// its 0, bracketed or not, never after a trunk prefix.
		if k > 0 && k == countryCode && d != '0' {
			at = afterTrunkPrefix(units, at)
		}
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

// afterInternationalPrefix returns the index after the international
// prefix at i, + or 00 (internationalPrefix), right before the country
// code, and whether there is one: not after a digit or a +, which would
// make it a part of something longer.
func afterInternationalPrefix(units []unit, i int) (int, bool) {
	if before := runeAt(units, i-1); isDigit(before) || before == '+' {
		return 0, false
	}
	if units[i].r == '+' {
		return i + 1, true
	}
	for k, r := range internationalPrefix {
		if runeAt(units, i+k) != r {
			return 0, false
		}
	}
	return i + len(internationalPrefix), true
}

// afterTrunkPrefix returns, when the units from at (right after a
// number's country code) are the national trunk prefix in brackets, "(0)"
// after any separators ("+49 (0)30", "+44(0) 20"), the index of its
// closing bracket, a separator before the national number; at otherwise.
func afterTrunkPrefix(units []unit, at int) int {
	n := separatorRun(units, at)
	if n == 0 || runeAt(units, at+n-1) != '(' || runeAt(units, at+n) != '0' || runeAt(units, at+n+1) != ')' {
		return at
	}
	return at + n + 1
}

// countryCodeLength returns how many of a number's digits in E.164 (after
// +) are its country code, 0 when they begin with none. Country codes
// are one to three digits, and none is the beginning of another.
func countryCodeLength(digits string) int {
	for n := 1; n <= 3 && n < len(digits); n++ {
		code, err := strconv.Atoi(digits[:n])
		if err == nil && phonenumbers.GetRegionCodeForCountryCode(code) != phonenumbers.UNKNOWN_REGION {
			return n
		}
	}
	return 0
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

// PhoneSearch is one way a database finds the texts that may spell a
// number, its candidates, which Mentions then reads: those holding
// Prefix, then, of those, the ones matching Pattern.
type PhoneSearch struct {
	// Prefix is what the spellings begin with: an international prefix (+
	// or 00) and the first digit of the country code, which no separator
	// splits from it.
	Prefix string
	// Pattern is a regular expression, in the syntax Go's regexp and
	// PostgreSQL's ~ share, beginning with Prefix as a literal (which
	// both engines look for before they try the rest).
	Pattern string
}

// PhoneSearches returns the searches that together find, in a text, every
// spelling of the number e164 that Mentions reads, and some more: one per
// international prefix, + or 00, then the digits with any run of up to
// maxSeparatorRun separators between two of them, and "0)" and more
// separators after the country code. nil for a value that is not + and
// digits.
func PhoneSearches(e164 string) []PhoneSearch {
	if !isNumber(e164) {
		return nil
	}
	const separators = `[ ()./-]{0,3}`
	countryCode := countryCodeLength(e164[1:])
	var digits strings.Builder
	for i, d := range e164[1:] {
		if i > 0 {
			digits.WriteString(separators)
		}
		if i > 0 && i == countryCode {
			digits.WriteString(`(?:0\)` + separators + `)?`)
		}
		digits.WriteRune(d)
	}
	return []PhoneSearch{
		{Prefix: e164[:2], Pattern: `\+` + digits.String()},
		{Prefix: internationalPrefix + e164[1:2], Pattern: internationalPrefix + digits.String()},
	}
}

// isNumber reports whether value is a number as Canonical gives one: +
// and digits.
func isNumber(value string) bool {
	if len(value) < 2 || value[0] != '+' {
		return false
	}
	for _, d := range value[1:] {
		if !isDigit(d) {
			return false
		}
	}
	return true
}
