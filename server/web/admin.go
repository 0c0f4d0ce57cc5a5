package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
)

// AdminDeps are the services the admin pages call. Every field is needed
// unless its comment says otherwise.
type AdminDeps struct {
	Shops         stockbell.ShopService
	Settings      stockbell.SettingsService
	Flows         stockbell.FlowService
	Activity      stockbell.ActivityService
	Subscriptions stockbell.SubscriptionService
	Subscribers   stockbell.SubscriberService
	Events        stockbell.EventService
	Messages      stockbell.MessageService
	Catalog       stockbell.CatalogService
	SignInLinks   stockbell.SignInLinkService
	// EndedSessions remembers the sessions ended by signing out, so that a
	// copy of their cookie is refused too (optional: without it, signing
	// out clears the cookie of the browser that signed out only).
	EndedSessions stockbell.AdminSessionService
	// ShopUsers says whether a platform still grants the user of a session
	// its load callback opened the app (optional: without it, such a
	// session lasts until it expires).
	ShopUsers stockbell.ShopUserService
	// Privacy answers a shopper's access and erasure requests made to the
	// merchant (the Privacy requests page).
	Privacy stockbell.PrivacyService
	// DataRequests holds the answers to Shopify's customer data requests,
	// erased with the contact a Shopify shop's merchant erases (optional:
	// without it, only the store's data is erased).
	DataRequests stockbell.DataRequestSink
	// Shopify verifies App Bridge session tokens and installs a shop from
	// one (nil when Shopify is not configured).
	Shopify EmbeddedInstall
	Origins stockbell.ShopOriginService
	// Held lists and acts on the batches a manual flow holds.
	Held stockbell.HeldBatchService
	// Renderer and Sender preview the flow's messages and send tests.
	Renderer stockbell.Renderer
	Sender   stockbell.Sender
	// SyncLog shows the shop's catalog syncs: the Sync log page and the
	// banner of a failing source on every page (optional: neither without).
	SyncLog stockbell.SyncLogService
	// Feeds shows a feed shop's connected feed on the Sync log page and
	// reads it on request (optional: neither without).
	Feeds AdminFeeds
	// Outbox is what the development sender sent (development only).
	Outbox stockbell.OutboxService
	// Demo simulates restocks of the demo shop (development only).
	Demo DemoRestocker
	// Reports computes the Reports page and its exports (optional: no
	// Reports page without it).
	Reports *report.Reports
	// ReportSchedule and ReportLinks keep scheduled reports and check
	// their unsubscribe links (optional: no Scheduled reports page without).
	ReportSchedule stockbell.ReportScheduleService
	ReportLinks    *report.Links
	Clock          stockbell.Clock
	Logger         *slog.Logger
}

// DemoRestocker simulates a stock change of the demo shop (a restock, a
// sell-out) through the same stock-change path as a platform's webhook,
// and says whether the change was applied by the time it returned.
type DemoRestocker interface {
	SimulateStock(ctx context.Context, shop *stockbell.Shop, v *stockbell.VariantWithProduct, available int) (applied bool, err error)
}

// AdminOptions configure the admin.
type AdminOptions struct {
	// SessionKey signs and encrypts the session cookie (32 bytes or more,
	// derived from the server's secret key).
	SessionKey []byte
	// PreviousSessionKeys still open cookies made before a key rotation.
	PreviousSessionKeys [][]byte
	// SecureCookies marks cookies Secure; set it whenever the public URL is https.
	SecureCookies bool
	// Development turns on the development-only pages (the outbox).
	Development bool
	// PublicURL is the server's public URL, for links shown to merchants.
	PublicURL string
	// ShopifyAPIKey is the Shopify app's client id, when Shopify is
	// configured: App Bridge inside the Shopify admin, the theme editor link.
	ShopifyAPIKey string
	// AllowPrivateFetch lets "check my product page" reach private
	// addresses (development only; the demo shop is on localhost).
	AllowPrivateFetch bool
}

// Admin serves the merchant admin: server-rendered pages under /admin for
// the one shop a session is bound to. Platforms open sessions through
// StartSession after verifying their own signed callback; pages are added
// with HandlePage and rendered inside the common layout with Render.
type Admin struct {
	AdminDeps
	opts     AdminOptions
	server   *Server
	sessions *sessionStore
	pages    *pageTemplates
	nav      []NavItem
	// testLimiter bounds the test messages each shop sends.
	testLimiter   *keyedLimiter
	inviteLimiter *keyedLimiter
	pageChecker   *pageChecker
}

