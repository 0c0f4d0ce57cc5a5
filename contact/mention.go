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
