package shopify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// SubscribedTopics are the topics registered per shop through the Admin
// API. The mandatory compliance topics cannot be registered this way: they
// are declared in shopify.app.toml (or the Partner Dashboard).
var SubscribedTopics = []string{
	TopicInventoryLevelsUpdate, TopicInventoryLevelsConnect, TopicInventoryLevelsDisconnect,
	TopicInventoryItemsUpdate, TopicProductsCreate, TopicProductsUpdate, TopicProductsDelete,
	TopicAppUninstalled,
}

// topicsFor returns the topics to register for the shop: SubscribedTopics,
// and orders/create when the shop granted read_orders (a shop installed
// before Stockbell asked for it grants it at its next admin visit).
func topicsFor(shop *stockbell.Shop) []string {
	topics := slices.Clone(SubscribedTopics)
	if len(stockbell.ScopesCover(shop.Scopes, []string{OrdersScope})) == 0 {
		topics = append(topics, TopicOrdersCreate)
	}
	return topics
}

// errProtectedData is Shopify's refusal of a topic carrying protected
// customer data to an app not approved for it.
var errProtectedData = errors.New("not approved for protected customer data")

// WebhookPath is where Shopify posts webhooks on this server (the
// route server/web serves for the platform).
const WebhookPath = "/webhooks/shopify"

type subscription struct {
	ID    string `json:"id"`
	Topic string `json:"topic"`
	URI   string `json:"uri"`
}

type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

// RegisterWebhooks serves ShopifyRegisterWebhooksJob: it lists the shop's
// subscriptions and creates, with webhookSubscriptionCreate, those missing
// for this server's webhook URL, and records this server's URL for the app
// embed (an app-data metafield) when it is not recorded yet. Running it
// again creates nothing new. Only its failures are in the sync log
// (WebhooksSource), and the run that ends one: Shopify's refusal
// (stopIfRefused) ends the job without a retry, as it does the catalog
// sync's: installing the app again queues the registration, and so does
// the shop's daily catalog resync. Any other failure is recorded with
// what Shopify answered and what to check (registrationFailure), and the
// job is retried; but a token the shop no longer holds is retried with
// its new one, unrecorded.
func (in *Integration) RegisterWebhooks(ctx context.Context, job stockbell.ShopifyRegisterWebhooksJob) (err error) {
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	started := in.Clock.Now()
	topics, err := in.registerTopics(ctx, sess)
	if stopped, err2 := in.stopIfRefused(ctx, sess, WebhooksSource, started, err); stopped {
		return err2
	} else if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
		return err // the shop was installed again meanwhile: retried with its new token
	} else if err != nil {
		return in.recordRegistrationFailure(ctx, sess.shop, started, err)
	}
	return stockbell.RecordRecovered(ctx, in.SyncLog, sess.shop.ID, WebhooksSource, started, in.Clock.Now(), topics)
}

// registerTopics does RegisterWebhooks' work and returns how many topics
// the shop is subscribed to for this server.
func (in *Integration) registerTopics(ctx context.Context, sess *adminSession) (int, error) {
	shop := sess.shop
	uri := in.webhookAddress()
	existing, details, install, err := sess.subscriptions(ctx)
	if err != nil {
		return 0, &registrationStepError{step: "list the shop's webhooks", err: err}
	}
	if err := in.Shops.UpdateShopDetails(ctx, shop.ID, details); err != nil {
		return 0, err
	}
	if install.Metafield == nil || install.Metafield.Value != in.Config.AppURL {
		if err := sess.setAppURL(ctx, install.ID, in.Config.AppURL); err != nil {
			return 0, &registrationStepError{step: "record the server's URL for the app embed", err: err}
		}
	}
	created, subscribed := 0, 0
	var refused refusedTopics
	for _, topic := range topicsFor(shop) {
		if existing[topicEnum(topic)+" "+uri] {
			subscribed++
			continue
		}
		err := sess.createSubscription(ctx, topicEnum(topic), uri)
		if errors.Is(err, errProtectedData) {
			in.Logger.WarnContext(ctx, "shopify orders/create not registered: the app is not approved for protected customer data, so conversions are not counted",
				"shop", shop.Domain, "err", err)
			continue
		} else if refused.add(topic, err) {
			continue // the topics the grant allows are still registered
		} else if err != nil {
			return 0, &registrationStepError{step: "subscribe the shop to " + topic, err: err}
		}
		created++
		subscribed++
	}
	in.Logger.InfoContext(ctx, "shopify webhooks registered", "shop", shop.Domain, "created", created, "refused", len(refused.topics), "uri", uri)
	return subscribed, refused.err(in.Config.ScopesVariable())
}