// NavItem is one entry of the admin's menu.
type NavItem struct {
	Path  string
	Label string
	// Order sorts the menu (lower first); the built-in pages use 10, 20, … 90.
	Order int
	// Development shows the item only in development.
	Development bool
}

// AdminHandler serves one admin request for a signed-in session, which is
// bound to one shop: every read and change it makes is scoped to s.ShopID.
type AdminHandler func(w http.ResponseWriter, r *http.Request, s *AdminSession)

// NewAdmin returns the admin with its session store and templates ready.
func NewAdmin(deps AdminDeps, opts AdminOptions) (*Admin, error) {
	if deps.Clock == nil {
		deps.Clock = stockbell.SystemClock{}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	sessions, err := newSessionStore(opts.SessionKey, opts.PreviousSessionKeys, opts.SecureCookies, deps.Clock)
	if err != nil {
		return nil, err
	}
	pages, err := parsePageTemplates()
	if err != nil {
		return nil, err
	}
	return &Admin{AdminDeps: deps, opts: opts, sessions: sessions, pages: pages, testLimiter: newKeyedLimiter(testSendLimit), inviteLimiter: newKeyedLimiter(inviteLimit),
		pageChecker: newPageChecker(opts.AllowPrivateFetch)}, nil
}

// Register mounts the admin's routes on the server: the sign-in routes,
// its static files and the built-in pages. Call it once, before other
// packages add their pages with HandlePage.
func (a *Admin) Register(s *Server) {
	a.server = s
	a.registerStatic()
	a.registerSignIn()
	if a.Shopify != nil {
		a.server.router.HandleFunc(SessionTokenPath, a.sessionTokenPage).Methods(http.MethodGet)
	}
	s.admin = a
	a.HandlePage("/admin", NavItem{Label: "Dashboard", Order: 10}, a.dashboard, http.MethodGet)
	a.HandlePage("/admin/settings", NavItem{Label: "Settings", Order: 20}, a.settingsPage, http.MethodGet, http.MethodPost)
	if a.Sender != nil {
		a.Handle("/admin/invite", a.inviteStaff, http.MethodPost)
	}
	a.HandlePage("/admin/flow", NavItem{Label: "Flow", Order: 30}, a.flowPage, http.MethodGet, http.MethodPost)
	a.Handle("/admin/flow/preview", a.flowPreview, http.MethodGet)
	a.Handle("/admin/flow/batches/{id:[0-9]+}/{action:approve|discard}", a.heldBatchAction, http.MethodPost)
	a.HandlePage("/admin/products", NavItem{Label: "Products", Order: 40}, a.productsPage, http.MethodGet)
	a.registerReports()
	a.HandlePage("/admin/subscribers", NavItem{Label: "Subscribers", Order: 50}, a.subscribersPage, http.MethodGet)
	a.Handle("/admin/subscribers/export", a.exportSubscribers, http.MethodGet)
	a.Handle("/admin/subscribers/{id:[0-9]+}", a.subscriberPage, http.MethodGet)
	a.Handle("/admin/subscribers/{id:[0-9]+}/remove", a.removeSubscriber, http.MethodPost)
	a.Handle("/admin/subscribers/{id:[0-9]+}/send-confirmation", a.sendConfirmationAgain, http.MethodPost)
	a.registerPrivacy()
	a.HandlePage("/admin/install", NavItem{Label: "Install", Order: 60}, a.installPage, http.MethodGet, http.MethodPost)
	if a.SyncLog != nil {
		a.registerSyncLog()
	}
	a.Handle("/admin/sign-out", a.signOut, http.MethodPost)
	if a.opts.Development && a.Outbox != nil {
		a.HandlePage("/admin/outbox", NavItem{Label: "Outbox", Order: 90, Development: true}, a.outboxPage, http.MethodGet)
		a.Handle("/admin/outbox/{id:[0-9]+}", a.outboxMessage, http.MethodGet)
		a.Handle("/admin/outbox/{id:[0-9]+}/html", a.outboxHTML, http.MethodGet)
	}
	if a.opts.Development && a.Demo != nil {
		a.Handle("/admin/products/stock", a.simulateStock, http.MethodPost)
	}
}

// HandlePage serves h at path for a signed-in session and lists the page
// in the menu when nav has a label. Methods other than GET and HEAD need
// the session's CSRF token (or a verified session token).
func (a *Admin) HandlePage(path string, nav NavItem, h AdminHandler, methods ...string) {
	if nav.Label != "" {
		nav.Path = path
		a.nav = append(a.nav, nav)
		sort.SliceStable(a.nav, func(i, j int) bool { return a.nav[i].Order < a.nav[j].Order })
	}
	a.Handle(path, h, methods...)
}

// Handle serves h at path (a gorilla/mux template such as
// /admin/subscribers/{id}) for a signed-in session, without a menu entry.
func (a *Admin) Handle(path string, h AdminHandler, methods ...string) {
	if len(methods) == 0 {
		methods = []string{http.MethodGet}
	}
	a.server.router.Handle(path, a.authenticated(h)).Methods(methods...)
}

// StartSession signs a person in to a shop's admin with a first-party
// cookie session, after the caller verified who they are (a platform's
// signed load callback, a one-time link). door names how ("link",
// "callback:bigcommerce", …). The caller then redirects to /admin.
func (a *Admin) StartSession(w http.ResponseWriter, r *http.Request, shopID int64, user stockbell.AdminUser, door string) error {
	if _, err := a.Shops.FindShopByID(r.Context(), shopID); err != nil {
		return err
	}
	_, err := a.sessions.start(w, r, shopID, user, door)
	if err == nil {
		a.Logger.Info("admin session started", "shop_id", shopID, "door", door, "user", user.ID)
	}
	return err
}

// authenticated runs h for a request with a valid session whose shop
// exists and matches the shop the request names, after checking the CSRF
// token of a state-changing request.
func (a *Admin) authenticated(h AdminHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !safeMethod(r.Method) {
			if err := parseAdminForm(w, r); err != nil {
				a.Fail(w, r, nil, err)
				return
			}
		}
		sess := a.session(w, r)
		if sess == nil {
			return // answered
		}
		if err := a.bindShop(r, sess); err != nil {
			a.Fail(w, r, sess, err)
			return
		}
		if !safeMethod(r.Method) {
			if err := a.checkCSRF(w, r, sess); err != nil {
				a.Fail(w, r, sess, err)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r.WithContext(withSession(r.Context(), sess)), sess)
	})
}

