package web

import (
	"crypto/subtle"
	"html/template"
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// CSRFField is the form field that carries a cookie session's CSRF token;
// in-page requests may send it as the X-CSRF-Token header instead.
const CSRFField = "csrf_token"

// maxAdminForm bounds the body of an admin form (flow texts included).
const maxAdminForm = 1 << 20

// checkCSRF refuses a state-changing request of a cookie session that does
// not carry the session's CSRF token. A request authenticated by a Shopify
// session token needs none: another site cannot obtain one.
func (a *Admin) checkCSRF(w http.ResponseWriter, r *http.Request, s *AdminSession) error {
	if s.Door == DoorShopify && s.IDToken != "" {
		return nil
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	if !ValidCSRF(s, got) {
		a.Logger.Warn("admin request refused: CSRF token missing or wrong", "shop_id", s.ShopID, "path", r.URL.Path)
		return stockbell.Errorf(stockbell.EFORBIDDEN, "This form expired or did not come from Stockbell. Reload the page and try again.")
	}
	return nil
}

// ValidCSRF reports whether token is the session's CSRF token, in
// constant time.
func ValidCSRF(s *AdminSession, token string) bool {
	return s != nil && s.CSRF != "" && token != "" && subtle.ConstantTimeCompare([]byte(s.CSRF), []byte(token)) == 1
}

// CSRFInput is the hidden input a form of the session needs; templates
// print it with {{csrf}}.
func CSRFInput(s *AdminSession) template.HTML {
	if s == nil || s.CSRF == "" {
		return ""
	}
	return template.HTML(`<input type="hidden" name="` + CSRFField + `" value="` + template.HTMLEscapeString(s.CSRF) + `">`)
}

// parseAdminForm reads a form body of at most maxAdminForm bytes.
func parseAdminForm(w http.ResponseWriter, r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAdminForm)
	if err := r.ParseForm(); err != nil {
		return stockbell.Errorf(stockbell.EINVALID, "The form could not be read (it may be over 1 MB).")
	}
	return nil
}
