package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// privacyShops is a shop where Ann subscribed by email (with a message
// sent to her) and by phone, and Bob by email; and a second shop where
// someone with Ann's email address subscribed too, with a message.
type privacyShops struct {
	shop, other         *stockbell.Shop
	annEmail, annPhone  *stockbell.Subscription
	bob, annElsewhere   *stockbell.Subscription
	annPhoneNumber, ann string
}

func newPrivacyShops(t *testing.T, f *adminFixture, platform stockbell.Platform, domain string) *privacyShops {
	t.Helper()
	ctx := context.Background()
	p := &privacyShops{shop: storetest.MustShop(t, f.db, platform, domain), other: mustShop(t, f.db, "b.example"),
		ann: "ann@example.com", annPhoneNumber: "+33612345678"}
	variants := map[int64]int64{}
	for _, shop := range []*stockbell.Shop{p.shop, p.other} {
		_, err := f.db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Wool Sweater", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "v-m", Title: "M", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
				Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.db.FindVariant(ctx, shop.ID, "v-m")
		if err != nil {
			t.Fatal(err)
		}
		variants[shop.ID] = v.ID
	}
	subscribe := func(shopID int64, email, phone string, channel stockbell.Channel) *stockbell.Subscription {
		t.Helper()
		sub, _, err := f.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shopID, VariantID: variants[shopID],
			Email: email, Phone: phone, Channels: stockbell.Channels{channel}, SMSConsent: phone != "", Source: "snippet"})
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	p.annEmail = subscribe(p.shop.ID, p.ann, "", stockbell.ChannelEmail)
	p.annPhone = subscribe(p.shop.ID, "", p.annPhoneNumber, stockbell.ChannelSMS)
	p.bob = subscribe(p.shop.ID, "bob@example.com", "", stockbell.ChannelEmail)
	p.annElsewhere = subscribe(p.other.ID, p.ann, "", stockbell.ChannelEmail)
	for _, sub := range []*stockbell.Subscription{p.annEmail, p.bob, p.annElsewhere} {
		insertSentMessage(t, f.db, sub)
	}
	return p
}

