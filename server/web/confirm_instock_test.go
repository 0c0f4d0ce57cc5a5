package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestConfirmedWhileInStockSaysSo: a text sign-up confirmed once its
// variant is back in stock is told so in the shopper's language, rather
// than to wait until it is back; a sign-up of another shop's variant with
// the same platform id, still sold out, is told to wait, as before.
func TestConfirmedWhileInStockSaysSo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		other := storetest.MustShop(t, db, stockbell.PlatformShopify, "other.myshopify.com")
		otherVariant := soldOutBell(t, db, other)
		waiting := map[string]string{"en": "when Bell (Small) is back in stock", "fr": "quand Bell (Small) sera de nouveau en stock",
			"de": "sobald Bell (Small) wieder vorrätig ist", "es": "cuando Bell (Small) vuelva a estar disponible"}
		inStock := map[string]string{"en": "Bell (Small) is already back in stock", "fr": "Bell (Small) est déjà de nouveau en stock",
			"de": "Bell (Small) ist bereits wieder vorrätig", "es": "Bell (Small) ya vuelve a estar disponible"}
		links, otherLinks := map[string]string{}, map[string]string{}
		for i, lang := range []string{"en", "fr", "de", "es"} {
			phone := "+1201555012" + string(rune('0'+i))
			_, links[lang] = fx.subscribeToAndAsk(t, stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID, Phone: phone, Locale: lang})
			_, otherLinks[lang] = fx.subscribeToAndAsk(t, stockbell.SubscriptionCreate{ShopID: other.ID, VariantID: otherVariant.ID, Phone: phone, Locale: lang})
		}
		restockBell(t, db, fx.shop, 3)
		for lang, link := range links {
			code, body := fetch(t, http.MethodPost, link)
			if code != http.StatusOK || !strings.Contains(body, inStock[lang]) || strings.Contains(body, waiting[lang]) {
				t.Errorf("%s, confirmed in stock: %d, want %q and not %q:\n%s", lang, code, inStock[lang], waiting[lang], body)
			}
			code, body = fetch(t, http.MethodPost, otherLinks[lang])
			if code != http.StatusOK || !strings.Contains(body, waiting[lang]) || strings.Contains(body, inStock[lang]) {
				t.Errorf("%s, the other shop's, still sold out: %d, want %q:\n%s", lang, code, waiting[lang], body)
			}
		}
	})
}

// soldOutBell gives shop the Bell, Small (platform id 111), sold out.
func soldOutBell(t *testing.T, db *store.DB, shop *stockbell.Shop) *stockbell.VariantWithProduct {
	t.Helper()
	restockBell(t, db, shop, 0)
	v, err := db.FindVariant(context.Background(), shop.ID, "111")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// restockBell sets the shop's Bell, Small to available units.
func restockBell(t *testing.T, db *store.DB, shop *stockbell.Shop, available int) {
	t.Helper()
	_, err := db.UpsertProduct(context.Background(), stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "9001", Title: "Bell", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "111", Title: "Small", InventoryPolicy: stockbell.InventoryDeny, Tracked: true,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: available}}}}})
	if err != nil {
		t.Fatal(err)
	}
}