// session finds who asks, by the door they came through: a Shopify
// session token (inside the Shopify admin, where there are no cookies),
// else the first-party session cookie. It answers the request itself and
// returns nil when there is no valid session.
func (a *Admin) session(w http.ResponseWriter, r *http.Request) *AdminSession {
	if a.Shopify != nil {
		if token, bearer := embeddedToken(r); token != "" {
			sess, err := a.embeddedSession(r, token)
			if err != nil {
				a.refuseEmbedded(w, r, err, bearer)
				return nil
			}
			return sess
		}
		if a.embeddedRequest(r) {
			a.refuseEmbedded(w, r, errNoSessionToken, false)
			return nil
		}
		if a.openedByShopify(w, r) {
			return nil
		}
	}
	sess, err := a.cookieSession(r)
	var gone *shopUninstalledError
	if errors.As(err, &gone) {
		a.sessions.end(w)
		a.signInRequired(w, r, gone.shop)
		return nil
	}
	if err != nil {
		a.Fail(w, r, nil, err)
		return nil
	}
	if sess == nil {
		a.signInRequired(w, r, nil)
	}
	return sess
}

// shopUninstalledError is cookieSession's answer for a session whose shop
// was uninstalled (a feed shop: disconnected) since it was opened.
type shopUninstalledError struct{ shop *stockbell.Shop }

func (e *shopUninstalledError) Error() string { return "the session's shop is uninstalled" }

