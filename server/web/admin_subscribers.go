package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// subscribersPerPage is the length of one page of the subscribers list.
const subscribersPerPage = 50

// subscriberQuery is the list's search, filters and page, from the URL.
type subscriberQuery struct {
	Search    string
	Status    string
	VariantID int64
	Page      int
}

// readSubscriberQuery reads the list's query. A status that is not one, or
// a variant that is not an id, is EINVALID naming its parameter, rather
// than a filter quietly dropped that would list, or export, everyone; the
// query returned then keeps the rest, for the form.
func readSubscriberQuery(q url.Values) (subscriberQuery, error) {
	sq := subscriberQuery{Search: strings.TrimSpace(q.Get("q"))}
	sq.Page, _ = strconv.Atoi(q.Get("page"))
	sq.Page = max(sq.Page, 1)
	if status := q.Get("status"); status != "" {
		if !slices.Contains(stockbell.SubscriptionStatuses, stockbell.SubscriptionStatus(status)) {
			return sq, stockbell.FieldErrorf("status", "status must be %s, got %q.", statusChoices(), status)
		}
		sq.Status = status
	}
	if variant := q.Get("variant"); variant != "" {
		id, err := strconv.ParseInt(variant, 10, 64)
		if err != nil || id < 0 {
			return sq, stockbell.FieldErrorf("variant", "variant must be Stockbell's id of a variant, a whole number, got %q.", variant)
		}
		sq.VariantID = id
	}
	return sq, nil
}

// phoneLike matches a search typed as a phone number: digits and the
// separators people type, which stored E.164 numbers do not have.
var phoneLike = regexp.MustCompile(`^[+()\d\s.-]+$`)

// filter turns the query into a store filter scoped to the shop.
func (q subscriberQuery) filter(shopID int64) stockbell.SubscriptionFilter {
	f := stockbell.SubscriptionFilter{ShopID: &shopID}
	if q.Search != "" {
		search := q.Search
		if phoneLike.MatchString(search) {
			search = strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, search)
		}
		f.Search = &search
	}
	if q.Status != "" {
		status := stockbell.SubscriptionStatus(q.Status)
		f.Status = &status
	}
	if q.VariantID != 0 {
		f.VariantID = &q.VariantID
	}
	return f
}

// values writes the query back as URL parameters, for links.
func (q subscriberQuery) values(page int) []any {
	return []any{"q", q.Search, "status", q.Status, "variant", q.VariantID, "page", page}
}

// subscriberRow is one line of the list.
type subscriberRow struct {
	Sub     *stockbell.Subscription
	Variant *stockbell.VariantWithProduct
	// Held says that a text to them is held for quiet hours, and until
	// when; "" when none is.
	Held string
}

// subscribersData is the subscribers page.
type subscribersData struct {
	Query    subscriberQuery
	Rows     []subscriberRow
	Total    int
	Pager    *pager
	Variant  *stockbell.VariantWithProduct // the variant filtered on, if any
	Statuses []stockbell.SubscriptionStatus
	// Error says why the query was refused, ErrorField which parameter.
	Error, ErrorField string
}

// subscribersPage lists the shop's subscribers with search, filters and
// paging, oldest first.
func (a *Admin) subscribersPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	q, err := readSubscriberQuery(r.URL.Query())
	if err != nil {
		data := &subscribersData{Query: q, Statuses: stockbell.SubscriptionStatuses,
			Error: stockbell.ErrorMessage(err), ErrorField: stockbell.ErrorField(err)}
		a.Render(w, r, s, http.StatusUnprocessableEntity, "subscribers", "Subscribers", data)
		return
	}
	filter := q.filter(s.ShopID)
	filter.Offset, filter.Limit = (q.Page-1)*subscribersPerPage, subscribersPerPage
	subs, total, err := a.Subscriptions.FindSubscriptions(r.Context(), filter)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	data := &subscribersData{Query: q, Total: total, Statuses: stockbell.SubscriptionStatuses}
	variants := variantCache{catalog: a.Catalog, shopID: s.ShopID}
	if q.VariantID != 0 {
		if data.Variant, err = variants.get(r.Context(), q.VariantID); err != nil {
			a.Fail(w, r, s, err)
			return
		}
	}
	held, settings, err := a.heldTextsOf(r.Context(), s.ShopID, subs)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	for _, sub := range subs {
		v, err := variants.get(r.Context(), sub.VariantID)
		if err != nil {
			a.Fail(w, r, s, err)
			return
		}
		row := subscriberRow{Sub: sub, Variant: v}
		if h, ok := held[sub.ID]; ok {
			row.Held = quietHoldWords(settings, h, a.Clock.Now())
		}
		data.Rows = append(data.Rows, row)
	}
	view := &AdminView{Shop: s.Shop, Session: s}
	data.Pager = newPager(q.Page, subscribersPerPage, len(subs), total, func(p int) string {
		return view.Link("/admin/subscribers", q.values(p)...)
	})
	a.Render(w, r, s, http.StatusOK, "subscribers", "Subscribers", data)
}

// heldTextsOf reads the shop's settings and which of a page of its
// subscribers have a text held for quiet hours (heldTexts).
func (a *Admin) heldTextsOf(ctx context.Context, shopID int64, subs []*stockbell.Subscription) (map[int64]heldText, *stockbell.RestockSettings, error) {
	settings, err := a.Settings.FindSettings(ctx, shopID)
	if err != nil {
		return nil, nil, err
	}
	held, err := heldTexts(ctx, a.Messages, settings, shopID, subs, a.Clock.Now())
	return held, settings, err
}

// removedAlreadyNotice is the subscriber page's notice (?notice=…) that
// the subscriber was removed before, in words read from that removal.
const removedAlreadyNotice = "subscriber_removed_already"

