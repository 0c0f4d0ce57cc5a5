package bigcommercetest

import (
	"fmt"
	"net/url"
	"strings"
)

// AppID is the app's id in the fake's control panels
// (STOCKBELL_BIGCOMMERCE_APP_ID): their pages of the app are
// https://store-{hash}.mybigcommerce.com/manage/app/42.
const AppID = "42"

// OpenAppLink plays a store's control panel opening a link into the app
// from outside BigCommerce (https://store-{hash}.mybigcommerce.com/manage/app/{app
// id}/{path}?{query}), its user signed in to the store: it returns the
// load callback (loadURL) the control panel shows in the app's frame,
// with a genuine signed_payload_jwt for the store and user whose url is
// the link's path after the app's id with its query (the deep link). A
// link that is not into this app's page of a store is an error, as the
// control panel shows another app or no app for it.
func (f *Fake) OpenAppLink(link, loadURL string, user User) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	hash, isStore := strings.CutSuffix(strings.TrimPrefix(u.Host, "store-"), ".mybigcommerce.com")
	page, isApp := strings.CutPrefix(u.EscapedPath(), "/manage/app/"+AppID)
	if u.Scheme != "https" || !isStore || !strings.HasPrefix(u.Host, "store-") || !isApp || (page != "" && page[0] != '/') {
		return "", fmt.Errorf("%s is not a link into app %s in a store's control panel", link, AppID)
	}
	if page == "" {
		page = "/"
	}
	if u.RawQuery != "" {
		page += "?" + u.RawQuery
	}
	claims := f.Claims(hash, user)
	claims["url"] = page
	return loadURL + "?" + url.Values{"signed_payload_jwt": {SignJWT(claims, f.ClientSecret)}}.Encode(), nil
}
