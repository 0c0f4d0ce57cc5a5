// Package oauth does the protocol work of the platforms' installs: it
// verifies what a platform signs (redirect HMACs, session tokens), builds
// authorize URLs, exchanges authorization codes and session tokens for
// access tokens, seals the tokens at rest (AES-GCM) and records the shop,
// with its follow-up jobs, through stockbell.ShopService. Each install is a
// set of plain steps; the server's web layer serves the routes, keeps the
// state cookie and answers. The package never imports another adapter.
package oauth

import (
	"fmt"

	stockbell "github.com/stockbell/stockbell"
)

// upstream wraps a failure to reach a platform (network, 5xx) in an
// EUPSTREAM error the merchant may read; the cause stays in the chain for
// the logs.
func upstream(platform string, cause error) error {
	return fmt.Errorf("%w: %w", stockbell.Errorf(stockbell.EUPSTREAM,
		"%s could not be reached or answered with an error. Please try again in a minute.", platform), cause)
}
