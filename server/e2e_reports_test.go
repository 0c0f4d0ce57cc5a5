package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestReportsInChromium opens the demo shop's Reports page in headless
// Chromium (the chart, the reorder advice, the export links), schedules a
// report on the Scheduled reports page by typing into its form, and checks
// both pages at a phone's and a desktop's width, then changes the report's
// frequency with the select in its row.
func TestReportsInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	base := m.URL()
	shop, variant := demoSizeM(t, m)
	for _, email := range []string{"ann@example.com", "bea@example.com"} {
		if _, _, err := m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: variant.ID,
			Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	browse(t, ctx, base+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")

	clickAndWait(t, ctx, `nav a[href="/admin/reports"]`, ".chart")
	if bars := browsertest.Eval[int](t, ctx, `document.querySelectorAll("#report-activity-title ~ svg rect.bar, figure.chart svg rect.bar").length`); bars != 30*4 {
		t.Errorf("the activity chart has %d bars, want 30 days × 4 series", bars)
	}
	main := text(t, ctx, "main")
	for _, want := range []string{"Back-in-stock activity", "Reorder advice", "Alpine Wool Sweater – M", "a default rate",
		"Download everyone waiting as CSV"} {
		if !strings.Contains(main, want) {
			t.Errorf("Reports page lacks %q:\n%s", want, main)
		}
	}
	checkWidths(t, ctx, base+"/admin/reports", ".chart", "reports")

	clickAndWait(t, ctx, `a[href="/admin/reports/scheduled"]`, "#email")
	browsertest.Do(t, ctx, chromedp.SendKeys("#email", "owner@example.com"), chromedp.SetValue("#frequency", "daily"),
		chromedp.Click(`form[action="/admin/reports/scheduled"] button[type=submit]`), chromedp.WaitVisible(".banner.ok"))
	listed := text(t, ctx, "main table")
	if !strings.Contains(listed, "owner@example.com") || !strings.Contains(listed, "Daily") || !strings.Contains(listed, "Back-in-stock activity") {
		t.Fatalf("scheduled reports after adding one:\n%s", listed)
	}
	subs, err := m.DB.FindReportSubscriptions(context.Background(), shop.ID)
	if err != nil || len(subs) != 1 || subs[0].Frequency != stockbell.ReportDaily || subs[0].Email != "owner@example.com" {
		t.Fatalf("stored: %+v (%v)", subs, err)
	}
	checkWidths(t, ctx, base+"/admin/reports/scheduled", "form", "scheduled-reports")

	browse(t, ctx, base+"/admin/reports/scheduled", "table")
	row := fmt.Sprintf("#frequency-%d", subs[0].ID)
	browsertest.Do(t, ctx, chromedp.SetValue(row, "monthly"),
		chromedp.Click(fmt.Sprintf(`form[action="/admin/reports/scheduled/%d/frequency"] button`, subs[0].ID)), chromedp.WaitVisible(".banner.ok"))
	if changed, err := m.DB.FindReportSubscriptions(context.Background(), shop.ID); err != nil || len(changed) != 1 ||
		changed[0].ID != subs[0].ID || changed[0].Frequency != stockbell.ReportMonthly {
		t.Fatalf("after changing its frequency on the page: %+v (%v)", changed, err)
	}
}

// checkWidths loads a page at 360 and 1440 px: it must not scroll
// sideways, its text must meet WCAG AA contrast, and a screenshot is kept.
func checkWidths(t *testing.T, ctx context.Context, url, ready, name string) {
	t.Helper()
	for _, width := range []int64{360, 1440} {
		browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
		browse(t, ctx, url, ready)
		if overflow := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth + 1`); overflow {
			t.Errorf("%s at %d px scrolls sideways", name, width)
		}
		for _, low := range browsertest.Eval[[]string](t, ctx, contrastCheck) {
			t.Errorf("%s at %d px: contrast below WCAG 2.2 AA: %s", name, width, low)
		}
		for _, small := range browsertest.Eval[[]string](t, ctx, smallFields) {
			t.Errorf("%s at %d px: a field smaller than the admin's others: %s", name, width, small)
		}
		for _, pair := range browsertest.Eval[[]string](t, ctx, touchingBoxes) {
			t.Errorf("%s at %d px: boxes one above the other with no space between them: %s", name, width, pair)
		}
		fullScreenshot(t, ctx, fmt.Sprintf("admin-%s-%dpx", name, width), width)
	}
}

// smallFields lists the visible fields of the page (inputs one types or
// picks in, and selects) shorter than the 44 px (2.75rem) every field of
// the admin is given, so that one left to the browser's own style stands
// out.
const smallFields = `[...document.querySelectorAll("main input:not([type=checkbox]):not([type=radio]):not([type=hidden]), main select")]
  .filter((el) => el.checkVisibility() && el.getBoundingClientRect().height < 43.5)
  .map((el) => (el.name || el.id || el.type) + " is " + el.getBoundingClientRect().height.toFixed(1) + " px high")`

// touchingBoxes lists the framed boxes of the page (cards, charts,
// buttons) that sit right under another one, less than 8 px apart, so
// that their borders run together: for each two blocks of the page one
// after the other, the lowest frame of the first (itself or one inside it)
// and the highest frame of the second.
const touchingBoxes = `(() => {
  const framed = (el) => { const s = getComputedStyle(el); return el.checkVisibility() && parseFloat(s.borderTopWidth) > 0 && parseFloat(s.borderBottomWidth) > 0; };
  const frames = (el) => [el, ...el.querySelectorAll("*")].filter(framed).map((f) => f.getBoundingClientRect());
  const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + el.className.split(" ").join(".") : "");
  const touching = [];
  for (const el of document.querySelectorAll("main > *")) {
    const next = el.nextElementSibling;
    const above = next && frames(el), below = next && frames(next);
    if (!next || !above.length || !below.length) continue;
    const gap = Math.min(...below.map((r) => r.top)) - Math.max(...above.map((r) => r.bottom));
    if (gap >= -1 && gap < 8) touching.push(name(el) + " and " + name(next) + " " + gap.toFixed(1) + " px apart");
  }
  return touching;
})()`
