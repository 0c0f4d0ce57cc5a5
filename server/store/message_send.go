package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// FindMessageDeliveries loads the shop's messages among ids with their
// subscriptions, variants, shop, flow steps and (when a step uses smart
// sending) when each recipient last got something, in one read; see
// stockbell.MessageStore. Messages of other shops and erased ones are left
// out; the rest come in the order of ids.
func (db *DB) FindMessageDeliveries(ctx context.Context, shopID int64, ids []int64) ([]*stockbell.MessageDelivery, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []*stockbell.MessageDelivery
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		out, err = findMessageDeliveries(ctx, tx, shopID, ids)
		return err
	})
	return out, err
}

func findMessageDeliveries(ctx context.Context, tx *Tx, shopID int64, ids []int64) ([]*stockbell.MessageDelivery, error) {
	var messages []stockbell.Message
	err := tx.SelectContext(ctx, &messages, tx.Rebind(`SELECT `+messageColumns+` FROM messages WHERE id IN (`+
		placeholders(len(ids))+`) AND `+byIDsOfShop), append(int64Args(ids), shopID)...)
	if err != nil || len(messages) == 0 {
		return nil, err
	}
	shop, err := findShopByID(ctx, tx, shopID)
	if err != nil {
		return nil, err
	}
	flow, err := findFlow(ctx, tx, shopID)
	if err != nil {
		return nil, err
	}
	subs, err := subscriptionsByID(ctx, tx, shopID, messages)
	if err != nil {
		return nil, err
	}
	variants, err := variantsByID(ctx, tx, shopID, subs)
	if err != nil {
		return nil, err
	}
	lastSent, err := lastSentToEach(ctx, tx, shopID, flow, messages)
	if err != nil {
		return nil, err
	}
	settings, err := findSettings(ctx, tx, shopID)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*stockbell.MessageDelivery, len(messages))
	for _, m := range messages {
		sub, ok := subs[m.SubscriptionID]
		if !ok {
			continue // erased with its subscription meanwhile
		}
		variant, ok := variants[sub.VariantID]
		if !ok {
			continue
		}
		d := &stockbell.MessageDelivery{Message: m, Subscription: *sub, Shop: *shop, Variant: *variant, LastSentToRecipient: lastSent[m.Recipient],
			Settings: *settings}
		if d.StepFound = m.Step >= 1 && m.Step <= len(flow.Steps); d.StepFound {
			d.Step = flow.Steps[m.Step-1]
		}
		d.LastStep = m.Step >= len(flow.Steps)
		byID[m.ID] = d
	}
	out := make([]*stockbell.MessageDelivery, 0, len(byID))
	for _, id := range ids {
		if d, ok := byID[id]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

func subscriptionsByID(ctx context.Context, tx *Tx, shopID int64, messages []stockbell.Message) (map[int64]*stockbell.Subscription, error) {
	args := make([]any, 0, len(messages)+1)
	for _, m := range messages {
		args = append(args, m.SubscriptionID)
	}
	var subs []*stockbell.Subscription
	err := tx.SelectContext(ctx, &subs, tx.Rebind(`SELECT `+subscriptionColumns+` FROM subscriptions WHERE id IN (`+
		placeholders(len(messages))+`) AND `+byIDsOfShop), append(args, shopID)...)
	byID := make(map[int64]*stockbell.Subscription, len(subs))
	for _, s := range subs {
		byID[s.ID] = s
	}
	return byID, err
}

func variantsByID(ctx context.Context, tx *Tx, shopID int64, subs map[int64]*stockbell.Subscription) (map[int64]*stockbell.VariantWithProduct, error) {
	byID := map[int64]*stockbell.VariantWithProduct{}
	var args []any
	for _, s := range subs {
		if _, seen := byID[s.VariantID]; !seen {
			byID[s.VariantID] = nil
			args = append(args, s.VariantID)
		}
	}
	if len(args) == 0 {
		return byID, nil
	}
	var variants []*stockbell.VariantWithProduct
	err := tx.SelectContext(ctx, &variants, tx.Rebind(`SELECT `+variantWithProductColumns+variantWithProductFrom+
		` WHERE v.id IN (`+placeholders(len(args))+`) AND v.`+byIDsOfShop), append(args, shopID)...)
	clear(byID)
	for _, v := range variants {
		byID[v.ID] = v
	}
	return byID, err
}

// lastSentToEach returns when the shop last sent a message to each of the
// messages' recipients, read only when a step of the flow uses smart
// sending. The messages themselves are pending, so none of them counts.
func lastSentToEach(ctx context.Context, tx *Tx, shopID int64, flow *stockbell.Flow, messages []stockbell.Message) (map[string]*time.Time, error) {
	smart := false
	for _, s := range flow.Steps {
		smart = smart || s.SmartSendingHours > 0
	}
	out := map[string]*time.Time{}
	if !smart {
		return out, nil
	}
	args := []any{shopID}
	for _, m := range messages {
		args = append(args, m.Recipient)
	}
	var rows []struct {
		Recipient string    `db:"recipient"`
		SentAt    time.Time `db:"sent_at"`
	}
	// MAX over a timestamp comes back as text on SQLite; ordering by it and
	// keeping each recipient's first row keeps the column's type.
	err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT recipient, sent_at FROM messages WHERE shop_id = ? AND recipient IN (`+
		placeholders(len(messages))+`) AND sent_at IS NOT NULL ORDER BY sent_at DESC`), args...)
	for _, r := range rows {
		if _, seen := out[r.Recipient]; !seen {
			out[r.Recipient] = utcPtr(&r.SentAt)
		}
	}
	return out, err
}

// AdvanceSend records the outcomes of finished messages and the releases of
// failed attempts, and begins the next attempt, in one transaction; see
// stockbell.MessageStore. Messages of another shop are neither finished nor
// begun (AttemptDone). The transaction is a group commit's: the steps of
// the workers sending at the same time commit together, each answered
// once its group committed, so the sent mark is as durable as alone and
// the commits (on SQLite, most of a step's cost) are shared; on
// PostgreSQL the group's steps are also one statement (advanceSendStep).
// A next message with smart sending on is leased afterwards, in a
// transaction of its own (advanceToSmartSending).
func (db *DB) AdvanceSend(ctx context.Context, shopID int64, step stockbell.SendStep) (stockbell.SendStepResult, error) {
	if step.Begin != 0 && !step.SmartSendingSince.IsZero() {
		return db.advanceToSmartSending(ctx, shopID, step)
	}
	if db.Dialect == Postgres {
		return db.advanceSendStep(ctx, shopID, step)
	}
	var result stockbell.SendStepResult
	err := db.group.do(ctx, func(ctx context.Context, tx *Tx) (err error) {
		result, err = advanceSend(ctx, tx, shopID, step)
		return err
	})
	return result, err
}

// byIDsOfShop keeps rows looked up by id to the shop's. The "+ 0" keeps
// SQLite's planner, which without statistics expects an indexed equality
// to match a few rows, from walking every row of the shop by its shop_id
// index instead of fetching the listed ids by primary key. PostgreSQL's
// does the same with statistics taken before a restock: it estimated one
// pending message and took each send step's update through the (shop_id,
// status) index, walking every pending message of the shop (2 ms of
// database CPU per message sent at 20,000).
const byIDsOfShop = `shop_id + 0 = ?`

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}
