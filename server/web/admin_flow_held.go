package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// heldBatchAction approves or discards one held batch (a form of its own,
// posted to the batch's address), then shows the flow page with a notice:
// of the decision, or of the one made before on a batch decided already
// (a second click, another tab), read there from the store.
func (a *Admin) heldBatchAction(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	approve := mux.Vars(r)["action"] == "approve"
	if !approve && a.askedBeforeDiscarding(w, r, s, id, r.URL.Path) {
		return
	}
	notice, earlier, err := a.decideHeldBatch(r.Context(), s, id, approve)
	switch {
	case err != nil:
		a.Fail(w, r, s, err)
	case earlier != nil:
		a.Redirect(w, r, s, "/admin/flow", "notice", batchDecidedNotice, "batch", id)
	default:
		a.Redirect(w, r, s, "/admin/flow", "notice", notice)
	}
}

// decideOnFlowPage approves or discards a held batch from the flow page's
// own form, whose buttons they are, and shows the form again as typed:
// the merchant's unsaved edits of the messages are neither saved nor lost
// by deciding on a batch, which has nothing to do with them.
func (a *Admin) decideOnFlowPage(w http.ResponseWriter, r *http.Request, s *AdminSession, saved *stockbell.Flow, id int64, approve bool) {
	if !approve && a.askedBeforeDiscarding(w, r, s, id, "/admin/flow") {
		return
	}
	form := typedFlowForm(r, saved)
	notice, earlier, err := a.decideHeldBatch(r.Context(), s, id, approve)
	switch {
	case err == nil && earlier != nil:
		form.Notice = decidedAlready(earlier)
	case err == nil:
		form.Notice = notices[notice]
	case stockbell.ErrorCode(err) == stockbell.ENOTFOUND: // never held, or another shop's
		form.Alert = "Batch " + strconv.FormatInt(id, 10) + " no longer waits for approval: no message of it is held (its shoppers may have unsubscribed)."
	default:
		a.Fail(w, r, s, err)
		return
	}
	a.renderFlow(w, r, s, http.StatusOK, form)
}

// keepEditingAction is the action that shows a form again as posted,
// unsaved: the No of the question asked before a discard, which brings
// back the Flow page's messages typed before Discard was pressed, and of
// the one asked before erasing a shopper's data, which brings back the
// contact typed on the Privacy requests page.
const keepEditingAction = "keep_editing"

// typedFlowForm is the Flow form as posted, not saved: shown as typed,
// with nothing to refuse.
func typedFlowForm(r *http.Request, saved *stockbell.Flow) *flowForm {
	typed, _ := parseFlowForm(r.PostForm, saved)
	form := newFlowForm(typed)
	form.keepTyped(r.PostForm, samePlace)
	return form
}

// askedBeforeDiscarding asks the merchant to confirm the discard of one
// of the shop's held batches, posted to action, unless the form carries
// their yes; it reports whether it asked (or failed, answering the error).
// A batch no longer held is not asked about: deciding on it changes
// nothing, and its notice says why.
func (a *Admin) askedBeforeDiscarding(w http.ResponseWriter, r *http.Request, s *AdminSession, id int64, action string) bool {
	if confirmedByMerchant(r) || a.Held == nil {
		return false
	}
	held, err := a.Held.FindHeldBatches(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return true
	}
	i := slices.IndexFunc(held, func(b *stockbell.HeldBatch) bool { return b.Batch.ID == id })
	if i < 0 {
		return false
	}
	q := actionQuestion{
		Question: "Discard these " + strconv.Itoa(held[i].Held) + " messages?", Detail: "They will never be sent.",
		Yes: "Yes, discard them", Action: action, Back: "/admin/flow", BackLabel: "No, back to the Flow page",
	}
	if action == "/admin/flow" { // asked from the Flow form: No brings its unsaved edits back
		q.KeepAction = keepEditingAction
	}
	a.askFirst(w, r, s, "Discard these messages?", q)
	return true
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

// batchDecidedNotice is the flow page's notice (?notice=…&batch=ID) that
// the batch was decided already, in words read from the store.
const batchDecidedNotice = "batch_decided"

// decideHeldBatch approves or discards one held batch of the session's
// shop and returns the notice saying so. A batch the shop decided on
// already (a double click, a second tab, a form sent again) is left as it
// is, and its earlier decision returned instead, so that the merchant
// reads what happened rather than an error. Returns ENOTFOUND for a batch
// the shop never held.
func (a *Admin) decideHeldBatch(ctx context.Context, s *AdminSession, id int64, approve bool) (string, *stockbell.HeldBatchDecision, error) {
	if a.Held == nil {
		return "", nil, stockbell.Errorf(stockbell.ENOTFOUND, "No batch waits for approval.")
	}
	verb, notice, decide := "approved", "batch_approved", a.Held.ApproveHeldBatch
	if !approve {
		verb, notice, decide = "discarded", "batch_discarded", a.Held.DiscardHeldBatch
	}
	n, err := decide(ctx, s.ShopID, id, sessionDecider(s))
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		earlier, findErr := a.Held.FindHeldBatchDecision(ctx, s.ShopID, id)
		if findErr == nil {
			return "", earlier, nil
		} else if stockbell.ErrorCode(findErr) != stockbell.ENOTFOUND {
			return "", nil, findErr
		}
	}
	if err != nil {
		return "", nil, err
	}
	a.Logger.Info("held batch "+verb, "shop_id", s.ShopID, "batch", id, "messages", n, "by", deciderWords(sessionDecider(s)))
	return notice, nil, nil
}

