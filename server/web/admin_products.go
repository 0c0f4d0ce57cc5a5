package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// productsPerPage is the length of one page of products in demand.
const productsPerPage = 50

// productsData is the products-in-demand page.
type productsData struct {
	Rows     []*stockbell.VariantDemand
	Pager    *pager
	Settings *stockbell.RestockSettings
	// Simulate offers "simulate restock" for the demo shop's Catalog (in development).
	Simulate bool
	Catalog  []*stockbell.VariantWithProduct
	// Confirming counts, when nobody waits, the sign-ups that wait for
	// the shopper's confirmation before they join a queue.
	Confirming int
	now        time.Time
}

// RunningWait is the end of the row's wait between batches if it runs
// now, nil if none does (VariantDemand.RunningWait).
func (p *productsData) RunningWait(d *stockbell.VariantDemand) *time.Time {
	return d.RunningWait(p.now)
}

// productsPage lists the variants shoppers wait for, most wanted first,
// with stock, last restock, last batch and the wait between batches if
// one runs.
func (a *Admin) productsPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	rows, total, err := a.Subscribers.FindDemand(r.Context(), stockbell.DemandFilter{ShopID: s.ShopID,
		Offset: (page - 1) * productsPerPage, Limit: productsPerPage})
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	data := &productsData{Rows: rows, Simulate: a.simulates(s), now: a.Clock.Now()}
	if total == 0 {
		if data.Confirming, err = a.countSubscriptions(r.Context(), s.ShopID, nil, stockbell.SubscriptionPending); err != nil {
			a.Fail(w, r, s, err)
			return
		}
	}
	if data.Simulate {
		if data.Catalog, _, err = a.Catalog.FindVariants(r.Context(), stockbell.VariantFilter{ShopID: &s.ShopID, Limit: 100}); err != nil {
			a.Fail(w, r, s, err)
			return
		}
	}
	if data.Settings, err = a.Settings.FindSettings(r.Context(), s.ShopID); err != nil {
		a.Fail(w, r, s, err)
		return
	}
	view := &AdminView{Shop: s.Shop, Session: s}
	data.Pager = newPager(page, productsPerPage, len(rows), total, func(p int) string { return view.Link("/admin/products", "page", p) })
	a.Render(w, r, s, http.StatusOK, "products", "Products in demand", data)
}

// batchOutcome says what became of the shoppers a variant's last batch
// took from the queue: notified, or (a manual flow) awaiting approval.
func batchOutcome(d *stockbell.VariantDemand) string {
	claimed := formatNumber(d.LastBatch.Claimed)
	if d.LastBatchHeld == 0 && d.LastBatchNotified == d.LastBatch.Claimed {
		return claimed + " notified"
	}
	words := claimed + " taken from the queue"
	if d.LastBatchHeld > 0 {
		words += ", " + formatNumber(d.LastBatchHeld) + " awaiting your approval"
	}
	if d.LastBatchNotified > 0 || d.LastBatchHeld == 0 {
		words += ", " + formatNumber(d.LastBatchNotified) + " notified"
	}
	return words
}

// simulates reports whether the session's shop offers "simulate restock":
// only the demo shop, only in development.
func (a *Admin) simulates(s *AdminSession) bool {
	return a.opts.Development && s.Shop != nil && s.Shop.Platform == stockbell.PlatformDemo
}

// simulateStock restocks a demo variant by some units, or sells it out,
// through the demo shop's webhook receipts (development, demo shop only).
func (a *Admin) simulateStock(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	if !a.simulates(s) {
		a.Fail(w, r, s, stockbell.Errorf(stockbell.ENOTFOUND, "Stock changes are simulated only for the demo shop."))
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("variant"), 10, 64)
	variants := variantCache{catalog: a.Catalog, shopID: s.ShopID}
	v, err := variants.get(r.Context(), id)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	available, notice := 0, "sold_out"
	if r.PostFormValue("action") != "sell_out" {
		units, err := strconv.Atoi(r.PostFormValue("units"))
		if err != nil || units < 1 || units > 1000 {
			a.Fail(w, r, s, stockbell.FieldErrorf("units", "Enter how many units come back, from 1 to 1000."))
			return
		}
		available = max(v.Stock, 0) + units
		// Counted before the change: once applied, its batch takes them.
		if notice, err = a.restockNotice(r.Context(), s.ShopID, v.ID); err != nil {
			a.Fail(w, r, s, err)
			return
		}
	}
	applied, err := a.Demo.SimulateStock(r.Context(), s.Shop, v, available)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	// A change not applied yet would leave the page showing the stock
	// before it: the notice says so rather than contradict the table.
	if applied {
		notice += "_simulated"
	} else {
		notice += "_pending"
	}
	a.Logger.Info("demo stock change simulated", "variant", v.PlatformID, "available", available)
	a.Redirect(w, r, s, "/admin/products", "notice", notice)
}

// restockNotice is the notice after a simulated restock of the variant,
// before its _simulated or _pending: its alerts go out only when someone
// waits in its queue (a held one waits for approval), and then only from
// a live flow: a manual flow holds them for approval, a draft one tells
// nobody. A sign-up still waiting for its confirmation is told once it is
// confirmed (the start page promises so), so with only such sign-ups the
// notice says that rather than that nothing is sent.
func (a *Admin) restockNotice(ctx context.Context, shopID, variantID int64) (string, error) {
	waiting, err := a.countSubscriptions(ctx, shopID, &variantID, stockbell.SubscriptionQueued)
	if err != nil {
		return "", err
	}
	confirming := 0
	if waiting == 0 {
		if confirming, err = a.countSubscriptions(ctx, shopID, &variantID, stockbell.SubscriptionPending); err != nil {
			return "", err
		}
		if confirming == 0 {
			return "restock_nobody_waiting", nil
		}
	}
	flow, err := a.Flows.FindFlow(ctx, shopID)
	if err != nil {
		return "", err
	}
	switch {
	case flow.Status == stockbell.FlowManual:
		return "restock_manual", nil
	case flow.Status == stockbell.FlowDraft:
		return "restock_draft", nil
	case confirming > 0:
		return "restock_awaiting_confirmation", nil
	}
	return "restock", nil
}

// countSubscriptions counts the shop's subscriptions in status, of the
// variant when one is given.
func (a *Admin) countSubscriptions(ctx context.Context, shopID int64, variantID *int64, status stockbell.SubscriptionStatus) (int, error) {
	_, n, err := a.Subscriptions.FindSubscriptions(ctx, stockbell.SubscriptionFilter{
		ShopID: &shopID, VariantID: variantID, Status: &status, Limit: 1})
	return n, err
}
