package magento

import "testing"

// TestErrorBodyText: Magento's messages carry named (%resources) or
// positional (%1) placeholders that the parameters fill.
func TestErrorBodyText(t *testing.T) {
	for _, c := range []struct{ raw, text, resources string }{
		{`{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":"Magento_Catalog::products"}}`,
			"The consumer isn't authorized to access Magento_Catalog::products.", "Magento_Catalog::products"},
		{`{"message":"Field %1 of %10 is %2","parameters":["a","b","c","d","e","f","g","h","i","j"]}`, "Field a of j is b", ""},
		{`{"message":"Specified token does not exist"}`, "Specified token does not exist", ""},
		{`{"message":"The consumer isn't authorized to access %resources.","parameters":[]}`, "The consumer isn't authorized to access %resources.", ""},
		{`<html>403 Forbidden</html>`, "<html>403 Forbidden</html>", ""},
	} {
		body := readErrorBody([]byte(c.raw))
		if got := body.text(); got != c.text {
			t.Errorf("%s reads %q, want %q", c.raw, got, c.text)
		}
		if got := body.resources(); got != c.resources {
			t.Errorf("%s names the resources %q, want %q", c.raw, got, c.resources)
		}
	}
}
