package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// accessToken is Shopify's answer from /admin/oauth/access_token.
type accessToken struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
}

// tokenError is Shopify's OAuth error body.
type tokenError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// exchange posts body as JSON to the shop's token endpoint. A 4xx answer
// is EUNAUTHORIZED (Shopify refused the code or session token); a network
// failure or 5xx is EUPSTREAM.
func (s *Shopify) exchange(ctx context.Context, shop string, body map[string]string) (*accessToken, error) {
	base, err := s.Config.AdminBase(shop)
	if err != nil {
		return nil, err
	}
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
	return decodeToken(resp.StatusCode, raw)
}

func decodeToken(status int, raw []byte) (*accessToken, error) {
	switch {
	case status >= 500:
		return nil, upstream("Shopify", fmt.Errorf("shopify token endpoint answered %d: %.200s", status, raw))
	case status >= 400:
		var te tokenError
		json.Unmarshal(raw, &te)
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Shopify refused the authorization (%d %s: %s).", status, te.Error, te.Description)
	case status != http.StatusOK:
		return nil, upstream("Shopify", fmt.Errorf("shopify token endpoint answered %d", status))
	}
	var token accessToken
	if err := json.Unmarshal(raw, &token); err != nil || token.AccessToken == "" {
		return nil, upstream("Shopify", fmt.Errorf("shopify token endpoint answered without an access token: %.200s", raw))
	}
	return &token, nil
}
