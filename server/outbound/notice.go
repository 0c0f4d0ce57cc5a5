package outbound

import (
	"context"
	"fmt"

	stockbell "github.com/stockbell/stockbell"
)

// HandleEndpointDisabled emails the shop's admin users that an endpoint
// was disabled after repeated failures (the admin's webhooks page shows it
// too). A shop that knows no one's address is told in the admin only; one
// erased meanwhile is told nothing.
func (w *Webhooks) HandleEndpointDisabled(ctx context.Context, job stockbell.WebhookEndpointDisabledJob) error {
	endpoint, _, err := w.endpointSecret(ctx, job.ShopID, job.EndpointID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND || (err == nil && endpoint.Enabled()) {
		return nil // deleted or enabled again since
	} else if err != nil {
		return err
	}
	if w.Sender == nil {
		return nil
	}
	shop, err := w.Shops.FindShopByID(ctx, endpoint.ShopID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil // erased since the endpoint was read: no one to tell
	} else if err != nil {
		return err
	}
	emails, err := w.Users.FindAdminEmails(ctx, endpoint.ShopID)
	if err != nil {
		return err
	}
	for _, to := range emails {
		if _, err := w.Sender.Send(ctx, w.disabledNotice(shop, endpoint, to)); err != nil {
			return err
		}
	}
	return nil
}

// disabledNotice is the email telling an admin user of the disabled
// endpoint. Its link opens the Webhooks page where the shop's merchant
// signs in: inside the platform's admin for a platform that frames it.
func (w *Webhooks) disabledNotice(shop *stockbell.Shop, e *stockbell.WebhookEndpoint, to string) stockbell.OutboundMessage {
	page := w.opts.Apps.ShopAdminURL(shop, w.opts.PublicURL, "/admin/webhooks")
	text := fmt.Sprintf("Stockbell stopped sending events to a webhook endpoint of %s:\n\n  %s\n\n%s\n\n"+
		"Events that happen while it is disabled are not sent to it. Once the endpoint works again, enable it on the Webhooks page "+
		"of your Stockbell admin:\n%s\n", shop.Name, e.URL, e.DisabledReason, page)
	return stockbell.OutboundMessage{ShopID: shop.ID, Channel: stockbell.ChannelEmail, To: to, FromName: "Stockbell",
		Subject: "Webhook endpoint disabled: " + e.URL, Text: text}
}
