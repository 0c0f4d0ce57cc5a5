package store_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestSignInLinkWorksOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformFeed, "feed.example")
		token, link, err := db.CreateSignInLink(ctx, stockbell.SignInLinkCreate{ShopID: shop.ID, Email: "staff@example.com"})
		must(t, err)
		if len(token) < 40 || link.ShopID != shop.ID || !link.ExpiresAt.Equal(clock.Now().Add(stockbell.SignInLinkTTL)) {
			t.Fatalf("link = %+v, token %q", link, token)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM admin_sign_in_links WHERE token_hash = ?`, token); n != 0 {
			t.Fatal("the token is stored in the clear")
		}
		clock.Add(14 * time.Minute)
		used, err := db.UseSignInLink(ctx, token)
		must(t, err)
		if used.ID != link.ID || used.Email != "staff@example.com" || used.UsedAt == nil || !used.UsedAt.Equal(clock.Now()) {
			t.Fatalf("used link = %+v", used)
		}
		_, err = db.UseSignInLink(ctx, token)
		wantCode(t, err, stockbell.EUNAUTHORIZED, "")
		if !strings.Contains(stockbell.ErrorMessage(err), "already used") {
			t.Errorf("second use: %v", err)
		}
		_, err = db.UseSignInLink(ctx, token+"x")
		wantCode(t, err, stockbell.EUNAUTHORIZED, "")
		if !strings.Contains(stockbell.ErrorMessage(err), "not valid") {
			t.Errorf("unknown token: %v", err)
		}
	})
}

func TestSignInLinkExpires(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformFeed, "feed.example")
		token, _, err := db.CreateSignInLink(ctx, stockbell.SignInLinkCreate{ShopID: shop.ID})
		must(t, err)
		clock.Add(stockbell.SignInLinkTTL)
		_, err = db.UseSignInLink(ctx, token)
		wantCode(t, err, stockbell.EUNAUTHORIZED, "")
		if !strings.Contains(stockbell.ErrorMessage(err), "expired") {
			t.Errorf("expired link: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM admin_sign_in_links WHERE used_at IS NOT NULL`); n != 0 {
			t.Fatalf("an expired link was marked used")
		}
		_, _, err = db.CreateSignInLink(ctx, stockbell.SignInLinkCreate{ShopID: 9999})
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, _, err = db.CreateSignInLink(ctx, stockbell.SignInLinkCreate{ShopID: shop.ID, TTL: 48 * time.Hour})
		wantCode(t, err, stockbell.EINVALID, "ttl")
	})
}

// TestSignInLinkRaceLetsOneThrough uses one link from many goroutines at
// once (as two replicas would): exactly one use succeeds.
func TestSignInLinkRaceLetsOneThrough(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformFeed, "feed.example")
		token, _, err := db.CreateSignInLink(ctx, stockbell.SignInLinkCreate{ShopID: shop.ID})
		must(t, err)
		var wg sync.WaitGroup
		var mu sync.Mutex
		succeeded := 0
		for range 8 {
			wg.Go(func() {
				if _, err := db.UseSignInLink(ctx, token); err == nil {
					mu.Lock()
					succeeded++
					mu.Unlock()
				} else if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if succeeded != 1 {
			t.Fatalf("%d concurrent uses succeeded, want exactly 1", succeeded)
		}
	})
}

// TestAdminSessionEndedUntilItExpires: a session ended is ended on every
// connection, ending it twice is no error, and a session ended is
// forgotten once past its expiry, when the next one ends.
func TestAdminSessionEndedUntilItExpires(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		ended, err := db.AdminSessionEnded(ctx, "a")
		must(t, err)
		if ended {
			t.Fatal("a session never ended reads as ended")
		}
		must(t, db.EndAdminSession(ctx, "a", clock.Now().Add(time.Hour)))
		must(t, db.EndAdminSession(ctx, "a", clock.Now().Add(time.Hour)))
		if ended, err := db.AdminSessionEnded(ctx, "a"); err != nil || !ended {
			t.Fatalf("the session ended reads as ended %v (%v)", ended, err)
		}
		if ended, err := db.AdminSessionEnded(ctx, "b"); err != nil || ended {
			t.Fatalf("another session reads as ended %v (%v)", ended, err)
		}
		clock.Add(time.Hour)
		must(t, db.EndAdminSession(ctx, "b", clock.Now().Add(time.Hour)))
		if n := count(t, db, `SELECT COUNT(*) FROM admin_sessions_ended`); n != 1 {
			t.Errorf("%d sessions kept, want only the one not expired", n)
		}
	})
}
