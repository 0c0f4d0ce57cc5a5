package report

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// SettingsFinder reads a shop's settings: its time zone and attribution window.
type SettingsFinder interface {
	FindSettings(ctx context.Context, shopID int64) (*stockbell.RestockSettings, error)
}

// DemandFinder lists the variants shoppers wait for (stockbell.SubscriberService).
type DemandFinder interface {
	FindDemand(ctx context.Context, filter stockbell.DemandFilter) ([]*stockbell.VariantDemand, int, error)
}

// Reports computes a shop's reports and writes its exports. Every method
// is scoped to the shop it is given.
type Reports struct {
	Store    stockbell.ReportStore
	Settings SettingsFinder
	Demand   DemandFinder
	// Shops finds the shop, which says whether its orders reach Stockbell
	// (Shop.SendsOrders: its platform and, on Shopify, its scopes).
	Shops ShopFinder
	Clock stockbell.Clock
}

// location returns the shop's report time zone.
func (r *Reports) location(ctx context.Context, shopID int64) (*time.Location, error) {
	settings, err := r.Settings.FindSettings(ctx, shopID)
	if err != nil {
		return nil, err
	}
	return settings.Location(), nil
}
