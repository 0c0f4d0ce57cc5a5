package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestTimelineSaysWhatBecameOfAHeldBatch: once the merchant discards (or
// approves) a held batch from the Flow page, a held shopper's timeline no
// longer shows her hold as waiting for approval: the line says that the
// batch was discarded (approved), when, and by whom. The decision is
// made on a running clock, as in production, where no two statements of
// its transaction read the same time.
func TestTimelineSaysWhatBecameOfAHeldBatch(t *testing.T) {
	for _, c := range []struct{ action, confirm, want string }{
		{"discard", "yes", "then discarded (not sent) Among the oldest in line; the first message (email) was prepared and held for your approval (the flow is manual). Discarded by owner@example.com on "},
		{"approve", "", "then approved (done) Among the oldest in line; the first message (email) was prepared and held for your approval (the flow is manual). Approved by owner@example.com on "},
	} {
		t.Run(c.action, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				f := newAdminFixture(t, db)
				w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com")
				batch := holdBatch(t, f, w)
				db.Clock = runningFrom(f.clock.Now())
				b := f.signIn(t, w.shop)
				form := url.Values{"csrf_token": {b.get("/admin/flow").csrf(t)}}
				if c.confirm != "" {
					form.Set("confirm", c.confirm)
				}
				p := b.post("/admin/flow/batches/"+strconv.FormatInt(batch.ID, 10)+"/"+c.action, form)
				wantStatus(t, p, http.StatusSeeOther, c.action)
				timeline := visibleText(b.get(fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID)).Body)
				held := "Held for your approval in batch " + strconv.FormatInt(batch.ID, 10)
				if !strings.Contains(timeline, held+", "+c.want) || strings.Contains(timeline, "waits for your approval") {
					t.Errorf("after the %s, the timeline's hold lacks %q:\n%s", c.action, held+", "+c.want, timeline)
				}
			})
		})
	}
}

// runningFrom is a clock that starts at start and runs as the wall clock
// does.
func runningFrom(start time.Time) stockbell.Clock {
	began := time.Now()
	return stockbell.ClockFunc(func() time.Time { return start.Add(time.Since(began)) })
}