// cookieSession returns the request's cookie session with its shop, or
// nil when there is none, it expired or was tampered with, it was ended
// by signing out, or the platform no longer grants its user the app. A
// session of a shop uninstalled since is a *shopUninstalledError: the uninstall
// ends every session of the shop's admin at once, on every platform,
// rather than when its cookie expires.
func (a *Admin) cookieSession(r *http.Request) (*AdminSession, error) {
	sess := a.sessions.read(r)
	if sess == nil {
		return nil, nil
	}
	if a.EndedSessions != nil {
		ended, err := a.EndedSessions.AdminSessionEnded(r.Context(), sess.hash())
		if err != nil || ended {
			return nil, err
		}
	}
	if revoked, err := a.platformUserRevoked(r.Context(), sess); err != nil || revoked {
		return nil, err
	}
	shop, err := a.Shops.FindShopByID(r.Context(), sess.ShopID)
	if err != nil {
		return nil, err
	}
	if !shop.Active() {
		return nil, &shopUninstalledError{shop: shop}
	}
	sess.Shop = shop // bindShop reads it no more
	return sess, nil
}

// platformUserRevoked reports whether the user of a session a platform's
// load callback opened has lost the app since: removed by the platform's
// remove_user callback, or every user with the app's uninstall. Such a
// session ends at once rather than when its cookie expires.
func (a *Admin) platformUserRevoked(ctx context.Context, sess *AdminSession) (bool, error) {
	if a.ShopUsers == nil || !strings.HasPrefix(sess.Door, callbackDoorPrefix) || sess.User.ID == "" {
		return false, nil
	}
	_, err := a.ShopUsers.FindShopUser(ctx, sess.ShopID, sess.User.ID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return true, nil
	}
	return false, err
}

// bindShop loads the session's shop and refuses, as not found, a request
// that names another shop (?shop=… or a shop form field): a session sees
// only its own shop, and another shop's pages do not exist for it.
func (a *Admin) bindShop(r *http.Request, sess *AdminSession) error {
	if sess.Shop == nil {
		shop, err := a.Shops.FindShopByID(r.Context(), sess.ShopID)
		if err != nil {
			return err
		}
		sess.Shop = shop
	}
	shop := sess.Shop
	named := strings.TrimSpace(r.URL.Query().Get("shop"))
	if named == "" && !safeMethod(r.Method) {
		named = strings.TrimSpace(r.PostFormValue("shop"))
	}
	if named != "" && !namesShop(shop, named) {
		return stockbell.Errorf(stockbell.ENOTFOUND, "Page not found.")
	}
	return nil
}

// namesShop reports whether key is the shop's domain, primary domain or
// public key.
func namesShop(shop *stockbell.Shop, key string) bool {
	if key == shop.PublicKey {
		return true
	}
	// A domain written with its default port (magento.example:443) is
	// the same domain without it.
	bare := func(d string) string {
		return stockbell.DomainWithoutDefaultPort(strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://"), "/")))
	}
	key = bare(key)
	return key == bare(shop.Domain) || (shop.PrimaryDomain != "" && key == bare(shop.PrimaryDomain))
}

func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// signOut ends the cookie session.
func (a *Admin) signOut(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	if a.EndedSessions != nil && !s.Embedded {
		if err := a.EndedSessions.EndAdminSession(r.Context(), s.hash(), s.Expires); err != nil {
			a.Fail(w, r, s, err)
			return
		}
	}
	a.sessions.end(w)
	a.Logger.Info("admin session ended", "shop_id", s.ShopID, "door", s.Door)
	if strings.HasPrefix(s.Door, callbackDoorPrefix) {
		// Inside the control panel's iframe: the sign-in page a redirect
		// led to would come without the cookie, and the frame would refuse
		// it. The signed-out page (no form) is answered here, framed by
		// the session's control panel.
		a.renderPublicIn(w, s, http.StatusOK, "signin", "Sign in", map[string]any{"SignedOut": true, "InControlPanel": true})
		return
	}
	http.Redirect(w, r, SignInPath+"?signed_out=1", http.StatusSeeOther)
}

// menu returns the menu items shown to the session.
func (a *Admin) menu(current string) []navView {
	var out []navView
	for _, item := range a.nav {
		if item.Development && !a.opts.Development {
			continue
		}
		out = append(out, navView{NavItem: item, Current: current == item.Path})
	}
	return out
}

// navView is a menu item as the layout shows it.
type navView struct {
	NavItem
	Current bool
}
