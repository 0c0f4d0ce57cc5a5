package main

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/server/web"
)

// TestAdminLinkCommandSignsIn runs `admin link --shop` beside a running
// server and signs in with the printed URL, as printed, once. Beside a
// development server on any free port (STOCKBELL_ADDR=127.0.0.1:0), the
// command cannot know the port: without a public URL it prints no link
// and says which setting to set.
func TestAdminLinkCommandSignsIn(t *testing.T) {
	getenv := testEnv(t, nil)
	m := startServer(t, getenv)
	if _, err := m.DB.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformFeed, Domain: "bells.example"}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, getenv, "admin", "link", "--shop", "bells.example")
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "error: STOCKBELL_PUBLIC_URL: ") || !strings.Contains(stderr, "any free port") {
		t.Fatalf("admin link on any free port without a public URL: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	serverEnv := getenv // the server's environment with the URL it serves at
	getenv = func(k string) string {
		if k == "STOCKBELL_PUBLIC_URL" {
			return m.Config.PublicURL
		}
		return serverEnv(k)
	}
	if code, _, stderr := run(t, getenv, "admin", "link", "--shop", "nope.example"); code == 0 || !strings.Contains(stderr, "no shop") {
		t.Fatalf("unknown shop: exit %d, %q", code, stderr)
	}
	code, stdout, stderr = run(t, getenv, "admin", "link", "--shop", "bells.example")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	link, err := url.Parse(lines[len(lines)-1])
	if code != 0 || err != nil || link.Path != "/admin/sign-in" || link.Query().Get("token") == "" {
		t.Fatalf("admin link: exit %d, stdout %q, stderr %q: want the sign-in URL alone on the last line", code, stdout, stderr)
	}

	client := noRedirectClient()
	if status := signInWith(t, client, link.String()); status != http.StatusSeeOther {
		t.Fatalf("signing in with the printed link: %d", status)
	}
	resp, err := client.Get(m.Config.PublicURL + "/admin") // the host the session cookie was set for
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Dashboard") {
		t.Fatalf("/admin after signing in: %d", resp.StatusCode)
	}
	if status := signInWith(t, noRedirectClient(), link.String()); status != http.StatusUnauthorized {
		t.Fatalf("the link a second time: %d, want 401", status)
	}
}

func noRedirectClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var formNonce = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signInWith opens a sign-in link and presses its button, returning the
// status of the post.
func signInWith(t *testing.T, client *http.Client, link string) int {
	t.Helper()
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formNonce.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("sign-in page without its form: %d", resp.StatusCode)
	}
	u, _ := url.Parse(link)
	resp, err = client.PostForm(u.Scheme+"://"+u.Host+u.Path, url.Values{"token": {u.Query().Get("token")}, "csrf_token": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestProductionSessionCookieIsSecure signs in with a one-time link on a
// production server (an https public URL): the sign-in form's nonce cookie
// and the session cookie are Secure and HttpOnly, and the session cookie
// is SameSite=Lax.
func TestProductionSessionCookieIsSecure(t *testing.T) {
	getenv := testEnv(t, production)
	m := startServer(t, getenv)
	if _, err := m.DB.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformFeed, Domain: "bells.example"}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, getenv, "admin", "link", "--shop", "bells.example")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	link, err := url.Parse(lines[len(lines)-1])
	if code != 0 || err != nil || link.Scheme != "https" || link.Host != "bell.example" {
		t.Fatalf("admin link: exit %d, stdout %q, stderr %q: want a link on the public URL", code, stdout, stderr)
	}
	// The test server speaks http: cookies are carried by hand, as a
	// browser would over https.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(m.URL() + link.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	nonce := formNonce.FindStringSubmatch(string(body))
	if nonce == nil || len(resp.Cookies()) != 1 {
		t.Fatalf("sign-in page: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	formCookie := resp.Cookies()[0]
	if !formCookie.Secure || !formCookie.HttpOnly {
		t.Errorf("sign-in form cookie %s: want Secure and HttpOnly", resp.Header.Get("Set-Cookie"))
	}
	req, _ := http.NewRequest(http.MethodPost, m.URL()+link.Path, strings.NewReader(url.Values{"token": {link.Query().Get("token")}, "csrf_token": {nonce[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: formCookie.Name, Value: formCookie.Value})
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == web.AdminCookieName {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil {
		t.Fatalf("signing in: %d, cookies %v", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	if !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Lax", session)
	}
}

// TestStartPageCommandLinksToThisServer: a development server started on
// another port than 8080 (PORT=N go run ./server, 8080 being taken) names
// on its start page a sign-in command that, run as written in another
// terminal (without the server's PORT), prints a link to this server, and
// the link signs in.
func TestStartPageCommandLinksToThisServer(t *testing.T) {
	_, port, _ := net.SplitHostPort(freeAddr(t))
	serverEnv := testEnv(t, map[string]string{"STOCKBELL_ADDR": "", "PORT": port})
	m := startServer(t, serverEnv)
	_, start := get(t, m.URL()+"/")
	text := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(start, ""))
	command := regexp.MustCompile(`terminal: (.*?admin link --shop DOMAIN)`).FindStringSubmatch(text)
	if command == nil {
		t.Fatalf("the start page names no sign-in command:\n%s", text)
	}
	words := strings.Fields(command[1])
	// The other terminal shares the data directory (the command is run
	// from the same checkout) but none of the server's other settings.
	terminal := map[string]string{"STOCKBELL_DATA_DIR": serverEnv("STOCKBELL_DATA_DIR")}
	for len(words) > 0 && strings.Contains(words[0], "=") {
		name, value, _ := strings.Cut(words[0], "=")
		terminal[name], words = value, words[1:]
	}
	if strings.Join(words[:3], " ") != "go run ./server" {
		t.Fatalf("the start page's command %q is not go run ./server's", command[1])
	}
	args := append(words[3:len(words)-1], demo.Domain) // DOMAIN: the demo shop's, as the page says
	exit, stdout, stderr := run(t, func(k string) string { return terminal[k] }, args...)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	link := lines[len(lines)-1]
	if exit != 0 || !strings.HasPrefix(link, "http://localhost:"+port+"/admin/sign-in?") {
		t.Fatalf("%v with %v: exit %d, %q (stderr %q): want a sign-in link on port %s", args, terminal, exit, stdout, stderr, port)
	}
	if status := signInWith(t, noRedirectClient(), link); status != http.StatusSeeOther {
		t.Errorf("signing in with the printed link: %d", status)
	}
}
