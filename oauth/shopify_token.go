package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	stockbell "github.com/stockbell/stockbell"
)

// accessToken is Shopify's answer from /admin/oauth/access_token. An
// expiring offline token (asked for with expiring=1) comes with its
// lifetime and a refresh token with its own, in seconds.
type accessToken struct {
	AccessToken           string `json:"access_token"`
	Scope                 string `json:"scope"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	// receivedAt is when the answer arrived, by Stockbell's clock: the
	// lifetimes count from it.
	receivedAt time.Time
}

// expiresAt is when a lifetime of seconds counted from the answer's
// arrival ends; zero for none.
func (t *accessToken) expiresAt(seconds int64) time.Time {
	if seconds <= 0 {
		return time.Time{}
	}
	return t.receivedAt.Add(time.Duration(seconds) * time.Second)
}

// expiry is what the token is stored with: for an expiring token, its
// refresh token sealed for the shop and both expiries.
func (t *accessToken) expiry(sealer stockbell.TokenSealer) stockbell.TokenExpiry {
	if t.RefreshToken == "" {
		return stockbell.TokenExpiry{}
	}
	return stockbell.TokenExpiry{SealRefresh: stockbell.SealToken(sealer, t.RefreshToken),
		TokenExpiresAt: t.expiresAt(t.ExpiresIn), RefreshTokenExpiresAt: t.expiresAt(t.RefreshTokenExpiresIn)}
}

// tokenError is Shopify's OAuth error body.
type tokenError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// exchange posts body as JSON to the shop's token endpoint with the app's
// credentials, asking for an expiring offline token (expiring=1: Shopify
// refuses non-expiring ones from January 1, 2027). A 4xx answer is
// EUNAUTHORIZED (Shopify refused the code, session token or refresh
// token); a network failure or 5xx is EUPSTREAM.
func (s *Shopify) exchange(ctx context.Context, shop string, body map[string]string) (*accessToken, error) {
	base, err := s.Config.AdminBase(shop)
	if err != nil {
		return nil, err
	}
	body["client_id"], body["client_secret"], body["expiring"] = s.Config.APIKey, s.Config.APISecret, "1"
	payload, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/admin/oauth/access_token", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return nil, upstream("Shopify", fmt.Errorf("shopify token endpoint: %w", err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, upstream("Shopify", fmt.Errorf("shopify token endpoint: %w", err))
	}
	token, err := decodeToken(resp.StatusCode, raw)
	if err != nil {
		return nil, err
	}
	token.receivedAt = s.Clock.Now()
	return token, nil
}

// decodeToken reads the token endpoint's answer. Its errors never carry
// the body, which may hold a token (an answer cut short, a proxy echoing
// the request): only the status, and for a refusal OAuth's error code and
// a description that holds nothing token-like.
func decodeToken(status int, raw []byte) (*accessToken, error) {
	switch {
	case status >= 500:
		return nil, upstream("Shopify", fmt.Errorf("shopify token endpoint answered %d (%d bytes not shown)", status, len(raw)))
	case status >= 400:
		var te tokenError
		json.Unmarshal(raw, &te)
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Shopify refused the authorization (%d %s%s).", status,
			safeOAuthCode(te.Error), safeDescription(te.Description))
	case status != http.StatusOK:
		return nil, upstream("Shopify", fmt.Errorf("shopify token endpoint answered %d", status))
	}
	var token accessToken
	if err := json.Unmarshal(raw, &token); err != nil || token.AccessToken == "" {
		return nil, upstream("Shopify", fmt.Errorf("shopify token endpoint answered 200 without an access token (%d bytes not shown)", len(raw)))
	}
	return &token, nil
}

// safeOAuthCode keeps an OAuth error code (RFC 6749: a short word of
// letters and underscores) and drops anything else.
func safeOAuthCode(code string) string {
	if len(code) == 0 || len(code) > 40 || strings.ContainsFunc(code, func(r rune) bool { return (r < 'a' || r > 'z') && r != '_' }) {
		return "error"
	}
	return code
}

// safeDescription returns ": description" when it reads as prose: at most
// 200 characters, no run of 16 letters or digits without a space (a token
// or secret).
func safeDescription(d string) string {
	if d == "" || len(d) > 200 {
		return ""
	}
	run := 0
	for _, r := range d {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' {
			if run++; run >= 16 {
				return ""
			}
		} else {
			run = 0
		}
	}
	return ": " + d
}

// tokenEndpointClient is the HTTP client of token endpoints: 15 s per
// exchange, and no redirect followed. Go follows a 307 or 308 with the
// same body, which holds the app's client secret and the merchant's code;
// a redirect is answered as the failure it is.
func tokenEndpointClient() *http.Client {
	return &http.Client{Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
