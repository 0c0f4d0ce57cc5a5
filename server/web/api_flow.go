package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// apiFlow is the JSON of a shop's flow; step delays are Go duration
// strings ("0s", "24h").
type apiFlow struct {
	Status    stockbell.FlowStatus `json:"status"`
	Template  string               `json:"template,omitempty"`
	Steps     []apiFlowStep        `json:"steps"`
	UpdatedAt *time.Time           `json:"updated_at,omitempty"`
}

type apiFlowStep struct {
	Channel           stockbell.Channel             `json:"channel"`
	Delay             string                        `json:"delay"`
	SkipIfOutOfStock  bool                          `json:"skip_if_out_of_stock"`
	SmartSendingHours int                           `json:"smart_sending_hours"`
	Subject           string                        `json:"subject,omitempty"`
	Preheader         string                        `json:"preheader,omitempty"`
	Body              string                        `json:"body,omitempty"`
	HTML              string                        `json:"html,omitempty"`
	Translations      map[string]stockbell.StepText `json:"translations,omitempty"`
}

// decodeFlow reads the body of PUT /api/v1/flow as decodeJSON reads a body,
// with an error in a step naming the step. Go's decoder names a field inside
// an array or map without its index or key (steps.delay), so each step is
// checked on its own first (checkStep), named by its index from 0 as
// validation names it (steps[1].delay); then the body is decoded whole, with
// only errors outside the steps left to refuse.
func decodeFlow(w http.ResponseWriter, r *http.Request) (apiFlow, error) {
	body, err := readBody(w, r, maxAPIBody)
	if err != nil {
		return apiFlow{}, err
	}
	var steps struct {
		Steps []json.RawMessage `json:"steps"`
	}
	if err := decodeJSONBody(body, &steps, false); err != nil {
		return apiFlow{}, err
	}
	for i, raw := range steps.Steps {
		if err := checkStep(raw, fmt.Sprintf("steps[%d]", i)); err != nil {
			return apiFlow{}, err
		}
	}
	// The fields are apiFlow's, not apiFlow embedded, which Go's decoder
	// would name in its errors (apiFlow.status).
	var in struct {
		Status   stockbell.FlowStatus `json:"status"`
		Template string               `json:"template"`
		Steps    []apiFlowStep        `json:"steps"`
		// A PUT ignores updated_at, whatever it holds.
		UpdatedAt json.RawMessage `json:"updated_at"`
	}
	err = decodeJSONBody(body, &in, true)
	return apiFlow{Status: in.Status, Template: in.Template, Steps: in.Steps}, err
}

// checkStep refuses the step at path if a value has the wrong JSON type or
// a field is unknown, naming the field from path: steps[1].delay. Its
// translations are checked one language at a time before the step, so that
// an error in one names its language: steps[1].translations.fr.subject.
func checkStep(raw json.RawMessage, path string) error {
	var texts struct {
		Translations map[string]json.RawMessage `json:"translations"`
	}
	if err := json.Unmarshal(raw, &texts); err != nil {
		return jsonValueError(err, raw, path)
	}
	for _, lang := range slices.Sorted(maps.Keys(texts.Translations)) {
		if err := decodeJSONAt(texts.Translations[lang], new(stockbell.StepText), path+".translations."+lang); err != nil {
			return err
		}
	}
	return decodeJSONAt(raw, new(apiFlowStep), path)
}

func apiFlowOf(f *stockbell.Flow) apiFlow {
	out := apiFlow{Status: f.Status, Template: f.Template, Steps: []apiFlowStep{}}
	if !f.UpdatedAt.IsZero() {
		out.UpdatedAt = &f.UpdatedAt
	}
	for _, s := range f.Steps {
		out.Steps = append(out.Steps, apiFlowStep{Channel: s.Channel, Delay: ShortDuration(s.Delay), SkipIfOutOfStock: s.SkipIfOutOfStock,
			SmartSendingHours: s.SmartSendingHours, Subject: s.Subject, Preheader: s.Preheader, Body: s.Body, HTML: s.HTML,
			Translations: s.Translations})
	}
	return out
}

// flowOf reads the flow of the request for the shop; the template is
// kept from the saved flow unless the request names one of the library's.
func (f apiFlow) flowOf(shopID int64, saved *stockbell.Flow) (*stockbell.Flow, error) {
	flow := &stockbell.Flow{ShopID: shopID, Status: f.Status, Template: f.Template}
	if flow.Template == "" {
		flow.Template = saved.Template
	} else if flow.Template != saved.Template && !slices.Contains(stockbell.FlowTemplates(), flow.Template) {
		return nil, stockbell.FieldErrorf("template", "template names the library template the flow started from: %s, got %q.",
			wordList(stockbell.FlowTemplates(), "or", "none"), flow.Template)
	}
	for i, s := range f.Steps {
		delay := time.Duration(0)
		if s.Delay != "" {
			d, err := time.ParseDuration(s.Delay)
			if err != nil {
				return nil, stockbell.FieldErrorf(fmt.Sprintf("steps[%d].delay", i), "Write the wait as a duration such as 0s, 30m, 2h or 24h, not %q.", s.Delay)
			}
			delay = d
		}
		flow.Steps = append(flow.Steps, stockbell.FlowStep{Channel: s.Channel, Delay: delay, SkipIfOutOfStock: s.SkipIfOutOfStock,
			SmartSendingHours: s.SmartSendingHours, Subject: s.Subject, Preheader: s.Preheader, Body: s.Body, HTML: s.HTML,
			Translations: s.Translations})
	}
	return flow, nil
}

func (a *API) getFlow(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	flow, err := a.Flows.FindFlow(r.Context(), key.ShopID)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	if notModified(w, r, flow.UpdatedAt) {
		return
	}
	WriteJSON(w, http.StatusOK, apiFlowOf(flow))
}

// putFlow replaces the flow; it is validated as the admin's flow page
// validates it (Flow.Validate through UpdateFlow), naming the field. With
// If-Match naming the flow's ETag, it is stored only if no one changed it
// since (412 otherwise, storing nothing). The answer carries the stored
// flow's ETag, the one a GET answers next.
func (a *API) putFlow(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	req, err := decodeFlow(w, r)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	saved, err := a.Flows.FindFlow(r.Context(), key.ShopID)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	flow, err := a.storeFlow(r, req, saved)
	if err != nil {
		a.server.writeError(w, r, err, preconditionStatuses)
		return
	}
	w.Header().Set("ETag", versionETag(flow.UpdatedAt))
	WriteJSON(w, http.StatusOK, apiFlowOf(flow))
}

// storeFlow checks and stores the flow of the request over saved, on the
// condition of its If-Match.
func (a *API) storeFlow(r *http.Request, req apiFlow, saved *stockbell.Flow) (*stockbell.Flow, error) {
	conditional, err := ifMatch(r, "the flow", saved.UpdatedAt)
	if err != nil {
		return nil, err
	}
	flow, err := req.flowOf(saved.ShopID, saved)
	if err == nil && a.CheckFlow != nil {
		err = a.CheckFlow(flow)
	}
	if err != nil {
		return nil, err
	}
	if conditional {
		return flow, a.Flows.UpdateFlowIfUnchanged(r.Context(), flow, saved.UpdatedAt)
	}
	return flow, a.Flows.UpdateFlow(r.Context(), flow)
}
