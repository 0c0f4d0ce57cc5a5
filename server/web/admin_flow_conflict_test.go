package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFlowSaveAfterAConflictKeepsEachMessagesHiddenTexts: a translation's
// custom HTML is not shown on the page (only the API writes it). A merchant
// opens the flow; meanwhile another change removes a message, or adds one
// in front; their save is refused (409) and shown again as typed, and
// saving that form, knowingly, stores each typed message with its own
// custom HTML, never that of the message now at its place.
func TestFlowSaveAfterAConflictKeepsEachMessagesHiddenTexts(t *testing.T) {
	un := stockbell.FlowStep{Channel: stockbell.ChannelEmail, Translations: map[string]stockbell.StepText{"fr": {Subject: "Un", HTML: "<p>Un</p>"}}}
	deux := stockbell.FlowStep{Channel: stockbell.ChannelEmail, Delay: time.Hour, Translations: map[string]stockbell.StepText{"fr": {Subject: "Deux", HTML: "<p>Deux</p>"}}}
	neuf := stockbell.FlowStep{Channel: stockbell.ChannelEmail, Translations: map[string]stockbell.StepText{"fr": {Subject: "Neuf", HTML: "<p>Neuf</p>"}}}
	for name, elsewhere := range map[string][]stockbell.FlowStep{"message 1 removed": {deux}, "a message added in front": {neuf, un, deux}} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				f := newAdminFixture(t, db)
				shop := mustShop(t, db, "bells.example")
				b := f.signIn(t, shop)
				flow := flowOf(t, db, shop)
				flow.Steps = []stockbell.FlowStep{un, deux}
				if err := db.UpdateFlow(context.Background(), flow); err != nil {
					t.Fatal(err)
				}
				opened := formValues(t, b.get("/admin/flow").Body, "flow-form")

				f.clock.Add(time.Minute)
				changed := flowOf(t, db, shop)
				changed.Steps = elsewhere
				if err := db.UpdateFlow(context.Background(), changed); err != nil {
					t.Fatal(err)
				}
				refused := b.post("/admin/flow", with(opened, "action", "save", "s2_subject", "Typed"))
				wantStatus(t, refused, http.StatusConflict, "saving a flow changed elsewhere")
				again := with(formValues(t, refused.Body, "flow-form"), "action", "save")
				wantStatus(t, b.post("/admin/flow", again), http.StatusSeeOther, "saving again, knowingly")

				got := flowOf(t, db, shop).Steps
				if len(got) != 2 || got[1].Subject != "Typed" {
					t.Fatalf("saving again stored %+v, not the two typed messages", got)
				}
				for i, want := range []stockbell.FlowStep{un, deux} {
					if got[i].Translations["fr"] != want.Translations["fr"] {
						t.Errorf("message %d saved with French texts %+v, want its own %+v", i+1, got[i].Translations["fr"], want.Translations["fr"])
					}
				}
			})
		})
	}
}

// TestFlowFormRefusesDamagedHiddenTexts: a form whose carried custom HTML
// does not read is refused, nothing saved, and shown again carrying the
// saved message's, so that saving again keeps it.
func TestFlowFormRefusesDamagedHiddenTexts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		flow := flowOf(t, db, shop)
		flow.Steps = []stockbell.FlowStep{{Channel: stockbell.ChannelEmail, Translations: map[string]stockbell.StepText{"fr": {Subject: "Un", HTML: "<p>Un</p>"}}}}
		if err := db.UpdateFlow(context.Background(), flow); err != nil {
			t.Fatal(err)
		}
		opened := formValues(t, b.get("/admin/flow").Body, "flow-form")
		refused := b.post("/admin/flow", with(opened, "action", "save", "s1_subject", "Typed", "s1_translation_html", "not base64!"))
		wantStatus(t, refused, http.StatusUnprocessableEntity, "a damaged form")
		if got := flowOf(t, db, shop).Steps[0]; got.Subject != "" {
			t.Fatalf("the damaged form was saved: %+v", got)
		}
		wantStatus(t, b.post("/admin/flow", with(formValues(t, refused.Body, "flow-form"), "action", "save")), http.StatusSeeOther, "saving again")
		if got := flowOf(t, db, shop).Steps[0]; got.Subject != "Typed" || got.Translations["fr"].HTML != "<p>Un</p>" {
			t.Errorf("saving again stored %+v", got)
		}
	})
}
