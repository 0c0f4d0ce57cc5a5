package magentotest

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// criteria is a searchCriteria query as Magento's REST layer reads it
// (Magento\Framework\Webapi\ServiceInputProcessor): each bracketed key
// names a property of SearchCriteriaInterface, FilterGroup, Filter or
// SortOrder, in snake_case or camelCase; a key naming no property is
// refused. Filter groups are ANDed, the filters of a group ORed.
type criteria struct {
	groups      map[int]map[int]*filter
	sorts       map[int]*sortOrder
	page, size  int
	hasPage     bool
	hasPageSize bool
}

type filter struct{ field, value, condition string }

type sortOrder struct{ field, direction string }

var (
	criteriaPage  = regexp.MustCompile(`^searchCriteria\[(currentPage|current_page|pageSize|page_size)\]$`)
	criteriaGroup = regexp.MustCompile(`^searchCriteria\[(?:filterGroups|filter_groups)\]\[(\d+)\]\[filters\]\[(\d+)\]\[(field|value|condition_type|conditionType)\]$`)
	criteriaSort  = regexp.MustCompile(`^searchCriteria\[(?:sortOrders|sort_orders)\]\[(\d+)\]\[(field|direction)\]$`)
)

// parseCriteria reads the searchCriteria of a query; its error is the
// message of a 400 answer: for a key that names no property, Magento's
// (Magento\Framework\Reflection\NameFinder).
func parseCriteria(q url.Values) (*criteria, error) {
	c := &criteria{groups: map[int]map[int]*filter{}, sorts: map[int]*sortOrder{}}
	for key, values := range q {
		if !strings.HasPrefix(key, "searchCriteria") {
			continue // not a parameter of getList: Magento ignores it
		}
		value := values[len(values)-1]
		page, group, sort := criteriaPage.FindStringSubmatch(key), criteriaGroup.FindStringSubmatch(key), criteriaSort.FindStringSubmatch(key)
		switch {
		case page != nil:
			if err := c.setPage(page[1], value); err != nil {
				return nil, err
			}
		case group != nil:
			c.setFilter(atoi(group[1]), atoi(group[2]), group[3], value)
		case sort != nil:
			c.setSort(atoi(sort[1]), sort[2], value)
		default:
			return nil, fmt.Errorf(`Property %q does not have accessor method in class "Magento\Framework\Api\SearchCriteriaInterface".`, key)
		}
	}
	return c, c.check()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func (c *criteria) setPage(key, value string) error {
	n, err := strconv.Atoi(value)
	if err != nil {
		return fmt.Errorf(`The %q value's type is invalid. The "int" type was expected. Verify and try again.`, value)
	}
	if key == "currentPage" || key == "current_page" {
		c.page, c.hasPage = n, true
	} else {
		c.size, c.hasPageSize = n, true
	}
	return nil
}

func (c *criteria) setFilter(group, index int, key, value string) {
	if c.groups[group] == nil {
		c.groups[group] = map[int]*filter{}
	}
	f := c.groups[group][index]
	if f == nil {
		f = &filter{condition: "eq"} // condition_type is optional for eq
		c.groups[group][index] = f
	}
	switch key {
	case "field":
		f.field = value
	case "value":
		f.value = value
	default:
		f.condition = value
	}
}

func (c *criteria) setSort(index int, key, value string) {
	s := c.sorts[index]
	if s == nil {
		s = &sortOrder{direction: "DESC"} // Magento's default direction
		c.sorts[index] = s
	}
	if key == "field" {
		s.field = value
	} else {
		s.direction = value
	}
}

// check refuses what the fake does not implement: filters on fields
// other than entity_id and sku, conditions other than eq and gt, sorting
// on anything but entity_id.
func (c *criteria) check() error {
	for _, group := range c.groups {
		for _, f := range group {
			if f.field != "entity_id" && f.field != "sku" {
				return fmt.Errorf("magentotest: filtering on %q is not implemented", f.field)
			}
			if f.condition != "eq" && f.condition != "gt" {
				return fmt.Errorf("magentotest: condition_type %q is not implemented", f.condition)
			}
		}
	}
	for _, s := range c.sorts {
		if s.field != "entity_id" || (s.direction != "ASC" && s.direction != "DESC") {
			return fmt.Errorf("magentotest: sorting by %q %q is not implemented", s.field, s.direction)
		}
	}
	return nil
}

// match reports whether a product passes every filter group.
func (c *criteria) match(p *Product) bool {
	for _, group := range c.groups {
		if !slices.ContainsFunc(mapValues(group), func(f *filter) bool { return f.match(p) }) {
			return false
		}
	}
	return true
}

func (f *filter) match(p *Product) bool {
	if f.field == "sku" {
		return f.condition == "eq" && p.SKU == f.value
	}
	id, err := strconv.ParseInt(f.value, 10, 64)
	if err != nil {
		return false
	}
	if f.condition == "gt" {
		return p.ID > id
	}
	return p.ID == id
}

// sort orders products by the first sort order (the fake knows only
// entity_id); without one they keep the catalog's order.
func (c *criteria) sort(products []*Product) {
	s := c.sorts[0]
	if s == nil {
		return
	}
	slices.SortStableFunc(products, func(a, b *Product) int {
		if s.direction == "ASC" {
			return cmp.Compare(a.ID, b.ID)
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
