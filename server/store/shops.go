package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"sync"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ShopService = (*DB)(nil)

const shopColumns = `id, platform, domain, primary_domain, name, public_key, status, sealed_token,
	scopes, installed_at, uninstalled_at, platform_installed_at, created_at, updated_at,
	sealed_refresh_token, token_expires_at, refresh_token_expires_at, currency`

// publicKeyEncoding spells public keys in lower-case base32 without padding.
var publicKeyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newPublicKey returns "pk_" and 24 random lower-case base32 characters
// (120 bits).
func newPublicKey() string {
	b := make([]byte, 15)
	rand.Read(b)
	return "pk_" + publicKeyEncoding.EncodeToString(b)
}

// normalizeDomain lower-cases a domain and drops a scheme and trailing
// slash, so that "https://Shop.Example.com/" finds shop.example.com.
func normalizeDomain(domain string) string {
	domain = strings.ToLower(strings.TrimSpace(domain))
	for _, prefix := range []string{"https://", "http://"} {
		domain = strings.TrimPrefix(domain, prefix)
	}
	return stockbell.DomainWithoutDefaultPort(strings.TrimRight(domain, "/"))
}

// domainSpellings are the ways a shop with the normalized domain may be
// stored: as it is and, when it names no port, with the port 443 or 80 a
// shop was stored with before the port was dropped (see
// stockbell.DomainWithoutDefaultPort); an IPv6 address in brackets too
// ([2001:db8::1]:443).
func domainSpellings(domain string) []any {
	host, folder, _ := strings.Cut(domain, "/")
	if folder != "" {
		folder = "/" + folder
	}
	if domain == "" || stockbell.HostHasPort(host) {
		return []any{domain, domain, domain}
	}
	return []any{domain, host + ":443" + folder, host + ":80" + folder}
}

// domainIn is the condition that a column holds one of domainSpellings;
// a look-up prefers the normalized spelling, the first.
const domainIn = ` IN (?, ?, ?)`

// FindShopByID returns ENOTFOUND if no shop has that id.
func (db *DB) FindShopByID(ctx context.Context, id int64) (*stockbell.Shop, error) {
	var shop *stockbell.Shop
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		shop, err = findShopByID(ctx, tx, id)
		return err
	})
	return shop, err
}

// FindShopByDomain returns ENOTFOUND if the platform has no such shop. A
// shop found is answered from memory for up to ShopCacheTTL (see
// shopCache).
func (db *DB) FindShopByDomain(ctx context.Context, platform stockbell.Platform, domain string) (*stockbell.Shop, error) {
	return db.cachedShopLookup("domain|"+string(platform)+"|"+normalizeDomain(domain), func() (*stockbell.Shop, error) {
		return db.findShopByDomain(ctx, platform, domain)
	})
}

func (db *DB) findShopByDomain(ctx context.Context, platform stockbell.Platform, domain string) (*stockbell.Shop, error) {
	var shop stockbell.Shop
	err := db.inRead(func(tx *Tx) error {
		spellings := domainSpellings(normalizeDomain(domain))
		return tx.GetContext(ctx, &shop, tx.Rebind(`SELECT `+shopColumns+` FROM shops WHERE platform = ? AND domain`+domainIn+`
			ORDER BY CASE WHEN domain = ? THEN 0 ELSE 1 END LIMIT 1`), append(append([]any{platform}, spellings...), spellings[0])...)
	})
	if err != nil {
		return nil, notFound(err, "no %s shop %q", platform, domain)
	}
	return &shop, nil
}

// FindShopByKey looks the shop up by public key, then by platform domain,
// then by primary domain (domains case-insensitively). When several shops
// share a domain, an installed one wins, then the oldest. A shop found is
// answered from memory for up to ShopCacheTTL (see shopCache).
func (db *DB) FindShopByKey(ctx context.Context, key string) (*stockbell.Shop, error) {
	return db.cachedShopLookup("key|"+strings.TrimSpace(key), func() (*stockbell.Shop, error) {
		return db.findShopByKey(ctx, key)
	})
}

