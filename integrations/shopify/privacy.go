package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	stockbell "github.com/stockbell/stockbell"
)

// answerDataRequest gathers what Stockbell keeps about the customer and
// hands it to DataRequests for the merchant. A customer known only by id
// (no email or phone) cannot be in Stockbell's data: nothing to report.
func (in *Integration) answerDataRequest(ctx context.Context, shop *stockbell.Shop, p *CustomerPayload) error {
	contact, ok := contactOf(shop, p)
	if !ok {
		return nil
	}
	data, err := in.Privacy.ContactData(ctx, contact)
	if err != nil {
		return err
	}
	requestID := string(p.DataRequest.ID)
	if requestID == "" {
		requestID = "customer-" + string(p.Customer.ID)
	}
	return in.DataRequests.DeliverContactData(ctx, shop, requestID, data)
}

// redactCustomer erases the customer's personal data.
func (in *Integration) redactCustomer(ctx context.Context, shop *stockbell.Shop, p *CustomerPayload) error {
	contact, ok := contactOf(shop, p)
	if !ok {
		return nil
	}
	in.Logger.InfoContext(ctx, "shopify customer redacted", "shop", shop.Domain, "customer", p.Customer.ID)
	return in.Privacy.RedactContact(ctx, contact)
}

func contactOf(shop *stockbell.Shop, p *CustomerPayload) (stockbell.Contact, bool) {
	c := stockbell.Contact{ShopID: shop.ID, Email: p.Customer.Email, Phone: p.Customer.Phone}
	return c, c.Email != "" || c.Phone != ""
}

// redactShop erases the shop and all its data (about 48 hours after
// uninstall), the answers to its customer data requests included. An installed shop is never erased, whatever the request's
// (unsigned) trigger time says: the request belongs to an earlier install.
func (in *Integration) redactShop(ctx context.Context, shop *stockbell.Shop) error {
	err := in.Shops.DeleteShop(ctx, shop.ID)
	if stockbell.ErrorCode(err) == stockbell.ECONFLICT {
		// Shopify asks 48 hours after an uninstall; a shop installed again
		// since is the merchant's again, and is never erased.
		in.Logger.InfoContext(ctx, "shopify shop/redact for an installed shop ignored", "shop", shop.Domain)
		return nil
	}
	if err := ignoreNotFound(err); err != nil {
		return err
	}
	in.Logger.InfoContext(ctx, "shopify shop redacted", "shop", shop.Domain, "shop_id", shop.ID)
	return in.DataRequests.EraseShopRequests(ctx, shop.Domain)
}

// FileDataRequests writes each customer data request's answer as a JSON
// file, DIR/SHOP DOMAIN/REQUEST ID.json (mode 0600), for the merchant to
// collect, and logs where it is. Shopify expects the merchant to pass the
// data to the customer within 30 days.
type FileDataRequests struct {
	Dir    string
	Logger *slog.Logger
}

// DeliverContactData implements stockbell.DataRequestSink.
func (f *FileDataRequests) DeliverContactData(ctx context.Context, shop *stockbell.Shop, requestID string, data *stockbell.ContactData) error {
	dir := f.shopDir(shop.Domain)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data request: %w", err)
	}
	body, err := json.MarshalIndent(map[string]any{"shop": shop.Domain, "request_id": requestID, "data": data}, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, filepath.Base(requestID)+".json")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		return fmt.Errorf("data request: %w", err)
	}
	f.Logger.InfoContext(ctx, "customer data request answered", "shop", shop.Domain, "request", requestID, "file", path,
		"subscriptions", len(data.Subscriptions), "messages", len(data.Messages))
	return nil
}

// EraseShopRequests implements stockbell.DataRequestSink: it removes the
// shop's directory of answers.
func (f *FileDataRequests) EraseShopRequests(ctx context.Context, domain string) error {
	if err := os.RemoveAll(f.shopDir(domain)); err != nil {
		return fmt.Errorf("erase data requests of %s: %w", domain, err)
	}
	return nil
}

// shopDir is where the shop's answers are kept.
func (f *FileDataRequests) shopDir(domain string) string {
	return filepath.Join(f.Dir, filepath.Base(domain))
}
