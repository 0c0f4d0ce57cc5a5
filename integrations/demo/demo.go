// Package demo is the built-in demo shop of development: a small catalog
// seeded on first start (never in production), served at /demo with the
// real snippet, whose stock changes arrive as webhook receipts exactly as a
// platform's do. The admin's "simulate restock" records a receipt
// (Simulator); the receipt job runs Processor, which applies the stock
// change; the restock engine takes it from there.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Domain is the demo shop's domain.
const Domain = "demo.stockbell.localhost"

// Name is the demo shop's name.
const Name = "Stockbell Demo Shop"

// Currency is the ISO 4217 code of the demo shop's prices.
const Currency = "EUR"

// Location is the demo shop's one stock location.
const Location = "warehouse"

// FeaturedVariant is the sold-out variant the start page walks a newcomer
// through: size M of the sweater.
const FeaturedVariant = "sweater-m"

// TopicRestock is the receipt topic of a simulated restock.
const TopicRestock = "inventory/restock"

// Restock is the payload of a simulated restock: the variant's new
// available quantity at the warehouse.
type Restock struct {
	VariantID string    `json:"variant_id"`
	Available int       `json:"available"`
	At        time.Time `json:"at"`
}

// Product is one product of the demo catalog, as /demo shows it.
type Product struct {
	Handle      string
	Title       string
	Description string
	Variants    []Variant
}

// Variant is one size or colour of a demo product.
type Variant struct {
	ID    string
	Title string
	Price string
	Stock int
}

// Products is the demo catalog: a few products, one variant sold out.
var Products = []Product{
	{Handle: "alpine-wool-sweater", Title: "Alpine Wool Sweater", Description: "A warm merino sweater, knitted in one piece.",
		Variants: []Variant{{"sweater-s", "S", "89.00", 8}, {"sweater-m", "M", "89.00", 0}, {"sweater-l", "L", "89.00", 3}}},
	{Handle: "canvas-tote", Title: "Canvas Tote", Description: "A sturdy tote for the market and the beach.",
		Variants: []Variant{{"tote", "Default Title", "24.00", 12}}},
	{Handle: "trail-runner", Title: "Trail Runner", Description: "Light shoes with a grippy sole.",
		Variants: []Variant{{"runner-42", "42", "120.00", 4}, {"runner-43", "43", "120.00", 2}}},
}

// Seed installs the demo shop with its catalog when it does not exist yet
// and returns it; created is false when it already existed (its catalog is
// then left as the developer changed it). Call it in development only.
func Seed(ctx context.Context, shops stockbell.ShopService, catalog stockbell.CatalogService, publicURL string) (shop *stockbell.Shop, created bool, err error) {
	shop, err = shops.FindShopByDomain(ctx, stockbell.PlatformDemo, Domain)
	if err == nil {
		return shop, false, stateCurrency(ctx, shops, shop)
	} else if stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return nil, false, err
	}
	shop, err = shops.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformDemo, Domain: Domain, Name: Name, Currency: Currency})
	if err != nil {
		return nil, false, err
	}
	for _, p := range Products {
		if _, err := catalog.UpsertProduct(ctx, upsert(shop.ID, p, strings.TrimRight(publicURL, "/"))); err != nil {
			return nil, false, fmt.Errorf("seed demo product %s: %w", p.Handle, err)
		}
	}
	return shop, true, nil
}

// stateCurrency gives a demo shop seeded before shops had a currency the
// demo's, as a platform states its shop's.
func stateCurrency(ctx context.Context, shops stockbell.ShopService, shop *stockbell.Shop) error {
	if shop.Currency != "" {
		return nil
	}
	shop.Currency = Currency
	return shops.UpdateShopDetails(ctx, shop.ID, stockbell.ShopDetails{Currency: Currency})
}

// PagePath is the path of a demo product's page.
func PagePath(handle string) string {
	if handle == Products[0].Handle {
		return "/demo"
	}
	return "/demo/" + handle
}

func upsert(shopID int64, p Product, base string) stockbell.ProductUpsert {
	up := stockbell.ProductUpsert{ShopID: shopID, PlatformID: p.Handle, Title: p.Title, Handle: p.Handle,
		URL: base + PagePath(p.Handle), Published: true}
	for _, v := range p.Variants {
		up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: v.ID, Title: v.Title, SKU: strings.ToUpper(v.ID),
			URL: base + PagePath(p.Handle) + "?variant=" + v.ID, Price: v.Price, InventoryPolicy: stockbell.InventoryDeny, Tracked: true,
			Levels: []stockbell.LocationLevel{{LocationID: Location, Available: v.Stock}}})
	}
	return up
}