// insertSentMessage writes a sent email to the subscriber directly.
func insertSentMessage(t *testing.T, db *store.DB, sub *stockbell.Subscription) {
	t.Helper()
	now := db.Clock.Now()
	_, err := db.DB.ExecContext(context.Background(), db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel,
		recipient, status, due_at, created_at) VALUES (?, ?, 0, 'email', ?, 'sent', ?, ?)`), sub.ShopID, sub.ID, sub.Email, now, now)
	if err != nil {
		t.Fatal(err)
	}
}

// kept is what the store keeps about a contact in a shop.
func kept(t *testing.T, db *store.DB, shopID int64, email, phone string) *stockbell.ContactData {
	t.Helper()
	data, err := db.ContactData(context.Background(), stockbell.Contact{ShopID: shopID, Email: email, Phone: phone})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func subscriptionIDs(subs []*stockbell.Subscription) []int64 {
	var ids []int64
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	return ids
}

// exportedData is the JSON document the export answers.
type exportedData struct {
	Shop string `json:"shop"`
	Data struct {
		Contact       stockbell.Contact         `json:"contact"`
		Subscriptions []*stockbell.Subscription `json:"subscriptions"`
		Messages      []*stockbell.Message      `json:"messages"`
		Events        []*stockbell.Event        `json:"events"`
		Confirmations []json.RawMessage         `json:"confirmations"`
	} `json:"data"`
}

func TestPrivacyExportAnswersTheContactsDataInThisShopOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		form := b.get("/admin/privacy")
		wantStatus(t, form, http.StatusOK, "the privacy page")
		token := form.csrf(t)

		got := b.post("/admin/privacy/export", url.Values{"csrf_token": {token}, "email": {" Ann@Example.com "}})
		wantStatus(t, got, http.StatusOK, "exporting Ann's data")
		if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type %q, want JSON", ct)
		}
		disposition, params, err := mime.ParseMediaType(got.Header.Get("Content-Disposition"))
		if err != nil || disposition != "attachment" || !strings.HasSuffix(params["filename"], ".json") ||
			strings.Contains(strings.ToLower(params["filename"]), "ann") {
			t.Fatalf("Content-Disposition %q: want an attachment .json named without the contact", got.Header.Get("Content-Disposition"))
		}
		var doc exportedData
		if err := json.Unmarshal([]byte(got.Body), &doc); err != nil {
			t.Fatalf("export is not JSON: %v\n%.2000s", err, got.Body)
		}
		if doc.Shop != p.shop.Domain || doc.Data.Contact.Email != p.ann || doc.Data.Contact.ShopID != p.shop.ID {
			t.Fatalf("export names shop %q, contact %+v", doc.Shop, doc.Data.Contact)
		}
		if ids := subscriptionIDs(doc.Data.Subscriptions); !slices.Equal(ids, []int64{p.annEmail.ID}) {
			t.Fatalf("exported subscriptions %v, want Ann's by email in this shop %d", ids, p.annEmail.ID)
		}
		if len(doc.Data.Messages) != 1 || doc.Data.Messages[0].SubscriptionID != p.annEmail.ID {
			t.Fatalf("exported messages %+v, want the one sent to Ann here", doc.Data.Messages)
		}
		if len(doc.Data.Events) == 0 {
			t.Fatal("exported no events, want at least her subscription's")
		}
		// The number as the shopper gives it, with + or with 00.
		for _, phone := range []string{"+33 6 12 34 56 78", "0033 6 12 34 56 78"} {
			byPhone := b.post("/admin/privacy/export", url.Values{"csrf_token": {token}, "phone": {phone}})
			wantStatus(t, byPhone, http.StatusOK, "exporting Ann's data by phone "+phone)
			var phoneDoc exportedData
			if err := json.Unmarshal([]byte(byPhone.Body), &phoneDoc); err != nil {
				t.Fatal(err)
			}
			if ids := subscriptionIDs(phoneDoc.Data.Subscriptions); !slices.Equal(ids, []int64{p.annPhone.ID}) || phoneDoc.Data.Contact.Phone != p.annPhoneNumber ||
				strings.Contains(byPhone.Header.Get("Content-Disposition"), "612345678") { // her number's digits, which no date and time spells
				t.Fatalf("exported by phone %s: subscriptions %v, contact %+v, %s", phone, ids, phoneDoc.Data.Contact, byPhone.Header.Get("Content-Disposition"))
			}
		}
		for _, leaked := range []string{"bob@example.com", fmt.Sprintf(`"id":%d,`, p.annElsewhere.ID), fmt.Sprintf(`"shop_id":%d`, p.other.ID)} {
			if strings.Contains(got.Body, leaked) {
				t.Errorf("the export holds %s, which is not Ann's in this shop", leaked)
			}
		}
	})
}

// TestPrivacyExportOfAnUnknownContactIsAnEmptyDocument: the merchant can
// still answer the shopper, with a document that says nothing is kept.
func TestPrivacyExportOfAnUnknownContactIsAnEmptyDocument(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		got := b.post("/admin/privacy/export", url.Values{"csrf_token": {b.get("/admin/privacy").csrf(t)}, "email": {"nobody@example.com"}})
		wantStatus(t, got, http.StatusOK, "exporting an unknown contact")
		var doc exportedData
		if err := json.Unmarshal([]byte(got.Body), &doc); err != nil {
			t.Fatal(err)
		}
		for what, n := range map[string]int{"subscriptions": len(doc.Data.Subscriptions), "messages": len(doc.Data.Messages),
			"events": len(doc.Data.Events), "confirmations": len(doc.Data.Confirmations)} {
			if n != 0 {
				t.Errorf("%d %s for a contact nobody knows", n, what)
			}
		}
		if !strings.Contains(got.Body, `"subscriptions": []`) {
			t.Errorf("empty lists should be written as []:\n%s", got.Body)
		}
	})
}

func TestPrivacyEraseRemovesThatContactInThisShopOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var logs strings.Builder
		f := newAdminFixtureOf(t, db, nil, func(deps *web.AdminDeps) { deps.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		page := b.get("/admin/privacy")
		if !strings.Contains(page.Body, `formaction="/admin/privacy/erase"`) {
			t.Fatalf("the privacy page lacks the erase form:\n%.3000s", page.Body)
		}
		token := page.csrf(t)
		got := b.post("/admin/privacy/erase", url.Values{"confirm": {"yes"}, "csrf_token": {token}, "email": {"ANN@example.com"}})
		wantStatus(t, got, http.StatusSeeOther, "erasing Ann")
		if loc := got.Header.Get("Location"); loc != "/admin/privacy?notice=privacy_erased" {
			t.Fatalf("erase redirects to %q", loc)
		}
		if after := b.get(got.Header.Get("Location")); !strings.Contains(after.Body, "Erased:") || strings.Contains(after.Body, p.ann) {
			t.Fatalf("page after erasing:\n%.3000s", after.Body)
		}
		if left := kept(t, db, p.shop.ID, p.ann, ""); len(left.Subscriptions)+len(left.Messages)+len(left.Events)+len(left.Confirmations) != 0 {
			t.Fatalf("after erasing, Ann still has %d subscriptions, %d messages, %d events here", len(left.Subscriptions), len(left.Messages), len(left.Events))
		}
		if ids := subscriptionIDs(kept(t, db, p.shop.ID, "", p.annPhoneNumber).Subscriptions); !slices.Equal(ids, []int64{p.annPhone.ID}) {
			t.Fatalf("erasing Ann's email address erased her phone number's subscription too: %v left", ids)
		}
		got = b.post("/admin/privacy/erase", url.Values{"confirm": {"yes"}, "csrf_token": {token}, "phone": {"+33 6 12 34 56 78"}})
		wantStatus(t, got, http.StatusSeeOther, "erasing Ann's phone number")
		if left := kept(t, db, p.shop.ID, "", p.annPhoneNumber); len(left.Subscriptions)+len(left.Events) != 0 {
			t.Fatalf("after erasing her phone number, Ann still has %d subscriptions, %d events here", len(left.Subscriptions), len(left.Events))
		}
		if !strings.Contains(logs.String(), fmt.Sprintf(`msg="contact erased by merchant" shop_id=%d door=link`, p.shop.ID)) ||
			strings.Contains(logs.String(), "ann@") || strings.Contains(logs.String(), "612345678") {
			t.Errorf("the erasures are not logged, or are logged with the contact:\n%s", logs.String())
		}
		bob := kept(t, db, p.shop.ID, "bob@example.com", "")
		if ids := subscriptionIDs(bob.Subscriptions); !slices.Equal(ids, []int64{p.bob.ID}) || len(bob.Messages) != 1 || len(bob.Events) == 0 {
			t.Fatalf("Bob lost data: subscriptions %v, %d messages, %d events", ids, len(bob.Messages), len(bob.Events))
		}
		elsewhere := kept(t, db, p.other.ID, p.ann, "")
		if ids := subscriptionIDs(elsewhere.Subscriptions); !slices.Equal(ids, []int64{p.annElsewhere.ID}) || len(elsewhere.Messages) != 1 || len(elsewhere.Events) == 0 {
			t.Fatalf("the other shop's subscriber with Ann's address lost data: subscriptions %v, %d messages, %d events",
				ids, len(elsewhere.Messages), len(elsewhere.Events))
		}
	})
}

// TestPrivacyEraseOfAnUnknownContactSaysNothingWasKept: a typo does not
// read as a done erasure.
func TestPrivacyEraseOfAnUnknownContactSaysNothingWasKept(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		got := b.post("/admin/privacy/erase", url.Values{"confirm": {"yes"}, "csrf_token": {b.get("/admin/privacy").csrf(t)}, "email": {"an@example.com"}})
		wantStatus(t, got, http.StatusSeeOther, "erasing an unknown contact")
		after := b.get(got.Header.Get("Location"))
		if !strings.Contains(after.Body, "Nothing to erase:") {
			t.Fatalf("page after erasing nobody:\n%.3000s", after.Body)
		}
		if len(kept(t, db, p.shop.ID, p.ann, "").Subscriptions) != 1 {
			t.Fatal("erasing another address erased Ann")
		}
	})
}

func TestPrivacyFormsNeedTheCSRFTokenAndTheSessionsShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		ann := url.Values{"email": {p.ann}}
		for _, path := range []string{"/admin/privacy/export", "/admin/privacy/erase"} {
			wantStatus(t, b.post(path, ann), http.StatusForbidden, path+" without the CSRF token")
			wrong := url.Values{"email": {p.ann}, "csrf_token": {"not-the-token"}}
			wantStatus(t, b.post(path, wrong), http.StatusForbidden, path+" with a wrong CSRF token")
		}
		token := b.get("/admin/privacy").csrf(t)
		for _, path := range []string{"/admin/privacy/export", "/admin/privacy/erase"} {
			named := url.Values{"email": {p.ann}, "csrf_token": {token}, "shop": {p.other.Domain}}
			wantStatus(t, b.post(path, named), http.StatusNotFound, path+" naming the other shop")
		}
		wantStatus(t, b.get("/admin/privacy?shop="+p.other.Domain), http.StatusNotFound, "the privacy page of the other shop")
		wantStatus(t, b.get(fmt.Sprintf("/admin/privacy?subscriber=%d", p.annElsewhere.ID)), http.StatusNotFound,
			"the privacy page filled from the other shop's subscriber")
		wantStatus(t, f.browser(t).post("/admin/privacy/erase", ann), http.StatusUnauthorized, "erasing without a session")
		if len(kept(t, db, p.shop.ID, p.ann, "").Subscriptions) != 1 || len(kept(t, db, p.other.ID, p.ann, "").Subscriptions) != 1 {
			t.Fatal("a refused erasure erased something")
		}
	})
}

func TestPrivacyRefusesABadContactNamingTheField(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		token := b.get("/admin/privacy").csrf(t)
		cases := []struct {
			email, phone, field, says string
		}{
			{"", "", "email", "Enter the shopper’s email address or phone number"},
			{"ann.example.com", "", "email", `"ann.example.com" is not a valid email address.`},
			{"", "0612345678", "phone", "Enter the phone number with its country code"},
			{"", "+1 555", "phone", `"+1 555" is not a valid phone number.`},
			{p.ann, "+1 555", "phone", `"+1 555" is not a valid phone number.`},
		}
		for _, c := range cases {
			for _, path := range []string{"/admin/privacy/export", "/admin/privacy/erase"} {
				got := b.post(path, url.Values{"csrf_token": {token}, "email": {c.email}, "phone": {c.phone}})
				what := fmt.Sprintf("%s with email %q and phone %q", path, c.email, c.phone)
				wantStatus(t, got, http.StatusUnprocessableEntity, what)
				if !strings.Contains(got.Body, fmt.Sprintf(`id="%s-error"`, c.field)) || !strings.Contains(got.Body, `aria-invalid="true"`) {
					t.Errorf("%s: no error beside the %s field:\n%.3000s", what, c.field, got.Body)
				}
				if text := html.UnescapeString(visibleText(got.Body)); !strings.Contains(text, c.says) {
					t.Errorf("%s: the page does not say %q:\n%s", what, c.says, text)
				}
				if strings.Contains(got.Header.Get("Content-Disposition"), "attachment") {
					t.Errorf("%s: answered a download", what)
				}
			}
		}
		if len(kept(t, db, p.shop.ID, p.ann, "").Subscriptions) != 1 {
			t.Fatal("a refused erasure erased Ann")
		}
	})
}

// TestPrivacyPageFromASubscriber fills the form from a subscriber of the
// shop, so that the contact is never in a URL.
func TestPrivacyPageFromASubscriber(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		list := b.get("/admin/subscribers")
		if !strings.Contains(list.Body, `href="/admin/privacy"`) {
			t.Fatalf("the subscribers page does not link to privacy requests:\n%.3000s", list.Body)
		}
		one := b.get(fmt.Sprintf("/admin/subscribers/%d", p.annEmail.ID))
		link := fmt.Sprintf(`href="/admin/privacy?subscriber=%d"`, p.annEmail.ID)
		if !strings.Contains(one.Body, link) {
			t.Fatalf("Ann's page lacks %s:\n%.3000s", link, one.Body)
		}
		filled := b.get(fmt.Sprintf("/admin/privacy?subscriber=%d", p.annEmail.ID))
		wantStatus(t, filled, http.StatusOK, "the privacy page filled from Ann's subscription")
		if !strings.Contains(filled.Body, `value="ann@example.com"`) {
			t.Fatalf("the form is not filled with Ann's address:\n%.3000s", filled.Body)
		}
	})
}

// TestPrivacyEraseOfAShopifyShopErasesItsDataRequestAnswers: Shopify's
// customers/data_request answers kept for the merchant go with the
// contact, those of other contacts and other shops stay; a shop of
// another platform has no such answers and its files are never read.
func TestPrivacyEraseOfAShopifyShopErasesItsDataRequestAnswers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		dir := t.TempDir()
		answers := &shopify.FileDataRequests{Dir: dir, Logger: slog.New(slog.DiscardHandler)}
		f := newAdminFixtureOf(t, db, nil, func(deps *web.AdminDeps) { deps.DataRequests = answers })
		p := newPrivacyShops(t, f, stockbell.PlatformShopify, "a.myshopify.com")
		ctx := context.Background()
		write := func(shop *stockbell.Shop, request, email string) string {
			data := &stockbell.ContactData{Contact: stockbell.Contact{ShopID: shop.ID, Email: email}}
			if err := answers.DeliverContactData(ctx, shop, request, data); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, shop.Domain, request+".json")
		}
		annsAnswer, bobsAnswer := write(p.shop, "r1", p.ann), write(p.shop, "r2", "bob@example.com")
		// A feed shop named like the Shopify shop: its erasures never reach
		// the Shopify shop's answers.
		lookalike := storetest.MustShop(t, db, stockbell.PlatformFeed, p.shop.Domain)
		b := f.signIn(t, lookalike)
		got := b.post("/admin/privacy/erase", url.Values{"confirm": {"yes"}, "csrf_token": {b.get("/admin/privacy").csrf(t)}, "email": {p.ann}})
		wantStatus(t, got, http.StatusSeeOther, "erasing Ann in the lookalike feed shop")
		if _, err := os.Stat(annsAnswer); err != nil {
			t.Fatalf("erasing in another shop removed the Shopify shop's answer: %v", err)
		}

		b = f.signIn(t, p.shop)
		got = b.post("/admin/privacy/erase", url.Values{"confirm": {"yes"}, "csrf_token": {b.get("/admin/privacy").csrf(t)}, "email": {p.ann}})
		wantStatus(t, got, http.StatusSeeOther, "erasing Ann in the Shopify shop")
		if _, err := os.Stat(annsAnswer); !os.IsNotExist(err) {
			t.Errorf("Ann's data request answer is still there: %v", err)
		}
		if _, err := os.Stat(bobsAnswer); err != nil {
			t.Errorf("Bob's data request answer went too: %v", err)
		}
	})
}
