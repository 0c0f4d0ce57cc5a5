package feed

import (
	"context"
	"net/url"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// DescribeFeed returns the shop's feed as its merchant may read it: its
// URL with the query's values hidden, the user name or header name of its
// credentials (never the password or the header's value), its interval
// and its last and next syncs. Returns ENOTFOUND for a shop without a
// feed.
func (in *Integration) DescribeFeed(ctx context.Context, shopID int64) (*stockbell.FeedDescription, error) {
	f, err := in.Feeds.FindFeed(ctx, shopID)
	if err != nil {
		return nil, err
	}
	d := &stockbell.FeedDescription{URL: hideQueryValues(f.URL), Credentials: len(f.SealedCredentials) > 0,
		Interval: f.Interval, LastSyncAt: f.LastSyncAt, LastError: f.LastError, NextSyncAt: f.NextSyncAt}
	creds, err := in.credentials(f)
	if err != nil {
		// The names are a courtesy: the description says credentials
		// are set, without naming them.
		in.Logger.Warn("feed credentials not opened for its description", "shop_id", shopID, "err", err)
		return d, nil
	}
	if creds != nil {
		d.Username, d.Header = creds.Username, creds.Header
	}
	return d, nil
}

// hideQueryValues writes raw with every value of its query as "…", keeping
// the names: a feed URL's query often carries its access token. User
// information is dropped too (a connect refuses it, but an older row may
// have it).
func hideQueryValues(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an address that cannot be read)"
	}
	u.User, u.Fragment, u.RawFragment = nil, "", ""
	if u.RawQuery == "" {
		return u.String()
	}
	query := u.RawQuery
	u.RawQuery, u.ForceQuery = "", false
	var parts []string
	for part := range strings.SplitSeq(query, "&") {
		// A part without "=" may be a bare token: hidden whole.
		name, _, hasValue := strings.Cut(part, "=")
		if !hasValue {
			name = "…"
		} else {
			name += "=…"
		}
		parts = append(parts, name)
	}
	return u.String() + "?" + strings.Join(parts, "&")
}
