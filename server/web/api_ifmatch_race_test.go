package web_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAPIIfMatchLetsOneOfConcurrentChangesThrough: programs that read the
// same version and PUT their change at once with its If-Match: exactly
// one is stored (200), every other is refused 412, and what is stored is
// the one that was answered 200. Settings and flow alike.
func TestAPIIfMatchLetsOneOfConcurrentChangesThrough(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		bodies := map[string]func(i int) string{
			"/api/v1/settings": func(i int) string { return fmt.Sprintf(`{"wait":"%dh"}`, i+2) },
			"/api/v1/flow": func(i int) string {
				return fmt.Sprintf(`{"status":"live","steps":[{"channel":"email","subject":"Back %d"}]}`, i)
			},
		}
		for path, body := range bodies {
			etag := apiDo(t, f, key, "GET", path, "").Header.Get("ETag")
			const programs = 6
			answers := make([]apiAnswer, programs)
			var wg sync.WaitGroup
			for i := range programs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i] = apiDo(t, f, key, "PUT", path, body(i), "If-Match", etag)
				}()
			}
			wg.Wait()
			stored := -1
			for i, a := range answers {
				switch {
				case a.Status == 200 && stored == -1:
					stored = i
				case a.Status != 412:
					t.Errorf("PUT %s #%d: %d %.300s (stored: #%d)", path, i, a.Status, a.Raw, stored)
				}
			}
			now := apiDo(t, f, key, "GET", path, "")
			if stored == -1 || now.Header.Get("ETag") != answers[stored].Header.Get("ETag") || now.Raw != answers[stored].Raw {
				t.Errorf("%s: stored %s, the 200 was #%d", path, now.Raw, stored)
			}
		}
	})
}
