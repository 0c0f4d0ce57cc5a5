package web

import (
	"context"
	"fmt"
	"slices"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
)

// How many variants and products the Reports page's filters list.
const (
	reportVariantChoices = 200
	reportProductChoices = 1000
)

// filterChoices are the choices of the Reports page's filters.
type filterChoices struct {
	Variants []*stockbell.VariantWithProduct
	Products []productOption
	// Cut says, when the shop (or the product chosen) has more variants or
	// products than are listed, which list is cut and how to reach the rest.
	Cut []string
}

type productOption struct {
	ID    int64
	Title string
}

// reportChoices lists the shop's products by title and the variants of
// the product the query names, or else the shop's first variants, so that
// a shop with more variants than the list reaches any of them through its
// product. The variant and the product the query names are listed when
// they are beyond those, so that the form shows what the figures are
// filtered by.
func (a *Admin) reportChoices(ctx context.Context, shopID int64, q report.ActivityQuery) (*filterChoices, error) {
	filter := stockbell.VariantFilter{ShopID: &shopID, Limit: reportVariantChoices}
	if q.ProductID != 0 {
		filter.ProductID = &q.ProductID
	}
	variants, total, err := a.Catalog.FindVariants(ctx, filter)
	if err == nil {
		variants, err = a.withChosenVariant(ctx, shopID, variants, q)
	}
	if err != nil {
		return nil, err
	}
	products, productTotal, err := a.Catalog.FindProducts(ctx, shopID, reportProductChoices)
	if err != nil {
		return nil, err
	}
	c := &filterChoices{Variants: variants, Cut: choicesCut(q, total, productTotal)}
	for _, p := range products {
		c.Products = append(c.Products, productOption{ID: p.ID, Title: p.Title})
	}
	listed := slices.ContainsFunc(c.Products, func(p productOption) bool { return p.ID == q.ProductID })
	if i := slices.IndexFunc(variants, func(v *stockbell.VariantWithProduct) bool { return v.ProductID == q.ProductID }); !listed && i >= 0 {
		c.Products = append(c.Products, productOption{ID: q.ProductID, Title: variants[i].ProductTitle})
	}
	return c, nil
}

// choicesCut says which of the filters' lists is cut: the variants of the
// shop, or of the product chosen, and the products.
func choicesCut(q report.ActivityQuery, variants, products int) []string {
	var cut []string
	switch {
	case variants <= reportVariantChoices:
	case q.ProductID != 0:
		cut = append(cut, fmt.Sprintf("Variant lists this product's first %d variants.", reportVariantChoices))
	default:
		cut = append(cut, fmt.Sprintf("Variant lists the shop's first %d variants: for another, choose its product and Show to list its variants.",
			reportVariantChoices))
	}
	if products > reportProductChoices {
		cut = append(cut, fmt.Sprintf("Product lists the first %s products by title.", formatNumber(reportProductChoices)))
	}
	return cut
}

// withChosenVariant adds to variants the one the query names when the
// list lacks it and the shop has it.
func (a *Admin) withChosenVariant(ctx context.Context, shopID int64, variants []*stockbell.VariantWithProduct,
	q report.ActivityQuery) ([]*stockbell.VariantWithProduct, error) {
	if q.VariantID == 0 || slices.ContainsFunc(variants, func(v *stockbell.VariantWithProduct) bool { return v.ID == q.VariantID }) {
		return variants, nil
	}
	v, err := a.Catalog.FindVariantByID(ctx, shopID, q.VariantID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return variants, nil
	}
	if err != nil {
		return nil, err
	}
	return append(variants, v), nil
}
