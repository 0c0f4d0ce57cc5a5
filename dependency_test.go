package stockbell_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/stockbell/stockbell"

// adapters talk to one technology each and meet only in server/main.go.
var adapters = []string{
	module + "/server/store",
	module + "/integrations",
	module + "/server/delivery",
	module + "/snippet",
	module + "/oauth",
	module + "/server/metrics",
}

// domainRules are the domain rules that need more than the standard
// library (contact normalisation, the public-address rule of netguard,
// how amounts of money are written):
// beside the root, they import nothing else of the project.
var domainRules = []string{
	module + "/contact",
	module + "/netguard",
	module + "/moneytext",
}

// coreLogic packages see storage, queue and senders only through the root
// package's interfaces.
var coreLogic = []string{
	module + "/server/restock",
	module + "/server/report",
	module + "/server/outbound",
}

type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Standard   bool
}

// TestDependencyRule enforces the dependency rule of ARCHITECTURE.md on the
// non-test imports of every package.
func TestDependencyRule(t *testing.T) {
	for _, pkg := range listPackages(t) {
		for _, imp := range pkg.Imports {
			if reason := forbidden(pkg.ImportPath, imp); reason != "" {
				t.Errorf("%s imports %s: %s", pkg.ImportPath, imp, reason)
			}
		}
	}
}

func TestForbiddenCatchesViolations(t *testing.T) {
	cases := []struct{ from, to string }{
		{module, "github.com/jmoiron/sqlx"},
		{module, module + "/server/store"},
		{module + "/oauth", module + "/integrations/shopify"},
		{module + "/integrations/shopify", module + "/server/store"},
		{module + "/server/delivery", module + "/snippet"},
		{module + "/server/restock", module + "/server/store"},
		{module + "/server/restock", module + "/server/jobs"},
		{module + "/contact", module + "/server/store"},
	}
	for _, c := range cases {
		if forbidden(c.from, c.to) == "" {
			t.Errorf("forbidden(%s, %s) allowed a violation", c.from, c.to)
		}
	}
	allowed := []struct{ from, to string }{
		{module + "/server", module + "/server/store"},
		{module + "/integrations/shopify", module},
		{module + "/integrations/shopify", module + "/integrations/shopify/internal/x"},
		{module + "/server/web", module},
		{module + "/contact", module},
		{module + "/contact", "golang.org/x/net/idna"},
		{module + "/server/store", module + "/contact"},
	}
	for _, c := range allowed {
		if reason := forbidden(c.from, c.to); reason != "" {
			t.Errorf("forbidden(%s, %s) = %q, want allowed", c.from, c.to, reason)
		}
	}
}

// forbidden returns why from may not import to, or "" when it may.
func forbidden(from, to string) string {
	if from == module {
		if isStandard(to) {
			return ""
		}
		return "the root package imports only the standard library"
	}
	if !strings.HasPrefix(to, module+"/") {
		return ""
	}
	if owner(from, domainRules) != "" && to != module && owner(to, domainRules) == "" {
		return "domain rules beside the root import only the root"
	}
	fromAdapter, toAdapter := owner(from, adapters), owner(to, adapters)
	if fromAdapter != "" && toAdapter != "" && fromAdapter != toAdapter && !isTestSupport(from) {
		return "adapters never import each other; they meet in server/main.go"
	}
	if owner(from, coreLogic) != "" && !isTestSupport(from) && (toAdapter != "" || owner(to, []string{module + "/server/jobs"}) != "") {
		return "the engine sees storage, queue and senders only through root interfaces"
	}
	return ""
}

// owner returns the adapter or package group that path belongs to. Each
// integrations/<platform> is its own adapter.
func owner(path string, groups []string) string {
	for _, g := range groups {
		if path == g || strings.HasPrefix(path, g+"/") {
			if g == module+"/integrations" {
				rest := strings.TrimPrefix(path, g+"/")
				first, _, _ := strings.Cut(rest, "/")
				return g + "/" + first
			}
			return g
		}
	}
	return ""
}

// isTestSupport reports packages that exist only to help tests (storetest,
// shopifytest, browsertest…): they may assemble real adapters.
func isTestSupport(path string) bool {
	last := path[strings.LastIndex(path, "/")+1:]
	return strings.HasSuffix(last, "test")
}

func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(out)
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	if len(pkgs) < 3 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// httpLayer is the one package that serves HTTP.
const httpLayer = module + "/server/web"

// serverSide are the net/http names that serve requests: handlers, the
// response writer, multiplexers. Clients (http.Client, http.Request,
// http.Header) may be used anywhere.
var serverSide = map[string]bool{
	"Handler": true, "HandlerFunc": true, "ResponseWriter": true, "ServeMux": true,
	"NewServeMux": true, "Handle": true, "HandleFunc": true, "ListenAndServe": true,
}

// TestHTTPRule enforces docs/architecture.md's HTTP rule on every
// non-test Go file: only server/web serves HTTP (routes, handlers, error
// answers, JSON and HTML writers); adapters hand it plain functions and
// small interfaces. Test support packages (*test: the loopback fakes of
// the platforms) play servers and are exempt.
func TestHTTPRule(t *testing.T) {
	for _, pkg := range listPackages(t) {
		if pkg.ImportPath == httpLayer || isTestSupport(pkg.ImportPath) || !strings.HasPrefix(pkg.ImportPath, module) {
			continue
		}
		for _, name := range pkg.GoFiles {
			path := filepath.Join(pkg.Dir, name)
			for _, use := range serverSideUses(t, path, nil) {
				t.Errorf("%s: only server/web serves HTTP", use)
			}
		}
	}
}

func TestServerSideUsesCatchesHandlers(t *testing.T) {
	handler := `package p
import web "net/http"
type h struct{}
func (h) ServeHTTP(w web.ResponseWriter, r *web.Request) {}
var _ = web.HandlerFunc(nil)`
	if uses := serverSideUses(t, "handler.go", handler); len(uses) != 2 {
		t.Errorf("a handler file gave %v, want its ResponseWriter and HandlerFunc", uses)
	}
	client := `package p
import "net/http"
func get(c *http.Client, h http.Header) (*http.Response, error) { return c.Get("http://x") }`
	if uses := serverSideUses(t, "client.go", client); len(uses) != 0 {
		t.Errorf("a client file gave %v, want nothing", uses)
	}
}

// serverSideUses returns the positions where a Go file (read from path, or
// src when given) names net/http's server side.
func serverSideUses(t *testing.T, path string, src any) []string {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	local := ""
	for _, imp := range file.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "net/http" {
			local = "http"
			if imp.Name != nil {
				local = imp.Name.Name
			}
		}
	}
	if local == "" {
		return nil
	}
	var uses []string
	ast.Inspect(file, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if x, isIdent := selectorBase(sel, ok); isIdent && x == local && serverSide[sel.Sel.Name] {
			uses = append(uses, fset.Position(sel.Pos()).String()+" "+local+"."+sel.Sel.Name)
		}
		return true
	})
	return uses
}

// selectorBase returns the identifier a selector is taken from, if any.
func selectorBase(sel *ast.SelectorExpr, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	id, isIdent := sel.X.(*ast.Ident)
	if !isIdent {
		return "", false
	}
	return id.Name, true
}
