package main

import (
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestAPortInUseNamesItsSetting starts serve on an address another
// process holds and checks that the error names the variable the address
// came from: PORT, as Shopify CLI passes it, when STOCKBELL_ADDR is unset;
// and says to choose a free port with it (a newcomer's `go run ./server`
// meets this on port 8080 without having set anything).
func TestAPortInUseNamesItsSetting(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	addr := held.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	cases := []struct {
		setting string
		vars    map[string]string
	}{
		{"STOCKBELL_ADDR", map[string]string{"STOCKBELL_ADDR": addr}},
		{"PORT", map[string]string{"STOCKBELL_ADDR": "", "PORT": port}},
		{"STOCKBELL_METRICS_ADDR", map[string]string{"STOCKBELL_METRICS_ADDR": addr}},
	}
	for _, c := range cases {
		t.Run(c.setting, func(t *testing.T) {
			code, _, stderr := run(t, testEnv(t, c.vars), "serve")
			last := stderr[strings.LastIndex(strings.TrimRight(stderr, "\n"), "\n")+1:]
			if code != 1 || !strings.HasPrefix(last, "error: "+c.setting+": ") || !strings.Contains(last, "address already in use") {
				t.Fatalf("want exit 1 and an error naming %s, got %d and %q", c.setting, code, last)
			}
			if hint := "choose a free port with " + c.setting; !strings.Contains(last, hint) {
				t.Errorf("the error does not say how to listen elsewhere (%q): %q", hint, last)
			}
		})
	}
}

// TestDevelopmentOnAnyFreePortLinksToTheBoundPort starts a development
// server on port 0 with no public URL: the public URL, the start-up log's
// links and the links built into the components name the port the
// server bound, and the logged sign-in link opens the admin as printed.
// A configured public URL is kept as it is.
func TestDevelopmentOnAnyFreePortLinksToTheBoundPort(t *testing.T) {
	m, logs := startServerWithLogs(t, testEnv(t, map[string]string{"STOCKBELL_ADDR": "127.0.0.1:0"}))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(m.URL(), "http://"))
	want := "http://localhost:" + port
	if m.Config.PublicURL != want || m.Config.Delivery.PublicURL != want || m.Config.Shopify.AppURL != want || m.Config.BigCommerce.AppURL != want {
		t.Fatalf("public URL %q (delivery %q, Shopify %q, BigCommerce %q), want %q",
			m.Config.PublicURL, m.Config.Delivery.PublicURL, m.Config.Shopify.AppURL, m.Config.BigCommerce.AppURL, want)
	}
	if !strings.Contains(logs.String(), "public_url="+want+" ") {
		t.Errorf("the serving line does not name %s:\n%s", want, logs.String())
	}
	found := regexp.MustCompile(`sign_in_url="?(http://[^"\s]+)`).FindStringSubmatch(logs.String())
	if found == nil || !strings.HasPrefix(found[1], want+"/") {
		t.Fatalf("the logged sign-in URL is not on %s:\n%s", want, logs.String())
	}
	if status := signInWith(t, noRedirectClient(), found[1]); status != http.StatusSeeOther {
		t.Fatalf("signing in with the logged URL as printed: %d", status)
	}

	configured := startServer(t, testEnv(t, map[string]string{"STOCKBELL_ADDR": "127.0.0.1:0", "STOCKBELL_PUBLIC_URL": "http://localhost:4321"}))
	if configured.Config.PublicURL != "http://localhost:4321" || configured.Config.Delivery.PublicURL != "http://localhost:4321" {
		t.Errorf("a configured public URL became %q (delivery %q)", configured.Config.PublicURL, configured.Config.Delivery.PublicURL)
	}
}
