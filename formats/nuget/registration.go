package nuget

import (
	"fmt"
	"strings"
)

// rewriteRegistration points every URL of a registration document at Hoard: the
// index's and each page's @id (so the pages of a paged registration are fetched
// through Hoard), each leaf's @id, packageContent and registration, the catalog
// entry's URLs and each dependency's registration. URLs are rebuilt from the
// document's ids and versions, never taken from it.
func rewriteRegistration(body []byte, u urls, k docKey) ([]byte, error) {
	doc, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	fixContext(doc, u.regBase())
	switch {
	case k.rest == indexFile:
		err = rewriteRegIndex(doc, u, k.id)
	case strings.HasPrefix(k.rest, "page/"):
		err = rewritePage(doc, u, k.id, u.regIndex(k.id))
	default:
		err = rewriteLeaf(doc, u, k.id, strings.TrimSuffix(k.rest, ".json"))
	}
	if err != nil {
		return nil, err
	}
	return encode(doc)
}

func rewriteRegIndex(doc map[string]any, u urls, id string) error {
	items, ok := doc["items"].([]any)
	if !ok {
		return fmt.Errorf("registration index has no items")
	}
	doc["@id"] = u.regIndex(id)
	for _, it := range items {
		page, ok := it.(map[string]any)
		if !ok {
			return fmt.Errorf("registration page is not an object")
		}
		if err := rewritePage(page, u, id, u.regIndex(id)); err != nil {
			return err
		}
	}
	return nil
}

// rewritePage rewrites a page, inlined in its index or fetched on its own.
func rewritePage(page map[string]any, u urls, id, parent string) error {
	lo, err1 := normalVersion(str(page["lower"]))
	hi, err2 := normalVersion(str(page["upper"]))
	if err1 != nil || err2 != nil {
		return fmt.Errorf("registration page bounds are not versions")
	}
	page["@id"] = u.page(id, lo, hi)
	if _, ok := page["parent"]; ok {
		page["parent"] = parent
	}
	leaves, _ := page["items"].([]any)
	for _, l := range leaves {
		leaf, ok := l.(map[string]any)
		if !ok {
			return fmt.Errorf("registration leaf is not an object")
		}
		ce, _ := leaf["catalogEntry"].(map[string]any)
		ver, err := normalVersion(str(ce["version"]))
		if err != nil {
			return fmt.Errorf("registration leaf without a valid version: %v", err)
		}
		if err := rewriteLeaf(leaf, u, id, ver); err != nil {
			return err
		}
	}
	return nil
}

// rewriteLeaf rewrites a leaf (in a page, or the leaf document whose catalogEntry
// is a URL).
func rewriteLeaf(leaf map[string]any, u urls, id, ver string) error {
	self := u.leaf(id, ver)
	leaf["@id"] = self
	leaf["packageContent"] = u.nupkg(id, ver)
	if _, ok := leaf["registration"]; ok {
		leaf["registration"] = u.regIndex(id)
	}
	switch ce := leaf["catalogEntry"].(type) {
	case string:
		leaf["catalogEntry"] = self
	case map[string]any:
		rewriteCatalogEntry(ce, u, id, ver, self)
	}
	return nil
}

// rewriteCatalogEntry points the catalog entry's own URLs (its @id, those of its
// dependency groups, dependencies, deprecation and vulnerabilities) at the leaf,
// keeping their fragments, and each dependency's registration at Hoard.
func rewriteCatalogEntry(ce map[string]any, u urls, id, ver, self string) {
	if _, ok := ce["packageContent"]; ok {
		ce["packageContent"] = u.nupkg(id, ver)
	}
	walkIDs(ce, self)
	groups, _ := ce["dependencyGroups"].([]any)
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		deps, _ := gm["dependencies"].([]any)
		for _, d := range deps {
			dm, ok := d.(map[string]any)
			if !ok {
				continue
			}
			if dep, err := normalID(str(dm["id"])); err == nil {
				dm["registration"] = u.regIndex(dep)
			} else {
				delete(dm, "registration")
			}
		}
	}
}

// walkIDs replaces every "@id" under v with self and the original's fragment.
func walkIDs(v any, self string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if k == "@id" {
				frag := ""
				if _, f, ok := strings.Cut(str(x), "#"); ok {
					frag = "#" + f
				}
				t[k] = self + frag
				continue
			}
			walkIDs(x, self)
		}
	case []any:
		for _, x := range t {
			walkIDs(x, self)
		}
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
