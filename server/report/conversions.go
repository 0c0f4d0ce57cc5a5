package report

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// ConversionReport is what alerts earned over whole days of the shop's
// time zone: conversions and recovered revenue per variant and overall.
type ConversionReport struct {
	From     string `json:"from"`
	To       string `json:"to"`
	TimeZone string `json:"time_zone"`
	// Notified counts subscribers notified in the period, Converted those
	// of them who have bought since.
	Notified  int `json:"notified"`
	Converted int `json:"converted"`
	// Conversions, Quantity and Revenue sum the conversions of orders
	// placed in the period; revenue is kept per currency.
	Conversions int                         `json:"conversions"`
	Quantity    int                         `json:"quantity"`
	Revenue     stockbell.MoneyTotals       `json:"revenue"`
	Variants    []stockbell.ConversionTotal `json:"variants"`
}

// Conversions reports the conversions of orders placed in the query's
// days (the last DefaultDays by default) and recovered revenue, per variant
// and overall, narrowed to its variant, product and channel as the
// activity is. Returns EINVALID naming the field for a bad range.
func (r *Reports) Conversions(ctx context.Context, shopID int64, q ActivityQuery) (*ConversionReport, error) {
	loc, err := r.location(ctx, shopID)
	if err != nil {
		return nil, err
	}
	filter, from, to, err := r.activityFilter(shopID, q, loc)
	if err != nil {
		return nil, err
	}
	report := &ConversionReport{From: from.Format(dateLayout), To: to.Format(dateLayout), TimeZone: loc.String()}
	if report.Notified, report.Converted, err = r.Store.CountNotifiedConverted(ctx, filter); err != nil {
		return nil, err
	}
	if report.Variants, err = r.Store.FindConversionTotals(ctx, filter); err != nil {
		return nil, err
	}
	report.Revenue = stockbell.MoneyTotals{}
	for _, v := range report.Variants {
		report.Conversions += v.Conversions
		report.Quantity += v.Quantity
		report.Revenue.Add(v.Currency, v.Revenue)
	}
	return report, nil
}
