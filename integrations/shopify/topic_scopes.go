package shopify

import (
	"errors"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// topicScopes are the access scopes the subscribed topics need
// (WebhookSubscriptionTopic: "Requires the … scope"); app/uninstalled
// needs none.
var topicScopes = map[string]string{
	TopicInventoryLevelsUpdate: "read_inventory", TopicInventoryLevelsConnect: "read_inventory",
	TopicInventoryLevelsDisconnect: "read_inventory", TopicInventoryItemsUpdate: "read_inventory",
	TopicProductsCreate: "read_products", TopicProductsUpdate: "read_products", TopicProductsDelete: "read_products",
	TopicOrdersCreate: OrdersScope,
}

// scopeRefusal is Shopify's refusal of webhookSubscriptionCreate for a
// topic the shop's grant has no scope for: "Topic Invalid topic
// specified: …. Does it exist? Is there a missing access scope? Topics
// allowed: …". Words is the message without the list of topics allowed
// (every topic the grant allows: about a hundred).
type scopeRefusal struct{ words string }

func (e *scopeRefusal) Error() string { return e.words }

// newScopeRefusal returns the scopeRefusal of a userError's message, or
// nil for another userError.
func newScopeRefusal(message string) *scopeRefusal {
	if !strings.Contains(message, "missing access scope") {
		return nil
	}
	words, _, _ := strings.Cut(message, " Topics allowed:")
	return &scopeRefusal{words: words}
}

// refusedTopics are the topics one registration could not subscribe to
// for want of a scope, and Shopify's words for the first.
type refusedTopics struct {
	topics, scopes []string
	words          string
}

// add records topic's refusal when err is a scopeRefusal, and reports
// whether it was.
func (r *refusedTopics) add(topic string, err error) bool {
	var refusal *scopeRefusal
	if !errors.As(err, &refusal) {
		return false
	}
	if len(r.topics) == 0 {
		r.words = refusal.words
	}
	r.topics = append(r.topics, topic)
	if scope := topicScopes[topic]; scope != "" && !slices.Contains(r.scopes, scope) {
		r.scopes = append(r.scopes, scope)
	}
	return true
}

// err is the EFORBIDDEN error of the refusals, for the shop's sync log
// (stockbell.RecordForbidden), or nil when there were none. It names the
// topics, the scopes they need and where to grant them (scopesVariable:
// the variable the server reads its scopes from).
func (r *refusedTopics) err(scopesVariable string) error {
	if len(r.topics) == 0 {
		return nil
	}
	return stockbell.Errorf(stockbell.EFORBIDDEN, "Shopify refused to send Stockbell the webhooks %s (%s): the shop did not grant "+
		"Stockbell %s, which they need: until it does, Shopify does not tell Stockbell of these changes. %s The approval installs "+
		"the shop again, which registers them.", strings.Join(r.topics, ", "), r.words, strings.Join(r.scopes, ", "), grantAdvice(scopesVariable))
}
