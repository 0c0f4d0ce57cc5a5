// Package report computes what Stockbell tells merchants: the back-in-stock
// activity of a shop per day in its time zone, the products shoppers wait
// for, reorder advice, conversions and recovered revenue; it writes the
// activity and the queued subscribers as CSV, streamed row by row, and
// emails scheduled reports.
//
// It sees storage, the job queue and the email sender only through the
// root package's interfaces (stockbell.ReportStore and the small interfaces
// declared here), so its rules run against any store.
package report