func (db *DB) findShopByKey(ctx context.Context, key string) (*stockbell.Shop, error) {
	var shop stockbell.Shop
	err := db.inRead(func(tx *Tx) error {
		err := tx.GetContext(ctx, &shop, tx.Rebind(`SELECT `+shopColumns+` FROM shops WHERE public_key = ?`), strings.TrimSpace(key))
		for _, column := range []string{"domain", "primary_domain"} {
			if !isNoRows(err) {
				break
			}
			spellings := domainSpellings(normalizeDomain(key))
			err = tx.GetContext(ctx, &shop, tx.Rebind(`SELECT `+shopColumns+` FROM shops WHERE `+column+domainIn+` AND `+column+` <> ''
				ORDER BY CASE WHEN status = 'installed' THEN 0 ELSE 1 END, CASE WHEN `+column+` = ? THEN 0 ELSE 1 END, id LIMIT 1`),
				append(spellings, spellings[0])...)
		}
		return err
	})
	if err != nil {
		return nil, notFound(err, "no shop for key %q", key)
	}
	return &shop, nil
}

// FindShops returns the shops matching the filter, by id, and the total count.
func (db *DB) FindShops(ctx context.Context, filter stockbell.ShopFilter) ([]*stockbell.Shop, int, error) {
	var w where
	if filter.ID != nil {
		w.add("id = ?", *filter.ID)
	}
	if filter.Platform != nil {
		w.add("platform = ?", *filter.Platform)
	}
	if filter.Domain != nil {
		w.add("domain"+domainIn, domainSpellings(normalizeDomain(*filter.Domain))...)
	}
	if filter.PublicKey != nil {
		w.add("public_key = ?", *filter.PublicKey)
	}
	if filter.Status != nil {
		w.add("status = ?", *filter.Status)
	}
	shops := []*stockbell.Shop{}
	var total int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*) FROM shops`+w.String()), w.args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &shops, tx.Rebind(`SELECT `+shopColumns+` FROM shops`+w.String()+` ORDER BY id`+page(filter.Offset, filter.Limit)), w.args...)
	})
	return shops, total, err
}

// InstallShop creates the shop, or reactivates it with the new token,
// scopes and platform install time, and inserts its follow-up jobs in the
// same transaction. The public key is generated on first install and
// never changes.
func (db *DB) InstallShop(ctx context.Context, install stockbell.ShopInstall) (*stockbell.Shop, error) {
	install, err := checkInstall(install)
	if err != nil {
		return nil, err
	}
	var shop *stockbell.Shop
	err = db.inTx(ctx, func(tx *Tx) (err error) {
		shop, err = installShop(ctx, tx, install)
		return err
	})
	return shop, err
}

// checkInstall checks an install's platform and domain and returns it with
// its domains normalized.
func checkInstall(install stockbell.ShopInstall) (stockbell.ShopInstall, error) {
	if !install.Platform.Valid() {
		return install, stockbell.FieldErrorf("platform", "unknown platform %q", install.Platform)
	}
	install.Domain = normalizeDomain(install.Domain)
	if install.Domain == "" {
		return install, stockbell.FieldErrorf("domain", "shop domain is required")
	}
	install.PrimaryDomain = normalizeDomain(install.PrimaryDomain)
	install.Currency = stockbell.NormalizeCurrency(install.Currency)
	return install, nil
}

// UpdateShopDetails records the shop's name, primary domain and currency;
// an empty one leaves the stored value. The owner's email is stored as
// the shop user ShopOwnerUserID, only while the shop is installed: a job
// that read it before an uninstall must not bring back what the uninstall
// dropped (dropPlatformAccess).
func (db *DB) UpdateShopDetails(ctx context.Context, id int64, details stockbell.ShopDetails) error {
	domain := normalizeDomain(details.PrimaryDomain)
	currency := stockbell.NormalizeCurrency(details.Currency)
	return db.inTx(ctx, func(tx *Tx) error {
		tx.shopsChanged = true
		var status stockbell.ShopStatus
		err := tx.GetContext(ctx, &status, tx.Rebind(`UPDATE shops SET
			name = CASE WHEN ? <> '' THEN ? ELSE name END,
			primary_domain = CASE WHEN ? <> '' THEN ? ELSE primary_domain END,
			currency = CASE WHEN ? <> '' THEN ? ELSE currency END,
			updated_at = ? WHERE id = ? RETURNING status`),
			details.Name, details.Name, domain, domain, currency, currency, tx.db.now(), id)
		if err != nil {
			return notFound(err, "shop %d not found", id)
		}
		if strings.TrimSpace(details.OwnerEmail) == "" || status != stockbell.ShopInstalled {
			return nil
		}
		return grantShopUser(ctx, tx, stockbell.ShopUser{ShopID: id, UserID: stockbell.ShopOwnerUserID, Email: details.OwnerEmail, Owner: true})
	})
}

// respellDomain gives a shop stored with the port 443 or 80 in its domain
// (before the port was dropped) the normalized domain, unless a shop has
// it already, so that installing it again reactivates it.
func respellDomain(ctx context.Context, tx *Tx, platform stockbell.Platform, domain string) error {
	spellings := domainSpellings(domain)
	args := append(append([]any{domain, platform}, spellings...), domain, platform, domain)
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE shops SET domain = ? WHERE id = (SELECT id FROM shops
		WHERE platform = ? AND domain`+domainIn+` AND domain <> ? ORDER BY id LIMIT 1)
		AND NOT EXISTS (SELECT 1 FROM shops WHERE platform = ? AND domain = ?)`), args...)
	return err
}

