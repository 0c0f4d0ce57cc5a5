package prestashop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// OwnerResources are the webservice resources Stockbell reads, when the
// key may, to know which stock_availables rows are the connected shop's
// in a multistore: the shop its URL is (shop_urls), that shop's group
// (shops) and whether the group shares stock (shop_groups). They are
// optional: without them the rows the webservice answers for the shop's
// URL are read as before.
var OwnerResources = []string{"shop_urls", "shops", "shop_groups"}

// stockOwner is whose stock_availables rows are the connected shop's
// stock. PrestaShop keeps a shop's own stock in rows of its id_shop (and
// id_shop_group 0), and the shared stock of a group whose shops share
// stock in rows of id_shop 0 and the group's id
// (StockAvailable::addSqlShopParams), and sells from the one its group's
// share_stock picks (addSqlShopRestriction). The webservice's list of a
// shop's rows holds both kinds (ObjectModel::getWebserviceObjectList
// does not look at share_stock), and rows of another shop when asked for
// several shops, so the first row of a variant may not be the one the
// shop sells from.
type stockOwner struct {
	shop, group int64
	// shared is the group's share_stock: its rows are the shop's stock.
	shared bool
}

// known reports whether the connected shop was found in the installation.
func (o stockOwner) known() bool { return o.shop != 0 }

// owns reports whether r is the connected shop's stock.
func (o stockOwner) owns(r apiStock) bool {
	if o.shared {
		return r.IDShop == 0 && int64(r.IDShopGroup) == o.group
	}
	return int64(r.IDShop) == o.shop && r.IDShopGroup == 0
}

// keeps reports whether r is the variant's stock row, given the row kept
// so far (seen): the connected shop's own, or, when the shop is not known,
// the first the webservice answered.
func (o stockOwner) keeps(r apiStock, seen bool) bool {
	if o.known() {
		return o.owns(r)
	}
	return !seen
}

// apiShopURL is a row of /api/shop_urls.
type apiShopURL struct {
	IDShop      number `json:"id_shop"`
	Active      number `json:"active"`
	Domain      string `json:"domain"`
	DomainSSL   string `json:"domain_ssl"`
	PhysicalURI string `json:"physical_uri"`
	VirtualURI  string `json:"virtual_uri"`
}

// apiShop is a row of /api/shops.
type apiShop struct {
	ID          number `json:"id"`
	IDShopGroup number `json:"id_shop_group"`
}

// apiShopGroup is a row of /api/shop_groups.
type apiShopGroup struct {
	ID         number `json:"id"`
	ShareStock number `json:"share_stock"`
}

// errOwnerUnknown is a read of the connected shop's identity that the
// webservice answered without it (a refused resource, no matching URL).
var errOwnerUnknown = errors.New("prestashop: the connected shop is not found among the installation's shops")

// stockOwner finds the connected shop in its installation: the active
// shop_urls row of the URL Stockbell reads (domain_ssl for https, domain
// for http; physical then virtual URI as its path), its group, and the
// group's share_stock. errOwnerUnknown (wrapping the webservice's
// refusal, if any) when the webservice does not say; another error when
// it could not be asked.
func (s *session) stockOwner(ctx context.Context) (stockOwner, error) {
	urls, _, err := list[apiShopURL](ctx, s, "shop_urls", url.Values{"display": {"full"}})
	if err != nil {
		return stockOwner{}, ownerReadError(err)
	}
	owner := stockOwner{shop: matchShopURL(s.creds.URL, urls)}
	if !owner.known() {
		return stockOwner{}, fmt.Errorf("%w: no shop_urls row is %s", errOwnerUnknown, s.creds.URL)
	}
	shops, _, err := list[apiShop](ctx, s, "shops", url.Values{"display": {"[id,id_shop_group]"}, "filter[id]": {idFilter([]int64{owner.shop})}})
	if err != nil || len(shops) != 1 {
		return stockOwner{}, ownerReadError(oneRowError(err, "shops", owner.shop))
	}
	owner.group = int64(shops[0].IDShopGroup)
	groups, _, err := list[apiShopGroup](ctx, s, "shop_groups", url.Values{"display": {"[id,share_stock]"}, "filter[id]": {idFilter([]int64{owner.group})}})
	if err != nil || len(groups) != 1 {
		return stockOwner{}, ownerReadError(oneRowError(err, "shop_groups", owner.group))
	}
	owner.shared = groups[0].ShareStock == 1
	return owner, nil
}

// oneRowError is err, or the error of a list that did not hold the one
// row asked for.
func oneRowError(err error, resource string, id int64) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: %s lists no row %d", errOwnerUnknown, resource, id)
}

// ownerReadError is errOwnerUnknown for a refusal of the webservice (a
// resource the key may not read, one an old webservice does not have),
// else err itself: an unavailable shop fails the job, which is retried.
func ownerReadError(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status < 500 && apiErr.Status != http.StatusTooManyRequests {
		return fmt.Errorf("%w: %w", errOwnerUnknown, err)
	}
	return err
}

// matchShopURL is the shop whose active URL is shopURL, 0 for none.
func matchShopURL(shopURL string, urls []apiShopURL) int64 {
	u, err := url.Parse(shopURL)
	if err != nil {
		return 0
	}
	path := strings.Trim(u.Path, "/")
	for _, r := range urls {
		domain := r.Domain
		if u.Scheme == "https" {
			domain = r.DomainSSL
		}
		if r.Active == 1 && strings.EqualFold(domain, u.Host) && strings.Trim(r.PhysicalURI+r.VirtualURI, "/") == path {
			return int64(r.IDShop)
		}
	}
	return 0
}

// stockQuery is the stock_availables filter of products, in the connected
// shop's context (id_shop) when it is known.
func (o stockOwner) stockQuery(ids []int64) url.Values {
	q := url.Values{"filter[id_product]": {idFilter(ids)}}
	if o.known() {
		q.Set("id_shop", strconv.FormatInt(o.shop, 10))
	}
	return q
}
