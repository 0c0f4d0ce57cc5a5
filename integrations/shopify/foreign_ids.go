package shopify

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// A body Shopify signed for one shop, sent again under another shop's
// domain, names a product or an inventory item that shop does not hold:
// Shopify, asked with that shop's token, answers null (product_owner.go).
// Each question costs the shop a query from its cost bucket, which its
// catalog sync and reconciliation share, so the integration remembers,
// per process, the ids Shopify answered null for, and drops a delivery
// naming one again without asking. Only a null answer is remembered, never
// an error, a refusal, a throttle or a timeout: those answer nothing.

// ForeignIDsRemembered bounds the (shop, kind, id) answers remembered per
// process; past it the least recently used is forgotten. A few hundred
// bytes each: two megabytes at most.
const ForeignIDsRemembered = 4096

// ForeignIDLifetime is how long a null answer is trusted. Shopify's ids
// are global and never move between shops, so a null answer for another
// shop's id stays true; but Shopify does not document that its Admin API
// answers a product or an inventory item as soon as a webhook naming it is
// sent, and a null answer for the shop's own new id, read too early, would
// drop that id's deliveries for as long as it is remembered. An hour
// bounds that; the daily catalog sync stores such a product in any case.
const ForeignIDLifetime = time.Hour

// The kinds of id remembered.
const (
	foreignProduct = "product"
	foreignItem    = "inventory_item"
)

// foreignKey is an id of a kind Shopify answered null for when asked with
// the shop's token. The domain is part of it so that a shop row erased
// and its id given to another shop never inherits the answers.
type foreignKey struct {
	shopID   int64
	domain   string
	kind, id string
}

// foreignIDs remembers null answers (ForeignIDsRemembered of them, each
// for ForeignIDLifetime) and the questions being asked now, so that
// deliveries of the same id processed at once ask Shopify once. The zero
// value is ready; it is safe for concurrent use.
type foreignIDs struct {
	mu      sync.Mutex
	entries map[foreignKey]*list.Element // of foreignEntry
	recent  list.List                    // most recently used first
	asking  map[foreignKey]chan struct{} // closed when the question ends
}

type foreignEntry struct {
	key   foreignKey
	until time.Time
}

// claim reports whether key is remembered at now. When it is not, the
// caller is to ask Shopify and call release when done (after remember, if
// Shopify answered null). While another caller is asking about the same
// key, claim waits for that question to end, then looks again.
func (f *foreignIDs) claim(ctx context.Context, key foreignKey, now func() time.Time) (known bool, release func(), err error) {
	for {
		f.mu.Lock()
		if f.knownLocked(key, now()) {
			f.mu.Unlock()
			return true, nil, nil
		}
		wait, busy := f.asking[key]
		if !busy {
			done := make(chan struct{})
			if f.asking == nil {
				f.asking = map[foreignKey]chan struct{}{}
			}
			f.asking[key] = done
			f.mu.Unlock()
			return false, func() { f.end(key, done) }, nil
		}
		f.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return false, nil, ctx.Err()
		}
	}
}

// end ends the question about key.
func (f *foreignIDs) end(key foreignKey, done chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.asking, key)
	close(done)
}

// knownLocked reports whether key is remembered and still trusted at now,
// marking it used; an expired entry is forgotten.
func (f *foreignIDs) knownLocked(key foreignKey, now time.Time) bool {
	el, ok := f.entries[key]
	if !ok {
		return false
	}
	if !now.Before(el.Value.(foreignEntry).until) {
		f.recent.Remove(el)
		delete(f.entries, key)
		return false
	}
	f.recent.MoveToFront(el)
	return true
}

