package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
)

// registerReports serves the reports and the two CSV exports of package
// report (nil Reports: not served).
func (a *API) registerReports() {
	if a.Reports == nil {
		return
	}
	a.handle("/reports/activity", a.activityReport, http.MethodGet)
	a.handle("/reports/demand", a.demandReport, http.MethodGet)
	a.handle("/reports/conversions", a.conversionReport, http.MethodGet)
	a.handle("/exports/queued-subscribers.csv", a.exportQueued, http.MethodGet)
	a.handle("/exports/activity.csv", a.exportActivity, http.MethodGet)
}

// activityReport counts the shop's activity per day of its time zone:
// from, to (YYYY-MM-DD), variant and product (ids), channel.
func (a *API) activityReport(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	q, err := report.ParseActivityQuery(r.URL.Query())
	if err == nil {
		err = shopHasVariant(r.Context(), a.Catalog, key.ShopID, q)
	}
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	out, err := a.Reports.Activity(r.Context(), key.ShopID, q)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

// demandReport lists the variants shoppers wait for, most wanted first,
// with reorder advice: offset and limit page through them.
func (a *API) demandReport(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	offset, limit, err := offsetLimit(r.URL.Query())
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	out, err := a.Reports.ProductsInDemand(r.Context(), key.ShopID, offset, limit)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

// conversionReport reports conversions and recovered revenue over days.
func (a *API) conversionReport(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	days, err := report.ParseDays(r.URL.Query())
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	out, err := a.Reports.Conversions(r.Context(), key.ShopID, report.ActivityQuery{Days: days})
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

// exportQueued streams every subscriber queued now as CSV: a header row,
// then one row per subscriber; ?bom=1 (or true) starts it with the byte
// order mark.
func (a *API) exportQueued(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	opts, err := csvOptionsOf(r.URL.Query())
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	out := &lazyCSV{w: w, start: func() { a.startCSV(w, "queued-subscribers") }}
	a.exportFailed(w, r, key, out, "queued-subscribers", a.Reports.WriteQueuedCSV(r.Context(), out, key.ShopID, opts))
}

// exportActivity streams the shop's activity as CSV, filtered as the
// activity report is; a bad filter is refused before anything is written.
func (a *API) exportActivity(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	q, err := report.ParseActivityQuery(r.URL.Query())
	if err == nil {
		err = shopHasVariant(r.Context(), a.Catalog, key.ShopID, q)
	}
	var opts report.CSVOptions
	if err == nil {
		opts, err = csvOptionsOf(r.URL.Query())
	}
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	out := &lazyCSV{w: w, start: func() { a.startCSV(w, "activity") }}
	a.exportFailed(w, r, key, out, "activity", a.Reports.WriteActivityCSV(r.Context(), out, key.ShopID, q, opts))
}

// exportFailed answers an export's error as JSON when nothing was written
// yet; once rows went out it logs the error and breaks the response off,
// so that the client's download fails instead of ending like a complete
// file with rows missing.
func (a *API) exportFailed(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey, out *lazyCSV, name string, err error) {
	switch {
	case err == nil:
	case !out.started:
		a.server.Error(w, r, err)
	default:
		a.Logger.ErrorContext(r.Context(), "export stopped", "export", name, "shop_id", key.ShopID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

func (a *API) startCSV(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	w.Header().Set("Cache-Control", "no-store")
}

// lazyCSV sets the CSV headers at the first byte written, so that an error
// found before (a bad date range) is still answered as JSON.
type lazyCSV struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (l *lazyCSV) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start()
	}
	return l.w.Write(p)
}

// offsetLimit reads a report's page: offset (0 up) and limit (1 to 500, default 100).
func offsetLimit(q url.Values) (int, int, error) {
	offset, limit := 0, defaultAPIPageSize
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, stockbell.FieldErrorf("offset", "offset must be a whole number from 0, got %q.", v)
		}
		offset = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAPIPageSize {
			return 0, 0, stockbell.FieldErrorf("limit", "limit must be a whole number from 1 to %d, got %q.", maxAPIPageSize, v)
		}
		limit = n
	}
	return offset, limit, nil
}
