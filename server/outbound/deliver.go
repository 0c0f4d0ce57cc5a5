package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
)

// HandleDelivery posts one message to its endpoint, signed with the
// endpoint's secret at the time of this attempt. A 2xx answer is a
// delivery; anything else is recorded and retried by the queue (the
// returned error) until the last attempt, after which the endpoint may be
// disabled (RecordWebhookDelivery). A message for an endpoint deleted or
// disabled since, or while it was posted (its shop erased, say), is
// dropped.
func (w *Webhooks) HandleDelivery(ctx context.Context, job stockbell.WebhookDeliveryJob) error {
	endpoint, sealed, err := w.endpointSecret(ctx, job.ShopID, job.EndpointID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !endpoint.Enabled() {
		w.Logger.InfoContext(ctx, "webhook dropped: endpoint disabled", "endpoint", endpoint.ID, "message", job.MessageID)
		return nil
	}
	key, err := w.Sealer.Open(endpoint.ShopID, sealed)
	if err != nil {
		return fmt.Errorf("open the secret of webhook endpoint %d: %w", endpoint.ID, err)
	}
	failure := w.post(ctx, endpoint.URL, key, job)
	final := stockbell.JobAttempt(ctx) >= stockbell.WebhookMaxAttempts
	outcome := stockbell.WebhookDelivery{ShopID: endpoint.ShopID, EndpointID: endpoint.ID, OK: failure == "", Error: failure, Final: final,
		MessageAt: time.Unix(job.Timestamp, 0)}
	stored, err := w.Endpoints.RecordWebhookDelivery(ctx, outcome)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		// Deleted, or its shop erased, while the message was posted: a
		// retry would drop it.
		w.Logger.InfoContext(ctx, "webhook dropped: endpoint deleted", "endpoint", endpoint.ID, "message", job.MessageID)
		return nil
	} else if err != nil {
		return err
	}
	if failure == "" {
		return nil
	}
	w.Logger.WarnContext(ctx, "webhook delivery failed", "endpoint", endpoint.ID, "message", job.MessageID,
		"attempt", stockbell.JobAttempt(ctx), "final", final, "error", failure)
	if final {
		if stored != nil && !stored.Enabled() {
			w.Logger.WarnContext(ctx, "webhook endpoint disabled", "endpoint", endpoint.ID, "shop_id", endpoint.ShopID)
		}
		return nil
	}
	return errors.New("webhook delivery failed: " + failure)
}

// endpointSecret finds a job's endpoint with its sealed secret; a shopID of
// 0 (a job queued before jobs carried their shop) is looked up.
func (w *Webhooks) endpointSecret(ctx context.Context, shopID, endpointID int64) (*stockbell.WebhookEndpoint, []byte, error) {
	shopID, err := stockbell.JobShop(ctx, w.Endpoints, shopID, stockbell.JobRowWebhookEndpoint, endpointID)
	if err != nil {
		return nil, nil, err
	}
	return w.Endpoints.WebhookEndpointSecret(ctx, shopID, endpointID)
}

// post sends the message and returns "" when the endpoint answered 2xx,
// else what went wrong, in words for the merchant.
func (w *Webhooks) post(ctx context.Context, target string, key []byte, job stockbell.WebhookDeliveryJob) string {
	now := w.Clock.Now().Unix()
	body := []byte(job.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return "the URL cannot be used: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Stockbell-Webhooks/1")
	req.Header.Set("webhook-id", job.MessageID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now, 10))
	req.Header.Set("webhook-signature", Sign(key, job.MessageID, now, body))
	resp, err := w.client.Do(req)
	if err != nil {
		return unreachable(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "the endpoint answered " + resp.Status
	}
	return ""
}

// unreachable explains a transport error without the request's URL.
func unreachable(err error) string {
	if refused, ok := errors.AsType[*netguard.RefusedError](err); ok {
		return refused.Reason
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return "the endpoint could not be reached: " + err.Error()
}
