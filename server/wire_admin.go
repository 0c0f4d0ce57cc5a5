package main

import (
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/web"
)

// wireAdmin builds the merchant admin and mounts its pages.
func (m *Main) wireAdmin() (*web.Admin, error) {
	admin, err := web.NewAdmin(web.AdminDeps{
		Shops: m.DB, Settings: m.DB, Flows: m.DB, Activity: m.DB, Subscriptions: m.DB, Events: m.DB,
		Messages: m.DB, Catalog: m.DB, SignInLinks: m.DB,
		Clock: stockbell.SystemClock{}, Logger: m.Logger.With("component", "admin"),
	}, web.AdminOptions{
		SessionKey:          m.Config.SubKey("admin session", 32),
		PreviousSessionKeys: m.Config.PreviousSubKeys("admin session", 32),
		SecureCookies:       strings.HasPrefix(m.Config.PublicURL, "https://"),
		Development:         m.Config.Development(),
		PublicURL:           m.Config.PublicURL,
	})
	if err != nil {
		return nil, err
	}
	admin.Register(m.Web)
	return admin, nil
}
