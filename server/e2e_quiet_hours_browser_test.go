package main

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestMerchantSetsQuietHoursInChromium: the demo shop's settings page
// shows SMS quiet hours off (its texts go to the Outbox, whatever the
// hour), 21:00 to 09:00; a merchant ticks the box, moves the start to
// 22:30 in the time field and saves, and the shop's settings say so.
func TestMerchantSetsQuietHoursInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")
	browse(t, ctx, m.URL()+"/admin/settings", "#quiet_hours")
	shown := browsertest.Eval[[]any](t, ctx, `[document.querySelector("#quiet_hours").checked,
		document.querySelector("#quiet_hours_start").value, document.querySelector("#quiet_hours_end").value]`)
	if len(shown) != 3 || shown[0] != false || shown[1] != "21:00" || shown[2] != "09:00" {
		t.Fatalf("the demo's settings page shows quiet hours %v, want off, 21:00 to 09:00", shown)
	}
	// The time fields are drawn as the page's other fields are, not at the
	// browser's small default size.
	for _, field := range []string{"#quiet_hours_start", "#quiet_hours_end"} {
		if differs := browsertest.Eval[string](t, ctx, fieldStyleDiffers(field, "#time_zone")); differs != "" {
			t.Errorf("%s is not drawn as the time zone field is: %s", field, differs)
		}
	}
	browsertest.Do(t, ctx, chromedp.SetValue("#quiet_hours_start", "22:30"), chromedp.Click("#quiet_hours"))
	clickAndWait(t, ctx, `.actions button.primary`, ".banner.ok")
	shop, _ := demoSizeM(t, m)
	s, err := m.DB.FindSettings(context.Background(), shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !s.QuietHours || s.QuietHoursStart != "22:30" || s.QuietHoursEnd != "09:00" {
		t.Fatalf("saved quiet hours %v %s–%s, want on, 22:30 to 09:00", s.QuietHours, s.QuietHoursStart, s.QuietHoursEnd)
	}
}

// fieldStyleDiffers is an expression naming the first style (font size,
// height, border, padding) in which the field differs from the model
// field, "" when none does.
func fieldStyleDiffers(field, model string) string {
	return `(() => { const a = document.querySelector(` + strconv.Quote(field) + `), b = document.querySelector(` + strconv.Quote(model) + `);
		const sa = getComputedStyle(a), sb = getComputedStyle(b);
		for (const p of ["fontSize", "fontFamily", "borderTopWidth", "borderTopColor", "borderRadius", "paddingLeft"]) {
			if (sa[p] != sb[p]) return p + " " + sa[p] + ", not " + sb[p];
		}
		const ha = a.getBoundingClientRect().height, hb = b.getBoundingClientRect().height;
		return Math.abs(ha - hb) > 1 ? "height " + ha + ", not " + hb : "";
	})()`
}