func installShop(ctx context.Context, tx *Tx, in stockbell.ShopInstall) (*stockbell.Shop, error) {
	now := tx.db.now()
	tx.shopsChanged = true
	if err := respellDomain(ctx, tx, in.Platform, in.Domain); err != nil {
		return nil, err
	}
	var existed int
	if err := tx.GetContext(ctx, &existed, tx.Rebind(`SELECT COUNT(*) FROM shops WHERE platform = ? AND domain = ?`), in.Platform, in.Domain); err != nil {
		return nil, err
	}
	id, err := tx.insertID(ctx, `INSERT INTO shops (platform, domain, primary_domain, name, public_key, status,
		sealed_token, scopes, installed_at, uninstalled_at, platform_installed_at, created_at, updated_at,
		sealed_refresh_token, token_expires_at, refresh_token_expires_at, currency)
		VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?)
		ON CONFLICT (platform, domain) DO UPDATE SET
			primary_domain = CASE WHEN excluded.primary_domain <> '' THEN excluded.primary_domain ELSE shops.primary_domain END,
			name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE shops.name END,
			currency = CASE WHEN excluded.currency <> '' THEN excluded.currency ELSE shops.currency END,
			status = excluded.status, sealed_token = excluded.sealed_token, scopes = excluded.scopes,
			installed_at = excluded.installed_at, uninstalled_at = NULL,
			platform_installed_at = excluded.platform_installed_at, updated_at = excluded.updated_at,
			sealed_refresh_token = NULL, token_expires_at = excluded.token_expires_at,
			refresh_token_expires_at = excluded.refresh_token_expires_at`,
		in.Platform, in.Domain, in.PrimaryDomain, in.Name, newPublicKey(), stockbell.ShopInstalled,
		in.Scopes, now, nullTime(in.PlatformInstalledAt.UTC()), now, now,
		nullTime(in.Expiry.TokenExpiresAt.UTC()), nullTime(in.Expiry.RefreshTokenExpiresAt.UTC()), in.Currency)
	if err != nil {
		return nil, err
	}
	if err := sealShopToken(ctx, tx, id, "sealed_token", in.Seal); err != nil {
		return nil, err
	}
	if err := sealShopToken(ctx, tx, id, "sealed_refresh_token", in.Expiry.SealRefresh); err != nil {
		return nil, err
	}
	if err := replaceWebhookSecret(ctx, tx, id, in.WebhookSecret); err != nil {
		return nil, err
	}
	detail := EventDetail{"platform": in.Platform, "domain": in.Domain, "scopes": in.Scopes, "reinstall": existed > 0}
	if err := tx.insertEvent(ctx, stockbell.Event{ShopID: id, Kind: stockbell.EventShopInstalled}, detail); err != nil {
		return nil, err
	}
	shop, err := findShopByID(ctx, tx, id)
	if err != nil || in.FollowUp == nil {
		return shop, err
	}
	for _, job := range in.FollowUp(shop) {
		if err := tx.insertJob(ctx, job, &stockbell.JobOptions{UniqueByArgs: true}); err != nil {
			return nil, err
		}
	}
	return shop, nil
}

