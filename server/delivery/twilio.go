package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"golang.org/x/time/rate"
)

var _ stockbell.Sender = (*TwilioSender)(nil)

// e164 is an E.164 phone number: +, a country code, at most 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// twilioPermanent are Twilio error codes that no retry will fix: the
// number is invalid, not a mobile, unreachable or has opted out, or the
// body is too long.
var twilioPermanent = map[int]string{
	21211: "invalid 'To' number",
	21214: "'To' number cannot be reached",
	21408: "no permission to send to this region",
	21610: "recipient has unsubscribed (replied STOP)",
	21612: "'To' number cannot receive this message",
	21614: "'To' number is not a mobile number",
	21617: "message body too long",
}

// TwilioSender delivers SMS through a Twilio-compatible Messages API: a
// form POST with basic auth to {api}/2010-04-01/Accounts/{sid}/Messages.json.
type TwilioSender struct {
	cfg     TwilioConfig
	client  *http.Client
	limiter *rate.Limiter
}

// NewTwilioSender returns a sender for cfg using client (a client with
// cfg.Timeout, or 30s, when nil).
func NewTwilioSender(cfg TwilioConfig, client *http.Client) *TwilioSender {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultTwilioAPIURL
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = 10
	}
	if client == nil {
		timeout := cfg.Timeout
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		client = &http.Client{Timeout: timeout}
	}
	return &TwilioSender{cfg: cfg, client: client, limiter: rate.NewLimiter(rate.Limit(cfg.RatePerSecond), 1)}
}

// twilioMessage is the part of Twilio's message resource we read.
type twilioMessage struct {
	SID    string `json:"sid"`
	Status string `json:"status"`
}

// twilioError is Twilio's error shape.
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// Send delivers one SMS and returns Twilio's message sid and the segments
// counted. A number that is not E.164 or that Twilio refuses for good is a
// permanent EINVALID error; 429, 5xx and network errors are transient.
func (s *TwilioSender) Send(ctx context.Context, out stockbell.OutboundMessage) (stockbell.SendResult, error) {
	if !e164.MatchString(out.To) {
		return stockbell.SendResult{}, stockbell.FieldErrorf("to", "%q is not an E.164 phone number.", out.To)
	}
	if err := s.limiter.Wait(ctx); err != nil {
		return stockbell.SendResult{}, fmt.Errorf("twilio rate limit: %w", err)
	}
	var handedOver atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) { handedOver.Store(info.Err == nil) }}
	resp, err := s.client.Do(s.request(httptrace.WithClientTrace(ctx, trace), out))
	if err != nil && handedOver.Load() {
		return stockbell.SendResult{}, fmt.Errorf("twilio: %w: %w", stockbell.ErrOutcomeUnknown, err)
	} else if err != nil {
		return stockbell.SendResult{}, fmt.Errorf("twilio: %w", err)
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	segments, _ := Segments(out.Text)
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		// Twilio created the message: sent, even when its answer is cut
		// short (the sid is then unknown) — a retry would send it twice.
		var msg twilioMessage
		if readErr == nil {
			json.Unmarshal(body, &msg)
		}
		return stockbell.SendResult{ProviderID: msg.SID, Segments: segments}, nil
	}
	if readErr != nil {
		return stockbell.SendResult{}, fmt.Errorf("twilio: reading the answer: %w", readErr)
	}
	return stockbell.SendResult{}, twilioFailure(resp.StatusCode, body)
}

func (s *TwilioSender) request(ctx context.Context, out stockbell.OutboundMessage) *http.Request {
	form := url.Values{"To": {out.To}, "Body": {out.Text}}
	if s.cfg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", s.cfg.MessagingServiceSID)
	} else {
		form.Set("From", s.cfg.From)
	}
	endpoint := s.cfg.APIURL + "/2010-04-01/Accounts/" + url.PathEscape(s.cfg.AccountSID) + "/Messages.json"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.SetBasicAuth(s.cfg.AccountSID, s.cfg.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return req
}

// twilioFailure classifies an error answer.
func twilioFailure(status int, body []byte) error {
	var e twilioError
	_ = json.Unmarshal(body, &e)
	reason := fmt.Sprintf("HTTP %d, Twilio error %d: %s", status, e.Code, e.Message)
	if e.MoreInfo != "" {
		reason += " (" + e.MoreInfo + ")"
	}
	if _, permanent := twilioPermanent[e.Code]; permanent && status >= 400 && status < 500 && status != http.StatusTooManyRequests {
		return &stockbell.Error{Code: stockbell.EINVALID, Field: "to", Message: "The SMS provider refused the message: " + reason}
	}
	return fmt.Errorf("twilio: %s", reason)
}
