package stockbell

import (
	"context"
	"time"
)

// ActivityDay is one UTC day of a shop's back-in-stock activity.
type ActivityDay struct {
	Day time.Time // midnight UTC
	// Subscribed counts new subscriptions, Notified subscribers claimed by
	// a batch, Clicked clicks on the links of sent messages.
	Subscribed int
	Notified   int
	Clicked    int
	// Restocks counts variants that came back from sold out (stock from
	// zero or less to more than zero); Batches the notification batches
	// started, follow-ups after a waiting period included.
	Restocks int
	Batches  int
}

// ActivityService summarises a shop's activity for the admin's dashboard.
type ActivityService interface {
	// DailyActivity returns one ActivityDay per UTC day from since's day
	// through until's day, oldest first, days without activity included.
	// Returns EINVALID when until is before since or the range exceeds 366 days.
	DailyActivity(ctx context.Context, shopID int64, since, until time.Time) ([]ActivityDay, error)
}
