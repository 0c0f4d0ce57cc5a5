package web

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// syncSourceNames are the sync log's sources in words, as merchants read
// them; a source not listed is written from its platform and part.
var syncSourceNames = map[string]string{
	stockbell.FeedSource:       "Catalog feed",
	"bigcommerce:catalog":      "BigCommerce catalog sync",
	"bigcommerce:reconcile":    "BigCommerce stock check",
	"bigcommerce:hooks":        "BigCommerce webhook check",
	"magento:catalog":          "Magento catalog sync",
	"magento:reconcile":        "Magento stock check",
	"magento:module":           "Magento module's stock updates",
	"magento:reread":           "Magento stock re-read",
	"prestashop:catalog":       "PrestaShop catalog sync",
	"prestashop:reconcile":     "PrestaShop stock check",
	"prestashop:module":        "PrestaShop module's stock updates",
	"shopify:catalog":          "Shopify catalog sync",
	"shopify:reconcile":        "Shopify stock check",
	"shopify:token":            "Shopify access token exchange",
	"shopify:product_variants": "Shopify large product read",
	"shopify:webhooks":         "Shopify webhook registration",
	"shopify:reread":           "Shopify stock re-read",
	"demo:catalog":             "Demo catalog sync",
}

// syncSourceName is a sync log source in words: "magento:reconcile" is
// "Magento stock check".
func syncSourceName(source string) string {
	if name, ok := syncSourceNames[source]; ok {
		return name
	}
	platform, part, found := strings.Cut(source, ":")
	if platform == "" {
		return "Unnamed source"
	}
	name := strings.ToUpper(platform[:1]) + platform[1:]
	if found && part != "" {
		name += " " + part
	}
	return name
}

// syncDetail is the detail of a sync log event (root synclog.go names
// each kind's members).
type syncDetail struct {
	Source           string    `json:"source"`
	Items            int       `json:"items"`
	Changed          int       `json:"changed"`
	Unpublished      int       `json:"unpublished"`
	Stored           int       `json:"stored"`
	NotModified      bool      `json:"not_modified"`
	Notice           string    `json:"notice"`
	Rejected         int       `json:"rejected"`
	RejectionsLogged int       `json:"rejections_logged"`
	Reason           string    `json:"reason"`
	Failures         int       `json:"failures"`
	FirstFailedAt    time.Time `json:"first_failed_at"`
	Position         int       `json:"position"`
	ID               string    `json:"id"`
}

// syncEntry is one sync of the log as the admin shows it: its summary and
// the rejections logged under it.
type syncEntry struct {
	Kind       stockbell.EventKind
	SourceName string
	At         time.Time
	syncDetail
	Rejections []syncDetail
	// Continued marks rejections whose sync is on the previous page.
	Continued bool
}

// Failed reports whether the entry is a failed sync.
func (e *syncEntry) Failed() bool { return e.Kind == stockbell.EventSyncFailed }

// Repeated reports whether the entry stands for several failures.
func (e *syncEntry) Repeated() bool { return e.Failures > 1 }

// Unlogged counts the rejections the sync did not log one by one.
func (e *syncEntry) Unlogged() int { return max(e.Rejected-e.RejectionsLogged, 0) }

// syncEntriesOf groups a page of sync log events, newest first, into
// entries: each rejection goes under the summary above it from the same
// source (a sync writes its rejections just before its summary), in the
// source's order; ones whose summary is on the previous page make an
// entry of their own.
func syncEntriesOf(events []*stockbell.Event, loc *time.Location) []*syncEntry {
	var entries []*syncEntry
	for _, e := range events {
		var d syncDetail
		_ = json.Unmarshal([]byte(e.Detail), &d) // a detail that does not decode shows its kind and time
		if e.Kind == stockbell.EventSyncItemRejected {
			last := len(entries) - 1
			if last < 0 || entries[last].Source != d.Source {
				entries = append(entries, &syncEntry{Kind: e.Kind, SourceName: syncSourceName(d.Source), At: e.CreatedAt.In(loc),
					syncDetail: syncDetail{Source: d.Source}, Continued: true})
				last++
			}
			entries[last].Rejections = append(entries[last].Rejections, d)
			continue
		}
		if !d.FirstFailedAt.IsZero() {
			d.FirstFailedAt = d.FirstFailedAt.In(loc)
		}
		entries = append(entries, &syncEntry{Kind: e.Kind, SourceName: syncSourceName(d.Source), At: e.CreatedAt.In(loc), syncDetail: d})
	}
	for _, entry := range entries { // read newest first, they were written in the source's order
		slices.SortStableFunc(entry.Rejections, func(a, b syncDetail) int { return a.Position - b.Position })
	}
	return entries
}

// shopTime writes a time already in the shop's time zone as merchants read
// it, naming the zone.
func shopTime(t time.Time) string { return t.Format("2 Jan 2006, 15:04 MST") }

// When is the entry's time in the shop's time zone.
func (e *syncEntry) When() string { return shopTime(e.At) }

// FirstFailed is when a repeated failure first failed, in the shop's
// time zone.
func (e *syncEntry) FirstFailed() string { return shopTime(e.FirstFailedAt) }
