package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// inviteLimit bounds the invitations one shop sends (per replica).
var inviteLimit = RateLimit{Events: 20, Per: 24 * time.Hour}

// inviteEmail is the invitation's HTML body.
var inviteEmail = template.Must(template.New("invite").Parse(`<!doctype html>
<html lang="en"><body style="font-family:system-ui,sans-serif;color:#1b1b1f;max-width:32rem;margin:0 auto;padding:1rem">
<p>{{.From}} invites you to the Stockbell admin of <strong>{{.Shop}}</strong>, where back-in-stock alerts are managed.</p>
<p><a href="{{.URL}}" style="display:inline-block;background:#0b57d0;color:#fff;padding:.6rem 1rem;border-radius:6px;text-decoration:none">Sign in to Stockbell</a></p>
<p style="color:#52525b">The link works once, within {{.Lifetime}}. Ask for a new one if it expired.</p>
</body></html>`))

// errShopifyStaffInvite refuses an invitation to a Shopify shop's admin:
// its staff open the app from the Shopify admin, signed in by Shopify, and
// a one-time link would open it outside Shopify instead.
var errShopifyStaffInvite = stockbell.Errorf(stockbell.EFORBIDDEN, "Staff of a Shopify store are not invited by email: "+
	"the store's owner adds them in the Shopify admin's Settings › Users and, in their permissions, gives them Stockbell among the apps; "+
	"they then open Stockbell under Apps in their Shopify admin, signed in as themselves.")

// inviteStaff emails a one-time sign-in link to the shop's admin, the same
// kind of link `stockbell admin link` prints, made for that address. A
// Shopify shop's staff are not invited so (errShopifyStaffInvite).
func (a *Admin) inviteStaff(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	if s.Shop != nil && s.Shop.Platform == stockbell.PlatformShopify {
		a.refuseInvitation(w, r, s, errShopifyStaffInvite)
		return
	}
	email, err := contact.NormalizeEmail(r.PostFormValue("email"))
	if err == nil && !a.inviteLimiter.Allow(strconv.FormatInt(s.ShopID, 10), a.Clock.Now()) {
		err = stockbell.Errorf(stockbell.ERATELIMITED, "Twenty invitations a day at most: try again tomorrow.")
	}
	var token string
	if err == nil {
		token, _, err = a.SignInLinks.CreateSignInLink(r.Context(), stockbell.SignInLinkCreate{ShopID: s.ShopID, Email: email})
	}
	if err == nil {
		_, err = a.Sender.Send(r.Context(), a.invitation(s, email, SignInURL(a.opts.PublicURL, token)))
	}
	if code := stockbell.ErrorCode(err); code == stockbell.EINVALID || code == stockbell.ERATELIMITED {
		a.refuseInvitation(w, r, s, err)
		return
	}
	if err != nil {
		a.Logger.Info("invitation not sent", "shop_id", s.ShopID, "err", err)
		a.Redirect(w, r, s, "/admin/settings", "notice", "invite_failed")
		return
	}
	a.Logger.Info("staff invited", "shop_id", s.ShopID, "by", sessionDecider(s).Label())
	a.Redirect(w, r, s, "/admin/settings", "notice", "invite_sent")
}

// refuseInvitation shows the settings page again with the reason an
// invitation was refused (an address that is not one, the day's limit
// reached) beside the address field, which keeps what was typed; for a
// Shopify shop, whose page has no such field, in the invite section.
func (a *Admin) refuseInvitation(w http.ResponseWriter, r *http.Request, s *AdminSession, refusal error) {
	current, err := a.Settings.FindSettings(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	form := settingsFormOf(current)
	form.InviteEmail, form.InviteError = r.PostFormValue("email"), stockbell.ErrorMessage(refusal)
	a.Render(w, r, s, statusOf(refusal, nil), "settings", "Settings", &form)
}

// invitation is the email carrying a sign-in link.
func (a *Admin) invitation(s *AdminSession, to, link string) stockbell.OutboundMessage {
	shop := s.Shop.Name
	if shop == "" {
		shop = s.Shop.Domain
	}
	from := s.User.Label()
	if from == "you" {
		from = "A colleague"
	}
	lifetime := stockbell.DurationWords(stockbell.SignInLinkTTL)
	var html bytes.Buffer
	inviteEmail.Execute(&html, map[string]any{"From": from, "Shop": shop, "URL": link, "Lifetime": lifetime})
	text := strings.Join([]string{from + " invites you to the Stockbell admin of " + shop + ".", "",
		"Sign in: " + link, "", "The link works once, within " + lifetime + "."}, "\n")
	return stockbell.OutboundMessage{ShopID: s.ShopID, Channel: stockbell.ChannelEmail, To: to, FromName: "Stockbell",
		Subject: "Sign in to Stockbell for " + shop, Text: text, HTML: html.String()}
}
