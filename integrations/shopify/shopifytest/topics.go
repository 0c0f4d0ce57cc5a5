package shopifytest

import (
	"slices"
	"strings"
)

// topicScopes are the access scopes webhook topics need, by the topic's
// prefix (WebhookSubscriptionTopic's "Requires the … scope"); a topic not
// listed needs none (APP_UNINSTALLED).
var topicScopes = []struct{ prefix, scope string }{
	{"INVENTORY_LEVELS_", "read_inventory"},
	{"INVENTORY_ITEMS_", "read_inventory"},
	{"PRODUCTS_", "read_products"},
	{"ORDERS_", "read_orders"},
}

// knownTopics are the topics the fake answers webhookSubscriptionCreate
// for, and lists as allowed when it refuses one.
var knownTopics = []string{
	"APP_UNINSTALLED", "INVENTORY_ITEMS_CREATE", "INVENTORY_ITEMS_DELETE", "INVENTORY_ITEMS_UPDATE",
	"INVENTORY_LEVELS_CONNECT", "INVENTORY_LEVELS_DISCONNECT", "INVENTORY_LEVELS_UPDATE",
	"ORDERS_CREATE", "PRODUCTS_CREATE", "PRODUCTS_DELETE", "PRODUCTS_UPDATE",
}

// covers reports whether the granted scopes include scope (write_X
// covers read_X, as Shopify's scopes do).
func covers(granted []string, scope string) bool {
	return scope == "" || slices.Contains(granted, scope) ||
		slices.Contains(granted, "write_"+strings.TrimPrefix(scope, "read_"))
}

// topicScope is the scope the topic (a WebhookSubscriptionTopic) needs.
func topicScope(topic string) string {
	for _, t := range topicScopes {
		if strings.HasPrefix(topic, t.prefix) {
			return t.scope
		}
	}
	return ""
}

// topicName is the topic as Shopify's messages spell it:
// INVENTORY_LEVELS_UPDATE is inventory_levels/update.
func topicName(topic string) string {
	i := strings.LastIndex(topic, "_")
	if i < 0 {
		return strings.ToLower(topic)
	}
	return strings.ToLower(topic[:i] + "/" + topic[i+1:])
}

// refuseTopic answers webhookSubscriptionCreate for a topic the shop's
// grant or the app's approval does not allow, as Shopify does; nil allows
// it. A topic whose scope the grant lacks gets the userError Shopify
// answers (quoted in the Shopify Community thread "GraphQL API: Creating
// webhook with topic VARIANTS_OUT_OF_STOCK fails", which shows the message
// and no field): "Topic Invalid topic specified: …. Does it exist? Is
// there a missing access scope? Topics allowed: …", listing the topics the
// grant allows.
func (f *Fake) refuseTopic(s *Shop, topic string) map[string]any {
	granted := strings.Split(s.Scope, ",")
	switch {
	case !covers(granted, topicScope(topic)):
		return topicRefusal(nil, "Topic Invalid topic specified: "+topicName(topic)+". Does it exist? Is there a missing access scope? "+
			"Topics allowed: "+strings.Join(allowedTopics(granted), ", "))
	case strings.HasPrefix(topic, "ORDERS_") && f.NoProtectedCustomerData:
		return topicRefusal([]any{"webhookSubscription"}, "This app is not approved to subscribe to webhook topics containing "+
			"protected customer data. See https://partners.shopify.com/apps/customer_data for more details.")
	}
	return nil
}

// topicRefusal is webhookSubscriptionCreate's answer with one userError.
func topicRefusal(field any, message string) map[string]any {
	return map[string]any{"webhookSubscription": nil, "userErrors": []any{map[string]any{"field": field, "message": message}}}
}

// allowedTopics are the known topics the granted scopes allow, as
// Shopify's refusal lists them.
func allowedTopics(granted []string) []string {
	var out []string
	for _, topic := range knownTopics {
		if covers(granted, topicScope(topic)) {
			out = append(out, topicName(topic))
		}
	}
	return out
}
