package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/web"
)

// TestReportEmailLinkOpensReportsInTheShopifyAdmin follows a Shopify shop's
// report email link as Shopify opens it (the fake plays the Shopify admin
// loading the link's path in the app's frame with a session token): the
// embedded admin shows Reports on the report's days, also after the bounce
// page fetched a token; a token of another shop shows nothing of this one;
// and the plain link still opens those days for a cookie session.
func TestReportEmailLinkOpensReportsInTheShopifyAdmin(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	cookieBrowser := shopifyCookieSession(t, m, e2eShop)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	noErr(t, err)
	week := &report.Days{From: time.Date(2025, 1, 27, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 2, 2, 0, 0, 0, 0, time.UTC)}
	link := reportLinks(m.Config).ShopReportsURL(shop, week)
	if want := "https://admin.shopify.com/store/e2e-bells/apps/" + fake.APIKey + "/admin/reports?from=2025-01-27&to=2025-02-02"; link != want {
		t.Fatalf("the email links to %s, want %s", link, want)
	}
	frame, err := fake.OpenAppLink(link, m.Config.PublicURL+"/admin") // shopify.app.toml's application_url
	noErr(t, err)
	wantReportsOfTheWeek(t, "the link opened in the Shopify admin", request(t, http.MethodGet, frame, nil))

	// Without a token the frame bounces, and App Bridge reloads the page it names with one.
	stale, _ := url.Parse(frame)
	q := stale.Query()
	q.Del("id_token")
	stale.RawQuery = q.Encode()
	bounce, _ := url.Parse(request(t, http.MethodGet, stale.String(), nil).header.Get("Location"))
	reload := bounce.Query().Get("shopify-reload")
	if bounce.Path != web.SessionTokenPath || !strings.HasPrefix(reload, m.Config.PublicURL+"/admin/reports?") {
		t.Fatalf("the frame without a token went to %s, want the bounce page reloading /admin/reports", bounce)
	}
	wantReportsOfTheWeek(t, "the page after the bounce", request(t, http.MethodGet, reload+"&id_token="+url.QueryEscape(fake.SessionToken(e2eShop, fake.Secret)), nil))

	// A session token of another shop on this shop's link is refused.
	q = stale.Query()
	q.Set("id_token", fake.SessionToken("other-bells.myshopify.com", fake.Secret))
	stale.RawQuery = q.Encode()
	if other := request(t, http.MethodGet, stale.String(), nil); other.status != http.StatusForbidden || strings.Contains(other.body, "2025-01-27") {
		t.Errorf("another shop's token on the link: %d\n%.1500s", other.status, other.body)
	}

	// The plain link, for a merchant signed in with a cookie session.
	resp, err := cookieBrowser.Get(reportLinks(m.Config).ReportsURL(week))
	noErr(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantReportsOfTheWeek(t, "the plain link with a cookie session", answer{resp.StatusCode, resp.Header, string(body)})
}

// wantReportsOfTheWeek fails unless the answer is the Reports page on 27
// January to 2 February 2025.
func wantReportsOfTheWeek(t *testing.T, what string, a answer) {
	t.Helper()
	if a.status != http.StatusOK || !strings.Contains(a.body, `name="from" value="2025-01-27"`) || !strings.Contains(a.body, `name="to" value="2025-02-02"`) {
		t.Errorf("%s: %d, not Reports on 27 January to 2 February\n%.2000s", what, a.status, a.body)
	}
}

// TestDisabledEndpointEmailLinkOpensWebhooksInTheShopifyAdmin: after a
// Shopify install, the email telling the shop's admin users that an
// endpoint was disabled reaches the shop's owner at the shop's email, the
// address Shopify writes to the owner at, which the install's jobs read;
// another installed shop's owner is not sent it. Its link, followed as
// Shopify opens it (the fake plays the Shopify admin), shows the shop's
// Webhooks page in the embedded admin, where the endpoint is enabled again.
func TestDisabledEndpointEmailLinkOpensWebhooksInTheShopifyAdmin(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	owner, otherDomain := "owner@e2e-bells.example", "other-bells.myshopify.com"
	fake.Do(e2eShop, func(s *shopifytest.Shop) { s.Email = owner })
	fake.Do(otherDomain, func(s *shopifytest.Shop) { s.Email = "owner@other-bells.example" })
	installShop(t, m, fake)
	installShopNamed(t, m, fake, otherDomain)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	noErr(t, err)
	other, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, otherDomain)
	noErr(t, err)
	for _, s := range []*stockbell.Shop{shop, other} {
		eventually(t, m, s.Domain+"'s email stored as its owner's", func() bool {
			emails, err := m.DB.FindAdminEmails(context.Background(), s.ID)
			noErr(t, err)
			return len(emails) > 0
		})
	}
	endpoint := "https://hooks.example/e2e-bells"
	link := disabledEndpointLink(t, m, shop, endpoint)
	if to := disabledEndpointRecipients(t, m, shop, endpoint); !slices.Equal(to, []string{owner}) {
		t.Errorf("the email went to %q, want the shop's owner %s alone", to, owner)
	}
	if want := "https://admin.shopify.com/store/e2e-bells/apps/" + fake.APIKey + "/admin/webhooks"; link != want {
		t.Fatalf("the email links to %s, want %s", link, want)
	}
	frame, err := fake.OpenAppLink(link, m.Config.PublicURL+"/admin") // shopify.app.toml's application_url
	noErr(t, err)
	wantDisabledEndpoint(t, "the link opened in the Shopify admin", request(t, http.MethodGet, frame, nil), endpoint)
}

