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
func Mentions(text, value string) bool {
	value = strings.ToLower(value)
	if value == "" {
		return false
	}
	text = strings.ToLower(text)
	phone := strings.HasPrefix(value, "+")
	for from := 0; from < len(text); {
		i := strings.Index(text[from:], value)
		if i < 0 {
			return false
		}
		start := from + i
		if wholeAt(text, start, start+len(value), phone) {
			return true
		}
		from = start + 1
	}
	return false
}

// wholeAt reports whether text[start:end], an address or number, stands
// alone: the characters around it cannot continue it.
func wholeAt(text string, start, end int, phone bool) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, size := utf8.DecodeRuneInString(text[end:])
	if phone {
		return !isDigit(before) && before != '+' && !isDigit(after)
	}
	if inLocalPart(before) || inDomain(after) {
		return false
	}
	if after == '.' {
		next, _ := utf8.DecodeRuneInString(text[end+size:])
		return !inDomain(next)
	}
	return true
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

// ReplaceMentions returns text with every mention of value (as Mentions
// reads one: whole, ignoring case) replaced by with, and whether any was.
// The rest of the text is kept as it was: "550 <Ann@Example.com>: mailbox
// unavailable" becomes "550 <[erased]>: mailbox unavailable", and
// joann@example.com stays. Should a mention escape the scan (a letter
// whose lower case is longer or shorter than itself), the whole text is
// replaced: a mention is never left.
func ReplaceMentions(text, value, with string) (string, bool) {
	value = strings.ToLower(value)
	if !Mentions(text, value) {
		return text, false
	}
	phone := strings.HasPrefix(value, "+")
	runes := utf8.RuneCountInString(value)
	var b strings.Builder
	last := 0
	for start := 0; start < len(text); {
		end := start
		for n := 0; n < runes && end < len(text); n++ {
			_, size := utf8.DecodeRuneInString(text[end:])
			end += size
		}
		if strings.EqualFold(text[start:end], value) && wholeAt(text, start, end, phone) {
			b.WriteString(text[last:start])
			b.WriteString(with)
			last, start = end, end
			continue
		}
		_, size := utf8.DecodeRuneInString(text[start:])
		start += size
	}
	b.WriteString(text[last:])
	if out := b.String(); !Mentions(out, value) {
		return out, true
	}
	return with, true
}
