package web

import (
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// outboxPerPage is the length of one page of the outbox.
const outboxPerPage = 50

// outboxData is the outbox list, or one message of it.
type outboxData struct {
	Messages []*stockbell.OutboxMessage
	Pager    *pager
	Message  *stockbell.OutboxMessage
	// FlowStatus is the flow's status on the list: when it is not live,
	// alerts wait (manual) or are not sent (draft) rather than arriving
	// here within seconds.
	FlowStatus stockbell.FlowStatus
	// Held are the texts held for their recipients' quiet hours, which
	// reach the outbox when the quiet hours end, the first to go first;
	// MoreHeld says that more pending texts were left unread.
	Held     []heldTextView
	MoreHeld bool
}

// heldTextView is a text held for quiet hours, in words.
type heldTextView struct {
	heldText
	Words string
}

// outboxHeldTexts is how many pending texts the outbox reads to list
// those held for quiet hours.
const outboxHeldTexts = 100

// outboxPage lists what the development sender "sent" for the shop,
// newest first (development only).
func (a *Admin) outboxPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	msgs, total, err := a.Outbox.FindOutboxMessages(r.Context(), stockbell.OutboxFilter{ShopID: &s.ShopID,
		Offset: (page - 1) * outboxPerPage, Limit: outboxPerPage})
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	flow, err := a.Flows.FindFlow(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	held, more, err := a.outboxHeld(r, s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	view := &AdminView{Shop: s.Shop, Session: s}
	data := &outboxData{Messages: msgs, FlowStatus: flow.Status, Held: held, MoreHeld: more, Pager: newPager(page, outboxPerPage, len(msgs), total, func(p int) string {
		return view.Link("/admin/outbox", "page", p)
	})}
	a.Render(w, r, s, http.StatusOK, "outbox", "Outbox", data)
}

// outboxHeld lists the shop's pending texts held for quiet hours now, the
// first to go first, from its newest outboxHeldTexts pending texts (more
// says there were more); none when its quiet hours are off.
func (a *Admin) outboxHeld(r *http.Request, shopID int64) (held []heldTextView, more bool, err error) {
	settings, err := a.Settings.FindSettings(r.Context(), shopID)
	if err != nil || !settings.QuietHours {
		return nil, false, err
	}
	sms, pending := stockbell.ChannelSMS, stockbell.MessagePending
	texts, total, err := a.Messages.FindMessages(r.Context(), stockbell.MessageFilter{ShopID: &shopID, Channel: &sms, Status: &pending,
		Limit: outboxHeldTexts})
	if err != nil {
		return nil, false, err
	}
	now := a.Clock.Now()
	for _, m := range texts {
		if until := heldUntil(settings, m, now); !until.IsZero() {
			h := heldText{Message: m, Until: until}
			held = append(held, heldTextView{heldText: h, Words: quietHoldWords(settings, h, now)})
		}
	}
	slices.SortStableFunc(held, func(a, b heldTextView) int { return a.Until.Compare(b.Until) })
	return held, total > len(texts), nil
}

// outboxMessage shows one sent message: headers, the text, and the HTML
// rendered in a sandboxed frame.
func (a *Admin) outboxMessage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	m, err := a.findOutboxMessage(r, s)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	a.Render(w, r, s, http.StatusOK, "outbox_message", outboxTitle(m), &outboxData{Message: m})
}

// outboxTitle heads a sent message's page: an email's subject; a text
// message, which has none, by its recipient.
func outboxTitle(m *stockbell.OutboxMessage) string {
	if m.Channel == stockbell.ChannelSMS {
		return "Text message to " + m.Recipient
	}
	return m.Subject
}

// webAddress is a link in a text message: up to a space, less the
// punctuation that may end the sentence around it.
var webAddress = regexp.MustCompile(`https?://\S*[^\s.,;:!?'")\]]`)

// linkedText is a text message as its recipient's phone shows it: its web
// addresses are links, followed in a tab of their own.
func linkedText(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, at := range webAddress.FindAllStringIndex(text, -1) {
		link := template.HTMLEscapeString(text[at[0]:at[1]])
		b.WriteString(template.HTMLEscapeString(text[last:at[0]]))
		fmt.Fprintf(&b, `<a href="%s" target="_blank" rel="noopener">%s</a>`, link, link)
		last = at[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

// outboxHTML serves a sent email's HTML as its recipient's mail program
// would show it, sandboxed: no scripts, no forms, only inline styles and
// images, framed only by the admin.
func (a *Admin) outboxHTML(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	m, err := a.findOutboxMessage(r, s)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	writeSandboxedHTML(w, s, m.HTML)
}

// writeSandboxedHTML serves rendered email HTML for a preview frame:
// sandboxed (no script, no form), its inline styles allowed, framed only by
// the admin, its links opening a tab of their own. frame-ancestors holds
// for every ancestor: inside a control panel (Shopify's, BigCommerce's),
// the admin's page is itself framed by the session's control panel, which
// the preview therefore names too.
func writeSandboxedHTML(w http.ResponseWriter, s *AdminSession, html string) {
	ancestors := "'self'"
	if panel := frameAncestors(s); panel != "" {
		ancestors += " " + panel
	}
	setPagePolicy(w, pagePolicy{Styles: "'unsafe-inline'", FrameAncestors: ancestors, Sandbox: "allow-popups allow-popups-to-escape-sandbox"})
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.Write([]byte(linksInNewTabs(html)))
}

// documentHead and documentType find where a <base> element may go in an
// email's HTML: at the start of its head, else after its doctype.
var (
	documentHead = regexp.MustCompile(`(?i)<head(\s[^>]*)?>`)
	documentType = regexp.MustCompile(`(?i)^\s*<!doctype[^>]*>`)
)

// linksInNewTabs makes an email's links open a tab of their own, as a mail
// program does: followed inside the preview's frame, they would show a
// broken frame, since the pages they lead to (the product page, the
// unsubscribe page) refuse to be framed. A link with a target of its own
// keeps it.
func linksInNewTabs(html string) string {
	const base = `<base target="_blank">`
	at := 0
	if m := documentHead.FindStringIndex(html); m != nil {
		at = m[1]
	} else if m := documentType.FindStringIndex(html); m != nil {
		// Before the doctype, the element would put the page in quirks mode.
		at = m[1]
	}
	return html[:at] + base + html[at:]
}

func (a *Admin) findOutboxMessage(r *http.Request, s *AdminSession) (*stockbell.OutboxMessage, error) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		return nil, stockbell.Errorf(stockbell.ENOTFOUND, "No such message.")
	}
	msgs, _, err := a.Outbox.FindOutboxMessages(r.Context(), stockbell.OutboxFilter{ID: &id, ShopID: &s.ShopID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, stockbell.Errorf(stockbell.ENOTFOUND, "No such message in the outbox.")
	}
	return msgs[0], nil
}