// disabledEndpointLink disables a new endpoint of the shop at url, as the
// last failed delivery of a message does, and returns the link to the
// Webhooks page in the email the server's job then sends the shop's admin
// users.
func disabledEndpointLink(t *testing.T, m *Main, shop *stockbell.Shop, url string) string {
	t.Helper()
	ctx := context.Background()
	sealed, err := m.Sealer.Seal(shop.ID, []byte("whsec-e2e"))
	noErr(t, err)
	endpoint, err := m.DB.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: shop.ID, URL: url,
		EventTypes: []string{stockbell.WebhookSubscriptionCreated}}, sealed)
	noErr(t, err)
	_, err = m.DB.RecordWebhookDelivery(ctx, stockbell.WebhookDelivery{ShopID: shop.ID, EndpointID: endpoint.ID,
		Error: "503 Service Unavailable", Final: true, MessageAt: time.Now().Add(-time.Minute)})
	noErr(t, err)
	var notice string
	eventually(t, m, "the email telling of the disabled endpoint", func() bool {
		sent, _, err := m.DB.FindOutboxMessages(ctx, stockbell.OutboxFilter{ShopID: &shop.ID})
		noErr(t, err)
		for _, msg := range sent {
			if strings.Contains(msg.Subject, url) {
				notice = msg.Text
			}
		}
		return notice != ""
	})
	_, link, _ := strings.Cut(notice, "Webhooks page of your Stockbell admin:\n")
	return strings.TrimSpace(link)
}

// disabledEndpointRecipients returns the addresses the email telling of
// the shop's disabled endpoint at url was sent to.
func disabledEndpointRecipients(t *testing.T, m *Main, shop *stockbell.Shop, url string) []string {
	t.Helper()
	sent, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
	noErr(t, err)
	var to []string
	for _, msg := range sent {
		if strings.Contains(msg.Subject, url) {
			to = append(to, msg.Recipient)
		}
	}
	return to
}

// wantDisabledEndpoint fails unless the answer is the Webhooks page
// offering to enable the disabled endpoint at url.
func wantDisabledEndpoint(t *testing.T, what string, a answer, url string) {
	t.Helper()
	if a.status != http.StatusOK || !strings.Contains(a.body, `aria-label="Enable `+url+`"`) {
		t.Errorf("%s: %d, not the Webhooks page offering to enable %s\n%.2000s", what, a.status, url, a.body)
	}
}
