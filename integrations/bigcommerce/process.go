package bigcommerce

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ProcessReceipt does the work of one stored BigCommerce webhook. Stock
// webhooks carry a hint (an absolute value, or a relative one for orders)
// that is never applied as such: the product and its levels are read
// again, so duplicates, order and lost webhooks cannot leave the stock
// wrong. A payload that can never be processed is logged and done (nil);
// an error makes the job retry.
func (in *Integration) ProcessReceipt(ctx context.Context, rc *stockbell.WebhookReceipt) error {
	var p Payload
	if err := json.Unmarshal(rc.Payload, &p); err != nil {
		in.Logger.WarnContext(ctx, "bigcommerce webhook dropped", "receipt", rc.ID, "scope", rc.Topic, "err", err)
		return nil
	}
	shop, err := in.Shops.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, rc.Domain)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !shop.Active() {
		in.Logger.InfoContext(ctx, "bigcommerce webhook for an uninstalled store ignored", "scope", p.Scope, "store", shop.Domain)
		return nil
	}
	started := in.Clock.Now()
	err = in.apply(ctx, shop, &p)
	if stopped, err2 := in.stopIfForbidden(ctx, shop, "bigcommerce:"+p.Scope, started, err); stopped {
		return err2 // retrying the webhook cannot help: its failure is recorded
	}
	return err
}

// apply does the work a webhook asks for.
func (in *Integration) apply(ctx context.Context, shop *stockbell.Shop, p *Payload) error {
	switch productID := p.productID(); {
	case p.Scope == ScopeOrderCreated:
		return in.recordOrder(ctx, shop, p.Data.ID)
	case p.Scope == ScopeProductDeleted:
		return ignoreNotFound(in.Catalog.DeleteProduct(ctx, shop.ID, strconv.FormatInt(productID, 10)))
	case productID != 0 && p.readsProduct():
		return in.refreshProduct(ctx, shop, productID, "bigcommerce:"+p.Scope)
	}
	in.Logger.InfoContext(ctx, "bigcommerce webhook without work", "scope", p.Scope, "store", shop.Domain)
	return nil
}

// readsProduct reports whether the webhook's work is to read its product
// again: a stock change, a change to the product, or a variant deleted
// from it (the product read with all its variants marks it deleted).
func (p *Payload) readsProduct() bool {
	return strings.Contains(p.Scope, "/inventory/") || strings.HasPrefix(p.Scope, "store/product/") || p.Scope == ScopeSKUDeleted
}

// productID is the product the webhook is about.
func (p *Payload) productID() int64 {
	if p.Data.Inventory != nil && p.Data.Inventory.ProductID != 0 {
		return p.Data.Inventory.ProductID
	}
	if p.Data.SKU != nil && p.Data.SKU.ProductID != 0 {
		return p.Data.SKU.ProductID
	}
	if p.Data.Type == "product" {
		return p.Data.ID
	}
	return 0
}

// refreshProduct reads the product with its variants and levels and
// upserts it; a product the store no longer has is marked deleted. The
// read begins before BigCommerce is asked, so the store orders its levels
// (which carry no platform time) against any written meanwhile.
func (in *Integration) refreshProduct(ctx context.Context, shop *stockbell.Shop, productID int64, source string) error {
	sess, err := in.session(shop)
	if err != nil {
		return err
	}
	read, err := in.Catalog.BeginStockRead(ctx)
	if err != nil {
		return err
	}
	product, err := sess.product(ctx, productID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return ignoreNotFound(in.Catalog.DeleteProduct(ctx, shop.ID, strconv.FormatInt(productID, 10)))
	} else if err != nil {
		return err
	}
	levels, err := sess.levelsOf(ctx, []apiProduct{*product})
	if err != nil {
		return err
	}
	up := productUpsert(shop, product, levels)
	up.Read, up.Source = &read, source
	_, err = in.Catalog.UpsertProduct(ctx, up)
	return err
}

// recordOrder reads a new order and hands it to conversion attribution.
func (in *Integration) recordOrder(ctx context.Context, shop *stockbell.Shop, orderID int64) error {
	if in.Conversions == nil {
		return nil
	}
	sess, err := in.session(shop)
	if err != nil {
		return err
	}
	order, lines, err := sess.order(ctx, orderID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	o := stockbell.Order{ShopID: shop.ID, PlatformID: strconv.FormatInt(order.ID, 10), Email: order.BillingAddress.Email,
		Currency: order.CurrencyCode, CreatedAt: orderTime(order.DateCreated, in.Clock.Now())}
	o.Total, _ = stockbell.ParseAmount(order.TotalIncTax)
	for _, l := range lines {
		price, _ := stockbell.ParseAmount(l.PriceIncTax)
		line := stockbell.OrderLine{Quantity: l.Quantity, Price: price}
		if l.VariantID != 0 {
			line.VariantPlatformID = strconv.FormatInt(l.VariantID, 10)
		}
		o.Lines = append(o.Lines, line)
	}
	err = in.Conversions.RecordOrder(ctx, o)
	if stockbell.ErrorCode(err) == stockbell.EINVALID {
		in.Logger.WarnContext(ctx, "bigcommerce order not recorded", "store", shop.Domain, "order", order.ID, "err", err)
		return nil
	}
	return err
}

// orderTime reads a v2 order date (RFC 1123Z, "Tue, 20 Nov 2012 00:00:00 +0000").
func orderTime(s string, fallback time.Time) time.Time {
	if t, err := time.Parse(time.RFC1123Z, s); err == nil {
		return t.UTC()
	}
	return fallback
}
