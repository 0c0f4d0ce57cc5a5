package bigcommerce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// RegisterHooks serves BigCommerceRegisterHooksJob. For ShopID 0 it queues
// one job per installed store (the periodic check). For a store, it makes
// sure the store has a webhook secret, records the store's name and
// domain, and then for every subscribed scope creates the hook to this
// server's webhook URL, or updates one that BigCommerce deactivated (it
// does after about 48 hours of failed deliveries) or that carries another
// secret. Running it again changes nothing. Only its failures are in the
// sync log, and the run that ends one: a 403 ends the job
// (stopIfForbidden); any other failure is recorded with what BigCommerce
// answered and what to check (hooksFailure), and the job is retried.
func (in *Integration) RegisterHooks(ctx context.Context, job stockbell.BigCommerceRegisterHooksJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOut(ctx, func(shop *stockbell.Shop) stockbell.JobArgs {
			return stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}
		})
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	shop, sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	started := in.Clock.Now()
	err = in.registerHooks(ctx, shop, sess)
	if stopped, err2 := in.stopIfForbidden(ctx, shop, HooksSource, started, err); stopped {
		return err2
	} else if err != nil {
		return in.recordHooksFailure(ctx, shop, started, err)
	}
	return stockbell.RecordRecovered(ctx, in.SyncLog, shop.ID, HooksSource, started, in.Clock.Now(), len(SubscribedScopes))
}

// registerHooks records the store's details and creates or updates its
// hooks.
func (in *Integration) registerHooks(ctx context.Context, shop *stockbell.Shop, sess *session) error {
	secret, err := in.webhookSecret(ctx, shop)
	if err != nil {
		return err
	}
	if err := in.recordStoreDetails(ctx, shop, sess); err != nil {
		return err
	}
	hooks, err := sess.hooks(ctx)
	if err != nil {
		return &hookStepError{step: "list the store's webhooks", domain: shop.Domain, err: err}
	}
	destination := in.destination()
	created, updated := 0, 0
	for _, scope := range SubscribedScopes {
		want := apiHook{Scope: scope, Destination: destination, IsActive: true, Headers: map[string]string{SecretHeader: secret}}
		existing := findHook(hooks, scope, destination)
		step := ""
		switch {
		case existing == nil:
			step, err = "create the webhook for "+scope, sess.createHook(ctx, want)
			created++
		case !existing.IsActive || existing.Headers[SecretHeader] != secret:
			want.ID = existing.ID
			step, err = "update the webhook for "+scope, sess.updateHook(ctx, want)
			updated++
		}
		if err != nil {
			return &hookStepError{step: step, domain: shop.Domain, err: err}
		}
	}
	in.Logger.InfoContext(ctx, "bigcommerce hooks checked", "store", shop.Domain, "created", created, "updated", updated)
	return nil
}

func findHook(hooks []apiHook, scope, destination string) *apiHook {
	for i := range hooks {
		if hooks[i].Scope == scope && strings.EqualFold(hooks[i].Destination, destination) {
			return &hooks[i]
		}
	}
	return nil
}

// webhookSecret returns the store's webhook secret, making one (32 random
// bytes, hex) the first time.
func (in *Integration) webhookSecret(ctx context.Context, shop *stockbell.Shop) (string, error) {
	raw := make([]byte, 32)
	rand.Read(raw)
	candidate := hex.EncodeToString(raw)
	sealed, err := in.Sealer.Seal(shop.ID, []byte(candidate))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(candidate))
	stored, err := in.Secrets.EnsureWebhookSecret(ctx, stockbell.WebhookSecret{ShopID: shop.ID, Hash: hex.EncodeToString(sum[:]), Sealed: sealed})
	if err != nil {
		return "", err
	}
	secret, err := in.Sealer.Open(shop.ID, stored.Sealed)
	if err != nil {
		return "", fmt.Errorf("open the webhook secret of %s: %w", shop.Domain, err)
	}
	return string(secret), nil
}

// recordStoreDetails keeps the store's name, its storefront domain (the
// storefront API accepts requests from it and finds the shop by it) and its
// default currency (that of its prices).
func (in *Integration) recordStoreDetails(ctx context.Context, shop *stockbell.Shop, sess *session) error {
	info, err := sess.storeInfo(ctx)
	if err != nil {
		return &hookStepError{step: "read the store's information", domain: shop.Domain, err: err}
	}
	domain := info.Domain
	if domain == "" {
		domain = strings.TrimPrefix(strings.TrimPrefix(info.SecureURL, "https://"), "http://")
	}
	return in.Shops.UpdateShopDetails(ctx, shop.ID, stockbell.ShopDetails{Name: info.Name, PrimaryDomain: domain, Currency: info.Currency})
}