// RenewShopToken passes the shop as stored to renew and stores the
// renewal it returns, one renewal of a shop's token at a time, across
// replicas, each seeing the token the one before stored. renew may ask
// the platform over the network.
//
// On PostgreSQL the shop's row is locked (FOR NO KEY UPDATE: rows
// referring to the shop are still inserted meanwhile) around renew and
// the store. On SQLite a transaction would hold the single writer, and so
// every storefront post and webhook, for as long as renew waits on the
// platform: there renewals take turns on a lock of this process (SQLite
// serves one server process) and the renewal is stored afterwards in a
// short write, only if the shop still holds the token renew was given (a
// reinstall or an uninstall meanwhile keeps its own).
func (db *DB) RenewShopToken(ctx context.Context, id int64, renew func(shop *stockbell.Shop) (*stockbell.ShopTokenRenewal, error)) (*stockbell.Shop, error) {
	if db.Dialect != Postgres {
		return db.renewShopTokenInTurn(ctx, id, renew)
	}
	var shop *stockbell.Shop
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if err := lockShopRow(ctx, tx, id, tx.forNoKeyUpdate()); err != nil {
			return err
		}
		if shop, err = findShopByID(ctx, tx, id); err != nil {
			return err
		}
		renewal, err := renew(shop)
		if err != nil || renewal == nil {
			return err
		}
		if _, err := storeShopRenewal(ctx, tx, id, nil, renewal); err != nil {
			return err
		}
		shop, err = findShopByID(ctx, tx, id)
		return err
	})
	return shop, err
}

// tokenRenewals are the locks SQLite's token renewals take turns on, a
// shop's always the same one (its id modulo their number).
var tokenRenewals [64]sync.Mutex

// renewShopTokenInTurn is RenewShopToken on SQLite: renew runs outside any
// transaction, after the renewals of the shop before it.
func (db *DB) renewShopTokenInTurn(ctx context.Context, id int64, renew func(shop *stockbell.Shop) (*stockbell.ShopTokenRenewal, error)) (*stockbell.Shop, error) {
	turn := &tokenRenewals[uint64(id)%uint64(len(tokenRenewals))]
	turn.Lock()
	defer turn.Unlock()
	shop, err := db.FindShopByID(ctx, id)
	if err != nil {
		return nil, err
	}
	renewal, err := renew(shop)
	if err != nil || renewal == nil {
		return shop, err
	}
	held := shop.SealedToken
	err = db.inWriteTx(ctx, func(ctx context.Context, tx *Tx) (err error) {
		if _, err := storeShopRenewal(ctx, tx, id, held, renewal); err != nil {
			return err
		}
		shop, err = findShopByID(ctx, tx, id)
		return err
	})
	return shop, err
}

// storeShopRenewal stores a renewed token of the shop, only if it still
// holds the token held (nil: whatever it holds), and reports whether it
// did.
func storeShopRenewal(ctx context.Context, tx *Tx, id int64, held []byte, renewal *stockbell.ShopTokenRenewal) (bool, error) {
	where, args := `WHERE id = ?`, []any{id}
	if held != nil {
		where, args = `WHERE id = ? AND sealed_token = ?`, []any{id, held}
	}
	tx.shopsChanged = true
	res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE shops SET sealed_token = ?, sealed_refresh_token = ?,
		token_expires_at = ?, refresh_token_expires_at = ?, updated_at = ? `+where),
		append([]any{renewal.SealedToken, renewal.SealedRefreshToken, nullTime(renewal.TokenExpiresAt.UTC()),
			nullTime(renewal.RefreshTokenExpiresAt.UTC()), tx.db.now()}, args...)...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UninstallShop marks the shop uninstalled and drops its access token,
// which the platform has revoked, with its users' access, its webhook
// secret and a feed's credentials. Its data is kept, and so are its users' removal records (see
// dropPlatformAccess). Returns ENOTFOUND.
func (db *DB) UninstallShop(ctx context.Context, id int64) error {
	return db.uninstallShop(ctx, id, `WHERE id = ?`, id)
}

// UninstallShopHolding uninstalls the shop as UninstallShop does, only if
// it still holds sealedToken: the token the platform was found to refuse.
// A shop installed again meanwhile holds a new token and stays installed
// (ECONFLICT, as for a shop that does not exist).
func (db *DB) UninstallShopHolding(ctx context.Context, id int64, sealedToken []byte) error {
	err := db.uninstallShop(ctx, id, `WHERE id = ? AND sealed_token = ?`, id, sealedToken)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return stockbell.Errorf(stockbell.ECONFLICT, "shop %d no longer holds the refused token", id)
	}
	return err
}

func (db *DB) uninstallShop(ctx context.Context, id int64, where string, args ...any) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := tx.db.now()
		tx.shopsChanged = true
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE shops SET status = ?, sealed_token = NULL, sealed_refresh_token = NULL,
			token_expires_at = NULL, refresh_token_expires_at = NULL, uninstalled_at = ?, updated_at = ? `+where),
			append([]any{stockbell.ShopUninstalled, now, now}, args...)...)
		if err := mustAffect(res, err, "shop %d", id); err != nil {
			return err
		}
		if err := dropPlatformAccess(ctx, tx, id); err != nil {
			return err
		}
		if err := dropFeedCredentials(ctx, tx, id); err != nil {
			return err
		}
		return tx.insertEvent(ctx, stockbell.Event{ShopID: id, Kind: stockbell.EventShopUninstalled}, nil)
	})
}

