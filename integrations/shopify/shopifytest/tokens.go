package shopifytest

import (
	"encoding/json"
	"net/http"
	"time"
)

// offlineTokenType is the token type of an offline access token in a
// token exchange: the subject of a migration to an expiring token.
const offlineTokenType = "urn:shopify:params:oauth:token-type:offline-access-token"

// acceptsLocked reports whether the Admin API takes token for the shop:
// its current token, not expired by the fake's clock, and not a
// non-expiring one when RefuseNonExpiring is set.
func (f *Fake) acceptsLocked(s *Shop, token string) bool {
	switch {
	case s.Token == "" || token != s.Token:
		return false
	case s.TokenExpiresAt.IsZero():
		return !f.RefuseNonExpiring
	}
	return f.Clock.Now().Before(s.TokenExpiresAt)
}

// issueLocked gives the shop a new access token, expiring (with a refresh
// token) when asked, and returns the token endpoint's answer.
func (f *Fake) issueLocked(s *Shop, expiring bool) map[string]any {
	s.Token, s.TokenExpiresAt, s.RefreshToken, s.PreviousRefreshToken, s.MigratedFrom = "shpat_"+randomHex(16), time.Time{}, "", "", ""
	if !expiring {
		return map[string]any{"access_token": s.Token, "scope": s.Scope}
	}
	life, refreshLife := f.lifetimes()
	s.TokenExpiresAt = f.Clock.Now().Add(life)
	s.RefreshToken, s.RefreshTokenExpiresAt = "shprt_"+randomHex(16), f.Clock.Now().Add(refreshLife)
	return f.pairLocked(s)
}

// pairLocked is the answer naming the shop's current expiring pair.
func (f *Fake) pairLocked(s *Shop) map[string]any {
	now := f.Clock.Now()
	return map[string]any{"access_token": s.Token, "scope": s.Scope,
		"expires_in": int64(s.TokenExpiresAt.Sub(now).Seconds()), "refresh_token": s.RefreshToken,
		"refresh_token_expires_in": int64(s.RefreshTokenExpiresAt.Sub(now).Seconds())}
}

func (f *Fake) lifetimes() (time.Duration, time.Duration) {
	life, refreshLife := f.TokenLifetime, f.RefreshTokenLifetime
	if life == 0 {
		life = time.Hour
	}
	if refreshLife == 0 {
		refreshLife = 90 * 24 * time.Hour
	}
	return life, refreshLife
}

// renew answers a refresh grant (the refresh token rotates: the one used
// stays valid until its replacement is used) or a migration's token
// exchange (a non-expiring token for an expiring pair; retrying it with
// the same token answers the same pair until the pair is refreshed).
func (f *Fake) renew(w http.ResponseWriter, req tokenRequest, shop string) {
	f.mu.Lock()
	s := f.shopLocked(shop)
	answer, refusal := f.renewLocked(s, req)
	f.mu.Unlock()
	if refusal != "" {
		tokenFailure(w, http.StatusBadRequest, "invalid_grant", refusal)
		return
	}
	writeToken(w, answer)
}

func (f *Fake) renewLocked(s *Shop, req tokenRequest) (map[string]any, string) {
	now := f.Clock.Now()
	if req.GrantType != "refresh_token" {
		switch {
		case req.GrantType != "urn:ietf:params:oauth:grant-type:token-exchange" || req.RequestedTokenType != offlineTokenType || req.Expiring != "1":
			return nil, "A migration exchanges an offline token for an expiring offline token"
		case s.MigratedFrom != "" && req.SubjectToken == s.MigratedFrom:
			return f.pairLocked(s), ""
		case s.Token == "" || req.SubjectToken != s.Token || !s.TokenExpiresAt.IsZero():
			return nil, "The subject token is not a valid non-expiring offline token"
		}
		s.Migrations++
		answer := f.issueLocked(s, true)
		s.MigratedFrom = req.SubjectToken
		return answer, ""
	}
	switch {
	case req.RefreshToken == "" || now.After(s.RefreshTokenExpiresAt):
		s.RefusedRefreshes++
		return nil, "The refresh token is invalid or expired"
	case req.RefreshToken == s.RefreshToken:
		s.PreviousRefreshToken = req.RefreshToken // the one before is retired
	case req.RefreshToken == s.PreviousRefreshToken:
		// The replacement was never used: the answer was lost.
	default:
		s.RefusedRefreshes++
		return nil, "The refresh token is invalid or expired"
	}
	previous := s.PreviousRefreshToken
	s.Refreshes++
	answer := f.issueLocked(s, true)
	s.PreviousRefreshToken = previous
	return answer, ""
}

func writeToken(w http.ResponseWriter, answer map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}
