package storetest

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// EraseShop erases the shop as `stockbell shop erase` does: uninstalled,
// then deleted with everything it owns. A shop already gone is left so.
func EraseShop(ctx context.Context, db *store.DB, shopID int64) error {
	if _, err := db.FindShopByID(ctx, shopID); stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	}
	if err := db.UninstallShop(ctx, shopID); err != nil {
		return err
	}
	return db.DeleteShop(ctx, shopID)
}

// ErasingCatalog is the catalog with the shop erased when a job begins a
// read of its platform (BeginStockRead): an erase the job meets halfway,
// its writes to come.
type ErasingCatalog struct {
	stockbell.CatalogService
	DB     *store.DB
	ShopID int64
}

// BeginStockRead erases the shop, then begins the read.
func (c ErasingCatalog) BeginStockRead(ctx context.Context) (stockbell.StockRead, error) {
	if err := EraseShop(ctx, c.DB, c.ShopID); err != nil {
		return stockbell.StockRead{}, err
	}
	return c.CatalogService.BeginStockRead(ctx)
}

// ErasingShops is the shops with the shop erased when a job records the
// shop's details it read from its platform (UpdateShopDetails).
type ErasingShops struct {
	stockbell.ShopService
	DB     *store.DB
	ShopID int64
}

// UpdateShopDetails erases the shop, then records the details.
func (s ErasingShops) UpdateShopDetails(ctx context.Context, id int64, details stockbell.ShopDetails) error {
	if err := EraseShop(ctx, s.DB, s.ShopID); err != nil {
		return err
	}
	return s.ShopService.UpdateShopDetails(ctx, id, details)
}

// ShopRows counts the rows of the shop left in each of the tables that
// hold a shop's catalog, sign-ups and log (shops itself by its id), and
// returns those with any.
func ShopRows(ctx context.Context, db *store.DB, shopID int64) (map[string]int, error) {
	left := map[string]int{}
	for _, table := range []string{"shops", "products", "variants", "subscriptions", "events", "webhook_endpoints"} {
		column := "shop_id"
		if table == "shops" {
			column = "id"
		}
		var n int
		if err := db.DB.GetContext(ctx, &n, db.DB.Rebind(`SELECT COUNT(*) FROM `+table+` WHERE `+column+` = ?`), shopID); err != nil {
			return nil, err
		}
		if n > 0 {
			left[table] = n
		}
	}
	return left, nil
}
