package stockbell

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrListedNothing is what a sweep returns, having marked nothing, when
// a complete listing named no product while the shop holds products the
// sweep would mark (GuardSweep).
var ErrListedNothing = errors.New("the complete listing named no product")

// GuardSweep is the rule every sweep of a complete listing (a platform's
// catalog sync, a feed) obeys before it marks anything: a listing that
// named no product while vanishing stored products would be marked is
// ErrListedNothing, and marks nothing. An empty answer is far likelier a
// platform's glitch, an API user whose permissions were narrowed, or a
// feed answering an empty document than a shop that removed everything,
// and wrongly marking a whole catalog leaves every waiting shopper's
// variant notifying no one. A listing that names even one product is
// swept as usual, however much vanished: a merchant removes a season's
// products at once, and a shop that removed everything is swept by the
// first listing that names a product again. An empty listing of a shop
// holding nothing is no failure.
func GuardSweep(listed, vanishing int) error {
	if listed == 0 && vanishing > 0 {
		return ErrListedNothing
	}
	return nil
}

// SweepFailure is the sync log's reason, in the merchant's words, for a
// sweep of the shop's products on platform that ended in err: the same
// words on every platform.
func SweepFailure(platform Platform, err error) string {
	switch {
	case errors.Is(err, ErrListedNothing) && platform == PlatformFeed:
		return "The catalog feed listed no item with an id, so none of the items Stockbell holds for this shop was unpublished: " +
			"their shoppers stay subscribed. If you removed every item, the first sync that lists an item again " +
			"unpublishes the others. If you did not, check what the feed's address answers."
	case errors.Is(err, ErrListedNothing):
		return fmt.Sprintf("%[1]s listed no products, so none of the products Stockbell holds for this shop was marked deleted: "+
			"their shoppers stay subscribed. If you removed every product, the first catalog sync that lists a product again "+
			"marks the others deleted. If you did not, check that the products are still in %[1]s and what the app may read there.",
			platform.Name())
	}
	return fmt.Sprintf("The products %s listed were updated, but those it no longer lists could not be marked deleted: %s "+
		"The sync is tried again.", platform.Name(), ErrorMessage(err))
}

// RecordSweepFailure records in the shop's sync log, as a failed sync
// ended at now, a complete catalog sync whose sweep
// (DeleteVanishedProducts) returned err, and returns what its job
// returns: for ErrListedNothing, only the error of recording it (the
// listing was read; retrying would read the same); otherwise err (the
// job retries the sync), joined with any error of recording it.
func RecordSweepFailure(ctx context.Context, log SyncLogService, logger *slog.Logger, shop *Shop, report SyncReport, now time.Time, err error) error {
	logger.WarnContext(ctx, "a catalog sync did not finish marking deleted what it no longer lists", "platform", shop.Platform, "shop", shop.Domain,
		"source", report.Source, "err", err)
	report.Failure, report.FinishedAt = SweepFailure(shop.Platform, err), now
	recorded := log.RecordSync(ctx, report)
	if errors.Is(err, ErrListedNothing) {
		return recorded
	}
	return errors.Join(fmt.Errorf("catalog sync of %s: %w", shop.Domain, err), recorded)
}
