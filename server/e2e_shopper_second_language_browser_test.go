package main

import (
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestShopperPagesFollowTheBrowsersSecondChoiceInChromium: a browser whose
// first language the shopper pages do not speak (Chinese) and whose second
// is German gets them in German, not English: a garbled unsubscribe or
// confirmation link and a path no route serves.
func TestShopperPagesFollowTheBrowsersSecondChoiceInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	speak(t, ctx, "zh-CN,zh;q=0.9,de;q=0.8,en;q=0.7")
	for path, want := range map[string]string{
		"/unsubscribe/garbled": "Link ungültig",
		"/confirm/garbled":     "Link ungültig",
		"/demo/x/y":            "Seite nicht gefunden",
	} {
		browse(t, ctx, m.URL()+path, "main h1")
		if got, lang := text(t, ctx, "main h1"), browsertest.Eval[string](t, ctx, "document.documentElement.lang"); got != want || lang != "de" {
			t.Errorf("%s: %q in lang %q, want %q in de", path, got, lang, want)
		}
	}
}
