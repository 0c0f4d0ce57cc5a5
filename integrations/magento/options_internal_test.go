package magento

import (
	"encoding/json"
	"maps"
	"testing"
)

// TestOptionFragments: each child's fragment names every option of its
// product by attribute id, with the child's value read from its custom
// attribute of that option (Magento's options name no attribute code). A
// plain number of another attribute among the option's values
// (tax_class_id "4", once its option 4 is a size) is told apart by the
// children's values; a child missing a value, or an option whose
// attribute cannot be told, selects nothing.
func TestOptionFragments(t *testing.T) {
	product := func(raw string) apiProduct {
		var p apiProduct
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return p
	}
	tee := product(`{"sku":"TEE","type_id":"configurable","extension_attributes":{"configurable_product_options":[
		{"id":1,"attribute_id":"93","label":"Color","position":0,"values":[{"value_index":50}],"product_id":10},
		{"id":2,"attribute_id":144,"label":"Size","position":1,"values":[{"value_index":4},{"value_index":5}],"product_id":10}]}}`)
	small := product(`{"sku":"TEE-S","extension_attributes":[],"custom_attributes":[{"attribute_code":"tax_class_id","value":"4"},
		{"attribute_code":"size","value":"4"},{"attribute_code":"color","value":50}]}`)
	medium := product(`{"sku":"TEE-M","custom_attributes":[{"attribute_code":"tax_class_id","value":"4"},
		{"attribute_code":"size","value":"5"},{"attribute_code":"color","value":"50"}]}`)
	noColour := product(`{"sku":"TEE-L","custom_attributes":[{"attribute_code":"tax_class_id","value":"4"},{"attribute_code":"size","value":"5"}]}`)
	options := tee.Extension.ConfigurableOptions
	for _, c := range []struct {
		name     string
		options  []apiOption
		children []apiProduct
		want     map[string]string
	}{
		{"two sizes", options, []apiProduct{small, medium}, map[string]string{"TEE-S": "93=50&144=4", "TEE-M": "93=50&144=5"}},
		{"the size's value shared with the tax class", options, []apiProduct{small}, nil},
		{"a child without a colour", options, []apiProduct{small, medium, noColour}, nil},
		{"no options", nil, []apiProduct{small}, map[string]string{}},
	} {
		if got := optionFragments(c.options, c.children); !maps.Equal(got, c.want) {
			t.Errorf("%s: fragments %v, want %v", c.name, got, c.want)
		}
	}
	if small.Extension.ConfigurableOptions != nil {
		t.Errorf("a simple product's extension attributes [] read as options %v", small.Extension.ConfigurableOptions)
	}
}
