package magento

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// A configurable product's size opens the product's page with that size
// selected: Magento's storefront preselects a configurable product's
// options from the page address's fragment, #{attribute_id}={option_id}
// joined by &. Luma's drop-downs
// (Magento_ConfigurableProduct/js/configurable.js) read it in
// _overrideDefaults:
//
//	var hashIndex = window.location.href.indexOf('#');
//	if (hashIndex !== -1) {
//	    this._parseQueryParams(window.location.href.substr(hashIndex + 1));
//	}
//
// where _parseQueryParams sets this.options.values[key] = value for each
// pair of $.parseQuery({query: queryString}), and _configureForValues
// selects this.options.values[attributeId] in each attribute's select.
// Its swatches (Magento_Swatches/js/swatch-renderer.js) do the same in
// _RenderControls, $widget._EmulateSelected($widget._getSelectedAttributes()),
// whose _getSelectedAttributes parses
// $.parseQuery(window.location.href.substr(hashIndex + 1)) and maps each
// attribute id to its attribute code for _EmulateSelected to click.

// apiOption is a configurable attribute of a configurable product
// (Magento's ConfigurableProduct OptionInterface): its attribute id, a
// string in Magento's answers ("93"), and the option ids of its values,
// which Magento reads from the product's children.
type apiOption struct {
	AttributeID looseText `json:"attribute_id"`
	Values      []struct {
		ValueIndex looseText `json:"value_index"`
	} `json:"values"`
}

// looseText is a value Magento writes as a string or a number, read as
// text; any other value reads as "" and fails nothing.
type looseText string

func (t *looseText) UnmarshalJSON(b []byte) error {
	var v any
	if json.Unmarshal(b, &v) == nil {
		*t = looseText(attributeText(v))
	}
	return nil
}

// attributeText is a custom attribute's value as text: a string as it
// is, a number in decimal, anything else "".
func attributeText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// apiExtension is what Stockbell reads of a product's
// extension_attributes: a configurable product's options, which Magento
// 2.4 lists with the product (its product list reads the extension
// attributes). Nil when not listed. Read leniently: Magento writes empty
// extension attributes as [], and a shape not understood must not fail
// the page of products it is on.
type apiExtension struct {
	ConfigurableOptions []apiOption
}

func (x *apiExtension) UnmarshalJSON(b []byte) error {
	var listed struct {
		ConfigurableOptions []apiOption `json:"configurable_product_options"`
	}
	if json.Unmarshal(b, &listed) == nil {
		x.ConfigurableOptions = listed.ConfigurableOptions
	}
	return nil
}

// configurableOptions reads a configurable product's options
// (/V1/configurable-products/{sku}/options/all), for a store whose
// product list leaves them out.
func (c *Client) configurableOptions(ctx context.Context, cred Credentials, sku string) ([]apiOption, error) {
	var out []apiOption
	err := c.get(ctx, cred, "/configurable-products/"+url.PathEscape(sku)+"/options/all", nil, &out)
	return out, err
}

// childPages returns the pages of a configurable product's children by
// SKU: the product's page with the child's options in its fragment
// (optionFragments). None for another product, nor when the options
// cannot be read: its children's alerts then open the product's page,
// and the sync goes on.
func (in *Integration) childPages(ctx context.Context, cred Credentials, p *apiProduct, productPage string, children []apiProduct) map[string]string {
	if p.TypeID != typeConfigurable || productPage == "" {
		return nil
	}
	options := p.Extension.ConfigurableOptions
	if options == nil {
		var err error
		if options, err = in.Client.configurableOptions(ctx, cred, p.SKU); err != nil {
			in.Logger.WarnContext(ctx, "magento configurable options not read: its sizes' alerts open the product's page",
				"store", cred.BaseURL, "sku", p.SKU, "err", err)
			return nil
		}
	}
	pages := map[string]string{}
	for sku, fragment := range optionFragments(options, children) {
		pages[sku] = productPage + "#" + fragment
	}
	return pages
}

// optionFragments returns each child's fragment by SKU,
// "{attribute_id}={option_id}" for each option of the product, in its
// order, joined by &. A child missing a value gets none, and so does
// every child when an option's attribute cannot be told (optionCode).
func optionFragments(options []apiOption, children []apiProduct) map[string]string {
	codes := make([]string, len(options))
	for i, o := range options {
		if codes[i] = optionCode(o, children); codes[i] == "" {
			return nil
		}
	}
	out := map[string]string{}
	for _, child := range children {
		pairs := make([]string, 0, len(options))
		for i, o := range options {
			if value := child.attribute(codes[i]); value != "" {
				pairs = append(pairs, string(o.AttributeID)+"="+value)
			}
		}
		if len(options) > 0 && len(pairs) == len(options) {
			out[child.SKU] = strings.Join(pairs, "&")
		}
	}
	return out
}

// optionCode finds the code of an option's attribute among the children's
// custom attributes (the options name only its id): the attribute whose
// every child's value is one of the option's values. Option ids are
// Magento's, unique across attributes, but another attribute's plain
// number (tax_class_id "2") may be among them too; then it is the one
// whose values across the children are exactly the option's, as Magento
// reads them from the children. "" when none or several are.
func optionCode(o apiOption, children []apiProduct) string {
	values := map[string]bool{}
	for _, v := range o.Values {
		values[string(v.ValueIndex)] = true
	}
	var within, exact []string
	for _, code := range attributeCodes(children) {
		held := map[string]bool{}
		for _, child := range children {
			held[child.attribute(code)] = true
		}
		if !subset(held, values) {
			continue
		}
		within = append(within, code)
		if len(held) == len(values) {
			exact = append(exact, code)
		}
	}
	switch {
	case len(within) == 1:
		return within[0]
	case len(exact) == 1:
		return exact[0]
	}
	return ""
}

// attributeCodes are the codes of the custom attributes of the children,
// each once, in a stable order.
func attributeCodes(children []apiProduct) []string {
	var codes []string
	for _, child := range children {
		for _, a := range child.CustomAttributes {
			if !slices.Contains(codes, a.Code) {
				codes = append(codes, a.Code)
			}
		}
	}
	return codes
}

// subset reports whether every key of a is in b.
func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
