package web

import (
	"fmt"
	"net/http"
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
// kept from the saved flow unless the request names one.
func (f apiFlow) flowOf(shopID int64, saved *stockbell.Flow) (*stockbell.Flow, error) {
	flow := &stockbell.Flow{ShopID: shopID, Status: f.Status, Template: f.Template}
	if flow.Template == "" {
		flow.Template = saved.Template
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
	WriteJSON(w, http.StatusOK, apiFlowOf(flow))
}

// putFlow replaces the flow; it is validated as the admin's flow page
// validates it (Flow.Validate through UpdateFlow), naming the field.
func (a *API) putFlow(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	var req apiFlow
	if err := decodeJSON(w, r, &req); err != nil {
		a.server.Error(w, r, err)
		return
	}
	saved, err := a.Flows.FindFlow(r.Context(), key.ShopID)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	flow, err := req.flowOf(key.ShopID, saved)
	if err == nil {
		err = a.Flows.UpdateFlow(r.Context(), flow)
	}
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, apiFlowOf(flow))
}
