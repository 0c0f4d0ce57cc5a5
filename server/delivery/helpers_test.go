package delivery_test

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

var ctx = context.Background()

// testKey is a 32-byte signing key.
var testKey = []byte("0123456789abcdef0123456789abcdef")

func newClock() *storetest.Clock {
	return storetest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
}

// publicPages serves the unsubscribe pages and short links through the
// server's web layer, as shoppers reach them.
func publicPages(d *delivery.Delivery) http.Handler {
	s := web.NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
	s.RegisterUnsubscribe(d.Unsubscribes)
	s.RegisterShortLinks(d.Links)
	return s.Handler()
}

func newSigner(t testing.TB) *delivery.Signer {
	t.Helper()
	s, err := delivery.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// content is a message about a restocked shirt for a subscriber.
func content(channel stockbell.Channel, recipient, locale string) stockbell.MessageContent {
	shop := &stockbell.Shop{ID: 7, Name: "Atelier Nord", Domain: "atelier-nord.myshopify.com", PrimaryDomain: "atelier.example", Status: stockbell.ShopInstalled}
	variant := &stockbell.VariantWithProduct{
		Variant: stockbell.Variant{ID: 11, ShopID: 7, Title: "M / Blue", Price: "49.00",
			URL: "https://atelier.example/products/linen-shirt?variant=4411", ImageURL: "https://cdn.example/shirt-blue.jpg"},
		ProductTitle: "Linen shirt", ProductURL: "https://atelier.example/products/linen-shirt", Published: true,
	}
	sub := &stockbell.Subscription{ID: 21, ShopID: 7, VariantID: 11, Channels: stockbell.Channels{channel}, Locale: locale,
		Status: stockbell.SubscriptionNotified}
	if channel == stockbell.ChannelSMS {
		sub.Phone = recipient
	} else {
		sub.Email = recipient
	}
	msg := &stockbell.Message{ID: 42, ShopID: 7, SubscriptionID: 21, Step: 1, Channel: channel, Recipient: recipient, Status: stockbell.MessagePending}
	return stockbell.MessageContent{Shop: shop, Variant: variant, Subscription: sub, Message: msg, Step: stockbell.FlowStep{Channel: channel}}
}

// wantCode fails unless err carries the code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := stockbell.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// wantTransient fails unless err is a transient error (not EINVALID, not nil).
func wantTransient(t testing.TB, err error) {
	t.Helper()
	if err == nil || stockbell.ErrorCode(err) == stockbell.EINVALID {
		t.Fatalf("error = %v, want a transient error", err)
	}
}

// mimeParts returns the decoded parts of a multipart/alternative message by content type.
func mimeParts(t testing.TB, m *mail.Message) map[string]string {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return parts
		} else if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(p)
		}
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(data)
	}
}

// decodeHeader decodes RFC 2047 encoded words.
func decodeHeader(t testing.TB, v string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
