package prestashop

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// RequiredResources are the webservice resources the key must be allowed
// to GET: stock, the catalog, combination names and the shop's
// out-of-stock and stock-management settings.
var RequiredResources = []string{"stock_availables", "products", "combinations", "product_option_values", "configurations"}

// webserviceKey is how PrestaShop makes webservice keys: 32 letters and digits.
var webserviceKey = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)

// Connect checks the shop URL and webservice key against the shop's
// webservice (GET on every RequiredResources), then installs the shop with
// the credentials and a new module secret, both sealed for it, and its
// catalog sync queued. It returns the shop and its module secret, to be
// shown once: Stockbell keeps it sealed and never shows it again.
// Connecting again renews the secret. Returns EINVALID naming shop_url or
// webservice_key, with nothing stored.
func (in *Integration) Connect(ctx context.Context, shopURL, key string) (*stockbell.Shop, string, error) {
	creds, domain, err := in.credentials(shopURL, key)
	if err != nil {
		return nil, "", err
	}
	sess := &session{client: in.Client, creds: creds}
	for _, resource := range RequiredResources {
		if err := sess.check(ctx, resource); err != nil {
			return nil, "", err
		}
	}
	secret, err := newModuleSecret()
	if err != nil {
		return nil, "", err
	}
	sealedCreds, _ := json.Marshal(creds)
	shop, err := in.Shops.InstallShop(ctx, stockbell.ShopInstall{
		Platform: stockbell.PlatformPrestaShop, Domain: domain, Name: domain, PrimaryDomain: storefrontHost(creds.URL),
		Seal:          func(shopID int64) ([]byte, error) { return in.Sealer.Seal(shopID, sealedCreds) },
		WebhookSecret: in.moduleSecret(secret),
		FollowUp: func(shop *stockbell.Shop) []stockbell.JobArgs {
			return []stockbell.JobArgs{stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}}
		},
	})
	if err != nil {
		return nil, "", err
	}
	in.forgetOwner(shop.ID) // connecting again reads the shop afresh
	in.Logger.InfoContext(ctx, "prestashop shop connected", "shop", shop.Domain, "shop_id", shop.ID)
	return shop, secret, nil
}

// credentials checks the URL and the key's form.
func (in *Integration) credentials(shopURL, key string) (Credentials, string, error) {
	domain, err := stockbell.PrestaShopDomain(shopURL)
	if err != nil {
		return Credentials{}, "", err
	}
	u, _ := url.Parse(strings.TrimSpace(shopURL))
	if u.Scheme != "https" && !in.Client.Development {
		return Credentials{}, "", stockbell.FieldErrorf("shop_url", "the shop URL must be https: the webservice key travels with every request")
	}
	key = strings.TrimSpace(key)
	if !webserviceKey.MatchString(key) {
		return Credentials{}, "", stockbell.FieldErrorf("webservice_key", "a PrestaShop webservice key is 32 letters and digits (Advanced Parameters > Webservice)")
	}
	return Credentials{URL: u.Scheme + "://" + domain, Key: key}, domain, nil
}

// storefrontHost is the host of the shop's URL: the storefront's origin
// when PrestaShop is installed in a folder (its domain then has a path).
func storefrontHost(shopURL string) string {
	u, _ := url.Parse(shopURL)
	return u.Host
}

// check asks for one row of the resource and says, naming the field, why
// the shop cannot be connected when the webservice refuses.
func (s *session) check(ctx context.Context, resource string) error {
	_, _, err := list[json.RawMessage](ctx, s, resource, url.Values{"display": {"[id]"}, "limit": {"0,1"}})
	switch {
	case err == nil:
		return nil
	case isMoved(err):
		var moved *movedError
		errors.As(err, &moved)
		return stockbell.FieldErrorf("shop_url", "the shop at %s redirects to %s: connect it with the address it is at, %s (the module posts under that address)",
			moved.from, moved.to, moved.to)
	case isWebServerPassword(err):
		return stockbell.FieldErrorf("shop_url", "%s", stockbell.ErrorMessage(err))
	case isDisabled(err):
		return stockbell.FieldErrorf("shop_url", "PrestaShop's webservice is switched off at %s (%s): in Advanced Parameters › Webservice, set Enable PrestaShop's webservice to Yes and save",
			s.creds.URL, apiMessage(err))
	case isRefused(err):
		return stockbell.FieldErrorf("webservice_key", "PrestaShop refused the webservice key (%s). Check the key in Advanced Parameters > Webservice: it must be enabled", apiMessage(err))
	case isForbidden(err):
		var apiErr *APIError
		errors.As(err, &apiErr)
		return stockbell.FieldErrorf("webservice_key", "the webservice key may not read %s (%s): in Advanced Parameters › Webservice, %s",
			resource, apiMessage(err), permissionFix(apiErr))
	case isNoWebservice(err):
		return stockbell.FieldErrorf("shop_url", "%s", stockbell.ErrorMessage(err))
	}
	return stockbell.FieldErrorf("shop_url", "the PrestaShop webservice at %s/api/ could not be read: %v", s.creds.URL, err)
}

// apiMessage is the webservice's own words for a refusal.
func apiMessage(err error) string {
	var e *APIError
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "refused"
}

// newModuleSecret is 32 random bytes in hex: what the module signs with.
func newModuleSecret() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return hex.EncodeToString(raw), nil
}

// moduleSecret is the ShopInstall.WebhookSecret storing secret: its
// SHA-256, and the secret sealed for the shop.
func (in *Integration) moduleSecret(secret string) func(int64) (stockbell.WebhookSecret, error) {
	return func(shopID int64) (stockbell.WebhookSecret, error) {
		sealed, err := in.Sealer.Seal(shopID, []byte(secret))
		sum := sha256.Sum256([]byte(secret))
		return stockbell.WebhookSecret{ShopID: shopID, Hash: hex.EncodeToString(sum[:]), Sealed: sealed}, err
	}
}
