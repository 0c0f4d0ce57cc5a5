package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// flowData is the flow page: the form and, in manual mode, the batches
// waiting for approval.
type flowData struct {
	Form *flowForm
	Held []*stockbell.HeldBatch
	// Unsaved says the form is not the saved flow (a message added or
	// removed, a template, a refusal): the previews are then drawn from the
	// form by the page's script, as the preview's query, since the
	// preview's plain address shows the saved flow, which may not even
	// have the message.
	Unsaved bool
}

// flowPage shows the flow (GET) and handles its form (POST): save, add or
// remove a message, start again from a library template, send a test,
// approve or discard a held batch, or show the form again as typed (the
// No of the question asked before a discard).
func (a *Admin) flowPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	saved, err := a.Flows.FindFlow(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	if r.Method != http.MethodPost {
		form := newFlowForm(saved)
		form.keepChoices(r.URL.Query(), samePlace) // as they were before a save
		form.Notice = a.decidedAlreadyNotice(r.Context(), s, r.URL.Query())
		if to, ok := a.takeTestAddress(w, r, s); ok {
			form.TestTo = to
		}
		a.renderFlow(w, r, s, http.StatusOK, form)
		return
	}
	action := r.PostFormValue("action")
	if id, approve, ok := heldBatchChoice(action); ok {
		a.decideOnFlowPage(w, r, s, saved, id, approve)
		return
	}
	if action == keepEditingAction {
		a.renderFlow(w, r, s, http.StatusOK, typedFlowForm(r, saved))
		return
	}
	if name, ok := strings.CutPrefix(action, "template_"); ok {
		a.applyTemplate(w, r, s, saved, name)
		return
	}
	flow, err := parseFlowForm(r.PostForm, saved)
	if err != nil {
		a.refuseFlow(w, r, s, flow, err)
		return
	}
	switch {
	case action == "add" && len(flow.Steps) < stockbell.MaxFlowSteps:
		flow.Steps = append(flow.Steps, stockbell.FlowStep{Channel: stockbell.ChannelEmail, Delay: 24 * time.Hour, SkipIfOutOfStock: true})
		a.renderTyped(w, r, s, flow, samePlace)
	case strings.HasPrefix(action, "remove_"):
		n, _ := strconv.Atoi(strings.TrimPrefix(action, "remove_"))
		postedAs := samePlace
		if n >= 1 && n <= len(flow.Steps) && len(flow.Steps) > stockbell.MinFlowSteps {
			flow.Steps = slices.Delete(flow.Steps, n-1, n)
			postedAs = afterRemoving(n)
		}
		a.renderTyped(w, r, s, flow, postedAs)
	case strings.HasPrefix(action, "test_"):
		a.sendTest(w, r, s, flow, action)
	default:
		a.saveFlow(w, r, s, flow)
	}
}

// renderTyped shows the form again unsaved, as typed, with the flow read
// from it (a message added or removed).
func (a *Admin) renderTyped(w http.ResponseWriter, r *http.Request, s *AdminSession, flow *stockbell.Flow, postedAs postedNumber) {
	form := newFlowForm(flow)
	form.keepTyped(r.PostForm, postedAs)
	a.renderFlow(w, r, s, http.StatusOK, form)
}

// saveFlow checks that every text renders, then stores the flow.
func (a *Admin) saveFlow(w http.ResponseWriter, r *http.Request, s *AdminSession, flow *stockbell.Flow) {
	err := flow.Validate()
	if err == nil {
		err = a.checkTexts(r, s, flow)
	}
	if err == nil {
		err = a.Flows.UpdateFlowIfUnchanged(r.Context(), flow, flow.UpdatedAt)
	}
	if stockbell.ErrorCode(err) == stockbell.ECONFLICT {
		a.refuseChangedFlow(w, r, s, flow)
		return
	}
	if err != nil {
		a.refuseFlow(w, r, s, flow, err)
		return
	}
	a.Logger.Info("flow saved", "shop_id", s.ShopID, "status", flow.Status, "steps", len(flow.Steps))
	if err := a.keepTestAddress(w, r, s, r.PostForm.Get("test_to")); err != nil {
		a.Logger.Warn("flow test address not kept", "shop_id", s.ShopID, "err", err)
	}
	a.Redirect(w, r, s, "/admin/flow", append([]any{"notice", "flow_saved"}, previewChoices(r.PostForm, len(flow.Steps))...)...)
}

