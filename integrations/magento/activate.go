package magento

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// Activation form fields Magento posts to the callback URL.
const (
	FieldConsumerKey    = "oauth_consumer_key"
	FieldConsumerSecret = "oauth_consumer_secret"
	FieldStoreBaseURL   = "store_base_url"
	FieldVerifier       = "oauth_verifier"
	FieldSuccessCall    = "success_call_back"
)

// Activate serves an integration's activation: Magento posts the consumer
// key and secret, the store's base URL and a verifier; Stockbell exchanges
// them at once (the consumer key expires after 300 s) for an access token,
// then, in one transaction, seals the credentials in the shop's token,
// creates or reactivates the shop (its domain is the store's host) with
// its catalog sync queued, gives the shop a module signing secret unless
// it has one, and records the consumer key the identity link will name.
// It returns EINVALID naming a missing or malformed field, and the
// exchange's EUNAUTHORIZED or EUPSTREAM. A refused exchange, or a failure
// to store any of it, creates nothing: Magento does not read the
// callback's answer and opens the identity link anyway, which then finds
// no activation and asks the merchant to activate again, which starts
// afresh.
func (in *Integration) Activate(ctx context.Context, form url.Values) (*stockbell.Shop, error) {
	cred, verifier, err := in.activationCredentials(form)
	if err != nil {
		return nil, err
	}
	cred, err = in.Client.Exchange(ctx, cred, verifier)
	if err != nil {
		return nil, err
	}
	sealed, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	domain := storeDomain(cred.BaseURL)
	shop, err := in.Activations.InstallMagentoShop(ctx, stockbell.MagentoInstall{ShopInstall: stockbell.ShopInstall{
		Platform: stockbell.PlatformMagento, Domain: domain, PrimaryDomain: domain, Name: domain,
		Seal: func(id int64) ([]byte, error) { return in.Sealer.Seal(id, sealed) },
		FollowUp: func(shop *stockbell.Shop) []stockbell.JobArgs {
			return []stockbell.JobArgs{stockbell.MagentoCatalogSyncJob{ShopID: shop.ID}}
		}}, KeyHash: keyHash(cred.ConsumerKey), ModuleSecret: in.newModuleSecret})
	if err != nil {
		return nil, err
	}
	in.Logger.InfoContext(ctx, "magento store activated", "store", shop.Domain, "signature_method", cred.Method)
	return shop, nil
}

// activationCredentials reads and checks the activation form.
func (in *Integration) activationCredentials(form url.Values) (Credentials, string, error) {
	for _, field := range []string{FieldConsumerKey, FieldConsumerSecret, FieldStoreBaseURL, FieldVerifier} {
		if strings.TrimSpace(form.Get(field)) == "" {
			return Credentials{}, "", stockbell.FieldErrorf(field, "The activation has no %s.", field)
		}
	}
	base, err := in.baseURL(form.Get(FieldStoreBaseURL))
	if err != nil {
		return Credentials{}, "", err
	}
	return Credentials{BaseURL: base, ConsumerKey: form.Get(FieldConsumerKey), ConsumerSecret: form.Get(FieldConsumerSecret)},
		form.Get(FieldVerifier), nil
}

// baseURL checks the store's base URL: absolute, https (http only in
// development), without user information, query or fragment. It returns
// it without its trailing slash.
func (in *Integration) baseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "":
		return "", stockbell.FieldErrorf(FieldStoreBaseURL, "The store base URL %q is not an absolute URL.", raw)
	case u.Scheme != "https" && !(u.Scheme == "http" && in.AllowHTTP):
		return "", stockbell.FieldErrorf(FieldStoreBaseURL, "The store base URL must be https, got %q.", raw)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", stockbell.FieldErrorf(FieldStoreBaseURL, "The store base URL %q carries a user, query or fragment.", raw)
	case !asciiHost(u.Host):
		return "", stockbell.FieldErrorf(FieldStoreBaseURL, "The store base URL's host %q is not plain ASCII (write an international domain in its xn-- form).", u.Host)
	}
	u.Host = strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/"), nil
}

// asciiHost reports whether a URL's host is printable ASCII, as a host on
// the wire is (an international domain travels in its xn-- form). Hosts
// are compared ignoring ASCII case only: Unicode case folding would take
// two different invalid bytes, or the Kelvin sign and "k", for the same.
func asciiHost(host string) bool {
	for i := 0; i < len(host); i++ {
		if host[i] <= ' ' || host[i] > '~' {
			return false
		}
	}
	return true
}

// storeDomain is the shop domain of a base URL: its host (with a port
// other than the scheme's, which browsers never write in an Origin).
func storeDomain(base string) string {
	u, _ := url.Parse(base)
	return strings.ToLower(stockbell.HostWithoutDefaultPort(u))
}

// ModuleSecret returns the shop's module signing secret, generating and
// storing one (sealed, with its SHA-256) when it has none.
func (in *Integration) ModuleSecret(ctx context.Context, shop *stockbell.Shop) (string, error) {
	secret, err := in.newModuleSecret(shop.ID)
	if err != nil {
		return "", err
	}
	stored, err := in.Secrets.EnsureWebhookSecret(ctx, secret)
	if err != nil {
		return "", err
	}
	opened, err := in.Sealer.Open(shop.ID, stored.Sealed)
	return string(opened), err
}

// newModuleSecret returns a new module signing secret for the shop: 32
// random bytes in hex, sealed, with its SHA-256.
func (in *Integration) newModuleSecret(shopID int64) (stockbell.WebhookSecret, error) {
	random := make([]byte, 32)
	rand.Read(random)
	secret := hex.EncodeToString(random)
	sealed, err := in.Sealer.Seal(shopID, []byte(secret))
	return stockbell.WebhookSecret{ShopID: shopID, Hash: keyHash(secret), Sealed: sealed}, err
}

func keyHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
