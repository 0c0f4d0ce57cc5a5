package delivery_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// wired is the delivery package wired to a real database, an in-process
// SMTP server and a public HTTP server for its routes.
type wired struct {
	*shopFixture
	d      *delivery.Delivery
	smtp   *smtptest.Server
	public string
	clock  *storetest.Clock // delivery's and the store's: dates the Undo buttons
}

func newWired(t *testing.T, db *store.DB) *wired {
	t.Helper()
	srv, handler := lateServer(t)
	mail := smtptest.Start(t, smtptest.Options{Security: smtptest.StartTLS})
	cfg := delivery.Config{PublicURL: srv.URL, SMTP: smtpConfig(mail, delivery.SMTPStartTLS), Stop: delivery.StopNorthAmerica}
	// One clock, as the server has: an Undo button names its removal by
	// the time the store recorded it (UndoToken.Issued).
	clock := newClock()
	db.Clock = clock
	d, err := delivery.New(cfg, delivery.Deps{Key: testKey, Subscriptions: db, Shops: db, Catalog: db, Clicks: db, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	h := publicPages(d)
	handler.Store(&h)
	return &wired{shopFixture: newShopFixture(t, db), d: d, smtp: mail, public: srv.URL, clock: clock}
}

// sendEmail renders and sends the subscription's email as the message
// sender does, and returns the List-Unsubscribe URL the shopper received.
func (w *wired) sendEmail(t *testing.T, sub *stockbell.Subscription) string {
	t.Helper()
	msg := w.message(t, sub, stockbell.ChannelEmail, sub.Email)
	out, err := w.d.Renderer.Render(ctx, w.content(t, sub, msg))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.d.Sender.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	got := w.smtp.Messages()
	header := got[len(got)-1].Parse(t).Header.Get("List-Unsubscribe")
	link := strings.TrimSuffix(strings.TrimPrefix(header, "<"), ">")
	if !strings.HasPrefix(link, w.public+"/unsubscribe/") {
		t.Fatalf("List-Unsubscribe %q is not under %s", header, w.public)
	}
	return link
}

func TestOneClickUnsubscribeFromReceivedHeader(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		lampA := w.subscribe(t, "A", "ana@example.com", "")
		lampB := w.subscribe(t, "B", "ana@example.com", "")
		other := w.subscribe(t, "A", "bo@example.com", "")
		link := w.sendEmail(t, lampA)

		// What a mail client does with List-Unsubscribe-Post (RFC 8058): no cookie, no CSRF token.
		resp, err := http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("one-click POST: %s", resp.Status)
		}
		if w.status(t, lampA.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, lampB.ID) != stockbell.SubscriptionQueued ||
			w.status(t, other.ID) != stockbell.SubscriptionQueued {
			t.Fatal("one-click must unsubscribe exactly the message's subscription")
		}
		// Twice is harmless.
		resp, err = http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("second one-click POST: %v %v", err, resp.Status)
		}
		resp.Body.Close()
	})
}

func TestUnsubscribePageListsAndRemovesAlerts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		lampA := w.subscribe(t, "A", "ana@example.com", "")
		lampB := w.subscribe(t, "B", "ana@example.com", "+15145550123")
		other := w.subscribe(t, "B", "bo@example.com", "")
		link := w.sendEmail(t, lampA)

		page := get(t, link, http.StatusOK)
		for _, want := range []string{"Atelier Nord", "ana@example.com", "Lamp A", "Lamp B", `value="` + strconv.FormatInt(lampA.ID, 10) + `"`, `value="all"`} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "bo@example.com") || strings.Contains(page, `value="`+strconv.FormatInt(other.ID, 10)+`"`) {
			t.Fatal("page shows another contact's alert")
		}
		// The page names its icon: a browser would otherwise ask for
		// /favicon.ico, which the server answers 404, an error in the
		// shopper's console.
		if !strings.Contains(page, `<link rel="icon" href="data:,">`) {
			t.Error("the page names no icon")
		}
		// Another contact's alert cannot be removed with this link.
		postForm(t, link, url.Values{"remove": {strconv.FormatInt(other.ID, 10)}}, http.StatusBadRequest)
		// Remove one, then all.
		loc := postForm(t, link, url.Values{"remove": {strconv.FormatInt(lampA.ID, 10)}}, http.StatusSeeOther)
		if w.status(t, lampA.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, lampB.ID) != stockbell.SubscriptionQueued {
			t.Fatal("removing one alert changed the wrong ones")
		}
		if page := get(t, w.public+loc, http.StatusOK); !strings.Contains(page, "Alert removed") || strings.Contains(page, `value="all"`) {
			t.Errorf("page after removing one:\n%s", page)
		}
		postForm(t, link, url.Values{"remove": {"all"}}, http.StatusSeeOther)
		if w.status(t, lampB.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, other.ID) != stockbell.SubscriptionQueued {
			t.Fatal("remove all must remove this contact's alerts only")
		}
		if page := get(t, link+"?removed=all", http.StatusOK); !strings.Contains(page, "no active alerts") {
			t.Errorf("page after removing all:\n%s", page)
		}
	})
}

func TestUnsubscribeRefusesBadTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		sub := w.subscribe(t, "A", "ana@example.com", "")
		signer := newSigner(t)
		otherKey, _ := delivery.NewSigner([]byte("another key of thirty-two bytes!"))
		bad := []string{
			signer.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: sub.ID, ShopID: w.shop.ID + 1}), // another shop
			signer.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: sub.ID + 100, ShopID: w.shop.ID}),
			otherKey.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: sub.ID, ShopID: w.shop.ID}),
			"garbage",
		}
		for _, token := range bad {
			link := w.public + "/unsubscribe/" + token
			get(t, link, http.StatusNotFound)
			resp, err := http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST with token %q: %s", token, resp.Status)
			}
		}
		if w.status(t, sub.ID) != stockbell.SubscriptionQueued {
			t.Fatal("a bad token unsubscribed someone")
		}
	})
}

func get(t *testing.T, link string, wantStatus int) string {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: %s, want %d\n%s", link, resp.Status, wantStatus, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	return string(body)
}

// postForm posts the page's form and returns the redirect location.
func postForm(t *testing.T, link string, form url.Values, wantStatus int) string {
	t.Helper()
	resp, err := noRedirects.PostForm(link, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Fatalf("POST %v: %s, want %d", form, resp.Status, wantStatus)
	}
	return resp.Header.Get("Location")
}
