package delivery

import (
	"testing"
	texttemplate "text/template"
)

// TestSharedPhrases: a phrase is kept across messages only when it reads
// nothing but the shop, the variant and the language; the SMS text with
// each message's short link is rendered every time.
func TestSharedPhrases(t *testing.T) {
	tmpl := NewTemplates(nil, StopAlways)
	for lang, names := range tmpl.shared {
		if names["SMS"] {
			t.Errorf("%s: the SMS phrase reads the message's short link and must not be shared", lang)
		}
		if !names["Subject"] || !names["Intro"] {
			t.Errorf("%s: the subject and intro read only the shop and variant and should be shared", lang)
		}
	}
	cases := map[string]bool{
		"plain":                                 true,
		"{{.Shop.Name}} {{.Variant.Title}}":     true,
		"{{with .Variant.Title}}({{.}}){{end}}": true,
		"{{.}}":                                 false,
		"{{.ShortURL}}":                         false,
		"{{with .Shop}}{{$.Contact.Email}}{{end}}":        false,
		"{{with .Contact}}{{.Email}}{{end}}":              false,
		"{{$x := .ProductURL}}{{$x}}":                     false,
		"{{printf \"%s\" .Shop.Name}}":                    false,
		"{{if .Variant.Price}}{{.UnsubscribeURL}}{{end}}": false,
	}
	for src, want := range cases {
		tree := texttemplate.Must(texttemplate.New("t").Parse(src)).Root
		if got := readsOnly(tree, sharedFields, false); got != want {
			t.Errorf("readsOnly(%q) = %v, want %v", src, got, want)
		}
	}
}