// decidedAlready says that, when, and by whom (when recorded) a batch was
// approved or discarded. A batch decided more than once (approved, then
// more of its alerts, claimed in a later chunk, or its follow-up messages
// held since approved or discarded) reads as its first decision, on its
// alerts, then each later one, on what it decided: what became of every
// message a late click on the batch may have meant.
func decidedAlready(last *stockbell.HeldBatchDecision) string {
	first, later := *last, []stockbell.HeldBatchDecision(nil)
	if len(last.Earlier) > 0 {
		first, later = last.Earlier[0], append(slices.Clone(last.Earlier[1:]), *last)
	}
	what := "approved on " + decisionWhen(first) + ": its messages were queued for sending then, and nothing is sent again."
	if later != nil {
		what = "approved on " + decisionWhen(first) + ": its alerts were queued for sending then, and nothing is sent again."
	}
	if !first.Approved {
		what = "discarded on " + decisionWhen(first) + ": its messages will not be sent."
	}
	words := "Batch " + strconv.FormatInt(first.BatchID, 10) + " was already " + what
	for _, d := range later {
		result := "approved on " + decisionWhen(d) + ": they were queued for sending then."
		if !d.Approved {
			result = "discarded on " + decisionWhen(d) + ": they will not be sent."
		}
		words += " " + laterDecisionSubject(d) + " were " + result
	}
	return words
}

// laterDecisionSubject names what a later decision on a batch decided:
// more of its alerts (held from a chunk claimed after the approval), its
// follow-up messages, or both; for a decision recorded before Stockbell
// counted them apart, which may have been either, its messages.
func laterDecisionSubject(d stockbell.HeldBatchDecision) string {
	switch {
	case d.Alerts > 0 && d.FollowUps > 0:
		return "More of its alerts and its follow-up messages, held since,"
	case d.Alerts > 0:
		return "More of its alerts, held since,"
	case d.FollowUps > 0:
		return "Its follow-up messages held since"
	}
	return "Its messages held since"
}

// decisionWhen says when a decision was made, and by whom when recorded.
func decisionWhen(d stockbell.HeldBatchDecision) string {
	when := formatDateTime(d.At)
	if who := deciderWords(d.By); who != "" {
		when += " by " + who
	}
	return when
}

// decidedAlreadyNotice is the flow page's notice after a batch decided
// already was posted to its address: the shop's decision on the batch
// the query names, or nothing.
func (a *Admin) decidedAlreadyNotice(ctx context.Context, s *AdminSession, query url.Values) string {
	id, err := strconv.ParseInt(query.Get("batch"), 10, 64)
	if err != nil || a.Held == nil || query.Get("notice") != batchDecidedNotice {
		return ""
	}
	d, err := a.Held.FindHeldBatchDecision(ctx, s.ShopID, id)
	if err != nil {
		return ""
	}
	return decidedAlready(d)
}