func findShopByID(ctx context.Context, tx *Tx, id int64) (*stockbell.Shop, error) {
	var shop stockbell.Shop
	err := tx.GetContext(ctx, &shop, tx.Rebind(`SELECT `+shopColumns+` FROM shops WHERE id = ?`), id)
	if err != nil {
		return nil, notFound(err, "shop %d not found", id)
	}
	return &shop, nil
}

// shopExists returns ENOTFOUND unless the shop exists. A writer of the
// shop's own rows checks with holdShop instead.
func shopExists(ctx context.Context, tx *Tx, id int64) error {
	var n int
	if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM shops WHERE id = ?`), id); err != nil {
		return err
	}
	if n == 0 {
		return stockbell.Errorf(stockbell.ENOTFOUND, "shop %d not found", id)
	}
	return nil
}

// holdShop returns ENOTFOUND unless the shop exists, holding on
// PostgreSQL the row's key-share lock, the one its rows' foreign keys
// take, until the transaction ends. A writer of the shop's own rows
// (settings, keys, users, origins, its log) takes it first, in place of
// shopExists: then it waits for an erase that deleted the row meanwhile and
// finds the shop gone, where a plain read found the row still there and
// the insert's foreign key failed the write once the erase committed (a
// row with no key, an event, stayed behind the erase); and an erase that
// comes after it waits for the writer's commit and erases what it wrote.
// Holding it, a transaction waits for no product or variant of the shop,
// which the erase locks before it deletes the row (lockorder.go).
func holdShop(ctx context.Context, tx *Tx, id int64) error {
	var held int64
	err := tx.GetContext(ctx, &held, tx.Rebind(`SELECT id FROM shops WHERE id = ?`+tx.forKeyShareOf("shops")), id)
	return notFound(err, "shop %d not found", id)
}

// shopGoneOr returns ENOTFOUND in place of err, a foreign key's failure of
// a write to the shop's rows, when the shop is gone: its erase deleted the
// row while the write ran (on PostgreSQL the key's check waited for the
// erase's commit, then failed). A catalog writer cannot take the shop's
// key share first (holdShop): the erase locks the products and variants
// it writes before the shop's row (lockorder.go). So it reads the shop
// afresh once its transaction failed, and a sync's job reads the shop
// gone rather than a server error.
func (db *DB) shopGoneOr(ctx context.Context, shopID int64, err error) error {
	if !isForeignKeyViolation(err) {
		return err
	}
	gone := db.inRead(func(tx *Tx) error { return shopExists(ctx, tx, shopID) })
	if stockbell.ErrorCode(gone) == stockbell.ENOTFOUND {
		return gone
	}
	return err
}

// sealShopToken stores the token sealed for the shop's id in column.
func sealShopToken(ctx context.Context, tx *Tx, id int64, column string, seal func(int64) ([]byte, error)) error {
	if seal == nil {
		return nil
	}
	sealed, err := seal(id)
	if err != nil {
		return err
	}
	tx.shopsChanged = true
	_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE shops SET `+column+` = ? WHERE id = ?`), sealed, id)
	return err
}

// lockShopRow takes lock (empty: none, as on SQLite, whose writes are
// serial) on the shop's row.
func lockShopRow(ctx context.Context, tx *Tx, shopID int64, lock string) error {
	if lock == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`SELECT id FROM shops WHERE id = ?`+lock), shopID)
	return err
}