// remember records Shopify's null answer for key, given at now.
func (f *foreignIDs) remember(key foreignKey, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	entry := foreignEntry{key: key, until: now.Add(ForeignIDLifetime)}
	if el, ok := f.entries[key]; ok {
		el.Value = entry
		f.recent.MoveToFront(el)
		return
	}
	if f.entries == nil {
		f.entries = map[foreignKey]*list.Element{}
	}
	f.entries[key] = f.recent.PushFront(entry)
	for f.recent.Len() > ForeignIDsRemembered {
		oldest := f.recent.Back()
		f.recent.Remove(oldest)
		delete(f.entries, oldest.Value.(foreignEntry).key)
	}
}

// foreignKeyOf is the key of an id of kind asked about with shop's token.
func foreignKeyOf(shop *stockbell.Shop, kind, id string) foreignKey {
	return foreignKey{shopID: shop.ID, domain: shop.Domain, kind: kind, id: id}
}

// askOnce decides whether a delivery naming an id of kind the shop does
// not hold needs Shopify asked: dropped when Shopify answered null for it
// within ForeignIDLifetime (logged at debug); otherwise the caller asks
// and then calls release. The caller has found that the shop does not hold
// the id, so a remembered answer never drops a delivery about an id the
// shop has come to hold. attrs lead the debug log's (the topic, when
// known).
func (in *Integration) askOnce(ctx context.Context, shop *stockbell.Shop, kind, id string, attrs ...any) (dropped bool, release func(), err error) {
	known, release, err := in.foreign.claim(ctx, foreignKeyOf(shop, kind, id), in.Clock.Now)
	if err != nil || !known {
		return false, release, err
	}
	in.Logger.DebugContext(ctx, "shopify webhook dropped without asking: Shopify answered lately that the shop has no such "+kind,
		append(attrs, "shop", shop.Domain, kind, id)...)
	return true, nil, nil
}

// rememberForeign records that Shopify, asked with the shop's token,
// answered null for the id of kind.
func (in *Integration) rememberForeign(shop *stockbell.Shop, kind, id string) {
	in.foreign.remember(foreignKeyOf(shop, kind, id), in.Clock.Now())
}

// fieldAnswer is what an answer's data says of the field a query reads.
type fieldAnswer int

const (
	fieldAnswered fieldAnswer = iota // the object
	fieldNull                        // null: there is no such object for the shop
	fieldAbsent                      // missing: no answer at all
)

// answerOf tells an answer's field apart: an object, null (a definite
// answer that there is no such object for the shop, to remember), or
// absent (an answer that says nothing, to try again: fieldMissing).
func answerOf(field json.RawMessage) fieldAnswer {
	switch {
	case len(field) == 0:
		return fieldAbsent
	case string(field) == "null":
		return fieldNull
	}
	return fieldAnswered
}

// fieldMissingError is an answer to a question that lacks the field the
// query reads: unlike null, which says the shop has no such object, a
// missing field says nothing. Nothing is remembered or stored from it, and
// the read is tried again (recordFieldMissing).
type fieldMissingError struct{ err error }

func (e fieldMissingError) Error() string { return e.err.Error() }
func (e fieldMissingError) Unwrap() error { return e.err }

// fieldMissing is the error of an answer to question that lacks field.
func fieldMissing(question, field string) error {
	return fieldMissingError{stockbell.Errorf(stockbell.EUPSTREAM,
		"Shopify answered %s without the %s field; it is tried again.", question, field)}
}

// recordFieldMissing records in the shop's sync log, as a failure of
// source begun at started, an err that is an answer without the field its
// query reads (fieldMissing), and returns err, for the job or receipt to
// be tried again. Any other err is returned as it is.
func (in *Integration) recordFieldMissing(ctx context.Context, shop *stockbell.Shop, source string, started time.Time, err error) error {
	if !errors.As(err, new(fieldMissingError)) {
		return err
	}
	report := stockbell.SyncReport{ShopID: shop.ID, Source: source, StartedAt: started, FinishedAt: in.Clock.Now(),
		Failure: stockbell.ErrorMessage(err)}
	return errors.Join(err, in.SyncLog.RecordSync(ctx, report))
}
