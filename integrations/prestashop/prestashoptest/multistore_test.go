package prestashoptest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// stockOwners asks base's webservice for product 1's stock rows and
// returns the status and each row's id_shop/id_shop_group=quantity.
func stockOwners(t *testing.T, base string, q url.Values) (int, string) {
	t.Helper()
	q.Set("output_format", "JSON")
	q.Set("display", "full")
	q.Set("filter[id_product]", "[1]")
	req, _ := http.NewRequest(http.MethodGet, base+"/api/stock_availables?"+q.Encode(), nil)
	req.SetBasicAuth(Key, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body struct {
		Rows []struct {
			IDShop      string `json:"id_shop"`
			IDShopGroup string `json:"id_shop_group"`
			Quantity    string `json:"quantity"`
		} `json:"stock_availables"`
	}
	if string(raw) != "[]" && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("%s: %s", err, raw)
		}
	}
	var rows []string
	for _, r := range body.Rows {
		rows = append(rows, fmt.Sprintf("%s/%s=%s", r.IDShop, r.IDShopGroup, r.Quantity))
	}
	return resp.StatusCode, strings.Join(rows, " ")
}

// TestStockIsListedForTheRequestsShops: a list of stock_availables holds
// the rows of the shops the request runs for, as PrestaShop's webservice
// restricts them: the shops of id_shop_group, else the shop of id_shop
// ("all": every shop), else the shop of the URL asked; each shop's own rows and those of
// its group (id_shop 0), whether or not the group shares stock.
func TestStockIsListedForTheRequestsShops(t *testing.T) {
	f := New("/shop")
	defer f.Close()
	f.Do(func(s *Shop) {
		s.Groups = []ShopGroup{{ID: 1}, {ID: 2, ShareStock: true}}
		s.Storefronts = []Storefront{{ID: 1, GroupID: 1}, {ID: 2, GroupID: 1, Folder: "de"}, {ID: 3, GroupID: 2, Folder: "outlet"}}
		s.Products = []*Product{{ID: 1, Quantity: 1, Stocks: map[StockOwner]int{{Shop: 2}: 2, {Group: 2}: 3, {Group: 1}: 9}}}
	})
	for _, c := range []struct {
		base  string
		query url.Values
		want  string
	}{
		{f.URL(), url.Values{}, "0/1=9 1/0=1"},
		{f.ShopURL(2), url.Values{}, "0/1=9 2/0=2"},
		{f.ShopURL(3), url.Values{}, "0/2=3"},
		{f.URL(), url.Values{"id_shop": {"3"}}, "0/2=3"},
		{f.URL(), url.Values{"id_shop": {"all"}}, "0/1=9 1/0=1 2/0=2 0/2=3"},
		{f.URL(), url.Values{"id_shop_group": {"1"}}, "0/1=9 1/0=1 2/0=2"},
		{f.URL(), url.Values{"id_group_shop": {"2"}}, "0/2=3"},
		{f.URL(), url.Values{"id_shop_group": {"2"}, "id_shop": {"1"}}, "0/2=3"},
	} {
		if status, got := stockOwners(t, c.base, c.query); status != 200 || got != c.want {
			t.Errorf("%s %v: %d %q, want %q", c.base, c.query, status, got, c.want)
		}
	}
	if status, got := stockOwners(t, f.ShopURL(2), url.Values{"id_shop": {"4"}}); status != 200 || got != "0/1=9 1/0=1" {
		t.Errorf("id_shop 4 (no such shop): %d %q, want the default shop's rows after its redirect", status, got)
	}
	if status, _ := stockOwners(t, f.URL(), url.Values{"id_shop_group": {"3"}}); status != http.StatusInternalServerError {
		t.Errorf("id_shop_group 3 (no shop): %d, want 500", status)
	}
	if got := f.ShopURL(3); got != f.srv.URL+"/shop/outlet" {
		t.Errorf("shop 3's URL %s", got)
	}
}
