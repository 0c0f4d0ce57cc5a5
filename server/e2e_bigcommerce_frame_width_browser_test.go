package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestBigCommerceAdminFitsTheControlPanelsFrame: the control panel shows
// the app in a frame beside its own menu, so on a laptop's screen the
// frame is 660 to 760 px wide, wider than a phone (where the admin's
// tables stack their rows) and narrower than a desktop. With shoppers
// waiting, one of them with a long address, no page of the menu, nor a
// subscriber's page, scrolls sideways in the frame, and no table (those
// folded under a summary opened) scrolls sideways in its box: the reorder
// advice shows its rows as blocks at 660 px and fits its seven columns at
// 760 px, and the subscriber's address breaks in its heading.
func TestBigCommerceAdminFitsTheControlPanelsFrame(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")
	owner := browsertest.New(t)
	browse(t, owner, controlPanel(t, owner)(app+"/auth/bigcommerce/callback?"+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	frame := appFrame(t, owner, app)
	waitForServer(t, frame, `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)

	ctx := context.Background()
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+e2eStore)
	noErr(t, err)
	eventually(t, m, "the store's catalog", func() bool {
		_, err := m.DB.FindVariant(ctx, shop.ID, "509")
		return err == nil
	})
	shirt, err := m.DB.FindVariant(ctx, shop.ID, "509")
	noErr(t, err)
	var long *stockbell.Subscription
	for _, email := range []string{"christopher.montgomery@bellscustomers.example.com", "bea@example.com"} {
		long, _, err = m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: shirt.ID, Email: email,
			Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		noErr(t, err)
		if long.Email != "bea@example.com" {
			break
		}
	}

	pages := browsertest.Eval[[]string](t, frame, `[...document.querySelectorAll("nav a[href]")].map((a) => a.getAttribute("href"))`)
	pages = append(pages, fmt.Sprintf("/admin/subscribers/%d", long.ID))
	for _, width := range []string{"660px", "760px"} {
		browsertest.Eval[bool](t, owner, `(document.querySelector("#app").style.width = "`+width+`", true)`)
		for _, page := range pages {
			browsertest.Eval[bool](t, frame, `(location.href = "`+page+`", true)`)
			waitForPageShowing(t, frame, `main h1`)
			browsertest.Eval[bool](t, frame, `(document.querySelectorAll("main details").forEach((d) => (d.open = true)), true)`)
			sideways := browsertest.Eval[[]string](t, frame, `[document.documentElement, ...document.querySelectorAll(".table-wrap")]
				.filter((box) => box.checkVisibility() && box.scrollWidth > box.clientWidth + 1)
				.map((box) => (box.getAttribute("aria-labelledby") || box.tagName) + ": " + box.scrollWidth + " px in " + box.clientWidth)`)
			if len(sideways) > 0 {
				t.Errorf("%s in a %s frame scrolls sideways: %v", page, width, sideways)
			}
		}
	}
}

// TestBigCommerceAdminFitsAPhonesFrame: on a phone the control panel
// gives the app's frame the screen's width, 360 px. No page of the menu
// scrolls sideways in the frame, a long file name of the Install page's
// theme edits (templates/components/products/product-view.html) breaks
// rather than widening it, and the Sync log, with the install's catalog
// sync in it, shows each entry as a block (its source, then when and what
// happened under their column's names) rather than clipping "What
// happened" in a box to scroll sideways.
func TestBigCommerceAdminFitsAPhonesFrame(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")
	owner := browsertest.New(t)
	browse(t, owner, controlPanel(t, owner)(app+"/auth/bigcommerce/callback?"+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	frame := appFrame(t, owner, app)
	waitForServer(t, frame, `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformBigCommerce, "stores/"+e2eStore)
	noErr(t, err)
	eventually(t, m, "the install's catalog sync logged", func() bool {
		entries, _, err := m.DB.FindSyncLog(context.Background(), stockbell.SyncLogFilter{ShopID: shop.ID})
		return err == nil && len(entries) > 0
	})

	browsertest.Eval[bool](t, owner, `(document.querySelector("#app").style.width = "360px", true)`)
	for _, page := range browsertest.Eval[[]string](t, frame, `[...document.querySelectorAll("nav a[href]")].map((a) => a.getAttribute("href"))`) {
		browsertest.Eval[bool](t, frame, `(location.href = "`+page+`", true)`)
		waitForPageShowing(t, frame, `main h1`)
		sideways := browsertest.Eval[[]string](t, frame, `[document.documentElement, ...document.querySelectorAll(".table-wrap")]
			.filter((box) => box.checkVisibility() && box.scrollWidth > box.clientWidth + 1)
			.map((box) => (box.getAttribute("aria-label") || box.tagName) + ": " + box.scrollWidth + " px in " + box.clientWidth)`)
		if len(sideways) > 0 {
			t.Errorf("%s in a 360 px frame scrolls sideways: %v", page, sideways)
		}
	}
	browsertest.Eval[bool](t, frame, `(location.href = "/admin/sync-log", true)`)
	waitForPageShowing(t, frame, `table.sync-log`)
	labels := browsertest.Eval[[]string](t, frame, `[...document.querySelectorAll("table.sync-log tbody tr:first-child td")].map((td) => getComputedStyle(td, "::before").content)`)
	if want := []string{`"When"`, `"What happened"`}; !slices.Equal(labels, want) {
		t.Errorf("in a 360 px frame the sync log's values are named %q, want %q", labels, want)
	}
}