// ApplyWait is how long SimulateStock waits for the receipt job to apply
// the change it records: the job takes a few tens of milliseconds, so the
// admin's page shown next already has the new stock, and a loaded machine
// only makes the admin say that the change is still being processed.
const ApplyWait = 3 * time.Second

// applyPoll is how often SimulateStock looks whether its receipt is applied.
const applyPoll = 20 * time.Millisecond

// Simulator records simulated stock changes of the demo shop as receipts.
type Simulator struct {
	Receipts stockbell.ReceiptService
	Clock    stockbell.Clock
	// Wait is how long SimulateStock waits for its change to be applied
	// (ApplyWait when wired; zero returns at once).
	Wait time.Duration
}

// SimulateStock stores a receipt setting the variant's available quantity
// at the warehouse (units more for a restock, 0 to sell out); the receipt's
// job applies it. It then waits up to s.Wait for the job to have applied
// it, and says whether it has. Returns EINVALID for a shop that is not the
// demo shop or a quantity out of 0–10,000.
func (s *Simulator) SimulateStock(ctx context.Context, shop *stockbell.Shop, v *stockbell.VariantWithProduct, available int) (applied bool, err error) {
	if shop.Platform != stockbell.PlatformDemo {
		return false, stockbell.Errorf(stockbell.EINVALID, "Only the demo shop's stock can be simulated.")
	}
	if available < 0 || available > 10_000 {
		return false, stockbell.FieldErrorf("units", "Stock is 0 to 10,000 units, not %d.", available)
	}
	now := s.Clock.Now().UTC()
	payload, err := json.Marshal(Restock{VariantID: v.PlatformID, Available: available, At: now})
	if err != nil {
		return false, err
	}
	receipt := &stockbell.WebhookReceipt{Platform: stockbell.PlatformDemo, ShopID: &shop.ID,
		Domain: shop.Domain, EventID: "stock-" + v.PlatformID + "-" + strconv.FormatInt(now.UnixNano(), 10), Topic: TopicRestock,
		Payload: payload, TriggeredAt: now, ReceivedAt: now}
	if _, err = s.Receipts.RecordReceipt(ctx, receipt); err != nil {
		return false, err
	}
	return s.awaitApplied(ctx, receipt.ID)
}

// awaitApplied polls the receipt until it is processed or s.Wait has
// passed. The wait is the request's own, in development only: the job that
// applies the receipt runs apart, and nothing but its row tells when it is
// done.
func (s *Simulator) awaitApplied(ctx context.Context, receiptID int64) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Wait)
	defer cancel()
	tick := time.NewTicker(applyPoll)
	defer tick.Stop()
	for {
		r, err := s.Receipts.FindReceipt(ctx, receiptID)
		if ctx.Err() != nil {
			return false, nil
		} else if err != nil {
			return false, err
		} else if r.ProcessedAt != nil {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, nil
		case <-tick.C:
		}
	}
}

// Processor applies the demo shop's receipts.
type Processor struct {
	Catalog stockbell.CatalogService
	Logger  *slog.Logger
}

// ProcessReceipt applies a simulated stock change through the catalog's
// stock change, as every platform's processor does. A malformed receipt is
// logged and dropped.
func (p *Processor) ProcessReceipt(ctx context.Context, r *stockbell.WebhookReceipt) error {
	var restock Restock
	if r.Topic != TopicRestock || r.ShopID == nil || json.Unmarshal(r.Payload, &restock) != nil || restock.VariantID == "" {
		p.Logger.WarnContext(ctx, "demo receipt dropped", "receipt", r.ID, "topic", r.Topic)
		return nil
	}
	// The demo platform's receipt carries its whole state for the location,
	// as a read of the platform would: it is applied as one (the demo has no
	// API to read the level again), at the demo platform's own time.
	_, err := p.Catalog.ApplyStockChange(ctx, stockbell.StockChange{ShopID: *r.ShopID, VariantPlatformID: restock.VariantID,
		LocationID: Location, Available: restock.Available, At: restock.At, Read: &stockbell.StockRead{}, Source: "demo:" + TopicRestock})
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		p.Logger.WarnContext(ctx, "demo restock of an unknown variant dropped", "variant", restock.VariantID)
		return nil
	}
	return err
}