// removeSubscriber takes a queued subscriber out of the queue, a held one
// out of the batch waiting for approval, or a pending one's sign-up away
// before they confirm it; the notice says which, that the subscriber
// (notified meanwhile, say) was not removed, or, for one removed before (a
// double click, a second tab), what that removal did.
func (a *Admin) removeSubscriber(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		a.Fail(w, r, s, stockbell.Errorf(stockbell.ENOTFOUND, "No such subscriber."))
		return
	}
	if a.askedBeforeRemoving(w, r, s, id) {
		return
	}
	was, err := a.Subscribers.RemoveSubscription(r.Context(), s.ShopID, id, sessionDecider(s))
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	notice := "subscriber_removed"
	switch {
	case was == stockbell.SubscriptionCancelled:
		notice = removedAlreadyNotice
	case was == stockbell.SubscriptionHeld:
		notice = "subscriber_removed_from_batch"
	case was == stockbell.SubscriptionPending:
		notice = "subscriber_signup_removed"
	case !stockbell.Removable(was):
		notice = "subscriber_not_removed"
	}
	if stockbell.Removable(was) {
		a.Logger.Info("subscriber removed by merchant", "shop_id", s.ShopID, "subscription_id", id, "was", was, "door", s.Door)
	}
	a.Redirect(w, r, s, "/admin/subscribers/"+strconv.FormatInt(id, 10), "notice", notice)
}

// removalQuestions ask before removing a subscriber, by their status.
var removalQuestions = map[stockbell.SubscriptionStatus]actionQuestion{
	stockbell.SubscriptionQueued: {Question: "Remove this subscriber from the queue?",
		Detail: "Nothing will be sent to them about this item.", Yes: "Yes, remove from the queue"},
	stockbell.SubscriptionHeld: {Question: "Remove this subscriber from the batch waiting for your approval?",
		Detail: "Their alert will not be sent, and nothing more is sent to them about this item.", Yes: "Yes, remove from this batch"},
	stockbell.SubscriptionPending: {Question: "Remove this sign-up?",
		Detail: "The shopper has not confirmed it yet: confirming afterwards will not put them in the queue, and nothing will be sent to them about this item.",
		Yes:    "Yes, remove this sign-up"},
}

// askedBeforeRemoving asks the merchant to confirm the removal of one of
// the shop's subscribers, in words fitting their status, unless the form
// carries their yes; it reports whether it asked (or failed, answering the
// error). A subscriber who cannot be removed (notified meanwhile, removed
// already) is not asked about: removing them changes nothing, and its
// notice says why.
func (a *Admin) askedBeforeRemoving(w http.ResponseWriter, r *http.Request, s *AdminSession, id int64) bool {
	if confirmedByMerchant(r) {
		return false
	}
	sub, err := a.Subscriptions.FindSubscriptionByID(r.Context(), s.ShopID, id)
	if err != nil {
		a.Fail(w, r, s, err)
		return true
	}
	q, ok := removalQuestions[sub.Status]
	if !ok {
		return false
	}
	page := "/admin/subscribers/" + strconv.FormatInt(id, 10)
	q.Action, q.Back, q.BackLabel = page+"/remove", page, "No, back to the subscriber"
	a.askFirst(w, r, s, q.Question, q)
	return true
}

// sendConfirmationAgain queues one new send of a pending subscriber's
// confirmation request that could not be sent, through the job that sent
// it first; the notice says whether one was queued (a second post, from a
// double click or a second tab, queues none).
func (a *Admin) sendConfirmationAgain(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		a.Fail(w, r, s, stockbell.Errorf(stockbell.ENOTFOUND, "No such subscriber."))
		return
	}
	n, err := a.Subscribers.SendConfirmationAgain(r.Context(), s.ShopID, id)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	notice := "confirmation_not_sent_again"
	if n > 0 {
		notice = "confirmation_sent_again"
		a.Logger.Info("confirmation request queued again by merchant", "shop_id", s.ShopID, "subscription_id", id, "door", s.Door)
	}
	a.Redirect(w, r, s, "/admin/subscribers/"+strconv.FormatInt(id, 10), "notice", notice)
}

// variantCache loads each variant of one shop once per request; a variant
// of another shop is not found.
type variantCache struct {
	catalog stockbell.CatalogService
	shopID  int64
	seen    map[int64]*stockbell.VariantWithProduct
}

func (c *variantCache) get(ctx context.Context, id int64) (*stockbell.VariantWithProduct, error) {
	if v, ok := c.seen[id]; ok {
		return v, nil
	}
	v, err := c.catalog.FindVariantByID(ctx, c.shopID, id)
	if err != nil {
		return nil, err
	}
	if c.seen == nil {
		c.seen = map[int64]*stockbell.VariantWithProduct{}
	}
	c.seen[id] = v
	return v, nil
}

// pager is the "Showing a–b of n" line with its links; with ByPage set,
// "Page n of m" instead, for a list whose rows are not what Total counts.
// PrevLabel and NextLabel name the links.
type pager struct {
	From, To, Total      int
	Page, Pages          int
	ByPage               bool
	PrevURL, NextURL     string
	PrevLabel, NextLabel string
}

func newPager(page, perPage, shown, total int, link func(page int) string) *pager {
	p := &pager{Total: total, Page: page, Pages: max((total+perPage-1)/perPage, 1), PrevLabel: "Previous", NextLabel: "Next"}
	if shown > 0 {
		p.From = (page-1)*perPage + 1
		p.To = p.From + shown - 1
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page*perPage < total {
		p.NextURL = link(page + 1)
	}
	return p
}
