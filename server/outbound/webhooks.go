package outbound

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
)

// Deps are what the webhooks need.
type Deps struct {
	Endpoints stockbell.WebhookEndpointService
	Shops     stockbell.ShopService
	// Users gives the addresses told when an endpoint is disabled.
	Users  stockbell.ShopUserService
	Sealer stockbell.TokenSealer
	// Sender emails the shop's admin users (nil: they are not emailed).
	Sender stockbell.Sender
	Clock  stockbell.Clock
	Logger *slog.Logger
}

// Options configure the webhooks.
type Options struct {
	// Development allows http:// endpoints and loopback or private
	// addresses; production refuses them when an endpoint is saved and
	// again at each connection.
	Development bool
	// PublicURL is the server's public URL, for the admin link in emails.
	PublicURL string
	// Apps are the platform apps the server runs: a shop's admin link in
	// emails opens inside its platform's admin when that platform's app
	// is among them.
	Apps stockbell.PlatformApps
}

// Webhooks registers endpoints and delivers their events.
type Webhooks struct {
	Deps
	opts   Options
	guard  *netguard.Guard
	client *http.Client
}

// New returns the webhooks with their own HTTP client: the guard's
// transport (no proxy, which would dial out of the guard's sight; each
// address checked as it is dialled), redirects not followed (a 3xx is a
// failed delivery), WebhookTimeout per attempt and for the answer's
// headers, at most 4 idle connections kept per endpoint host.
func New(deps Deps, opts Options) *Webhooks {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Clock == nil {
		deps.Clock = stockbell.SystemClock{}
	}
	w := &Webhooks{Deps: deps, opts: opts, guard: netguard.New("webhook endpoint", opts.Development)}
	transport := w.guard.Transport(&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second})
	transport.ResponseHeaderTimeout = stockbell.WebhookTimeout
	transport.MaxIdleConnsPerHost = 4
	w.client = &http.Client{Transport: transport, Timeout: stockbell.WebhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return w
}

// Guard is the address rule the webhooks dial under; tests replace its
// resolver and rule to play DNS answers.
func (w *Webhooks) Guard() *netguard.Guard { return w.guard }

// CreateEndpoint validates and registers an endpoint of the shop and
// returns it with its signing secret (whsec_…), which is shown to the
// merchant now; it is kept sealed for the shop to sign deliveries. Returns
// EINVALID naming the field ("url" for a URL that is not https, or whose
// host is not a public address in production), ECONFLICT over
// MaxWebhookEndpoints, ENOTFOUND for an unknown shop.
func (w *Webhooks) CreateEndpoint(ctx context.Context, create stockbell.WebhookEndpointCreate) (*stockbell.WebhookEndpoint, string, error) {
	if err := create.Validate(w.opts.Development); err != nil {
		return nil, "", err
	}
	u, _ := url.Parse(create.URL)
	if err := w.guard.CheckHost(ctx, u.Hostname()); err != nil {
		if refused, ok := errors.AsType[*netguard.RefusedError](err); ok {
			return nil, "", stockbell.FieldErrorf("url", "%s.", refused.Reason)
		}
		return nil, "", err
	}
	key, shown := NewSecret()
	sealed, err := w.Sealer.Seal(create.ShopID, key)
	if err != nil {
		return nil, "", err
	}
	endpoint, err := w.Endpoints.CreateWebhookEndpoint(ctx, create, sealed)
	if err != nil {
		return nil, "", err
	}
	return endpoint, shown, nil
}
