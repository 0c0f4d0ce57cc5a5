package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// rowQueryer is a transaction or the pool, as the job queue reads on it.
type rowQueryer = interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// jobReader is a queue that can read its jobs' arguments
// (jobs.Queue.ArgsTx) and the errors it recorded for a shop's jobs
// (jobs.Queue.ErrorTextsTx), on a transaction or the pool.
type jobReader interface {
	ArgsTx(ctx context.Context, tx rowQueryer, kind string, holds func(expr string) (string, []any),
		visit func(job int64, queuedAt time.Time, args []byte) error) error
	ErrorTextsTx(ctx context.Context, tx rowQueryer, shopID int64, holds func(expr string) (string, []any),
		unowned func(kind string, args []byte) (bool, error), visit func(job int64, kind string, attempt int, at time.Time, field, text string)) error
}

// storedTextsNaming returns the stored texts that name the contact,
// exactly those RedactContact empties or rewrites: the payloads and last
// errors of the shop's webhook receipts (receiptsNaming), then the
// payloads of its outbound webhook deliveries and the strings of the
// errors recorded for its jobs (jobTextsNaming), each bounded
// (storedText).
func storedTextsNaming(ctx context.Context, tx *Tx, shopID int64, needles []string) ([]*stockbell.StoredText, error) {
	texts := []*stockbell.StoredText{}
	for _, field := range []receiptField{receiptPayload, receiptLastError} {
		naming, err := receiptsNaming(ctx, tx, shopID, needles, field)
		if err != nil {
			return nil, err
		}
		for _, r := range naming {
			texts = append(texts, storedText(&stockbell.StoredText{Source: "webhook_receipt", ID: r.ID, Platform: r.Platform,
				Topic: r.Topic, Field: field.column, At: r.ReceivedAt.UTC()}, string(r.Text), needles))
		}
	}
	jobTexts, err := jobTextsNaming(ctx, tx, shopID, needles)
	if err != nil {
		return nil, err
	}
	return append(texts, jobTexts...), nil
}

// jobTextsNaming returns the job queue's texts of the shop that name
// the contact: the payloads of the outbound webhook deliveries that
// eraseFromWebhookDeliveries rewrites, then the strings of the jobs'
// recorded errors that eraseFromJobErrors rewrites (an attempt's error or
// trace).
func jobTextsNaming(ctx context.Context, tx *Tx, shopID int64, needles []string) ([]*stockbell.StoredText, error) {
	reader, ok := tx.db.Queue.(jobReader)
	if !ok {
		return nil, fmt.Errorf("store: the job queue cannot read a shop's jobs")
	}
	domain, err := shopDomain(ctx, tx, shopID)
	if err != nil {
		return nil, notFound(err, "shop %d not found", shopID)
	}
	texts := []*stockbell.StoredText{}
	delivery := stockbell.WebhookDeliveryJob{}.Kind()
	err = reader.ArgsTx(ctx, tx.queryer, delivery, searchIn(tx, needles), func(job int64, queuedAt time.Time, args []byte) error {
		_, names, err := eraseFromDelivery(args, shopID, domain, needles)
		if err != nil || !names {
			return err
		}
		var d stockbell.WebhookDeliveryJob
		if err := json.Unmarshal(args, &d); err != nil {
			return err
		}
		texts = append(texts, storedText(&stockbell.StoredText{Source: "job", ID: job, JobKind: delivery, Field: "payload", At: queuedAt},
			d.Payload, needles))
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = reader.ErrorTextsTx(ctx, tx.queryer, shopID, searchIn(tx, needles), unownedJobOf(domain),
		func(job int64, kind string, attempt int, at time.Time, field, text string) {
			if namesContact(text, needles) {
				texts = append(texts, storedText(&stockbell.StoredText{Source: "job", ID: job, JobKind: kind, Attempt: attempt,
					Field: field, At: at.UTC()}, text, needles))
			}
		})
	return texts, err
}

// excerptContext is how many bytes of a long text storedText keeps on
// either side of a mention: enough to show what the text is about.
const excerptContext = 512

// storedText completes a stored text with its text, bounded: whole up to
// MaxStoredTextBytes, else the passages around its mentions of the
// contact, joined by " … ", up to that bound, with Truncated set. The
// passages are what a reader needs to see how the contact is named; the
// rest of a long text (an order's lines, say) is about the shop.
func storedText(t *stockbell.StoredText, text string, needles []string) *stockbell.StoredText {
	t.StoredBytes = len(text)
	if len(text) <= stockbell.MaxStoredTextBytes {
		t.Text = text
		return t
	}
	t.Truncated = true
	var passages []string
	size := 0
	for _, s := range mentionWindows(text, needles) {
		passage := validUTF8(text[s[0]:s[1]])
		if size+len(passage) > stockbell.MaxStoredTextBytes {
			break
		}
		passages = append(passages, passage)
		size += len(passage) + len(" … ")
	}
	t.Text = strings.Join(passages, " … ")
	return t
}

// mentionWindows returns the byte ranges of text within excerptContext of
// a mention of one of the needles, merged where they meet, in order.
func mentionWindows(text string, needles []string) [][2]int {
	var spans [][2]int
	for _, n := range needles {
		spans = append(spans, contact.MentionSpans(text, n)...)
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var windows [][2]int
	for _, s := range spans {
		w := [2]int{max(0, s[0]-excerptContext), min(len(text), s[1]+excerptContext)}
		if last := len(windows) - 1; last >= 0 && w[0] <= windows[last][1] {
			windows[last][1] = max(windows[last][1], w[1])
			continue
		}
		windows = append(windows, w)
	}
	return windows
}

// validUTF8 drops the parts of characters a cut left at either end.
func validUTF8(s string) string {
	for len(s) > 0 {
		if r, size := utf8.DecodeRuneInString(s); r != utf8.RuneError || size != 1 {
			break
		}
		s = s[1:]
	}
	for len(s) > 0 {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}
