package feed

import (
	"context"
	"errors"

	stockbell "github.com/stockbell/stockbell"
	"golang.org/x/net/http/httpguts"
)

// Connect checks the feed URL under the address rule (connect time; the
// fetch checks again when it dials), seals the credentials and stores the
// shop and its feed with its first sync queued. Returns EINVALID naming
// the field (feed_url, credentials, interval, domain).
func (in *Integration) Connect(ctx context.Context, c stockbell.FeedSettings) (*stockbell.Shop, *stockbell.Feed, error) {
	u, err := in.Fetcher.CheckURL(ctx, c.URL)
	var fetchErr *FetchError
	if errors.As(err, &fetchErr) {
		return nil, nil, stockbell.FieldErrorf("feed_url", "%s", fetchErr.Reason)
	} else if err != nil {
		return nil, nil, err
	}
	if err := validateCredentials(c.Credentials); err != nil {
		return nil, nil, err
	}
	connect := stockbell.FeedConnect{Domain: c.Domain, Name: c.Name, URL: u.String(), Interval: c.Interval,
		KeepCredentials: c.KeepCredentials}
	if !c.KeepCredentials {
		connect.SealCredentials = SealCredentials(in.Sealer, c.Credentials)
	}
	return in.Feeds.ConnectFeed(ctx, connect)
}

func validateCredentials(c *Credentials) error {
	switch {
	case c == nil:
		return nil
	case (c.Username != "" || c.Password != "") && (c.Header != "" || c.Value != ""):
		return stockbell.FieldErrorf("credentials", "give either a user name and password or a header, not both")
	case c.Header == "" && c.Value != "":
		return stockbell.FieldErrorf("credentials", "a header value needs the header's name")
	case c.Header != "" && !httpguts.ValidHeaderFieldName(c.Header):
		return stockbell.FieldErrorf("credentials", "%q is not a header name", c.Header)
	case c.Header != "" && !httpguts.ValidHeaderFieldValue(c.Value):
		return stockbell.FieldErrorf("credentials", "the header value has characters a header cannot carry")
	}
	return nil
}
