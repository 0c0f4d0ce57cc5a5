package stockbell

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestEverySkipReasonHasWords: each SkipReason constant declared in the
// package has the merchant's words, so that a reason added later is not
// shown to merchants as its code.
func TestEverySkipReasonHasWords(t *testing.T) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, file := range pkgs["stockbell"].Files {
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok || spec.Type == nil || len(spec.Values) != 1 {
				return true
			}
			if ident, ok := spec.Type.(*ast.Ident); !ok || ident.Name != "SkipReason" {
				return true
			}
			lit, ok := spec.Values[0].(*ast.BasicLit)
			if !ok {
				return true
			}
			code, _ := strconv.Unquote(lit.Value)
			found++
			if words := SkipReason(code).Words(); words == code {
				t.Errorf("skip reason %s (%q) has no words for merchants", spec.Names[0].Name, code)
			}
			return true
		})
	}
	if found < 10 {
		t.Fatalf("found %d skip reasons in the package's source, want them all", found)
	}
}
