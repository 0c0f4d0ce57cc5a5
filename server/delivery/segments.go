package delivery

import (
	"strings"
	"unicode/utf16"
)

// gsmBasic is the GSM 03.38 default alphabet: one septet each.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the GSM extension table: an escape plus the character,
// so two septets each.
const gsmExtension = "^{}\\[~]|€\f"

// SMS segment sizes: one message alone, and each part of a concatenated
// message (whose user data header takes the difference).
const (
	gsmSingle, gsmPart   = 160, 153
	ucs2Single, ucs2Part = 70, 67
)

// Segments returns how many SMS segments text takes and whether it is sent
// in the GSM-7 alphabet. GSM-7 text takes 160 septets in one segment or 153
// per part, extension-table characters counting two; any other text is
// sent as UCS-2: 70 UTF-16 units alone or 67 per part. A character is
// never split across parts: an escape pair or a surrogate pair moves whole
// to the next part, as carriers split them.
func Segments(text string) (segments int, gsm bool) {
	widths, gsm := smsWidths(text)
	single, part := ucs2Single, ucs2Part
	if gsm {
		single, part = gsmSingle, gsmPart
	}
	total := 0
	for _, w := range widths {
		total += w
	}
	if total <= single {
		return 1, gsm
	}
	segments, used := 1, 0
	for _, w := range widths {
		if used+w > part {
			segments, used = segments+1, 0
		}
		used += w
	}
	return segments, gsm
}

// smsWidths returns the width of each character in units of the alphabet
// the text needs: septets for GSM-7, UTF-16 units for UCS-2.
func smsWidths(text string) ([]int, bool) {
	widths := make([]int, 0, len(text))
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			widths = append(widths, 1)
		case strings.ContainsRune(gsmExtension, r):
			widths = append(widths, 2)
		default:
			return ucs2Widths(text), false
		}
	}
	return widths, true
}

func ucs2Widths(text string) []int {
	widths := make([]int, 0, len(text))
	for _, r := range text {
		widths = append(widths, utf16.RuneLen(r))
	}
	return widths
}
