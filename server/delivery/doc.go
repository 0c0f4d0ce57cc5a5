// Package delivery sends flow messages and handles what comes back from
// them.
//
//   - SMTPSender delivers email through github.com/wneessen/go-mail with a
//     pool of reused connections, a bound on concurrent SMTP sessions and a
//     send-rate limit.
//   - TwilioSender delivers SMS through a Twilio-compatible HTTP API and
//     counts GSM-7 / UCS-2 segments.
//   - ChannelSender routes a message to the sender of its channel.
//   - Templates renders messages (stockbell.Renderer) with html/template and
//     text/template, from the flow step's templates or the locale's default.
//   - UnsubscribeHandler serves GET and POST /unsubscribe/{token} (a page
//     listing the contact's alerts, and RFC 8058 one-click), with tokens
//     signed by a Signer.
//   - ShortLinks leads GET /r/{code}, the short product link of SMS
//     messages, counting each click through stockbell.ClickService, and
//     counts (Land) the click of an email's link that the product page it
//     led to reports with its click id (POST /api/storefront/v1/clicks);
//     server/web serves both.
//
// Errors a Sender returns follow stockbell.Sender: an *stockbell.Error with
// code EINVALID is permanent (never retried); any other error is transient.
// The package sees storage only through root interfaces.
package delivery
