package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// templateFiles are the admin's HTML templates: layout.html (the page
// frame with the menu), bare.html (a frame without menu, for sign-in,
// errors and public pages), partials/ (shared pieces), pages/ (one file
// per admin page, defining "content" and optionally "head") and public/
// (pages rendered in bare.html).
//
//go:embed templates
var templateFiles embed.FS

// pageTemplates holds one parsed template set per page file.
type pageTemplates struct {
	sets map[string]*template.Template // "pages/settings" -> layout + partials + page
}

// parsePageTemplates parses every page with the frame it renders in.
func parsePageTemplates() (*pageTemplates, error) {
	p := &pageTemplates{sets: map[string]*template.Template{}}
	for _, kind := range []struct{ dir, frame string }{{"pages", "layout.html"}, {"public", "bare.html"}} {
		base, err := template.New(kind.frame).Funcs(templateFuncs).ParseFS(templateFiles, "templates/"+kind.frame, "templates/partials/*.html")
		if err != nil {
			return nil, fmt.Errorf("web: admin templates: %w", err)
		}
		files, err := fs.Glob(templateFiles, "templates/"+kind.dir+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, file := range files {
			set, err := template.Must(base.Clone()).ParseFS(templateFiles, file)
			if err != nil {
				return nil, fmt.Errorf("web: admin template %s: %w", file, err)
			}
			p.sets[kind.dir+"/"+strings.TrimSuffix(path.Base(file), ".html")] = set
		}
	}
	return p, nil
}

// render writes a page with WriteHTML, which renders it in full first, so
// a template error becomes a 500 instead of half a page.
func (p *pageTemplates) render(w http.ResponseWriter, status int, name string, data any) error {
	set, ok := p.sets[name]
	if !ok {
		return fmt.Errorf("web: no admin template %q", name)
	}
	return WriteHTML(w, status, set, data)
}

// AdminView is what the layout and every page template see: the frame's
// data (shop, menu, session) and the page's own Data.
type AdminView struct {
	Title   string
	Shop    *stockbell.Shop
	Session *AdminSession
	Nav     []navView
	Notice  string
	// NoticeLink leads on from the notice, when it names a page.
	NoticeLink *noticeLink
	// SyncFailures are the sources whose latest sync failed.
	SyncFailures []syncBanner
	Development  bool
	// PublicURL is the server's public URL (AdminOptions.PublicURL).
	PublicURL string
	// ShopifyAPIKey is set inside the Shopify admin, to load App Bridge.
	ShopifyAPIKey string
	Data          any
}

// AdminLinkCommand is the command that makes a one-time sign-in link. A
// development server on another port than 8080 gives it its PORT: the
// command, run in another terminal without it, would print a link to port
// 8080, where this server is not.
func (v *AdminView) AdminLinkCommand() string {
	command := v.Command("admin link --shop DOMAIN")
	if port := v.publicPort(); v.Development && port != "" && port != "8080" {
		return "PORT=" + port + " " + command
	}
	return command
}

// publicPort is the port of the public URL ("" without one), which in
// development is the one the server listens on.
func (v *AdminView) publicPort() string {
	u, err := url.Parse(v.PublicURL)
	switch {
	case err != nil || u.Host == "":
		return ""
	case u.Port() != "":
		return u.Port()
	case u.Scheme == "https":
		return "443"
	}
	return "80"
}

// Command is an operator command (its subcommand and arguments) as it runs
// where this server does: from the source in development (the demo's
// first run, where no binary is built), the binary in production.
func (v *AdminView) Command(args string) string {
	if v.Development {
		return "go run ./server " + args
	}
	return "stockbell " + args
}

// OperatorCommands reports whether a page shows its terminal commands:
// to a session opened by an operator's one-time link or the development
// demo, whoever reads it may run the server's commands. A merchant in a
// platform's admin (the Shopify admin, a control panel's frame) or who
// just installed the app has no terminal on the server.
func (v *AdminView) OperatorCommands() bool {
	return v.Session != nil && (v.Session.Door == DoorLink || v.Session.Door == DoorDemo)
}

// ShopifyShop reports whether the page's shop is a Shopify store, whose
// staff open Stockbell from the Shopify admin once the owner gives them
// the app's permission.
func (v *AdminView) ShopifyShop() bool {
	return v.Shop != nil && v.Shop.Platform == stockbell.PlatformShopify
}

// CSRF is the hidden CSRF input every state-changing form prints with
// {{$.CSRF}}.
func (v *AdminView) CSRF() template.HTML { return CSRFInput(v.Session) }

// Link returns an admin path for links and form actions, keeping Shopify's
// query parameters inside the embedded admin. Extra key/value pairs are
// added to the query.
func (v *AdminView) Link(p string, pairs ...any) string {
	u, err := url.Parse(p)
	if err != nil {
		return p
	}
	q := u.Query()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !unsetLinkValue(pairs[i+1]) {
			q.Set(fmt.Sprint(pairs[i]), fmt.Sprint(pairs[i+1]))
		}
	}
	if v.Session != nil && v.Session.Embedded && v.Shop != nil {
		q.Set("shop", v.Shop.Domain)
		q.Set("embedded", "1")
		if v.Session.Host != "" {
			q.Set("host", v.Session.Host)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// unsetLinkValue reports whether a Link value is left out of the query: an
// empty one, or a number's zero (no variant, the first page). A string
// "0" is kept, as a subscriber search for "0" is one.
func unsetLinkValue(value any) bool {
	text := fmt.Sprint(value)
	if value != nil && reflect.TypeOf(value).Kind() == reflect.String {
		return text == ""
	}
	return text == "" || text == "0"
}

// FrameLink is Link for a frame's source: inside the Shopify admin it also
// carries the request's session token, as a frame cannot ask App Bridge
// for one (the page's script refreshes it).
func (v *AdminView) FrameLink(p string, pairs ...any) string {
	if v.Session != nil && v.Session.Embedded && v.Session.IDToken != "" {
		pairs = append(pairs, "id_token", v.Session.IDToken)
	}
	return v.Link(p, pairs...)
}

// notices are the messages a page shows after a redirect (?notice=KEY):
// only these texts are ever shown, never text from the URL.
var notices = map[string]string{
	"settings_saved":     "Settings saved.",
	"signed_in":          "You are signed in.",
	"flow_saved":         "Flow saved.",
	"invite_sent":        inviteSentNotice(stockbell.SignInLinkTTL),
	"invite_failed":      "The invitation could not be sent: check the address and try again later.",
	"origins_saved":      "Storefront origins saved.",
	"batch_approved":     "Batch approved: its messages are being sent.",
	"batch_discarded":    "Batch discarded: its messages will not be sent.",
	"restock_simulated":  "Restock received: the alerts go out within seconds.",
	"sold_out_simulated": "Sold out: shoppers can subscribe to it again.",
	"restock_pending": "Restock received, still being processed: reload this page in a few seconds to see the new stock. " +
		"The alerts go out once it is applied.",
	"restock_nobody_waiting_simulated": "Restock received: nobody is waiting for this variant, so nothing is sent.",
	"restock_nobody_waiting_pending": "Restock received, still being processed: reload this page in a few seconds to see the new stock. " +
		"Nobody is waiting for this variant, so nothing is sent.",
	"restock_awaiting_confirmation_simulated": "Restock received: the shoppers who asked for this variant have not confirmed " +
		"their sign-up yet; each one's alert goes out as soon as they confirm it.",
	"restock_awaiting_confirmation_pending": "Restock received, still being processed: reload this page in a few seconds to see the new stock. " +
		"The shoppers who asked for this variant have not confirmed their sign-up yet; each one's alert goes out once they do.",
	"restock_manual_simulated": "Restock received: your flow is manual, so their alerts wait for your approval on the Flow page.",
	"restock_manual_pending": "Restock received, still being processed: reload this page in a few seconds to see the new stock. " +
		"Your flow is manual, so their alerts wait for your approval on the Flow page.",
	"restock_draft_simulated": "Restock received: your flow is a draft, so nobody is told. Set it live on the Flow page to send the alerts.",
	"restock_draft_pending": "Restock received, still being processed: reload this page in a few seconds to see the new stock. " +
		"Your flow is a draft, so nobody is told.",
	"sold_out_pending":   "Sell-out received, still being processed: reload this page in a few seconds to see the stock at 0.",
	"subscriber_removed": "Removed from the queue: nothing will be sent to this subscriber.",
	"subscriber_removed_from_batch": "Removed from the batch: their alert will not be sent. " +
		"Nothing will be sent to this subscriber about this item.",
	"subscriber_signup_removed": "Sign-up removed: their confirmation no longer puts them in the queue. " +
		"Nothing will be sent to this subscriber about this item.",
	"subscriber_not_removed": "Not removed: this subscriber no longer waits in the queue, in a batch for your approval " +
		"or for their own confirmation (see why below).",
	"confirmation_sent_again": "Confirmation request queued to be sent again. This page says when it leaves, or why it could not.",
	"confirmation_not_sent_again": "Not sent again: no confirmation request of this subscriber is waiting after a failure " +
		"(it was queued again already, or they confirmed or left meanwhile; see below).",
	"feed_read_queued": "Read of your feed queued: it starts within seconds (after a read already under way ends, if one is), " +
		"and its result is added to the log below. Reload this page to see it.",
	"report_scheduled":         "Report scheduled: it is emailed after each period ends.",
	"report_unscheduled":       "Scheduled report removed: no more emails for it.",
	"report_frequency_changed": "Frequency changed: the report is emailed after each of its new periods ends.",
	"api_key_revoked":          "API key revoked: requests with it are refused from now on.",
	"endpoint_enabled":         "Endpoint enabled: new events are sent to it again.",
	"endpoint_disabled":        "Endpoint disabled: no events are sent to it until it is enabled.",
	"endpoint_deleted":         "Endpoint deleted.",
	"privacy_erased":           "Erased: this shop keeps no subscription, message or event of that shopper any more.",
	"privacy_nothing_kept": "Nothing to erase: no subscription, message or event of this shop named that shopper. " +
		"Check the spelling if you expected some.",
}

// inviteSentNotice is the notice after an invitation whose link works for
// ttl (stockbell.SignInLinkTTL), in the invitation email's words.
func inviteSentNotice(ttl time.Duration) string {
	return "Invitation sent: the link in it works once, within " + stockbell.DurationWords(ttl) + "."
}

// noticeLink is a link after a notice: its words and the admin page.
type noticeLink struct{ Label, Path string }

// noticeLinks lead on from the notices that name a page.
var noticeLinks = map[string]*noticeLink{
	"restock_simulated":                       {Label: "See them in the Outbox", Path: "/admin/outbox"},
	"restock_pending":                         {Label: "See them in the Outbox", Path: "/admin/outbox"},
	"restock_awaiting_confirmation_simulated": {Label: "See the request to confirm in the Outbox", Path: "/admin/outbox"},
	"restock_awaiting_confirmation_pending":   {Label: "See the request to confirm in the Outbox", Path: "/admin/outbox"},
	"restock_manual_simulated":                {Label: "Approve them on the Flow page", Path: "/admin/flow"},
	"restock_manual_pending":                  {Label: "Approve them on the Flow page", Path: "/admin/flow"},
	"restock_draft_simulated":                 {Label: "Open the Flow page", Path: "/admin/flow"},
	"restock_draft_pending":                   {Label: "Open the Flow page", Path: "/admin/flow"},
}

// Render writes page (a file of templates/pages without .html) inside the
// admin layout with the session's shop and menu.
func (a *Admin) Render(w http.ResponseWriter, r *http.Request, s *AdminSession, status int, page, title string, data any) {
	view := &AdminView{Title: title, Shop: s.Shop, Session: s, Nav: a.menu(r.URL.Path),
		Notice: notices[r.URL.Query().Get("notice")], NoticeLink: noticeLinks[r.URL.Query().Get("notice")], SyncFailures: a.syncBanners(r, s.ShopID), Development: a.opts.Development, PublicURL: a.opts.PublicURL, Data: data}
	if s.Embedded {
		view.ShopifyAPIKey = a.opts.ShopifyAPIKey
	}
	a.securityHeaders(w, s)
	if err := a.pages.render(w, status, "pages/"+page, view); err != nil {
		a.Logger.Error("admin page failed", "page", page, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
	}
}

// renderPublic writes a page of templates/public in the bare frame.
func (a *Admin) renderPublic(w http.ResponseWriter, status int, page, title string, data any) {
	a.renderPublicIn(w, nil, status, page, title, data)
}

// renderPublicIn renders a public page that the control panel of framer
// (a session that is not signed in, only naming its shop) may frame.
func (a *Admin) renderPublicIn(w http.ResponseWriter, framer *AdminSession, status int, page, title string, data any) {
	a.securityHeaders(w, framer)
	a.writePublic(w, status, page, title, data)
}

// renderPublicFramedBy renders a public page that ancestors may frame:
// only a page that holds no form and no button may name others than the
// session's own control panel.
func (a *Admin) renderPublicFramedBy(w http.ResponseWriter, ancestors string, status int, page, title string, data any) {
	setPagePolicy(w, pagePolicy{Scripts: "'self'", Styles: "'self'", FrameAncestors: ancestors})
	w.Header().Set("Referrer-Policy", "same-origin")
	a.writePublic(w, status, page, title, data)
}

// writePublic writes a page of templates/public in the bare frame, its
// policy set already.
func (a *Admin) writePublic(w http.ResponseWriter, status int, page, title string, data any) {
	w.Header().Set("Cache-Control", "no-store")
	if err := a.pages.render(w, status, "public/"+page, &AdminView{Title: title, Development: a.opts.Development, PublicURL: a.opts.PublicURL, Data: data}); err != nil {
		a.Logger.Error("admin page failed", "page", page, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
	}
}

// securityHeaders declares the admin pages' policy to the server's one
// security middleware (secureHeaders): scripts and styles only from this
// server (and App Bridge inside Shopify); framing only by the control panel
// of the session's own shop (the Shopify admin, the BigCommerce control
// panel), else never.
func (a *Admin) securityHeaders(w http.ResponseWriter, s *AdminSession) {
	policy := pagePolicy{Scripts: "'self'", Styles: "'self'", FrameAncestors: frameAncestors(s)}
	if s != nil && s.Embedded && s.Shop != nil {
		policy.Scripts += " https://cdn.shopify.com"
	}
	setPagePolicy(w, policy)
	w.Header().Set("Referrer-Policy", "same-origin")
}

// Redirect answers a handled form with 303 See Other to an admin path,
// keeping Shopify's parameters (and the request's fresh session token)
// inside the embedded admin.
func (a *Admin) Redirect(w http.ResponseWriter, r *http.Request, s *AdminSession, p string, pairs ...any) {
	view := &AdminView{Shop: s.Shop, Session: s}
	http.Redirect(w, r, view.FrameLink(p, pairs...), http.StatusSeeOther)
}

// Fail answers an admin request that failed: an HTML page saying what
// went wrong, or the JSON error for in-page requests. Internal errors are
// logged and shown only as a generic message.
func (a *Admin) Fail(w http.ResponseWriter, r *http.Request, s *AdminSession, err error) {
	code := stockbell.ErrorCode(err)
	status := statusOf(err, nil)
	if wantsJSON(r) {
		a.server.Error(w, r, err)
		return
	}
	if status >= 500 {
		a.Logger.Error("admin request failed", "method", r.Method, "route", routeOf(r), "err", err)
	}
	title := errorTitles[code]
	if title == "" {
		title = "Something went wrong"
	}
	data := map[string]any{"Status": status, "Message": stockbell.ErrorMessage(err), "Code": code,
		"Back": "/admin", "BackLabel": "Back to the dashboard"}
	if code == stockbell.ENOTFOUND {
		// The store's message names its rows ("subscription 7 not
		// found"): the merchant reads what is missing in their words.
		missing := missingThingOf(r)
		title, data["Message"], data["Back"], data["BackLabel"] = "Page not found", missing.Message, missing.Back, missing.BackLabel
	}
	if s == nil || s.Shop == nil {
		a.renderPublic(w, status, "error", title, data)
		return
	}
	a.Render(w, r, s, status, "error", title, data)
}

// errorTitles head an admin error page in a merchant's words, by error
// code, rather than by the HTTP status's name; the message below says why.
var errorTitles = map[string]string{
	stockbell.EINVALID:      "That could not be done",
	stockbell.EFORBIDDEN:    "Not allowed",
	stockbell.EUNAUTHORIZED: "Not signed in",
	stockbell.ECONFLICT:     "Changed elsewhere",
	stockbell.ETOOLARGE:     "Too large",
	stockbell.ERATELIMITED:  "Too many at once: try again later",
	stockbell.EUPSTREAM:     "Another service did not answer",
}

// wantsJSON reports an in-page request (fetch) rather than a document load.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// frameAncestors are the control panels that may show the session's admin
// in their iframe: the Shopify admin of an embedded session's shop, the
// BigCommerce control panel of a session its load callback opened.
func frameAncestors(s *AdminSession) string {
	switch {
	case s == nil || s.Shop == nil:
		return ""
	case s.Embedded:
		return "https://" + s.Shop.Domain + " https://admin.shopify.com"
	case s.Door == CallbackDoor(stockbell.PlatformBigCommerce) && s.Shop.Platform == stockbell.PlatformBigCommerce:
		return "https://store-" + stockbell.StoreHash(s.Shop.Domain) + ".mybigcommerce.com https://*.bigcommerce.com"
	}
	return "" // nobody
}

// controlPanels are the control panels of a platform that show its app's
// callbacks in their iframe: whichever store's, as a callback refused
// names no store it can be trusted for. Only pages that hold no form or
// button (a refused callback's) may let them all frame them.
func controlPanels(platform stockbell.Platform) string {
	if platform == stockbell.PlatformBigCommerce {
		return "https://*.mybigcommerce.com https://*.bigcommerce.com"
	}
	return "" // nobody
}
