package shopify

import (
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Each distinct product id a products/create or update body names, for a
// product the shop does not hold, costs the shop a question to Shopify
// (productOfShop) from the cost bucket its catalog sync, reconciliation and
// webhooks' reads share. foreign_ids.go spares the same id asked again; an
// attacker holding many products of their own could still send a body of
// each under the shop's domain. So the questions are rationed per shop and
// per process, by a token bucket of OwnerQuestionsBurst questions refilled
// at OwnerQuestionsPerSecond.
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
// its genuine deliveries.

// OwnerQuestionsBurst is how many questions whether the shop has a product
// new to it a shop may ask at once: a second of a Standard shop's bucket
// (Shopify's GraphQL Admin API restores 100 points a second on the
// Standard plan; each question costs 1 point), enough for a merchant
// creating a hundred products at once to wait for none of them.
const OwnerQuestionsBurst = 100

// OwnerQuestionsPerSecond is how fast the questions are restored: a tenth
// of a Standard shop's restore rate, so that a flood of foreign ids leaves
// nine tenths of the shop's bucket to its own reads.
const OwnerQuestionsPerSecond = 10

// errOwnerQuestionsSpent defers a delivery whose question found the shop's
// budget spent; its receipt is tried again.
var errOwnerQuestionsSpent = stockbell.Errorf(stockbell.ERATELIMITED,
	"the shop's questions to Shopify about products new to it are spent for now; the webhook is tried again later")

// ownerBudget holds each shop's bucket of questions (the shops that asked
// while this process ran: installed shops only). The zero value is ready;
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
