package shopify

import (
	"context"
	"fmt"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Each distinct id a webhook body names that the shop does not hold costs
// the shop a question to Shopify, asked with its token, from the cost
// bucket its catalog sync, reconciliation and webhooks' reads share:
// whether the shop has a product a products/create or update body names
// (productOfShop), or a read of an inventory item an inventory body names
// (refreshItem). foreign_ids.go spares the same id asked again; an
// attacker holding many products or items of their own could still send a
// body of each under the shop's domain. So the questions are rationed per
// shop and per process, by a token bucket of OwnerQuestionsBurst questions
// refilled at OwnerQuestionsPerSecond.
//
// Both kinds of question draw on one bucket per shop, not one each: the
// budget bounds what ids the shop does not hold may cost it, whatever kind
// a body names, and a bucket for each kind would let a flood of both cost
// twice that bound. A question costs the shop about one point whichever
// its kind when Shopify answers null, as it does for another shop's id:
// the product question requests one point; the item read requests 195
// (its variants and levels), but Shopify takes a query's actual cost from
// the bucket, refunding the rest (Shopify's engineering blog, "Rate
// Limiting GraphQL APIs by Calculating Query Complexity"), and an object
// answered null costs its one point. And a new product of the shop's own
// asks little: once its products/create, or the read of one of its items,
// has stored it, its other deliveries find it held (and, after the
// products/create, its variants' items) and ask nothing.
//
// A delivery that finds the bucket empty is kept for later, not refused:
// its receipt is already stored (a webhook is acknowledged only once it
// is), and the processing returns errOwnerQuestionsSpent, so the receipts'
// drainer tries it again after its backoff (1 s, 16 s, 81 s…, at most an
// hour, for as long as it takes). Answering Shopify 429 or 503 instead
// would have to happen before the receipt is stored, and Shopify retries a
// failed delivery 8 times over 4 hours, then drops it (Shopify's changelog,
// "Updates to webhook retry mechanism", September 2024), and may remove a
// subscription whose deliveries keep failing: a flood would cost the shop
// its genuine deliveries. A delivery about an id the shop holds takes
// nothing from the bucket.

// OwnerQuestionsBurst is how many questions about ids new to it (products
// and inventory items together) a shop may ask at once: a second of a
// Standard shop's bucket (Shopify's GraphQL Admin API restores 100 points
// a second on the Standard plan; a question Shopify answers null for costs
// about 1 point), enough for a merchant creating a hundred products at
// once to wait for none of them.
const OwnerQuestionsBurst = 100

// OwnerQuestionsPerSecond is how fast the questions are restored: a tenth
// of a Standard shop's restore rate, so that a flood of foreign ids leaves
// nine tenths of the shop's bucket to its own reads.
const OwnerQuestionsPerSecond = 10

// errOwnerQuestionsSpent defers a delivery whose question found the shop's
// budget spent; its receipt is tried again.
var errOwnerQuestionsSpent = stockbell.Errorf(stockbell.ERATELIMITED,
	"the shop's questions to Shopify about products and inventory items new to it are spent for now; the webhook is tried again later")

// askAboutNew decides whether a delivery naming an id of kind the shop
// does not hold may ask Shopify about it now: dropped when Shopify
// answered null for it lately (askOnce); errOwnerQuestionsSpent when the
// shop's budget is spent; otherwise the caller asks, then calls release.
// attrs lead askOnce's debug log's.
func (in *Integration) askAboutNew(ctx context.Context, shop *stockbell.Shop, kind, id string, attrs ...any) (dropped bool, release func(), err error) {
	dropped, release, err = in.askOnce(ctx, shop, kind, id, attrs...)
	if dropped || err != nil {
		return dropped, nil, err
	}
	if !in.owner.take(shop.ID, in.Clock.Now()) {
		release()
		return false, nil, fmt.Errorf("%s %s of %s: %w", kind, id, shop.Domain, errOwnerQuestionsSpent)
	}
	return false, release, nil
}

// ownerBudget holds each shop's bucket of questions about ids new to it,
// products and inventory items alike (the shops that asked while this
// process ran: installed shops only). The zero value is ready;
// it is safe for concurrent use.
type ownerBudget struct {
	mu     sync.Mutex
	bucket map[int64]*questionBucket
}

type questionBucket struct {
	left       float64
	refilledAt time.Time
}

// take spends one of the shop's questions at now, reporting whether one
// was left.
func (b *ownerBudget) take(shopID int64, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	q, ok := b.bucket[shopID]
	if !ok {
		if b.bucket == nil {
			b.bucket = map[int64]*questionBucket{}
		}
		q = &questionBucket{left: OwnerQuestionsBurst, refilledAt: now}
		b.bucket[shopID] = q
	}
	if now.After(q.refilledAt) {
		q.left = min(OwnerQuestionsBurst, q.left+OwnerQuestionsPerSecond*now.Sub(q.refilledAt).Seconds())
		q.refilledAt = now
	}
	if q.left < 1 {
		return false
	}
	q.left--
	return true
}
