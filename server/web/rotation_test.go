package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// adminWithKeys serves the admin on db with the given session keys and
// returns its URL.
func adminWithKeys(t *testing.T, db *store.DB, key []byte, previous ...[]byte) string {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	admin, err := web.NewAdmin(web.AdminDeps{Shops: db, Settings: db, Flows: db, Activity: db, Subscriptions: db,
		Events: db, Messages: db, Catalog: db, SignInLinks: db, Logger: logger},
		web.AdminOptions{SessionKey: key, PreviousSessionKeys: previous, PublicURL: "http://localhost"})
	if err != nil {
		t.Fatal(err)
	}
	admin.Register(server)
	ts := httptest.NewServer(server.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestAdminSessionSurvivesKeyRotation: a session cookie made under the old
// key still opens the admin while STOCKBELL_SECRET_KEY_PREVIOUS holds it,
// and no longer once it is gone.
func TestAdminSessionSurvivesKeyRotation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		oldKey, newKey := []byte("old-admin-session-key-0123456789abcdef"), []byte("new-admin-session-key-0123456789abcdef")
		shop := mustShop(t, db, "rotate.example")
		f := &adminFixture{db: db, url: adminWithKeys(t, db, oldKey)}
		b := f.browser(t)
		token, _, err := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID, Email: "owner@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, b.useLink(token), http.StatusSeeOther, "signing in under the old key")

		b.base = adminWithKeys(t, db, newKey, oldKey)
		wantStatus(t, b.get("/admin"), http.StatusOK, "the old key's session during the rotation")
		b.base = adminWithKeys(t, db, newKey)
		wantStatus(t, b.get("/admin"), http.StatusUnauthorized, "the old key's session once the previous key is dropped")
	})
}
