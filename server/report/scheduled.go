package report

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ScheduleInterval is how often the periodic job looks for scheduled
// reports whose period has ended.
const ScheduleInterval = 15 * time.Minute

// MaxAttachmentBytes bounds the CSV attached to a scheduled report; a
// larger file is left out (its writing stops at this size) and the email
// says where to download it.
const MaxAttachmentBytes = 10 << 20

// ShopFinder finds a shop by id (stockbell.ShopService).
type ShopFinder interface {
	FindShopByID(ctx context.Context, id int64) (*stockbell.Shop, error)
}

// Scheduler emails scheduled reports. HandleScheduled (a periodic job)
// claims each subscription's latest ended period once, with its
// SendReportJob, through the store's unique claim, so replicas running it
// together send one email per period; HandleSend renders and sends it.
type Scheduler struct {
	Reports  *Reports
	Schedule stockbell.ReportScheduleService
	Shops    ShopFinder
	// Sender sends email (the channel sender: SMTP, or the development
	// sender in development).
	Sender stockbell.Sender
	Links  *Links
	Clock  stockbell.Clock
	Logger *slog.Logger
}

// HandleScheduled claims the latest ended period of every subscription
// created before that period ended. A subscription gone since it was
// listed (removed, or its shop erased) is passed over.
func (s *Scheduler) HandleScheduled(ctx context.Context, _ stockbell.ScheduledReportsJob) error {
	now := s.Clock.Now()
	claimed := 0
	err := s.Schedule.EachReportSubscription(ctx, func(sub *stockbell.ReportSubscription) error {
		loc, err := stockbell.LoadTimeZone(sub.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		from, to := LastPeriod(sub.Frequency, now, loc)
		if !sub.CreatedAt.Before(periodEnd(to, loc)) {
			return nil // subscribed after the period ended: the next one is its first
		}
		ok, err := s.Schedule.ClaimReportPeriod(ctx, sub.ShopID, sub.ID, from.Format(dateLayout), to.Format(dateLayout))
		if ok {
			claimed++
		}
		if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
			return nil
		}
		return err
	})
	if claimed > 0 {
		s.logger().InfoContext(ctx, "scheduled reports claimed", "count", claimed)
	}
	return err
}

// HandleSend emails one claimed report, unless it was sent already or its
// subscription was removed, or its shop erased, since: before or while it
// runs (ENOTFOUND ends it quietly). A permanent refusal (a bad address) is
// logged and not retried; any other failure is retried by the queue.
func (s *Scheduler) HandleSend(ctx context.Context, job stockbell.SendReportJob) error {
	err := s.send(ctx, job)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	}
	return err
}

// send is HandleSend, returning ENOTFOUND for what is gone.
func (s *Scheduler) send(ctx context.Context, job stockbell.SendReportJob) error {
	shopID, err := stockbell.JobShop(ctx, s.Schedule, job.ShopID, stockbell.JobRowReportDelivery, job.DeliveryID)
	var d *stockbell.ReportDelivery
	if err == nil {
		d, err = s.Schedule.FindReportDelivery(ctx, shopID, job.DeliveryID)
	}
	if err != nil || d.SentAt != nil {
		return err
	}
	if shop, err := s.Shops.FindShopByID(ctx, shopID); err != nil || !shop.Active() {
		return err // uninstalled since the period was claimed: its merchant is not written to
	}
	out, err := s.Compose(ctx, d)
	if err != nil {
		return err
	}
	if _, err := s.Sender.Send(ctx, *out); err != nil {
		if stockbell.ErrorCode(err) == stockbell.EINVALID {
			s.logger().WarnContext(ctx, "scheduled report refused", "delivery_id", d.ID, "err", err)
			return nil
		}
		return err
	}
	return s.Schedule.MarkReportSent(ctx, shopID, d.ID)
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Compose renders a delivery's email: a summary in the text and the HTML,
// the CSV attached, a link into the admin's Reports and the unsubscribe
// link in both parts and in List-Unsubscribe.
func (s *Scheduler) Compose(ctx context.Context, d *stockbell.ReportDelivery) (*stockbell.OutboundMessage, error) {
	sub := d.Subscription
	shop, err := s.Shops.FindShopByID(ctx, sub.ShopID)
	if err != nil {
		return nil, err
	}
	days, err := deliveryDays(d)
	if err != nil {
		return nil, err
	}
	body, file, err := s.content(ctx, sub, days)
	if err != nil {
		return nil, err
	}
	if sub.Report == stockbell.ReportActivity && !shop.SendsOrders() {
		body.Notes = append([]string{noOrdersNote(shop)}, body.Notes...)
	}
	email := s.email(shop, sub, days, body)
	out := &stockbell.OutboundMessage{ShopID: sub.ShopID, Channel: stockbell.ChannelEmail, To: sub.Email, FromName: "Stockbell",
		Subject: email.Subject, Text: email.text(), Reference: fmt.Sprintf("report.%d", d.ID),
		Headers: map[string]string{"List-Unsubscribe": "<" + email.UnsubscribeURL + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
	if out.HTML, err = email.html(); err != nil {
		return nil, err
	}
	if file != nil {
		fileName := fmt.Sprintf("stockbell-%s-%s.csv", sub.Report, days.From.Format(dateLayout))
		out.Attachments = []stockbell.Attachment{{Name: fileName, ContentType: "text/csv; charset=utf-8", Data: file}}
	}
	return out, nil
}

// email is a report's email around its body: the subject, the link into
// the admin's Reports (for the activity, on the report's days), and who
// asked for it.
func (s *Scheduler) email(shop *stockbell.Shop, sub stockbell.ReportSubscription, days Days, body *reportBody) *reportEmail {
	name := shop.Name
	if name == "" {
		name = shop.Domain
	}
	who := sub.Maker()
	if who == "" {
		who = "someone with access"
	}
	freq := periodFrequency(days)
	e := &reportEmail{Body: body, UnsubscribeURL: s.Links.UnsubscribeURL(&sub),
		Subject: fmt.Sprintf("%s %s report for %s: %s", frequencyTitle(freq), reportTitle(sub.Report), name, periodLabel(days)),
		Why: fmt.Sprintf("You receive this %s report because %s asked for it in the Stockbell admin of %s.", freq, who, name) +
			frequencyChange(freq, sub.Frequency),
		AdminLabel: "See these days in Reports in the Stockbell admin", AdminURL: s.Links.ShopReportsURL(shop, &days)}
	if sub.Report == stockbell.ReportQueuedSubscribers {
		e.Subject = fmt.Sprintf("%s %s report for %s, as of %s", frequencyTitle(freq), reportTitle(sub.Report), name, body.AsOf)
		e.AdminLabel, e.AdminURL = "See who is waiting in Reports in the Stockbell admin", s.Links.ShopReportsURL(shop, nil)
	}
	return e
}

// frequencyChange tells, in an email covering a period of the frequency
// it was claimed at, how often the report comes now when that changed
// since; nothing otherwise.
func frequencyChange(claimed, now stockbell.ReportFrequency) string {
	if claimed == now {
		return ""
	}
	return fmt.Sprintf(" From now on it is sent %s.", now)
}

// deliveryDays reads a delivery's period.
func deliveryDays(d *stockbell.ReportDelivery) (Days, error) {
	from, err := time.Parse(dateLayout, d.PeriodStart)
	if err != nil {
		return Days{}, err
	}
	to, err := time.Parse(dateLayout, d.PeriodEnd)
	return Days{From: from, To: to}, err
}
