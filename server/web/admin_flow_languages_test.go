package web_test

import (
	"context"
	"regexp"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFlowNamesAMessagesOwnLanguages: a language the merchant added under
// "Another language" is offered by its name, as the built-in ones are, in
// the preview's list and over its texts; a code with no known name is
// shown as the code, never as "Unknown language".
func TestFlowNamesAMessagesOwnLanguages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		flow := flowOf(t, db, shop)
		flow.Steps = []stockbell.FlowStep{{Channel: stockbell.ChannelEmail, Translations: map[string]stockbell.StepText{
			"it": {Subject: "Di nuovo disponibile"}, "zzx": {Subject: "?"}}}}
		if err := db.UpdateFlow(context.Background(), flow); err != nil {
			t.Fatal(err)
		}
		page := b.get("/admin/flow").Body
		for _, want := range []struct{ code, name string }{{"fr", "French"}, {"it", "Italian"}, {"zzx", "zzx"}} {
			option := regexp.MustCompile(`<option value="` + want.code + `"[^>]*>([^<]*)</option>`).FindStringSubmatch(page)
			if option == nil || option[1] != want.name {
				t.Errorf("the preview offers %s as %q, want %q", want.code, option, want.name)
			}
		}
		if !regexp.MustCompile(`<legend>Italian \(it\)</legend>`).MatchString(page) {
			t.Error("the Italian texts are not headed \"Italian (it)\"")
		}
		if !regexp.MustCompile(`<legend>zzx</legend>`).MatchString(page) {
			t.Error("the texts in zzx are not headed by their code alone")
		}
	})
}
