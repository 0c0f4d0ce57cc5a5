package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
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

// redactCustomer erases the customer's personal data, the answers to the
// customer's earlier data requests included. The answers go first:
// RedactContact empties the stored payload of this very request, which a
// retry after a failure would need.
func (in *Integration) redactCustomer(ctx context.Context, shop *stockbell.Shop, p *CustomerPayload) error {
	contact, ok := contactOf(shop, p)
	if !ok {
		return nil
	}
	in.Logger.InfoContext(ctx, "shopify customer redacted", "shop", shop.Domain, "customer", p.Customer.ID)
	if err := in.DataRequests.EraseContactRequests(ctx, shop, contact); err != nil {
		return err
	}
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
// data to the customer within 30 days; the answer is deleted
// AnswerRetention after it was written (Expire).
type FileDataRequests struct {
	Dir string
	// Clock tells when an answer has expired (the system clock when nil).
	Clock  stockbell.Clock
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

// EraseContactRequests implements stockbell.DataRequestSink: it removes the
// shop's answers that hold the contact, as the one asked about or as the
// address of a subscription, message or confirmation they report.
func (f *FileDataRequests) EraseContactRequests(ctx context.Context, shop *stockbell.Shop, erased stockbell.Contact) error {
	dir := f.shopDir(shop.Domain)
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("erase data requests: %w", err)
	}
	erased = contact.Canonical(erased)
	for _, entry := range entries {
		if entry.IsDir() || filepath.Ext(entry.Name()) != ".json" {
			continue
		}
		if err := f.eraseIfHolding(ctx, filepath.Join(dir, entry.Name()), erased); err != nil {
			return fmt.Errorf("erase data requests: %w", err)
		}
	}
	return nil
}

// eraseIfHolding removes the answer at path when it holds the contact.
func (f *FileDataRequests) eraseIfHolding(ctx context.Context, path string, erased stockbell.Contact) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !answerHolds(body, erased) {
		return nil
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	f.Logger.InfoContext(ctx, "customer data request answer erased", "file", path)
	return nil
}

// answerHolds reports whether an answer names the contact. A file that is
// not a whole answer (cut short by a crash while it was written) holds the
// contact when its text names it as a whole (contact.Mentions: not
// joann@… for ann@…).
func answerHolds(body []byte, erased stockbell.Contact) bool {
	var answer struct {
		Data stockbell.ContactData `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		text := string(body)
		return contact.Mentions(text, erased.Email) || contact.Mentions(text, erased.Phone)
	}
	return dataNames(&answer.Data, erased)
}

// dataNames reports whether the data names the contact (email and phone as
// stored: normalised).
func dataNames(data *stockbell.ContactData, erased stockbell.Contact) bool {
	names := []string{data.Contact.Email, data.Contact.Phone}
	for _, s := range data.Subscriptions {
		names = append(names, s.Email, s.Phone)
	}
	for _, m := range data.Messages {
		names = append(names, m.Recipient)
	}
	for _, c := range data.Confirmations {
		names = append(names, c.Recipient)
	}
	for _, name := range names {
		if name != "" && (name == erased.Email || name == erased.Phone) {
			return true
		}
	}
	return false
}

// shopDir is where the shop's answers are kept.
func (f *FileDataRequests) shopDir(domain string) string {
	return filepath.Join(f.Dir, filepath.Base(domain))
}
