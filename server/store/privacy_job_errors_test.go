package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// attemptError is an error River recorded for one attempt of a job.
type attemptError struct {
	At      time.Time `json:"at"`
	Attempt int       `json:"attempt"`
	Error   string    `json:"error"`
	Trace   string    `json:"trace"`
}

// queueFailedJob inserts a job, puts it in the state and records the
// errors of its attempts as River does.
func queueFailedJob(t *testing.T, db *store.DB, args stockbell.JobArgs, state string, errs ...attemptError) int64 {
	t.Helper()
	queueJob(t, db, args, nil, state, "")
	var id int64
	must(t, db.DB.GetContext(ctx, &id, `SELECT MAX(id) FROM river_job`))
	set, values := `jsonb(?)`, []any{}
	whole, err := json.Marshal(errs)
	must(t, err)
	values = append(values, string(whole))
	if db.Dialect == store.Postgres {
		marks := make([]string, len(errs))
		values = values[:0]
		for i, e := range errs {
			one, err := json.Marshal(e)
			must(t, err)
			marks[i], values = "?::jsonb", append(values, string(one))
		}
		set = `ARRAY[` + strings.Join(marks, ", ") + `]`
	}
	_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE river_job SET attempt = ?, errors = `+set+` WHERE id = ?`),
		append(append([]any{len(errs)}, values...), id)...)
	must(t, err)
	return id
}

// jobErrors reads the errors recorded for a job.
func jobErrors(t *testing.T, db *store.DB, id int64) []attemptError {
	t.Helper()
	query := `SELECT json(errors) FROM river_job WHERE id = ?`
	if db.Dialect == store.Postgres {
		query = `SELECT array_to_json(errors)::text FROM river_job WHERE id = ?`
	}
	var text string
	must(t, db.DB.GetContext(ctx, &text, db.DB.Rebind(query), id))
	var out []attemptError
	must(t, json.Unmarshal([]byte(text), &out))
	return out
}

// TestRedactContactErasesJobErrors: River keeps the errors of a job's
// attempts as long as it keeps the job, and a mail server's refusal or an
// SMS provider's error names the recipient. Erasing Ann replaces her
// address and number in the recorded errors (and traces) of every job of
// her shop, whatever its kind and state, leaving each attempt recorded
// with the rest of its text; Joann's address and number, and another
// shop's jobs, are untouched. A webhook receipt's last processing error
// loses her the same way.
func TestRedactContactErasesJobErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		attempt := func(n int, text string) attemptError {
			return attemptError{At: at.Add(time.Duration(n) * time.Minute), Attempt: n, Error: text}
		}
		refused := "550 5.1.1 <Ann@Example.com>: mailbox unavailable"
		panicked := attempt(3, "panic: send to ann@example.com")
		panicked.Trace = "goroutine 7 [running]:\nsend(\"ann@example.com\")"
		send := queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: shop.ID, MessageIDs: []int64{1, 2}}, "retryable",
			attempt(1, refused), attempt(2, "550 5.1.1 <joann@example.com>: mailbox unavailable; 550 <ann@example.com>: no such user"),
			panicked, attempt(4, "421 try again later"))
		sms := queueFailedJob(t, db, stockbell.SendConfirmationJob{ShopID: shop.ID, ConfirmationID: 3}, "discarded",
			attempt(1, "twilio 400: The 'To' number +493012345678 is not a valid phone number."),
			attempt(2, "twilio 400: The 'To' number +4930123456789 is not a valid phone number."))
		running := queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: shop.ID, MessageID: 4}, "running", attempt(1, refused))
		joann := queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: shop.ID, MessageID: 5}, "completed",
			attempt(1, "550 <joann@example.com>: mailbox full"))
		// A delivery queued before jobs carried their shop is the shop's
		// by the domain its payload names.
		legacy := queueFailedJob(t, db, stockbell.WebhookDeliveryJob{EndpointID: 1, MessageID: "msg_legacy", Type: "message.failed",
			Payload: `{"data":{"shop":"a.myshopify.com"},"type":"message.failed"}`}, "retryable", attempt(1, "endpoint echoed ann@example.com"))
		elsewhere := queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: other.ID, MessageID: 6}, "retryable", attempt(1, refused))
		before := storedJobs(t, db)
		r := receipt(&shop.ID, "evt-1")
		_, err := db.RecordReceipt(ctx, r)
		must(t, err)
		must(t, db.RetryReceipt(ctx, r.ID, time.Minute, "customers/redact: no subscriber ann@example.com (joann@example.com?)"))

		elsewhereData, err := db.ContactData(ctx, stockbell.Contact{ShopID: other.ID, Email: "ann@example.com"})
		must(t, err)
		if len(elsewhereData.StoredTexts) != 1 || elsewhereData.StoredTexts[0].ID != elsewhere {
			t.Fatalf("a data request in the other shop reported %+v, want its job's error alone", elsewhereData.StoredTexts)
		}
		// Her shop's: the send's 3 attempts (the third's error and trace),
		// the SMS's first, the running send's, the delivery's, the receipt's.
		redactAsExported(t, db, stockbell.Contact{ShopID: shop.ID, Email: "ann@example.com", Phone: "+493012345678"}, 8)

		after := storedJobs(t, db)
		if len(after) != len(before) {
			t.Fatalf("%d jobs after the erasure, want all %d", len(after), len(before))
		}
		want := map[int64][]string{
			send: {"550 5.1.1 <[erased]>: mailbox unavailable", "550 5.1.1 <joann@example.com>: mailbox unavailable; 550 <[erased]>: no such user",
				"panic: send to [erased]", "421 try again later"},
			sms: {"twilio 400: The 'To' number [erased] is not a valid phone number.",
				"twilio 400: The 'To' number +4930123456789 is not a valid phone number."},
			running: {"550 5.1.1 <[erased]>: mailbox unavailable"},
			joann:   {"550 <joann@example.com>: mailbox full"},
			legacy:  {"endpoint echoed [erased]"},
		}
		for id, texts := range want {
			errs := jobErrors(t, db, id)
			if len(errs) != len(texts) {
				t.Fatalf("job %d (%s) has %d errors after the erasure, want %d: %+v", id, after[id].Kind, len(errs), len(texts), errs)
			}
			for i, e := range errs {
				if e.Error != texts[i] || e.Attempt != i+1 || !e.At.Equal(at.Add(time.Duration(i+1)*time.Minute)) {
					t.Errorf("job %d's attempt %d: %+v, want %q at attempt %d", id, i+1, e, texts[i], i+1)
				}
				for _, needle := range []string{"ann@example.com", "+493012345678"} {
					if contact.Mentions(e.Error, needle) || contact.Mentions(e.Trace, needle) {
						t.Errorf("job %d's attempt %d still names %s: %+v", id, i+1, needle, e)
					}
				}
			}
			if after[id].Args != before[id].Args || after[id].State != before[id].State {
				t.Errorf("job %d changed beyond its errors: %+v, was %+v", id, after[id], before[id])
			}
		}
		if trace := jobErrors(t, db, send)[2].Trace; trace != "goroutine 7 [running]:\nsend(\"[erased]\")" {
			t.Errorf("the panic's trace: %q", trace)
		}
		if after[joann] != before[joann] || after[elsewhere] != before[elsewhere] {
			t.Errorf("a job not naming her in her shop changed: %+v, %+v; was %+v, %+v",
				after[joann], after[elsewhere], before[joann], before[elsewhere])
		}
		var lastError string
		must(t, db.DB.GetContext(ctx, &lastError, db.DB.Rebind(`SELECT last_error FROM webhook_receipts WHERE id = ?`), r.ID))
		if lastError != "customers/redact: no subscriber [erased] (joann@example.com?)" {
			t.Errorf("the receipt's last error: %q", lastError)
		}
	})
}
