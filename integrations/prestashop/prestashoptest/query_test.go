package prestashoptest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// get asks the fake as a client does and returns the status and either
// the product ids listed or the first error's code and message.
func get(t *testing.T, f *Fake, resource string, q url.Values) (int, string) {
	t.Helper()
	q.Set("output_format", "JSON")
	req, _ := http.NewRequest(http.MethodGet, f.URL()+"/api/"+resource+"?"+q.Encode(), nil)
	req.SetBasicAuth(Key, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body struct {
		Products []struct{ ID int64 } `json:"products"`
		Errors   []struct {
			Code    int
			Message string
		} `json:"errors"`
	}
	if string(raw) != "[]" {
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("%s: %s", err, raw)
		}
	}
	if len(body.Errors) > 0 {
		return resp.StatusCode, fmt.Sprintf("%d %s", body.Errors[0].Code, body.Errors[0].Message)
	}
	var ids []int64
	for _, p := range body.Products {
		ids = append(ids, p.ID)
	}
	return resp.StatusCode, fmt.Sprint(ids)
}

// TestListsAreReadAsPrestaShopReadsThem: filters, sort and limit mean
// what SQLUtils::getSQLRetrieveFilter and WebserviceRequest::manageFilters
// make of them, and a bad one is refused with their status, code and words.
func TestListsAreReadAsPrestaShopReadsThem(t *testing.T) {
	f := New("")
	defer f.Close()
	f.Do(func(s *Shop) {
		for _, id := range []int64{3, 1, 12, 7, 5} {
			s.Products = append(s.Products, &Product{ID: id, Name: fmt.Sprint("P", id), Reference: fmt.Sprint("ref", id)})
		}
	})
	for _, c := range []struct {
		query  url.Values
		status int
		want   string
	}{
		{url.Values{"filter[id]": {">[3]"}, "sort": {"[id_ASC]"}, "limit": {"2"}}, 200, "[5 7]"},
		{url.Values{"filter[id]": {">[12]"}, "sort": {"[id_ASC]"}, "limit": {"2"}}, 200, "[]"},
		{url.Values{"filter[id]": {"<[5]"}, "sort": {"[id_DESC]"}}, 200, "[3 1]"},
		{url.Values{"filter[id]": {"[3|12]"}}, 200, "[3 12]"},
		{url.Values{"filter[id]": {"[12,5]"}}, 200, "[5 7 12]"},
		{url.Values{"filter[id]": {"![1|3]"}}, 200, "[5 7 12]"},
		{url.Values{"filter[reference]": {"[REF1]%"}}, 200, "[1 12]"},
		{url.Values{"filter[id]": {">=[5]"}}, 200, "[1 3 5 7 12]"}, // no such operator: no condition
		{url.Values{"filter[id]": {">5"}}, 200, "[]"},              // no brackets: compared whole, as 0
		{url.Values{"sort": {"[id_DESC]"}, "limit": {"1,2"}}, 200, "[7 5]"},
		{url.Values{"filter[idd]": {">[3]"}}, 400, `32 This filter does not exist. Did you mean: "id"? The full list is: "id", "id_default_image", "reference", "price", "active"`},
		{url.Values{"filter[id]": {""}}, 400, `33 The filter "id" is malformed.`},
		{url.Values{"sort": {"[id]"}}, 400, `37 The "sort" value has to be formed as this example: "field_ASC" or '[field_1_DESC,field_2_ASC,field_3_ASC,...]' ("field" has to be an available field)`},
		{url.Values{"sort": {"[size_ASC]"}}, 400, "38 Unable to filter by this field. However, these are available: id, id_default_image, reference, price, active, for i18n fields:name, link_rewrite"},
		{url.Values{"limit": {"1,2,3"}}, 400, `39 The "limit" value has to be formed as this example: "5,25" or "10"`},
	} {
		status, got := get(t, f, "products", c.query)
		if status != c.status || got != c.want {
			t.Errorf("%v: %d %s, want %d %s", c.query, status, got, c.status, c.want)
		}
	}
}
