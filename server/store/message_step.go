package store

import (
	"context"
	"encoding/json"

	stockbell "github.com/stockbell/stockbell"
)

// advanceSend records a send step's outcomes and releases and begins its
// next attempt in tx, a statement each, on SQLite (see DB.AdvanceSend),
// where a statement costs no round trip and its preparation is cached.
// PostgreSQL records a group transaction's steps together
// (advanceSendSteps).
func advanceSend(ctx context.Context, tx *Tx, shopID int64, step stockbell.SendStep) (stockbell.SendStepResult, error) {
	result := stockbell.SendStepResult{Outcome: stockbell.AttemptDone}
	for _, r := range step.Finished {
		r.ShopID = shopID
		if _, err := finishMessage(ctx, tx, r, stockbell.MessagePending); err != nil {
			return result, err
		}
	}
	for _, r := range step.Released {
		if err := releaseAttempt(ctx, tx, shopID, r); err != nil {
			return result, err
		}
	}
	if step.Begin == 0 {
		return result, nil
	}
	return beginAttempt(ctx, tx, shopID, step.Begin, step.LeaseUntil)
}

// outcomeDetailMiddle is the part of an outcome event's detail the
// result alone gives, marshalled as it sits between "channel" and "step"
// in the whole detail: `,"message_id":1,"reason":"…"`. The keys of
// outcomeDetail all sort there.
func outcomeDetailMiddle(r stockbell.MessageResult) (string, error) {
	detail := outcomeDetail(r)
	detail["message_id"] = r.MessageID
	raw, err := json.Marshal(detail)
	if err != nil {
		return "", err
	}
	return "," + string(raw[1:len(raw)-1]), nil
}
