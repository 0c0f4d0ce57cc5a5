package delivery

import (
	"context"
	"net/url"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Click tracking parameters added to product links.
const (
	UTMSource   = "stockbell"
	UTMCampaign = "back_in_stock"
	// ClickParam carries the Stockbell click id: the message's short link
	// code, which the storefront can report back to attribute an order.
	ClickParam = "sb_click"
)

// Links builds the public URLs of messages: unsubscribe links, short links.
type Links struct {
	// PublicURL is where the server is reached, without a trailing slash.
	PublicURL string
	Signer    *Signer
}

// NewLinks returns links under publicURL signed by signer.
func NewLinks(publicURL string, signer *Signer) *Links {
	return &Links{PublicURL: strings.TrimRight(publicURL, "/"), Signer: signer}
}

// UnsubscribeURL is the signed unsubscribe link of a subscription.
func (l *Links) UnsubscribeURL(t UnsubscribeToken) string {
	return l.PublicURL + "/unsubscribe/" + l.Signer.UnsubscribeToken(t)
}

// ConfirmURL is the signed link of a double opt-in confirmation.
func (l *Links) ConfirmURL(token string) string {
	return l.PublicURL + "/confirm/" + token
}

// ShortURL is Stockbell's redirect for a link code.
func (l *Links) ShortURL(code string) string {
	return l.PublicURL + "/r/" + code
}

// TrackedURL adds the utm parameters and the click id to a product page,
// keeping its own query (e.g. ?variant=123).
func TrackedURL(page string, channel stockbell.Channel, clickID string) string {
	u, err := url.Parse(page)
	if err != nil || page == "" {
		return page
	}
	q := u.Query()
	q.Set("utm_source", UTMSource)
	q.Set("utm_medium", string(channel))
	q.Set("utm_campaign", UTMCampaign)
	q.Set(ClickParam, clickID)
	u.RawQuery = q.Encode()
	return u.String()
}

// productPage is where a message sends the shopper: the variant's page,
// else the product's, else the shop's home page.
func productPage(variantURL, productURL, primaryDomain, domain string) string {
	for _, u := range []string{variantURL, productURL} {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			return u
		}
	}
	return shopHome(primaryDomain, domain)
}

// shopHome is the storefront's home page, or "" when the shop has no domain.
func shopHome(primaryDomain, domain string) string {
	for _, d := range []string{primaryDomain, domain} {
		if strings.HasPrefix(d, "https://") || strings.HasPrefix(d, "http://") {
			return strings.TrimRight(d, "/")
		}
		if d != "" && !strings.Contains(d, "/") {
			return "https://" + d
		}
	}
	return ""
}

// ShortLinks is what a message's short link (/r/{code}) does: the code is
// the message id signed with a 48-bit MAC, so nothing is written when a
// message is sent and a retried send carries the same link. The server's
// web layer serves it.
type ShortLinks struct {
	Signer *Signer
	Clicks stockbell.ClickService
}

// Follow counts a click on the code's link and returns where it leads: the
// variant's page (else its product's, else the shop's home page) with the
// tracking parameters. Returns EUNAUTHORIZED for a malformed or forged
// code and ENOTFOUND when the message, or any page to send to, is gone.
func (l *ShortLinks) Follow(ctx context.Context, code string) (string, error) {
	return l.lead(ctx, code, l.Clicks.RecordClick)
}

// Preview returns where the code's link leads, as Follow does, without
// counting a click (a link preview). Returns the errors Follow does.
func (l *ShortLinks) Preview(ctx context.Context, code string) (string, error) {
	return l.lead(ctx, code, l.Clicks.FindLinkTarget)
}

// lead finds the code's message through find and returns its tracked page.
func (l *ShortLinks) lead(ctx context.Context, code string,
	find func(context.Context, int64) (*stockbell.LinkTarget, error)) (string, error) {
	messageID, err := l.Signer.ParseLinkCode(code)
	if err != nil {
		return "", err
	}
	gone := stockbell.Errorf(stockbell.ENOTFOUND, "This link is no longer available.")
	target, err := find(ctx, messageID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return "", gone
	} else if err != nil {
		return "", err
	}
	page := productPage(target.VariantURL, target.ProductURL, target.PrimaryDomain, target.ShopDomain)
	if page == "" {
		return "", gone
	}
	return TrackedURL(page, target.Channel, code), nil
}

// LandingClickWindow is how long after a click on a message's link a click
// reported by the page it led to counts for nothing: a reload of the page,
// going back to it, a second tab, or the short link (/r/{code}) whose
// redirect brought the shopper there.
const LandingClickWindow = 30 * time.Minute

// Land records a click on the link of one of the shop's messages, reported
// by the page the link led to with the click id (ClickParam) it found in
// its address, unless a click on that message was counted in the last
// LandingClickWindow. Returns whether it counted one; EINVALID naming code
// for a code that is not a click id of this server, and ENOTFOUND naming
// code when the shop has no such message (another shop's, or one erased).
func (l *ShortLinks) Land(ctx context.Context, shopID int64, code string) (bool, error) {
	messageID, err := l.Signer.ParseLinkCode(code)
	if err != nil {
		return false, stockbell.FieldErrorf("code", "The click id %q is not one of this Stockbell server's (the %s parameter of a message's link).", code, ClickParam)
	}
	counted, err := l.Clicks.RecordLandingClick(ctx, shopID, messageID, LandingClickWindow)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return false, &stockbell.Error{Code: stockbell.ENOTFOUND, Field: "code", Message: "No message of this shop has the click id " + code + "."}
	}
	return counted, err
}
