package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestEveryAdminFormNeedsItsCSRFToken finds every form that posts on the
// development server's start page, its platforms' connect pages and its
// admin pages (following the admin's links, so pages added later are
// included), and posts each one as served
// but without the CSRF token, with a wrong one in the form and with a
// wrong one in the X-CSRF-Token header: each is refused with 403 and
// leaves every table as it was. The same form with the session's own token
// is not refused, so the token was all that was missing. Every route under
// /admin that accepts a POST is checked, whether or not a page shows its
// form now.
func TestEveryAdminFormNeedsItsCSRFToken(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			m := startServer(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
			waitingSubscriber(t, m)
			base := m.URL()
			forms := crawlForms(t, demoAdminClient(t, base), base, append([]string{"/admin", "/"}, connectPages(m)...),
				[]string{"/admin"}, []string{"/admin/sign-out", "/admin/subscribers/export"})
			forms = append(forms, unshownPostRoutes(m, forms)...)
			if len(forms) < 12 {
				t.Fatalf("only %d forms found: the crawl reaches too little\n%v", len(forms), forms)
			}
			t.Logf("%d ways to post: %v", len(forms), forms)
			for _, form := range forms {
				refusedWithoutToken(t, m, form)
			}
			for _, form := range forms {
				if !form.Unshown {
					acceptedWithToken(t, base, form)
				}
			}
		})
	}
}

// refusedWithoutToken posts the form without its token, with a wrong one,
// and with a wrong one in the header, from a signed-in browser.
func refusedWithoutToken(t *testing.T, m *Main, form postForm) {
	t.Helper()
	client := demoAdminClient(t, m.URL())
	fetchPage(t, client, m.URL(), form.Page) // the page's own cookies, such as a sign-in form's nonce
	waitForIdleQueue(t, m)
	before := databaseFingerprint(t, m.DB)
	attempts := map[string]func() (*http.Response, error){
		"no token": func() (*http.Response, error) { return client.PostForm(m.URL()+form.Action, form.Values) },
		"a wrong token": func() (*http.Response, error) {
			v := cloneValues(form.Values)
			v.Set("csrf_token", "not-the-token")
			return client.PostForm(m.URL()+form.Action, v)
		},
		"a wrong header": func() (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodPost, m.URL()+form.Action, strings.NewReader(form.Values.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", "not-the-token")
			return client.Do(req)
		},
	}
	for what, post := range attempts {
		resp, err := post()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s with %s: %d, want 403", form, what, resp.StatusCode)
		}
	}
	if after := databaseFingerprint(t, m.DB); after != before {
		t.Errorf("%s: a refused post changed the database", form)
	}
}

// acceptedWithToken posts the form with the token of the page it is on,
// from a new signed-in browser: whatever the answer, it is not a refusal.
func acceptedWithToken(t *testing.T, base string, form postForm) {
	t.Helper()
	client := demoAdminClient(t, base)
	v := cloneValues(form.Values)
	v.Set("csrf_token", pageToken(t, client, base+form.Page))
	resp, err := client.PostForm(base+form.Action, v)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode >= 500 {
		t.Errorf("%s with the page's token: %d", form, resp.StatusCode)
	}
}

// unshownPostRoutes returns a post for each route under /admin accepting
// POST that no crawled form posts to (such as approving a batch a manual
// flow holds, shown only when one waits), its variables filled in.
func unshownPostRoutes(m *Main, forms []postForm) []postForm {
	var out []postForm
	for _, route := range m.Web.Routes() {
		if !strings.HasPrefix(route.Template, "/admin") || !slices.Contains(route.Methods, http.MethodPost) {
			continue
		}
		pattern := regexp.MustCompile("^" + routeVariable.ReplaceAllString(regexp.QuoteMeta(route.Template), `[^/]+`) + "$")
		if slices.ContainsFunc(forms, func(f postForm) bool { u, _ := url.Parse(f.Action); return pattern.MatchString(u.Path) }) {
			continue
		}
		path := routeVariable.ReplaceAllStringFunc(route.Template, fillRouteVariable)
		out = append(out, postForm{Page: "/admin", Action: path, Values: url.Values{}, Unshown: true})
	}
	return out
}

// routeVariable matches a gorilla/mux path variable, {name} or
// {name:pattern}, as regexp.QuoteMeta leaves it or not.
var routeVariable = regexp.MustCompile(`\\?\{[^}]+\\?\}`)

// fillRouteVariable gives a path variable a value its pattern accepts.
func fillRouteVariable(v string) string {
	_, pattern, _ := strings.Cut(strings.Trim(v, `{}\`), ":")
	switch {
	case strings.Contains(pattern, "|"):
		alt, _, _ := strings.Cut(pattern, "|")
		return strings.Trim(alt, "()")
	case strings.Contains(pattern, "0-9"):
		return "1"
	}
	return "x"
}

// connectPages are the pages where a shop of a platform without an app
// store (PrestaShop) is connected with a form.
func connectPages(m *Main) []string {
	var out []string
	for _, route := range m.Web.Routes() {
		if connectPage.MatchString(route.Template) && slices.Contains(route.Methods, http.MethodGet) {
			out = append(out, route.Template)
		}
	}
	return out
}

var connectPage = regexp.MustCompile(`^/auth/[a-z]+/connect$`)

// waitForIdleQueue waits until no job is due or running, so that a
// database compared before and after a request changes only by it.
func waitForIdleQueue(t *testing.T, m *Main) {
	t.Helper()
	waitForCondition(t, 30*time.Second, func() bool {
		var busy int
		err := m.DB.DB.Get(&busy, `SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'running', 'retryable', 'pending')`)
		return err == nil && busy == 0
	})
}

// demoAdminClient is a browser signed in to the demo shop's admin with the
// start page's button.
func demoAdminClient(t testing.TB, base string) *http.Client {
	t.Helper()
	client := noRedirectClient()
	resp, err := client.PostForm(base+"/demo/admin", url.Values{"csrf_token": {pageToken(t, client, base+"/")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("demo sign-in: %d", resp.StatusCode)
	}
	return client
}

// pageToken opens a page with the client and returns the csrf_token its
// forms carry (a session's token, or a sign-in form's nonce).
func pageToken(t testing.TB, client *http.Client, page string) string {
	t.Helper()
	resp, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := formNonce.FindStringSubmatch(string(body))
	if token == nil {
		t.Fatalf("%s has no form with a csrf_token (status %d)", page, resp.StatusCode)
	}
	return token[1]
}

// waitingSubscriber queues a shopper for the demo's sold-out size, so that
// the subscriber pages and their forms exist.
func waitingSubscriber(t *testing.T, m *Main) *stockbell.Subscription {
	t.Helper()
	return subscribeToSizeM(t, m, "waiting@example.com")
}
