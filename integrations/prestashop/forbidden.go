package prestashop

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// Webservice error codes (classes/webservice/WebserviceRequest.php) of a
// key PrestaShop accepts but that may not make the request. PrestaShop
// answers the first two 401, as it answers a key it does not accept
// (codes 16 to 20: none, empty, malformed, unknown or disabled), so only
// the code tells them apart.
const (
	codeKeyWithoutPermission = 21  // 401 "No permission for this authentication key"
	codeResourceNotAllowed   = 26  // 401 "Resource of type "…" is not allowed with this authentication key"
	codeMethodNotAllowed     = 25  // 405 "Method GET is not allowed for the resource … with this authentication key"
	codeNotOnThisShop        = 132 // 403 "No permission for this key on this shop"
	// codeWebserviceDisabled is the answer to every request, before the
	// key is looked at, while the merchant has the webservice switched
	// off (WebserviceRequest::isActivated).
	codeWebserviceDisabled = 22 // 503 "The PrestaShop webservice is disabled. …"
)

// webserviceDisabled reports whether apiErr is the webservice switched off
// in the back office: a 503 that lasts until the merchant switches it on,
// unlike a shop under load.
func webserviceDisabled(apiErr *APIError) bool {
	return apiErr.Status == http.StatusServiceUnavailable && apiErr.Code == codeWebserviceDisabled
}

// disabled is the EFORBIDDEN error of a request the webservice refused
// because it is switched off: the shop refuses every request until the
// merchant switches it on, as it refuses a request the key may not make.
func disabled(apiErr *APIError) error {
	return stockbell.Errorf(stockbell.EFORBIDDEN, "PrestaShop's webservice is switched off (%d, code %d: %s). "+
		"In the back office, open Advanced Parameters › Webservice, set Enable PrestaShop's webservice to Yes and save; it applies at once. "+
		"Stockbell stays connected: reconciliation reads the shop again every 15 minutes and the daily catalog sync its whole catalog "+
		"(connecting the shop again from the module reads it at once).", apiErr.Status, apiErr.Code, apiErr.Message)
}

// keyLacksPermission reports whether the webservice accepted the key but
// refused it this request: one of the codes above, or any 403 (a firewall
// in front of the shop answers so too).
func keyLacksPermission(apiErr *APIError) bool {
	return apiErr.Status == http.StatusForbidden || (apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusMethodNotAllowed) &&
		slices.Contains([]int{codeKeyWithoutPermission, codeResourceNotAllowed, codeMethodNotAllowed}, apiErr.Code)
}

// forbidden is the EFORBIDDEN error of a GET of resource the key may not
// make: it names the request, PrestaShop's words and what to change. The
// key's permissions and shops apply at once, with the same key.
func forbidden(resource string, apiErr *APIError) error {
	return stockbell.Errorf(stockbell.EFORBIDDEN, "PrestaShop refused GET /api/%s (%d, code %d: %s): Stockbell's webservice key may not make this request. "+
		"In the back office, open Advanced Parameters › Webservice and %s; it applies at once. Stockbell stays connected: "+
		"reconciliation reads the shop again every 15 minutes and the daily catalog sync its whole catalog (connecting the shop again from the module reads it at once).",
		resource, apiErr.Status, apiErr.Code, apiErr.Message, permissionFix(apiErr))
}

// permissionFix says what to change in Advanced Parameters › Webservice
// for a request refused with apiErr.
func permissionFix(apiErr *APIError) string {
	switch {
	case apiErr.Code == codeNotOnThisShop:
		return "edit Stockbell's key and tick this shop under Shop association"
	case apiErr.Status == http.StatusForbidden:
		return "check that Stockbell's key is enabled for this shop, and that no firewall in front of the shop blocks Stockbell's requests to /api/"
	}
	return "edit Stockbell's key and tick View (GET) for " + strings.Join(RequiredResources, ", ")
}

// webServerPassword reports whether apiErr is a 401 without PrestaShop's
// error (which always carries a code): the web server in front of
// PrestaShop asked for a password of its own (an .htpasswd protecting a
// staging shop) and PrestaShop never saw the key.
func webServerPassword(apiErr *APIError) bool {
	return apiErr.Status == http.StatusUnauthorized && apiErr.Code == 0
}

// webServerRefusal is the EFORBIDDEN error of a request the web server in
// front of the shop at base refused with a password of its own
// (challenge is its WWW-Authenticate): no webservice key gets through it.
func webServerRefusal(base, challenge string) error {
	realm := ""
	if _, r, ok := strings.Cut(challenge, `realm="`); ok {
		realm, _, _ = strings.Cut(r, `"`)
		realm = fmt.Sprintf(" (realm %q)", realm)
	}
	return stockbell.Errorf(stockbell.EFORBIDDEN, "the web server of %s asks for a password of its own%s before PrestaShop sees the webservice key "+
		"(401 without PrestaShop's error): no key gets through it; let requests to %s/api/ through that protection, then connect again", base, realm, base)
}
