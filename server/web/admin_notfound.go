package web

import (
	"net/http"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// missingThing is what a not-found admin page tells the merchant: what
// is missing, in their words rather than the store's, and where to look
// instead.
type missingThing struct{ Message, Back, BackLabel string }

// missingThings are the not-found pages of the admin's routes that look
// something up, by route template; anything else gets missingPage.
var missingThings = map[string]missingThing{
	"/admin/subscribers/{id:[0-9]+}": {"No subscriber of this shop has that number: the link may be mistyped, or come from another shop's admin.",
		"/admin/subscribers", "Find them on Subscribers"},
	"/admin/subscribers/{id:[0-9]+}/remove": {"No subscriber of this shop has that number: they may have been removed already.",
		"/admin/subscribers", "Back to Subscribers"},
	"/admin/outbox/{id:[0-9]+}": {"No message in the outbox has that number: the link may be mistyped, or come from another shop's admin.",
		"/admin/outbox", "Back to the outbox"},
	"/admin/outbox/{id:[0-9]+}/html": {"No message in the outbox has that number: the link may be mistyped, or come from another shop's admin.",
		"/admin/outbox", "Back to the outbox"},
	"/admin/flow/preview": {"The flow has no message of that number to preview: it may have been removed.",
		"/admin/flow", "Back to the flow"},
	"/admin/reports/scheduled/{id:[0-9]+}/remove": {"This report is no longer scheduled: it may have been removed already (in another tab, or with the unsubscribe link of its email), or the link comes from another shop's admin.",
		"/admin/reports/scheduled", "Back to Scheduled reports"},
	"/admin/reports/scheduled/{id:[0-9]+}/frequency": {"This report is no longer scheduled: it may have been removed (in another tab, or with the unsubscribe link of its email), or the link comes from another shop's admin. Schedule it again to receive it.",
		"/admin/reports/scheduled", "Back to Scheduled reports"},
	"/admin/webhooks/{id:[0-9]+}/{action:enable|disable|delete}": {"No endpoint of this shop has that number: it may have been deleted already (in another tab, say), or the link comes from another shop's admin.",
		"/admin/webhooks", "Back to Webhooks"},
	"/admin/api-keys/{id:[0-9]+}/revoke": {"No API key of this shop has that number: the link may be mistyped, or come from another shop's admin.",
		"/admin/api-keys", "Back to API keys"},
	"/admin/flow/batches/{id:[0-9]+}/{action:approve|discard}": {"This batch no longer waits for approval: no message of it is held (its shoppers may have unsubscribed), or the link comes from another shop's admin.",
		"/admin/flow", "Back to the flow"},
	readFeedPath: {"This shop has no catalog feed to read: its catalog comes from its platform, whose syncs the Sync log lists.",
		syncLogPath, "Back to the Sync log"},
}

// missingPage is the not-found page of an admin path that is no page, or
// of a thing no entry of missingThings describes.
var missingPage = missingThing{"There is no such page in the admin, or what it shows is no longer there: the link may be mistyped or out of date.",
	"/admin", "Back to the dashboard"}

// missingThingOf describes what the request looked for and did not find.
func missingThingOf(r *http.Request) missingThing {
	if thing, ok := missingThings[routeOf(r)]; ok {
		return thing
	}
	return missingPage
}

// isAdminPage reports a browser's request for a path under /admin, which
// gets the admin's own not-found page rather than the JSON error.
func isAdminPage(r *http.Request) bool {
	return (r.URL.Path == "/admin" || strings.HasPrefix(r.URL.Path, "/admin/")) && !wantsJSON(r)
}

// noSuchPage answers an admin path that matches no route with 404: inside
// the admin when the request carries a session cookie, or a session token
// inside the Shopify admin, else on the public error page (without sending
// anyone to sign in for a page that is not there).
func (a *Admin) noSuchPage(w http.ResponseWriter, r *http.Request) {
	if a.embeddedPage(r) {
		// Inside the Shopify admin's frame, which may frame only a page
		// of the shop's admin: the page comes with a session token like
		// any other (one missing or stale goes through the bounce page).
		if sess := a.session(w, r); sess != nil {
			a.missingInside(w, r, sess)
		}
		return
	}
	sess, err := a.cookieSession(r)
	if err != nil || sess != nil && a.bindShop(r, sess) != nil {
		sess = nil
	}
	w.Header().Set("Cache-Control", "no-store")
	a.Fail(w, r, sess, stockbell.Errorf(stockbell.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path))
}

// embeddedPage reports a document request from inside the Shopify admin:
// with a session token in its query, or naming the shop embedded.
func (a *Admin) embeddedPage(r *http.Request) bool {
	return a.Shopify != nil && safeMethod(r.Method) && !wantsJSON(r) &&
		(r.URL.Query().Get("id_token") != "" || a.embeddedRequest(r))
}

// missingInside answers 404 in the admin of the session's shop (a request
// naming another shop finds no page either).
func (a *Admin) missingInside(w http.ResponseWriter, r *http.Request, sess *AdminSession) {
	w.Header().Set("Cache-Control", "no-store")
	err := a.bindShop(r, sess)
	if err == nil {
		err = stockbell.Errorf(stockbell.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path)
	}
	a.Fail(w, r, sess, err)
}
