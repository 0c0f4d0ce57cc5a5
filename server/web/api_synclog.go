package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// apiSyncLogEntry is one event of the sync log: its detail is as root
// synclog.go documents for its kind.
type apiSyncLogEntry struct {
	ID        int64               `json:"id"`
	Kind      stockbell.EventKind `json:"kind"`
	Source    string              `json:"source"`
	CreatedAt time.Time           `json:"created_at"`
	Detail    json.RawMessage     `json:"detail"`
}

// apiSyncLogPage is a page of the sync log and the count of all its entries.
type apiSyncLogPage struct {
	Entries []apiSyncLogEntry `json:"entries"`
	Total   int               `json:"total"`
}

// listSyncLog lists the shop's sync log newest first, filtered by kind,
// a page at a time: ?offset=N&limit=N.
func (a *API) listSyncLog(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	filter, err := syncLogFilter(r, key.ShopID)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	events, total, err := a.SyncLog.FindSyncLog(r.Context(), filter)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	page := apiSyncLogPage{Entries: []apiSyncLogEntry{}, Total: total}
	for _, e := range events {
		page.Entries = append(page.Entries, apiSyncLogEntryOf(e))
	}
	WriteJSON(w, http.StatusOK, page)
}

// syncLogFilter reads the list's query: kind, offset and limit. A bad
// value is EINVALID naming its parameter.
func syncLogFilter(r *http.Request, shopID int64) (stockbell.SyncLogFilter, error) {
	q := r.URL.Query()
	offset, limit, err := offsetLimit(q)
	filter := stockbell.SyncLogFilter{ShopID: shopID, Offset: offset, Limit: limit}
	if err != nil {
		return filter, err
	}
	if v := q.Get("kind"); v != "" {
		kind := stockbell.EventKind(v)
		if !slices.Contains(stockbell.SyncEventKinds, kind) {
			return filter, stockbell.FieldErrorf("kind", "kind must be %s, got %q.", syncEventKindList(), v)
		}
		filter.Kind = &kind
	}
	return filter, nil
}

// syncEventKindList names the sync log's kinds as an error lists them:
// "a, b or c".
func syncEventKindList() string {
	names := make([]string, len(stockbell.SyncEventKinds))
	for i, kind := range stockbell.SyncEventKinds {
		names[i] = string(kind)
	}
	return wordList(names, "or", "")
}

func apiSyncLogEntryOf(e *stockbell.Event) apiSyncLogEntry {
	var d syncDetail
	detail := json.RawMessage(e.Detail)
	if json.Unmarshal(detail, &d) != nil {
		detail = json.RawMessage(`{}`)
	}
	return apiSyncLogEntry{ID: e.ID, Kind: e.Kind, Source: d.Source, CreatedAt: e.CreatedAt.UTC(), Detail: detail}
}
