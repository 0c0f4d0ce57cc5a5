package main

import (
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/report"
)

// wireReports builds the reports (read by the admin's Reports page and the
// JSON admin API) and the scheduled report emails: the periodic job that
// claims each ended period once, and the job that sends it through
// delivery's email sender.
func (m *Main) wireReports(workers *jobs.Workers, d *delivery.Delivery) (*report.Reports, *report.Links) {
	clock := stockbell.SystemClock{}
	reports := &report.Reports{Store: m.DB, Settings: m.DB, Demand: m.DB, Shops: m.DB, Clock: clock}
	links := reportLinks(m.Config)
	scheduler := &report.Scheduler{Reports: reports, Schedule: m.DB, Shops: m.DB, Sender: d.Sender, Links: links, Clock: clock,
		Logger: m.Logger.With("component", "reports")}
	jobs.Handle(workers, scheduler.HandleScheduled, 0)
	jobs.Handle(workers, scheduler.HandleSend, 0)
	jobs.Every(workers, report.ScheduleInterval, func() stockbell.JobArgs { return stockbell.ScheduledReportsJob{} })
	return reports, links
}

// reportLinks signs the scheduled reports' unsubscribe links and writes
// their links into the admin where each shop's merchant signs in
// (platformApps).
func reportLinks(cfg *Config) *report.Links {
	return &report.Links{Key: cfg.SubKey("report links", 32), PreviousKeys: cfg.PreviousSubKeys("report links", 32),
		PublicURL: cfg.PublicURL, Apps: platformApps(cfg)}
}
