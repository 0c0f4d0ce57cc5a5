package report

import (
	"context"
	"encoding/json"
	"math"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Reorder advice rests on the shop's own history once it has some.
const (
	// RateHistory is how far back the observed conversion rate looks.
	RateHistory = 90 * 24 * time.Hour
	// MinNotifiedForRate is how many subscribers must have been notified
	// in RateHistory before their conversion rate replaces the default.
	MinNotifiedForRate = 20
	// DefaultConversionRate is the share of notified subscribers expected
	// to buy until the shop has history: one in ten.
	DefaultConversionRate = 0.10
)

// ConversionRate is the share of notified subscribers who bought.
type ConversionRate struct {
	// Rate is Converted / Notified, or DefaultConversionRate when
	// FromHistory is false.
	Rate float64 `json:"rate"`
	// Notified and Converted are the shop's subscribers notified in the
	// last RateHistory and those of them who converted.
	Notified  int `json:"notified"`
	Converted int `json:"converted"`
	// FromHistory says whether Rate is the shop's own (MinNotifiedForRate
	// or more notified) or the default.
	FromHistory bool `json:"from_history"`
	// OrdersCounted says whether Stockbell receives the shop's orders
	// (stockbell.Shop.SendsOrders: its platform sends them and, on Shopify,
	// the shop granted read_orders). Without them no notified shopper is
	// ever seen to buy, so the rate stays the default.
	OrdersCounted bool `json:"orders_counted"`
}

// DemandRow is a variant shoppers wait for, what its alerts achieved and
// what a restock now is expected to sell.
type DemandRow struct {
	stockbell.VariantDemand
	// Notified and Converted count the variant's subscribers ever notified
	// and those of them who bought.
	Notified  int `json:"notified"`
	Converted int `json:"converted"`
	// ExpectedUnits is Queued × the shop's conversion rate: the units a
	// restock now is expected to sell to those waiting.
	ExpectedUnits float64 `json:"expected_units"`
	// ExpectedRevenue is ExpectedUnits × the variant's current price, when
	// the price is known (PriceKnown).
	Price           stockbell.Amount `json:"price"`
	ExpectedRevenue stockbell.Amount `json:"expected_revenue"`
	PriceKnown      bool             `json:"price_known"`
	// Currency is the code the variant's price states ("15.00 USD", as
	// feeds write prices), in which Price and ExpectedRevenue are; "" when
	// the price is a bare amount, in the shop's currency. Rows in different
	// currencies are not to be added together.
	Currency string `json:"currency"`
	// WaitRunsUntil is the end of the variant's wait between batches if
	// one runs at the report's time (VariantDemand.RunningWait), nil (left
	// out, as the API leaves out other times that have none) if none does.
	WaitRunsUntil *time.Time `json:"waiting_until,omitempty"`
}

// MarshalJSON writes the row under the API's names: variant, queued,
// last_restock_at, last_batch, last_batch_notified, last_batch_held and
// waiting_until, then the advice. Earlier versions wrote the first four
// and the batch's counts under their Go names (Variant, Queued,
// LastRestockAt, LastBatch, LastBatchNotified, LastBatchHeld); they are
// written there too, for the scripts that read them.
func (r DemandRow) MarshalJSON() ([]byte, error) {
	type goNames DemandRow // without this method
	return json.Marshal(struct {
		Variant           stockbell.VariantWithProduct `json:"variant"`
		Queued            int                          `json:"queued"`
		LastRestockAt     *time.Time                   `json:"last_restock_at"`
		LastBatch         *stockbell.RestockBatch      `json:"last_batch"`
		LastBatchNotified int                          `json:"LastBatchNotified"`
		LastBatchHeld     int                          `json:"LastBatchHeld"`
		goNames
	}{r.Variant, r.Queued, r.LastRestockAt, r.LastBatch, r.LastBatchNotified, r.LastBatchHeld, goNames(r)})
}

// DemandReport is one page of the products in demand, with reorder advice.
type DemandReport struct {
	Rows  []DemandRow    `json:"rows"`
	Total int            `json:"total"`
	Rate  ConversionRate `json:"conversion_rate"`
}

// ProductsInDemand returns the variants with queued subscribers, most
// wanted first (a page of them: offset, limit), with stock, last restock,
// notified and converted counts and reorder advice.
func (r *Reports) ProductsInDemand(ctx context.Context, shopID int64, offset, limit int) (*DemandReport, error) {
	rows, total, err := r.Demand.FindDemand(ctx, stockbell.DemandFilter{ShopID: shopID, Offset: offset, Limit: limit})
	if err != nil {
		return nil, err
	}
	report := &DemandReport{Total: total, Rows: make([]DemandRow, len(rows))}
	if report.Rate, err = r.ConversionRate(ctx, shopID); err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	now := r.Clock.Now()
	for i, d := range rows {
		ids[i] = d.Variant.ID
		report.Rows[i] = advise(*d, report.Rate.Rate)
		report.Rows[i].WaitRunsUntil = d.RunningWait(now)
	}
	outcomes, err := r.Store.FindVariantOutcomes(ctx, shopID, ids, time.Unix(0, 0), now.Add(time.Second))
	if err != nil {
		return nil, err
	}
	for _, o := range outcomes {
		for i := range report.Rows {
			if report.Rows[i].Variant.ID == o.VariantID {
				report.Rows[i].Notified, report.Rows[i].Converted = o.Notified, o.Converted
			}
		}
	}
	return report, nil
}

// ConversionRate returns the shop's observed conversion rate of notified
// subscribers over the last RateHistory, or the default without history,
// and always for a shop that sends no orders (stockbell.Shop.SendsOrders):
// none of its shoppers is ever seen to buy, and its observed rate would be 0%.
func (r *Reports) ConversionRate(ctx context.Context, shopID int64) (ConversionRate, error) {
	shop, err := r.Shops.FindShopByID(ctx, shopID)
	if err != nil {
		return ConversionRate{}, err
	}
	now := r.Clock.Now()
	history := stockbell.ActivityFilter{ShopID: shopID, Since: now.Add(-RateHistory), Until: now.Add(time.Second)}
	notified, converted, err := r.Store.CountNotifiedConverted(ctx, history)
	if err != nil {
		return ConversionRate{}, err
	}
	rate := ConversionRate{Rate: DefaultConversionRate, Notified: notified, Converted: converted, OrdersCounted: shop.SendsOrders()}
	if rate.OrdersCounted && notified >= MinNotifiedForRate {
		rate.Rate, rate.FromHistory = float64(converted)/float64(notified), true
	}
	return rate, nil
}

// advise computes a variant's expected units and revenue at rate.
func advise(d stockbell.VariantDemand, rate float64) DemandRow {
	row := DemandRow{VariantDemand: d, ExpectedUnits: float64(d.Queued) * rate}
	if price, err := stockbell.ParsePrice(d.Variant.Price); err == nil && d.Variant.Price != "" {
		row.Price, row.Currency, row.PriceKnown = price.Amount, price.Currency, true
		row.ExpectedRevenue = stockbell.Amount(math.Round(float64(price.Amount) * row.ExpectedUnits))
	}
	return row
}