// appInstallation is the app's installation on the shop, with the server
// URL the theme app extension reads.
type appInstallation struct {
	ID        string `json:"id"`
	Metafield *struct {
		Value string `json:"value"`
	} `json:"metafield"`
}

// subscriptions returns the shop's subscriptions as "TOPIC uri" keys, and
// the shop's details and the app's installation read in the same query.
func (s *adminSession) subscriptions(ctx context.Context) (map[string]bool, stockbell.ShopDetails, appInstallation, error) {
	var data struct {
		Shop struct {
			Name          string `json:"name"`
			PrimaryDomain struct {
				Host string `json:"host"`
			} `json:"primaryDomain"`
			CurrencyCode string `json:"currencyCode"`
			Email        string `json:"email"`
		} `json:"shop"`
		CurrentAppInstallation appInstallation `json:"currentAppInstallation"`
		WebhookSubscriptions   struct {
			Nodes []subscription `json:"nodes"`
		} `json:"webhookSubscriptions"`
	}
	if err := s.query(ctx, webhookSubscriptionsQuery, nil, &data); err != nil {
		return nil, stockbell.ShopDetails{}, appInstallation{}, fmt.Errorf("list webhooks of %s: %w", s.shop.Domain, err)
	}
	// The shop's email, the address Shopify writes to the shop's owner at,
	// is the owner's admin email: read with the shop's own token in the
	// query each install, reinstall and daily resync makes anyway, it
	// reaches the merchant without anyone opening the app. An online
	// token's associated_user, Shopify's other way, would take an exchange
	// per staff member at their first visit, and name the owner only once
	// the owner opened the app.
	details := stockbell.ShopDetails{Name: data.Shop.Name, PrimaryDomain: data.Shop.PrimaryDomain.Host, Currency: data.Shop.CurrencyCode,
		OwnerEmail: data.Shop.Email}
	keys := map[string]bool{}
	for _, n := range data.WebhookSubscriptions.Nodes {
		keys[n.Topic+" "+n.URI] = true
	}
	return keys, details, data.CurrentAppInstallation, nil
}

// setAppURL records this server's URL where the app embed reads it, so
// that turning the embed on needs no URL typed.
func (s *adminSession) setAppURL(ctx context.Context, installationID, appURL string) error {
	var data struct {
		MetafieldsSet struct {
			UserErrors []userError `json:"userErrors"`
		} `json:"metafieldsSet"`
	}
	vars := map[string]any{"metafields": []map[string]any{{"ownerId": installationID, "namespace": "stockbell",
		"key": "server_url", "type": "single_line_text_field", "value": appURL}}}
	if err := s.query(ctx, appURLMutation, vars, &data); err != nil {
		return fmt.Errorf("set the app URL of %s: %w", s.shop.Domain, err)
	}
	for _, ue := range data.MetafieldsSet.UserErrors {
		return fmt.Errorf("set the app URL of %s: %w", s.shop.Domain, &userErrorAnswer{mutation: "metafieldsSet", userError: ue})
	}
	return nil
}

func (s *adminSession) createSubscription(ctx context.Context, topic, uri string) error {
	var data struct {
		WebhookSubscriptionCreate struct {
			WebhookSubscription *subscription `json:"webhookSubscription"`
			UserErrors          []userError   `json:"userErrors"`
		} `json:"webhookSubscriptionCreate"`
	}
	vars := map[string]any{"topic": topic, "webhookSubscription": map[string]any{"uri": uri}}
	if err := s.query(ctx, webhookSubscriptionCreateMutation, vars, &data); err != nil {
		return fmt.Errorf("create webhook %s for %s: %w", topic, s.shop.Domain, err)
	}
	for _, ue := range data.WebhookSubscriptionCreate.UserErrors {
		if strings.Contains(ue.Message, "already been taken") {
			return nil
		}
		if strings.Contains(ue.Message, "protected customer data") {
			return fmt.Errorf("create webhook %s for %s: %s: %w", topic, s.shop.Domain, ue.Message, errProtectedData)
		}
		if refusal := newScopeRefusal(ue.Message); refusal != nil {
			return refusal
		}
		return fmt.Errorf("create webhook %s for %s: %w", topic, s.shop.Domain, &userErrorAnswer{mutation: "webhookSubscriptionCreate", userError: ue})
	}
	return nil
}
