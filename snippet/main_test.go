package snippet

import (
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }
