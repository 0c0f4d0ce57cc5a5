package shopify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// AnswerRetention is how long FileDataRequests keeps an answer to a data
// request after writing it: the 30 days Shopify gives the merchant to pass
// the data on to the customer. The merchant collects it meanwhile; a
// request Shopify sends again is answered afresh.
const AnswerRetention = 30 * 24 * time.Hour

// Expire handles an ExpireDataRequestsJob: it deletes the answers written
// (last modified) more than AnswerRetention ago, and the shops' directories
// left empty. It sees only this server's directory: with several replicas,
// each answer stays on the replica that wrote it (see docs/shopify.md).
func (f *FileDataRequests) Expire(ctx context.Context, _ stockbell.ExpireDataRequestsJob) error {
	cutoff := f.now().Add(-AnswerRetention)
	shops, err := os.ReadDir(f.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("expire data requests: %w", err)
	}
	deleted := 0
	for _, shop := range shops {
		if !shop.IsDir() {
			continue
		}
		n, err := expireShopAnswers(filepath.Join(f.Dir, shop.Name()), cutoff)
		deleted += n
		if err != nil {
			return fmt.Errorf("expire data requests: %w", err)
		}
	}
	if deleted > 0 {
		f.Logger.InfoContext(ctx, "expired customer data request answers deleted", "count", deleted, "written_before", cutoff)
	}
	return nil
}

// expireShopAnswers deletes a shop's answers written before cutoff, and
// the directory when that leaves it empty. It returns how many it deleted.
func expireShopAnswers(dir string, cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	deleted := 0
	for _, entry := range entries {
		info, err := entry.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // erased meanwhile
		}
		if err != nil {
			return deleted, err
		}
		if !entry.Type().IsRegular() || filepath.Ext(entry.Name()) != ".json" || !info.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, entry.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return deleted, err
		}
		deleted++
	}
	if deleted == len(entries) {
		// Fails, and the directory stays, when an answer was written
		// meanwhile; an answer being written then fails and its webhook is
		// processed again.
		_ = os.Remove(dir)
	}
	return deleted, nil
}

func (f *FileDataRequests) now() time.Time {
	if f.Clock == nil {
		return time.Now()
	}
	return f.Clock.Now()
}
