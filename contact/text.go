package contact

import "unicode/utf8"

// unit is one character of a text as Mentions reads it, and the bytes
// that spell it.
type unit struct {
	r          rune
	start, end int
}

// readText returns the characters of text with their bytes.
func readText(text string) []unit {
	units := make([]unit, 0, len(text))
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		units = append(units, unit{r, i, i + size})
		i += size
	}
	return units
}
