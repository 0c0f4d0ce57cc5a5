package web

import (
	"net/http"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// syncLogPerPage is the length of one page of the sync log, in events.
const syncLogPerPage = 50

// syncLogPath is the admin's sync log page.
const syncLogPath = "/admin/sync-log"

// syncLogData is the sync log page.
type syncLogData struct {
	// FailedOnly shows failed syncs only (?kind=failed).
	FailedOnly bool
	Entries    []*syncEntry
	Pager      *pager
	TimeZone   string
	// Feed is a feed shop's connected feed (nil for other shops).
	Feed *feedPanel
}

func (a *Admin) registerSyncLog() {
	a.HandlePage(syncLogPath, NavItem{Label: "Sync log", Order: 65}, a.syncLogPage, http.MethodGet)
	if a.Feeds != nil {
		a.Handle(readFeedPath, a.readFeedNow, http.MethodPost)
	}
}

// syncLogPage lists the shop's catalog syncs newest first, a page at a
// time, in the shop's time zone; ?kind=failed keeps the failed ones.
func (a *Admin) syncLogPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	data := &syncLogData{FailedOnly: r.URL.Query().Get("kind") == "failed"}
	filter := stockbell.SyncLogFilter{ShopID: s.ShopID, Offset: (page - 1) * syncLogPerPage, Limit: syncLogPerPage}
	kind := "" // the filter, as page links keep it
	if data.FailedOnly {
		failed := stockbell.EventSyncFailed
		filter.Kind, kind = &failed, "failed"
	}
	settings, err := a.Settings.FindSettings(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	events, total, err := a.SyncLog.FindSyncLog(r.Context(), filter)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	loc := settings.Location()
	data.Entries, data.TimeZone = syncEntriesOf(events, loc), loc.String()
	if data.Feed, err = a.feedPanelOf(r, s.Shop, loc); err != nil {
		a.Fail(w, r, s, err)
		return
	}
	view := &AdminView{Shop: s.Shop, Session: s}
	data.Pager = newPager(page, syncLogPerPage, len(events), total, func(p int) string {
		return view.Link(syncLogPath, "kind", kind, "page", p)
	})
	// Pages of events: a sync's rejections are events of their own, so
	// "a–b of n" would not count the entries shown.
	data.Pager.ByPage, data.Pager.PrevLabel, data.Pager.NextLabel = true, "Newer", "Older"
	a.Render(w, r, s, http.StatusOK, "sync_log", "Sync log", data)
}

// syncBanner is a source whose latest sync failed, as every admin page's
// banner names it.
type syncBanner struct {
	SourceName string
	Reason     string
	Failures   int
}

// syncBanners are the shop's sources whose latest sync failed. A banner
// is a courtesy: when it cannot be read the page is shown without it.
func (a *Admin) syncBanners(r *http.Request, shopID int64) []syncBanner {
	if a.SyncLog == nil {
		return nil
	}
	events, err := a.SyncLog.FindFailingSyncs(r.Context(), shopID)
	if err != nil {
		a.Logger.Warn("failing syncs not read for the banner", "shop_id", shopID, "err", err)
		return nil
	}
	var banners []syncBanner
	for _, e := range syncEntriesOf(events, time.UTC) {
		banners = append(banners, syncBanner{SourceName: e.SourceName, Reason: e.Reason, Failures: max(e.Failures, 1)})
	}
	return banners
}
