package oauth

import (
	"bytes"
	"context"
	"errors"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ShopifyTokens = (*Shopify)(nil)

// RenewTimeout bounds a refresh or migration, the token request included,
// made while the shop's row is locked: under SQLite's default busy_timeout
// (5 s), so that the writers queued behind it are not refused. A request
// cut short after Shopify answered it is recovered by the next try:
// Shopify keeps the refresh token used valid until its replacement is
// used, and answers a retried migration with the same pair.
const RenewTimeout = 4 * time.Second

var errNoRefreshToken = errors.New("shopify token endpoint answered the migration without a refresh token")

// RefreshShopToken exchanges the refresh token of the shop's expiring
// access token for a new access token and refresh token (Shopify rotates
// both), under the shop's row lock (ShopService.RenewShopToken): when the
// stored token is no longer shop's, another caller (or replica) refreshed
// it, or the shop was uninstalled or installed again, and the shop is
// returned as stored without a request. Shopify's refusal is
// EUNAUTHORIZED, and nothing is stored.
func (s *Shopify) RefreshShopToken(ctx context.Context, shop *stockbell.Shop) (*stockbell.Shop, error) {
	ctx, cancel := context.WithTimeout(ctx, RenewTimeout)
	defer cancel()
	return s.Shops.RenewShopToken(ctx, shop.ID, func(current *stockbell.Shop) (*stockbell.ShopTokenRenewal, error) {
		if !holdsToken(current, shop) || !current.TokenExpiring() {
			return nil, nil
		}
		refresh, err := s.Sealer.Open(current.ID, current.SealedRefreshToken)
		if err != nil {
			return nil, err
		}
		token, err := s.exchange(ctx, current.Domain, map[string]string{
			"grant_type": "refresh_token", "refresh_token": string(refresh),
		})
		if err != nil {
			return nil, refusedRenewal("refresh", err)
		}
		s.Logger.InfoContext(ctx, "shopify access token refreshed", "shop", current.Domain, "shop_id", current.ID)
		return s.renewal(current.ID, token)
	})
}

// MigrateShopToken exchanges the shop's non-expiring offline token for an
// expiring one by token exchange (Shopify's migration: the old token is
// the subject token), under the shop's row lock as RefreshShopToken. A
// shop whose stored token already expires, or is no longer shop's, is
// returned as stored without a request. Shopify answers a retried
// exchange of the same token with the same pair for seven days, so an
// answer lost before it was stored is recovered by the next try.
func (s *Shopify) MigrateShopToken(ctx context.Context, shop *stockbell.Shop) (*stockbell.Shop, error) {
	ctx, cancel := context.WithTimeout(ctx, RenewTimeout)
	defer cancel()
	return s.Shops.RenewShopToken(ctx, shop.ID, func(current *stockbell.Shop) (*stockbell.ShopTokenRenewal, error) {
		if !holdsToken(current, shop) || current.TokenExpiring() {
			return nil, nil
		}
		old, err := s.Sealer.Open(current.ID, current.SealedToken)
		if err != nil {
			return nil, err
		}
		token, err := s.exchange(ctx, current.Domain, map[string]string{
			"grant_type":           "urn:ietf:params:oauth:grant-type:token-exchange",
			"subject_token":        string(old),
			"subject_token_type":   "urn:shopify:params:oauth:token-type:offline-access-token",
			"requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
		})
		if err != nil {
			return nil, refusedRenewal("exchange for an expiring one", err)
		}
		if token.RefreshToken == "" {
			return nil, upstream("Shopify", errNoRefreshToken)
		}
		s.Logger.InfoContext(ctx, "shopify non-expiring token exchanged for an expiring one", "shop", current.Domain, "shop_id", current.ID)
		return s.renewal(current.ID, token)
	})
}

// keepExpiring returns the installed shop with an expiring token: one
// holding a non-expiring token has it exchanged first. Only Shopify's
// refusal is an error: when Shopify cannot be reached the shop is
// returned as it is (the merchant's page is served; the migration job
// tries again).
func (s *Shopify) keepExpiring(ctx context.Context, shop *stockbell.Shop) (*stockbell.Shop, error) {
	if shop.TokenExpiring() {
		return shop, nil
	}
	migrated, err := s.MigrateShopToken(ctx, shop)
	if err != nil && stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		s.Logger.WarnContext(ctx, "the exchange of the shop's non-expiring token failed; tried again by the migration job",
			"shop", shop.Domain, "shop_id", shop.ID, "err", err)
		return shop, nil
	}
	return migrated, err
}

// holdsToken reports whether the stored shop is installed and still holds
// the access token the caller read.
func holdsToken(current, read *stockbell.Shop) bool {
	return current.Active() && len(current.SealedToken) > 0 && bytes.Equal(current.SealedToken, read.SealedToken)
}

// renewal seals a token endpoint's answer for the shop.
func (s *Shopify) renewal(shopID int64, token *accessToken) (*stockbell.ShopTokenRenewal, error) {
	sealed, err := s.Sealer.Seal(shopID, []byte(token.AccessToken))
	if err != nil {
		return nil, err
	}
	out := &stockbell.ShopTokenRenewal{SealedToken: sealed,
		TokenExpiresAt: token.expiresAt(token.ExpiresIn), RefreshTokenExpiresAt: token.expiresAt(token.RefreshTokenExpiresIn)}
	if token.RefreshToken != "" {
		if out.SealedRefreshToken, err = s.Sealer.Seal(shopID, []byte(token.RefreshToken)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// refusedRenewal names what Shopify refused in its EUNAUTHORIZED error,
// for the shop's sync log; other errors are returned as they are.
func refusedRenewal(what string, err error) error {
	if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		return err
	}
	return stockbell.Errorf(stockbell.EUNAUTHORIZED, "Shopify refused to %s the shop's access token: %s", what, stockbell.ErrorMessage(err))
}
