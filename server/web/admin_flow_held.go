package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// heldBatchAction approves or discards one held batch (a form of its own,
// posted to the batch's address), then shows the flow page.
func (a *Admin) heldBatchAction(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	notice, err := a.decideHeldBatch(r.Context(), s, id, mux.Vars(r)["action"] == "approve")
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	a.Redirect(w, r, s, "/admin/flow", "notice", notice)
}

// decideOnFlowPage approves or discards a held batch from the flow page's
// own form, whose buttons they are, and shows the form again as typed:
// the merchant's unsaved edits of the messages are neither saved nor lost
// by deciding on a batch, which has nothing to do with them.
func (a *Admin) decideOnFlowPage(w http.ResponseWriter, r *http.Request, s *AdminSession, saved *stockbell.Flow, id int64, approve bool) {
	typed, _ := parseFlowForm(r.PostForm, saved) // shown as typed, not saved: nothing to refuse
	form := newFlowForm(typed)
	form.keepTyped(r.PostForm, samePlace)
	notice, err := a.decideHeldBatch(r.Context(), s, id, approve)
	switch {
	case err == nil:
		form.Notice = notices[notice]
	case stockbell.ErrorCode(err) == stockbell.ENOTFOUND: // decided already, or another shop's
		form.Alert = "Batch " + strconv.FormatInt(id, 10) + " no longer waits for approval: it was approved or discarded already, perhaps in another tab."
	default:
		a.Fail(w, r, s, err)
		return
	}
	a.renderFlow(w, r, s, http.StatusOK, form)
}

// heldBatchChoice reads a flow form action approve_ID or discard_ID.
func heldBatchChoice(action string) (id int64, approve, ok bool) {
	rest, approve := strings.CutPrefix(action, "approve_")
	if !approve {
		if rest, ok = strings.CutPrefix(action, "discard_"); !ok {
			return 0, false, false
		}
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, approve, err == nil
}

// decideHeldBatch approves or discards one held batch of the session's
// shop and returns the notice saying so. Returns ENOTFOUND for a batch
// that waits for no approval (decided already, or another shop's).
func (a *Admin) decideHeldBatch(ctx context.Context, s *AdminSession, id int64, approve bool) (string, error) {
	if a.Held == nil {
		return "", stockbell.Errorf(stockbell.ENOTFOUND, "No batch waits for approval.")
	}
	verb, notice, decide := "approved", "batch_approved", a.Held.ApproveHeldBatch
	if !approve {
		verb, notice, decide = "discarded", "batch_discarded", a.Held.DiscardHeldBatch
	}
	n, err := decide(ctx, s.ShopID, id)
	if err != nil {
		return "", err
	}
	a.Logger.Info("held batch "+verb, "shop_id", s.ShopID, "batch", id, "messages", n)
	return notice, nil
}
