package contact

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// unit is one character of a text as Mentions reads it, and the bytes
// that spell it.
type unit struct {
	r          rune
	start, end int
}

// readText returns the characters of text with the bytes of each, its
// JSON escapes decoded: an error message or a payload's field can quote a
// JSON body whose encoder escaped the characters around an address (Go
// and Rails write < as \u003c, Gson = as \u003d, a line break is \n) or
// within it (PHP, Python and Java write ü as \u00fc), and a body quoted in
// a JSON string once more has its backslashes escaped in turn (\\u00fc,
// \\\"). So any run of backslashes followed by an escape reads as the
// character it escapes; a backslash followed by anything else is itself.
func readText(text string) []unit {
	units := make([]unit, 0, len(text))
	for i := 0; i < len(text); {
		u, ok := escapeAt(text, i)
		if !ok {
			r, size := utf8.DecodeRuneInString(text[i:])
			u = unit{r, i, i + size}
		}
		units = append(units, u)
		i = u.end
	}
	return units
}

// escapeAt decodes the JSON escape at text[i:], if one starts there: any
// run of backslashes, then u and four hex digits (two such for a
// character beyond the Basic Multilingual Plane), or one of n r t b f " /
// and ' (which some encoders escape).
func escapeAt(text string, i int) (unit, bool) {
	j := afterBackslashes(text, i)
	if j == i || j == len(text) {
		return unit{}, false
	}
	if c, ok := escapedChar[text[j]]; ok {
		return unit{c, i, j + 1}, true
	}
	r, ok := hexRune(text, j)
	if !ok {
		return unit{}, false
	}
	end := j + 5
	if !utf16.IsSurrogate(r) {
		return unit{r, i, end}, true
	}
	if k := afterBackslashes(text, end); k > end {
		if low, ok := hexRune(text, k); ok {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				return unit{pair, i, k + 5}, true
			}
		}
	}
	return unit{utf8.RuneError, i, end}, true
}

// escapedChar are the characters JSON and its encoders escape as a
// backslash and one letter or the character itself.
var escapedChar = map[byte]rune{'n': '\n', 'r': '\r', 't': '\t', 'b': '\b', 'f': '\f', '"': '"', '/': '/', '\'': '\''}

// afterBackslashes returns the index after the run of backslashes at i.
func afterBackslashes(text string, i int) int {
	for i < len(text) && text[i] == '\\' {
		i++
	}
	return i
}

// hexRune decodes u and four hex digits at text[j:].
func hexRune(text string, j int) (rune, bool) {
	if j+5 > len(text) || text[j] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(text[j+1:j+5], 16, 16)
	return rune(n), err == nil
}
