package web_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"golang.org/x/net/html"
)

// TestFlowFormRefusalKeepsWhatWasTyped: a refused flow form comes back as
// the merchant typed it (status, every message, its texts and languages,
// the preview's language, the test address), with the error beside the
// wrong field, whichever message the field is in and whether the value
// could not be read or was read and refused. Nothing is saved.
func TestFlowFormRefusalKeepsWhatWasTyped(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		token := b.get("/admin/flow").csrf(t)
		before := flowOf(t, db, shop)
		typed := flowForm(token, "action", "save", "status", "manual",
			"s1_delay", "30m", "s1_smart_hours", "3", "s1_skip_oos", "1", "s1_subject", "Typed subject",
			"s1_preheader", "Typed preheader", "s1_body", "Typed body {{.ProductURL}}", "s1_fr_subject", "Sujet tapé",
			"s1_html", "<p>Typed HTML</p>", "s1_preview", "fr",
			"s2_channel", "sms", "s2_delay", "2h", "s2_smart_hours", "0", "s2_body", "Second text {{.ShortURL}}", "s2_de_body", "Zweiter Text",
			"test_to", "me@example.com")
		cases := []struct {
			field, value string
			more         []string
		}{
			{"s1_delay", "soon", nil},
			{"s2_delay", "later", nil},
			{"s1_smart_hours", "many", nil},
			{"s2_smart_hours", "500", nil},
			{"s1_other_lang", "pt-", []string{"s1_other_subject", "De volta", "s1_other_body", "Já está disponível"}},
		}
		for _, c := range cases {
			form := url.Values{}
			for k, v := range typed {
				form[k] = append([]string(nil), v...)
			}
			form.Set(c.field, c.value)
			for i := 0; i+1 < len(c.more); i += 2 {
				form.Set(c.more[i], c.more[i+1])
			}
			p := b.post("/admin/flow", form)
			wantStatus(t, p, http.StatusUnprocessableEntity, c.field+"="+c.value)
			if !strings.Contains(p.Body, `id="`+c.field+`-error"`) {
				t.Errorf("%s=%s: no error beside the field:\n%.3000s", c.field, c.value, p.Body)
			}
			shown := formValues(t, p.Body, "flow-form")
			for name, want := range form {
				if name != "action" && !reflect.DeepEqual(shown[name], want) {
					t.Errorf("%s=%s: the form shows %s=%q, typed %q", c.field, c.value, name, shown[name], want)
				}
			}
		}
		if after := flowOf(t, db, shop); !reflect.DeepEqual(after.Steps, before.Steps) || after.Status != before.Status {
			t.Fatalf("a refused post changed the flow: %+v", after)
		}
	})
}

// formValues reads the values a browser would post from the form with the
// given id: text inputs, checked boxes and radios, textareas and the
// selected option of each select.
func formValues(t *testing.T, page, id string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var form *html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" && attrOf(n, "id") == id {
			form = n
		}
	})
	if form == nil {
		t.Fatalf("no form %q on the page:\n%.2000s", id, page)
	}
	values := url.Values{}
	walk(form, func(n *html.Node) {
		name := attrOf(n, "name")
		if n.Type != html.ElementNode || name == "" {
			return
		}
		switch n.Data {
		case "input":
			kind := attrOf(n, "type")
			if (kind != "checkbox" && kind != "radio") || hasAttrOf(n, "checked") {
				values.Add(name, attrOf(n, "value"))
			}
		case "textarea":
			var text strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				text.WriteString(c.Data)
			}
			values.Add(name, strings.TrimPrefix(text.String(), "\n"))
		case "select":
			var chosen, first string
			walk(n, func(o *html.Node) {
				if o.Type == html.ElementNode && o.Data == "option" {
					if first == "" {
						first = attrOf(o, "value")
					}
					if hasAttrOf(o, "selected") {
						chosen = attrOf(o, "value")
					}
				}
			})
			if chosen == "" {
				chosen = first
			}
			values.Add(name, chosen)
		}
	})
	return values
}

func walk(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttrOf(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
