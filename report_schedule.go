package stockbell

import (
	"context"
	"encoding/json"
	"time"
)

// ReportKind names a report that can be emailed on a schedule.
type ReportKind string

// Scheduled reports.
const (
	// ReportActivity: the period's activity, with the activity CSV.
	ReportActivity ReportKind = "activity"
	// ReportQueuedSubscribers: who is waiting for what, with the CSV of
	// every queued subscriber.
	ReportQueuedSubscribers ReportKind = "queued_subscribers"
)

// ReportFrequency is how often a scheduled report is sent: once per day,
// week (Monday to Sunday) or calendar month of the shop's time zone, after
// the period ends.
type ReportFrequency string

// Report frequencies.
const (
	ReportDaily   ReportFrequency = "daily"
	ReportWeekly  ReportFrequency = "weekly"
	ReportMonthly ReportFrequency = "monthly"
)

// ReportSubscription is an email address that receives a report on a schedule.
type ReportSubscription struct {
	ID        int64           `db:"id" json:"id"`
	ShopID    int64           `db:"shop_id" json:"shop_id"`
	Email     string          `db:"email" json:"email"`
	Report    ReportKind      `db:"report" json:"report"`
	Frequency ReportFrequency `db:"frequency" json:"frequency"`
	// CreatedBy is who was recorded as adding it; read it through Maker.
	// Its JSON field created_by is Maker's: "" when no one named is
	// recorded, an old row's stored "you" included.
	CreatedBy string    `db:"created_by" json:"created_by"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	// TimeZone is the shop's report time zone (read with the subscription).
	TimeZone string `db:"time_zone" json:"-"`
}

// Maker names who added the report, "" when no one named is recorded:
// a session whose sign-in named no one records none, and reports added so
// before recorded "you" (AdminUser.Label's word for the one reading),
// which names no one to a colleague or to the report's recipient.
func (s *ReportSubscription) Maker() string {
	if s.CreatedBy == "you" {
		return ""
	}
	return s.CreatedBy
}

// MarshalJSON writes the subscription with created_by as Maker names it,
// so that what JSON says agrees with the admin's page and the email.
func (s ReportSubscription) MarshalJSON() ([]byte, error) {
	type fields ReportSubscription // the same fields without this method
	out := fields(s)
	out.CreatedBy = s.Maker()
	return json.Marshal(out)
}

// ReportSubscriptionCreate adds a scheduled report.
type ReportSubscriptionCreate struct {
	ShopID    int64
	Email     string
	Report    ReportKind
	Frequency ReportFrequency
	CreatedBy string
}

// Validate returns an EINVALID error naming the field that is wrong.
func (c *ReportSubscriptionCreate) Validate() error {
	if c.Report != ReportActivity && c.Report != ReportQueuedSubscribers {
		return FieldErrorf("report", "report must be activity or queued_subscribers, got %q.", c.Report)
	}
	return c.Frequency.Validate()
}

// Validate returns an EINVALID error naming the field frequency unless f
// is daily, weekly or monthly.
func (f ReportFrequency) Validate() error {
	if f != ReportDaily && f != ReportWeekly && f != ReportMonthly {
		return FieldErrorf("frequency", "frequency must be daily, weekly or monthly, got %q.", f)
	}
	return nil
}

// ReportDelivery is one scheduled report to send: a subscription and the
// period it covers, claimed once however many replicas look.
type ReportDelivery struct {
	ID           int64              `db:"id"`
	Subscription ReportSubscription `db:"subscription"`
	// PeriodStart and PeriodEnd are the period's first and last dates in
	// the shop's time zone (YYYY-MM-DD).
	PeriodStart string     `db:"period_start"`
	PeriodEnd   string     `db:"period_end"`
	CreatedAt   time.Time  `db:"created_at"`
	SentAt      *time.Time `db:"sent_at"`
}

// ScheduledReportsJob looks for scheduled reports whose period has ended
// (periodic).
type ScheduledReportsJob struct{}

// Kind implements JobArgs.
func (ScheduledReportsJob) Kind() string { return "scheduled_reports" }

// SendReportJob emails one claimed scheduled report.
type SendReportJob struct {
	// ShopID is the report's shop (0 in a job queued before jobs carried
	// their shop: see JobShop).
	ShopID     int64 `json:"shop_id,omitempty"`
	DeliveryID int64 `json:"delivery_id"`
}

// Kind implements JobArgs.
func (SendReportJob) Kind() string { return "send_report" }

// ReportScheduleService keeps scheduled reports. Every method but the
// scheduler's walk over all shops (EachReportSubscription) is scoped to a
// shop: another shop's subscription or delivery is not found.
type ReportScheduleService interface {
	JobShops
	// CreateReportSubscription adds the subscription, or returns the one
	// that exists for the same shop, address, report and frequency.
	// Returns EINVALID naming the field for a bad address, report or frequency.
	CreateReportSubscription(ctx context.Context, create ReportSubscriptionCreate) (*ReportSubscription, error)
	// FindReportSubscriptions lists the shop's subscriptions, oldest first.
	FindReportSubscriptions(ctx context.Context, shopID int64) ([]*ReportSubscription, error)
	// ChangeReportFrequency changes how often the shop's subscription is
	// sent, keeping it (its id, so its unsubscribe link, and the day it
	// was added). When the address already receives the same report at
	// that frequency, this subscription is removed instead and that one
	// returned. Returns EINVALID naming frequency for a bad one, ENOTFOUND
	// unless the subscription is the shop's.
	ChangeReportFrequency(ctx context.Context, shopID, id int64, frequency ReportFrequency) (*ReportSubscription, error)
	// DeleteReportSubscription removes one; ENOTFOUND unless it is the shop's.
	DeleteReportSubscription(ctx context.Context, shopID, id int64) error
	// EachReportSubscription calls fn with every subscription of every
	// installed shop, with the shop's time zone.
	EachReportSubscription(ctx context.Context, fn func(*ReportSubscription) error) error
	// ClaimReportPeriod records that the subscription's report for the
	// period is to be sent and inserts its SendReportJob, in one
	// transaction. It returns false, inserting nothing, when the period
	// was claimed before (by this replica or another). Returns ENOTFOUND
	// unless the subscription is the shop's.
	ClaimReportPeriod(ctx context.Context, shopID, subscriptionID int64, periodStart, periodEnd string) (bool, error)
	// FindReportDelivery returns the shop's claimed delivery with its
	// subscription; ENOTFOUND once the subscription is removed.
	FindReportDelivery(ctx context.Context, shopID, id int64) (*ReportDelivery, error)
	// MarkReportSent records that the shop's delivery was sent. Returns
	// ENOTFOUND.
	MarkReportSent(ctx context.Context, shopID, id int64) error
}
