package delivery_test

import (
	"fmt"
	"sync"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	gomail "github.com/wneessen/go-mail"
)

// benchNotifications is how many due notifications one benchmark round sends.
const benchNotifications = 10_000

// dueNotifications returns n distinct messages as the message sender
// hands them to the renderer.
func dueNotifications(n int) []stockbell.MessageContent {
	out := make([]stockbell.MessageContent, n)
	for i := range out {
		c := content(stockbell.ChannelEmail, fmt.Sprintf("shopper%d@example.com", i), []string{"en", "fr", "de", "es"}[i%4])
		c.Message.ID, c.Subscription.ID = int64(1000+i), int64(5000+i)
		out[i] = c
	}
	return out
}

// BenchmarkDeliverEmails renders and sends 10,000 due notifications
// through Templates and SMTPSender (pooled sessions) from several workers,
// as the job queue's workers would, to an in-process go-smtp server.
func BenchmarkDeliverEmails(b *testing.B) {
	for _, sessions := range []int{1, 4} {
		b.Run(fmt.Sprintf("sessions=%d", sessions), func(b *testing.B) {
			srv := smtptest.Start(b, smtptest.Options{})
			cfg := smtpConfig(srv, delivery.SMTPNone)
			cfg.MaxSessions = sessions
			sender := newSMTPSender(b, cfg)
			tmpl := delivery.NewTemplates(delivery.NewLinks("https://bell.test", newSigner(b)), delivery.StopNorthAmerica)
			due := dueNotifications(benchNotifications)
			b.ResetTimer()
			for range b.N {
				sendAll(b, tmpl, sender, due, 16)
			}
			b.ReportMetric(float64(benchNotifications*b.N)/b.Elapsed().Seconds(), "emails/s")
			if got := len(srv.Messages()); got != benchNotifications*b.N {
				b.Fatalf("%d received, want %d", got, benchNotifications*b.N)
			}
		})
	}
}

// sendAll renders and sends every notification from the given number of workers.
func sendAll(b *testing.B, tmpl *delivery.Templates, sender stockbell.Sender, due []stockbell.MessageContent, workers int) {
	next := make(chan stockbell.MessageContent)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range next {
				out, err := tmpl.Render(ctx, c)
				if err == nil {
					_, err = sender.Send(ctx, out)
				}
				if err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, c := range due {
		next <- c
	}
	close(next)
	wg.Wait()
}

// BenchmarkGoMailBareLoop is the baseline: go-mail sending one
// pre-rendered message 10,000 times over one connection in a plain loop.
func BenchmarkGoMailBareLoop(b *testing.B) {
	srv := smtptest.Start(b, smtptest.Options{})
	out := renderEmail(b, "en")
	msg := gomail.NewMsg()
	if err := msg.From("alerts@stockbell.test"); err != nil {
		b.Fatal(err)
	}
	if err := msg.To(out.To); err != nil {
		b.Fatal(err)
	}
	msg.Subject(out.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, out.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, out.HTML)
	client, err := gomail.NewClient(srv.Host(), gomail.WithPort(srv.Port(0)), gomail.WithTLSPolicy(gomail.NoTLS))
	if err != nil {
		b.Fatal(err)
	}
	if err := client.DialWithContext(ctx); err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	b.ResetTimer()
	for range b.N {
		for range benchNotifications {
			if err := client.Send(msg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(benchNotifications*b.N)/b.Elapsed().Seconds(), "emails/s")
}

// BenchmarkRenderEmail is the rendering share of BenchmarkDeliverEmails:
// one email (subject, preheader, text and HTML parts, links) per op.
func BenchmarkRenderEmail(b *testing.B) {
	tmpl := delivery.NewTemplates(delivery.NewLinks("https://bell.test", newSigner(b)), delivery.StopNorthAmerica)
	due := dueNotifications(64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := tmpl.Render(ctx, due[i%len(due)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
