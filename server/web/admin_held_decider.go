package web

import (
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// sessionDecider is who the session's person is, as recorded with their
// approval or discard of a held batch: the user their sign-in named (an
// invited colleague's email, a BigCommerce user's id and email, a Shopify
// session token's user id) or, for a sign-in that names no one (the
// operator's link made without an email, the install or a module's
// connect), the way they came in.
func sessionDecider(s *AdminSession) stockbell.AdminUser {
	if s.User != (stockbell.AdminUser{}) {
		return s.User
	}
	return stockbell.AdminUser{Name: unnamedSignIn(s.Door)}
}

// unnamedSignIn words a sign-in that names no one after its door.
func unnamedSignIn(door string) string {
	kind, platform, _ := strings.Cut(door, ":")
	switch kind {
	case DoorLink:
		return "someone signed in by a link made for no one named"
	case "install":
		return "the merchant who installed the app from " + stockbell.Platform(platform).Name()
	case "connect":
		return "the merchant who connected the " + stockbell.Platform(platform).Name() + " module"
	}
	return "someone whose sign-in named no one"
}

// deciderWords names the admin user who did something (approved or
// discarded a batch, added a scheduled report): their email where known,
// else their name, else the platform's user id; "" when the record names
// no one (a decision recorded before Stockbell kept who decided, a
// sign-in that named no one).
func deciderWords(u stockbell.AdminUser) string {
	switch {
	case u.Email != "":
		return u.Email
	case u.Name != "":
		return u.Name
	case u.ID != "":
		return "user " + u.ID
	}
	return ""
}

// decidedBy reads who made a batch_decided event's decision (its
// decided_by); the zero AdminUser when it names no one.
func decidedBy(d detail) stockbell.AdminUser {
	return adminUserIn(d, "decided_by")
}

// adminUserIn reads the AdminUser an event's detail records under key;
// the zero AdminUser when it records none.
func adminUserIn(d detail, key string) stockbell.AdminUser {
	by, _ := d[key].(map[string]any)
	text := func(key string) string { s, _ := by[key].(string); return s }
	return stockbell.AdminUser{ID: text("id"), Email: text("email"), Name: text("name")}
}

// removerWords names who removed a subscriber, as deciderWords names who
// decided a batch: from the removal event's removed_by; for a removal
// recorded before it, its "by" label, unless that is the "you" (or
// nothing) stored for a sign-in that named no one, which names no one: ""
// then.
func removerWords(d detail) string {
	if who := deciderWords(adminUserIn(d, "removed_by")); who != "" {
		return who
	}
	if label := d.text("by"); label != "you" {
		return label
	}
	return ""
}
