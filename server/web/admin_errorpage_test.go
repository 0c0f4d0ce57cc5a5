package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestErrorPagesAreHeadedInAMerchantsWords: a refused request's page is
// headed with what happened in plain words, never an HTTP status's name
// ("Unprocessable Entity", "Forbidden"), above the reason.
func TestErrorPagesAreHeadedInAMerchantsWords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		b := f.signIn(t, mustShop(t, db, "bells.example"))
		heading := regexp.MustCompile(`<h1>([^<]*)</h1>\s*<p class="error-text" role="alert">([^<]*)</p>`)
		for _, c := range []struct {
			what, want string
			page       func() page
			status     int
		}{
			{"an export with a date that is not one", "That could not be done", func() page { return b.get("/admin/reports/activity.csv?from=1st+May") },
				http.StatusUnprocessableEntity},
			{"a form posted without its token", "Not allowed", func() page {
				return b.post("/admin/invite", url.Values{"csrf_token": {"stale"}, "email": {"colleague@example.com"}})
			}, http.StatusForbidden},
		} {
			p := c.page()
			wantStatus(t, p, c.status, c.what)
			m := heading.FindStringSubmatch(p.Body)
			if m == nil || m[1] != c.want || m[2] == "" {
				t.Errorf("%s: heading and reason %q, want the heading %q above the reason\n%.2000s", c.what, m, c.want, p.Body)
			}
		}
	})
}
