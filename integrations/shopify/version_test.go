package shopify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// TestAPIVersionIsPinnedEverywhere: the Admin API version is one constant;
// the app's and the theme extension's configuration (which Shopify CLI
// deploys: the webhooks' payload version and the extension's), the fake
// and the Shopify guide name the same one.
func TestAPIVersionIsPinnedEverywhere(t *testing.T) {
	want := `api_version = "` + shopify.APIVersion + `"`
	for _, file := range []string{"shopify.app.toml", "extensions/stockbell-embed/shopify.extension.toml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) || strings.Count(string(b), "api_version =") != 1 {
			t.Errorf("%s does not pin %s", file, want)
		}
	}
	if fake := shopifytest.New(shopifytest.NewClock(time.Now())); fake.APIVersion != shopify.APIVersion {
		t.Errorf("the fake answers version %s, the client asks for %s", fake.APIVersion, shopify.APIVersion)
	} else {
		fake.Close()
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "shopify.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(guide), "`"+shopify.APIVersion+"`") || !strings.Contains(string(guide), "/admin/api/"+shopify.APIVersion+"/graphql.json") {
		t.Errorf("docs/shopify.md does not name version %s", shopify.APIVersion)
	}
}
