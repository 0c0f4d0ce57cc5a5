package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"

	stockbell "github.com/stockbell/stockbell"
)

// translationHTMLField names the form field that carries message n's
// translations' custom HTML, which the page does not show (only the API
// writes it): s2_translation_html. Carried by the form rather than looked
// up in the saved flow, it stays with its message when messages are added
// or removed, and when the flow was changed elsewhere after the page was
// opened (a refused save shows the form again over a flow whose messages
// may no longer be where they were).
func translationHTMLField(n int) string { return stepField(n, "translation_html") }

// encodeTranslationHTML is the field's value ("" when no translation has
// HTML): a JSON object from language code to HTML, whose escapes leave no
// raw line break for the browser to send as CRLF, so the HTML comes back
// byte for byte; in unpadded URL-safe base64, so that it travels as it is
// in the page, the posted form and the preview's query.
func encodeTranslationHTML(translations map[string]stockbell.StepText) string {
	html := map[string]string{}
	for code, text := range translations {
		if text.HTML != "" {
			html[code] = text.HTML
		}
	}
	if len(html) == 0 {
		return ""
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(html); err != nil {
		panic(err) // a map of strings always encodes
	}
	return base64.RawURLEncoding.EncodeToString(bytes.TrimSpace(buf.Bytes()))
}

// translationHTML is the custom HTML of message n's translations by
// language code: what the form carries, or, from a form that does not
// carry the field, the saved message's (old). A value that does not read
// is an EINVALID error naming the field, with the saved message's HTML,
// so that the form shown again carries a value that does.
func translationHTML(form url.Values, n int, old map[string]stockbell.StepText) (map[string]string, error) {
	saved := map[string]string{}
	for code, text := range old {
		if text.HTML != "" {
			saved[code] = text.HTML
		}
	}
	raw := form.Get(translationHTMLField(n))
	if !form.Has(translationHTMLField(n)) {
		return saved, nil
	}
	html := map[string]string{}
	if raw == "" {
		return html, nil
	}
	decoded, err := base64.RawURLEncoding.DecodeString(raw)
	if err == nil {
		err = json.Unmarshal(decoded, &html)
	}
	if err != nil {
		return saved, stockbell.FieldErrorf(translationHTMLField(n),
			"The custom HTML of message %d's other languages came back damaged; the saved message's is kept instead: save again to keep it.", n)
	}
	return html, nil
}
