package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// TestFlowSaveKeepsTestAddressOutOfTheURL: the page a save redirects to
// still has the test address typed with the form, and each preview's
// language, but the address is never in the URL (access logs, proxies,
// the browser's history). It is kept for that page only, and for its shop
// only.
func TestFlowSaveKeepsTestAddressOutOfTheURL(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		b := f.signIn(t, w.shop)
		saved := b.post("/admin/flow", with(typedFlow(b.get("/admin/flow").csrf(t)), "action", "save"))
		wantStatus(t, saved, http.StatusSeeOther, "saving the flow")
		next := saved.Header.Get("Location")
		if strings.Contains(next, "test_to") || strings.Contains(next, "tests") {
			t.Fatalf("the save redirects to %s, which names the test address", next)
		}
		flowURL, _ := url.Parse(f.url + "/admin/flow")
		var kept []*http.Cookie // the save's cookie, not the session's
		for _, c := range b.client.Jar.Cookies(flowURL) {
			if c.Name != web.AdminCookieName {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			t.Fatal("the save kept no cookie for the flow page")
		}

		shown := formValues(t, b.get(next).Body, "flow-form")
		if shown.Get("test_to") != "tests@example.com" || shown.Get("s1_preview") != "fr" || shown.Get("s3_preview") != "es" {
			t.Errorf("after saving the form shows test_to=%q s1_preview=%q s3_preview=%q", shown.Get("test_to"), shown.Get("s1_preview"), shown.Get("s3_preview"))
		}
		if again := formValues(t, b.get("/admin/flow").Body, "flow-form").Get("test_to"); again == "tests@example.com" {
			t.Error("the kept test address is shown again on a later visit, not only after the save")
		}

		other := f.signIn(t, w.other)
		other.client.Jar.SetCookies(flowURL, kept)
		if elsewhere := formValues(t, other.get("/admin/flow").Body, "flow-form").Get("test_to"); elsewhere == "tests@example.com" {
			t.Error("another shop's flow page shows the test address kept by this shop's save")
		}
	})
}
