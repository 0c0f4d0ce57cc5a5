package prestashoptest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPricesAsPrestaShopWritesThem: each price[alias][…] adds the alias to
// every combination listed, a string of six decimals as sprintf('%f')
// writes it, the combination's impact and the product's tax included; an
// alias Validate::isConfigName refuses is answered 400, code 128.
func TestPricesAsPrestaShopWritesThem(t *testing.T) {
	f := New("")
	defer f.Close()
	f.Do(func(s *Shop) {
		s.Products = []*Product{{ID: 1, Price: "20.000000", TaxRate: "20.000", Combinations: []*Combination{{ID: 7, Price: "2.500000"}}}}
	})
	body := func(q url.Values) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, f.URL()+"/api/combinations?output_format=JSON&display=full&"+q.Encode(), nil)
		req.SetBasicAuth(Key, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	status, raw := body(url.Values{"price[paid][use_tax]": {"1"}, "price[paid][decimals]": {"6"}, "price[net][use_tax]": {"0"}})
	if status != http.StatusOK || !strings.Contains(raw, `"paid":"27.000000"`) || !strings.Contains(raw, `"net":"22.500000"`) {
		t.Errorf("combination with prices = %d %s", status, raw)
	}
	if status, raw := body(url.Values{"price[no good][use_tax]": {"1"}}); status != http.StatusBadRequest || !strings.Contains(raw, `"code":128`) {
		t.Errorf("an alias that is no configuration name = %d %s", status, raw)
	}
}
