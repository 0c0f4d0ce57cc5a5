package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestConfirmPageFailingSaysSoInItsHeading: when the server fails to read
// or record a confirmation, the page's title and heading say something went
// wrong, in the browser's language, not "Confirm your alert" above no
// button: a shopper who pressed Confirm would not know whether it took.
func TestConfirmPageFailingSaysSoInItsHeading(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		_, link := fx.subscribeAndAsk(t, "+12015550123")
		// The table missing makes every read and write of a confirmation fail.
		if _, err := db.DB.ExecContext(context.Background(), `ALTER TABLE confirmations RENAME TO confirmations_away`); err != nil {
			t.Fatal(err)
		}
		for lang, want := range map[string]string{
			"en": "Something went wrong", "fr": "Une erreur est survenue", "de": "Etwas ist schiefgelaufen", "es": "Algo ha fallado",
		} {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				req, _ := http.NewRequest(method, link, nil)
				req.Header.Set("Accept-Language", lang)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				page := html.UnescapeString(string(body))
				title := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(page)
				heading := regexp.MustCompile(`<h1>([^<]*)</h1>`).FindStringSubmatch(page)
				if res.StatusCode != http.StatusInternalServerError || len(title) < 2 || title[1] != want || len(heading) < 2 || heading[1] != want {
					t.Errorf("%s %s: %d, title %q, heading %q; want 500 titled and headed %q", lang, method, res.StatusCode, title, heading, want)
				}
				if strings.Contains(page, "To get a new link") {
					t.Errorf("%s %s: a failure of the server asks for a new link", lang, method)
				}
			}
		}
	})
}
