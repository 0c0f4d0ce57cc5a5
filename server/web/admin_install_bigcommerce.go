package web

// stencilThemeEdits are what a BigCommerce merchant adds to a Cornerstone
// theme, as docs/bigcommerce.md gives them (a test holds the two equal):
// the product view's marker, whose variant the theme's script sets, and
// the two script additions that set it to the chosen variant's v3 id.
type stencilThemeEdits struct {
	Marker, UpdateView, Constructor string
}

var stencilEdits = &stencilThemeEdits{
	Marker: `<div data-stockbell-variant="" data-stockbell-available="true" data-stockbell-name="{{product.title}}">
  <div data-stockbell-button></div>
</div>`,
	UpdateView: `// In updateView(data, content), first:
const marker = this.$scope[0].querySelector("[data-stockbell-variant]");
if (marker && data.v3_variant_id) {
  marker.setAttribute("data-stockbell-variant", String(data.v3_variant_id));
  // Sold out: neither in stock nor purchasable (backorders keep purchasable true).
  marker.setAttribute("data-stockbell-available", String(!(data.instock === false && data.purchasable === false)));
}`,
	Constructor: `// In the ProductDetails constructor, after $form and hasOptions:
if (!hasOptions) {
  utils.api.productAttributes.optionChange($('[name="product_id"]', $form).val(), $form.serialize(),
    "products/bulk-discount-rates", (err, response) => { if (!err) this.updateView(response.data || {}, response.content); });
}`,
}