// previewChoices are each preview's language posted with the form, which
// the flow does not keep, as the query of the page the save redirects to.
// The test address typed with them goes by keepTestAddress instead: an
// address never goes in a URL.
func previewChoices(form url.Values, steps int) []any {
	var pairs []any
	for n := 1; n <= steps; n++ {
		pairs = append(pairs, stepField(n, "preview"), form.Get(stepField(n, "preview")))
	}
	return pairs
}

// refuseFlow shows the form again as typed (the flow read from the posted
// form, and the posted values it cannot hold), with the error beside its
// field.
func (a *Admin) refuseFlow(w http.ResponseWriter, r *http.Request, s *AdminSession, typed *stockbell.Flow, err error) {
	if stockbell.ErrorCode(err) != stockbell.EINVALID {
		a.Fail(w, r, s, err)
		return
	}
	form := newFlowForm(typed)
	form.keepTyped(r.PostForm, samePlace)
	form.showError(stockbell.ErrorMessage(err), formField(stockbell.ErrorField(err)))
	a.renderFlow(w, r, s, http.StatusUnprocessableEntity, form)
}

// refuseChangedFlow shows the form again as typed, unsaved, when the flow
// was changed elsewhere (another tab, the API) after the form was made:
// saving it would silently undo that change. The form now carries the
// flow stored meanwhile as its version, so that saving again replaces
// that flow knowingly.
func (a *Admin) refuseChangedFlow(w http.ResponseWriter, r *http.Request, s *AdminSession, typed *stockbell.Flow) {
	current, err := a.Flows.FindFlow(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	form := newFlowForm(typed)
	form.keepTyped(r.PostForm, samePlace)
	form.Version = changeVersion(current.UpdatedAt)
	form.Error = "The flow was changed elsewhere (in another tab, or through the API) at " + current.UpdatedAt.UTC().Format("15:04:05") +
		" UTC, after this page was opened. Your changes are below as you typed them; open Flow in a new tab to see the other version, " +
		"or save again to replace it with yours."
	a.renderFlow(w, r, s, http.StatusConflict, form)
}

// applyTemplate replaces the flow by a library template, keeping its status
// and the merchant's choices (the test address, each message's preview
// language).
func (a *Admin) applyTemplate(w http.ResponseWriter, r *http.Request, s *AdminSession, saved *stockbell.Flow, name string) {
	flow, err := stockbell.FlowFromTemplate(s.ShopID, name)
	if err != nil {
		typed, _ := parseFlowForm(r.PostForm, saved)
		a.refuseFlow(w, r, s, typed, err)
		return
	}
	flow.Status, flow.UpdatedAt = saved.Status, seenVersion(r.PostForm, "flow_version", saved.UpdatedAt)
	form := newFlowForm(flow)
	for i := range form.Steps { // new messages: none keeps a saved one's texts
		form.Steps[i].Saved = 0
	}
	form.keepChoices(r.PostForm, samePlace)
	form.Notice = "Started from the template below: review it, then save."
	a.renderFlow(w, r, s, http.StatusOK, form)
}

func (a *Admin) renderFlow(w http.ResponseWriter, r *http.Request, s *AdminSession, status int, form *flowForm) {
	// The signed-in user's address is the first suggestion; once the form
	// was posted, the address is the one typed, even none.
	if form.TestTo == "" && !r.PostForm.Has("test_to") {
		form.TestTo = s.User.Email
	}
	data := &flowData{Form: form, Unsaved: r.Method == http.MethodPost}
	if a.Held != nil {
		held, err := a.Held.FindHeldBatches(r.Context(), s.ShopID)
		if err != nil {
			a.Fail(w, r, s, err)
			return
		}
		data.Held = held
	}
	a.Render(w, r, s, status, "flow", "Flow", data)
}
