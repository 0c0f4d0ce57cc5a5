package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSignInPagesNameTheCommandOfTheirMode: the sign-in page, with or
// without a refused link, and the start page name the command that makes
// a sign-in link as it runs where they are served: from the source in
// development (the start page's demo mode), the binary in production.
func TestSignInPagesNameTheCommandOfTheirMode(t *testing.T) {
	for development, command := range map[bool]string{true: "go run ./server admin link --shop DOMAIN", false: "stockbell admin link --shop DOMAIN"} {
		admin := newBareAdmin(t, development)
		pages := map[string]map[string]any{"signin": {}, "signin refused": {"Error": "This link was used already."}}
		if development {
			pages["landing"] = map[string]any{"Shop": struct{ Name, Domain string }{"Demo", "demo.example"}}
		}
		for name, data := range pages {
			w := httptest.NewRecorder()
			admin.renderPublic(w, 200, strings.Fields(name)[0], "Sign in", data)
			body := strings.NewReplacer(`<span class="word">`, "", "</span>", "").Replace(w.Body.String()) // a command's words, kept whole
			if !strings.Contains(body, "<code>"+command+"</code>") || strings.Contains(body, "<code>"+otherCommand(command)) {
				t.Errorf("development %v: the %s page does not name %q alone:\n%s", development, name, command, body)
			}
		}
	}
}

// TestAdminLinkCommandNamesTheServersPort: in development on another port
// than 8080 (PORT=8081 go run ./server, with 8080 taken), the command the
// start page and the sign-in page name is given the server's port, since
// without it the command prints a link to port 8080, where this server is
// not; on 8080, and in production, the command is as it is.
func TestAdminLinkCommandNamesTheServersPort(t *testing.T) {
	for _, c := range []struct {
		development bool
		publicURL   string
		want        string
	}{
		{true, "http://localhost:8081", "PORT=8081 go run ./server admin link --shop DOMAIN"},
		{true, "http://localhost:8080", "go run ./server admin link --shop DOMAIN"},
		{true, "http://localhost", "PORT=80 go run ./server admin link --shop DOMAIN"},
		{false, "https://stockbell.example:8443", "stockbell admin link --shop DOMAIN"},
	} {
		view := &AdminView{Development: c.development, PublicURL: c.publicURL}
		if got := view.AdminLinkCommand(); got != c.want {
			t.Errorf("development %v on %s: %q, want %q", c.development, c.publicURL, got, c.want)
		}
	}
}

// newBareAdmin is an admin on a SQLite store with only the services its
// pages need to render, in development or production.
func newBareAdmin(t *testing.T, development bool) *Admin {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	admin, err := NewAdmin(AdminDeps{Outbox: db, SyncLog: db},
		AdminOptions{SessionKey: []byte("0123456789abcdef0123456789abcdef-admin-session-key"), Development: development})
	if err != nil {
		t.Fatal(err)
	}
	return admin
}

// otherCommand is the start of the command of the other mode.
func otherCommand(command string) string {
	if strings.HasPrefix(command, "go run") {
		return "stockbell admin"
	}
	return "go run"
}

// TestCommandsAreNamedAsTheServerRuns: the admin names an operator
// command from the source in development, the binary in production.
func TestCommandsAreNamedAsTheServerRuns(t *testing.T) {
	for development, want := range map[bool]string{true: "go run ./server settings get --shop a.example", false: "stockbell settings get --shop a.example"} {
		if got := (&AdminView{Development: development}).Command("settings get --shop a.example"); got != want {
			t.Errorf("development %v: %q, want %q", development, got, want)
		}
	}
}

// TestReturnPageIsAnAdminPathOfThisServer: a sign-in leads only to a path
// of the admin, never to another site however a browser would read it.
func TestReturnPageIsAnAdminPathOfThisServer(t *testing.T) {
	for page, want := range map[string]bool{
		"/admin/reports?from=2025-01-27&to=2025-02-02": true, "/admin": true, "/admin?notice=saved": true,
		"/admin/subscribers/12": true, "//evil.example/admin": false, "https://evil.example/admin": false,
		"/\\evil.example": false, "/admin/\t/x": false, "/admin\\@evil.example": false, "/reports/unsubscribe/x": false,
		"/admin-evil": false, "/admin/sign-in?token=x": false, "": false, "admin/reports": false,
	} {
		if got := returnPage(page); got != want {
			t.Errorf("returnPage(%q) = %v, want %v", page, got, want)
		}
	}
}
