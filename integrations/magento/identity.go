package magento

import (
	"context"
	"net/url"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// Identity serves the identity link Magento opens after an activation,
// with the consumer key and success_call_back. The key must have activated
// an installed shop within stockbell.MagentoIdentityWindow, and
// success_call_back must be on that store's host (anything else would make
// the link an open redirect). It returns EINVALID naming a missing or
// foreign field, EUNAUTHORIZED for an unknown or expired key.
func (in *Integration) Identity(ctx context.Context, query url.Values) (*stockbell.MagentoIdentity, error) {
	key, back := query.Get(FieldConsumerKey), query.Get(FieldSuccessCall)
	if key == "" {
		return nil, stockbell.FieldErrorf(FieldConsumerKey, "The identity link has no %s.", FieldConsumerKey)
	}
	shop, err := in.activatedShop(ctx, key)
	if err != nil {
		return nil, err
	}
	returnURL, err := returnTo(back, shop.Domain)
	if err != nil {
		return nil, err
	}
	secret, err := in.ModuleSecret(ctx, shop)
	if err != nil {
		return nil, err
	}
	return &stockbell.MagentoIdentity{Shop: shop, ModuleSecret: secret, ReturnURL: returnURL}, nil
}

// activatedShop finds the installed shop the consumer key activated within
// the identity window.
func (in *Integration) activatedShop(ctx context.Context, key string) (*stockbell.Shop, error) {
	// Magento marks an integration active only once its token exchange
	// completed: after a refused one its grid shows Activate, after one
	// that completed (and Stockbell then failed to store), Reauthorize.
	refused := stockbell.Errorf(stockbell.EUNAUTHORIZED, "No activation of Stockbell with this consumer key is recorded: Magento's post to the integration's Callback URL did not reach Stockbell, or the store refused the token exchange that follows it. "+
		"In System › Extensions › Integrations, check that Stockbell's Callback URL is Stockbell's address followed by /auth/magento/callback, then press Activate beside it (Reauthorize, when the grid shows that instead).")
	activation, err := in.Activations.FindMagentoActivation(ctx, keyHash(key))
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, refused
	} else if err != nil {
		return nil, err
	}
	if in.Clock.Now().Sub(activation.ActivatedAt) > stockbell.MagentoIdentityWindow {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "This identity link is older than %s. Reauthorize Stockbell in System › Extensions › Integrations to open it again.", stockbell.MagentoIdentityWindow)
	}
	shop, err := in.Shops.FindShopByID(ctx, activation.ShopID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND || (err == nil && !shop.Active()) {
		return nil, refused
	}
	return shop, err
}

// returnTo checks that success_call_back is an http(s) URL on the store's
// host.
func returnTo(raw, domain string) (string, error) {
	if raw == "" {
		return "", stockbell.FieldErrorf(FieldSuccessCall, "The identity link has no %s.", FieldSuccessCall)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || !asciiHost(u.Host) ||
		!strings.EqualFold(stockbell.HostWithoutDefaultPort(u), stockbell.DomainWithoutDefaultPort(domain)) {
		return "", stockbell.FieldErrorf(FieldSuccessCall, "The %s %q is not on the store %s.", FieldSuccessCall, raw, domain)
	}
	return u.String(), nil
}
