package fakegithub

import (
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// nugetRegistration answers a registration index, page or leaf. Up to
// nugetPageSize versions, the index inlines one page with every leaf; beyond that
// it lists pages by URL only, as nuget.org does. gz answers with gzip encoding.
func (s *Server) nugetRegistration(w http.ResponseWriter, owner string, tail []string, gz bool) {
	lid := strings.ToLower(tail[0])
	pkg := s.nuget[owner][lid]
	if pkg == nil {
		nugetError(w, http.StatusNotFound, "Not Found")
		return
	}
	flat := s.hosts[NuGet].url() + "/" + owner + "/download"
	base := s.hosts[NuGet].url() + "/" + owner
	if gz {
		base += "/gz-semver2"
	}
	var vs []string
	for v := range pkg {
		vs = append(vs, v)
	}
	sortVersions(vs)
	reg := nugetReg{base: base, flat: flat, lid: lid, pkg: pkg, versions: vs}
	var doc any
	switch {
	case len(tail) == 2 && tail[1] == "index.json":
		doc = reg.index()
	case len(tail) == 4 && tail[1] == "page":
		doc = reg.page(tail[2], strings.TrimSuffix(tail[3], ".json"), true)
	case len(tail) == 2 && strings.HasSuffix(tail[1], ".json"):
		v := pkg[strings.ToLower(normVersion(strings.TrimSuffix(tail[1], ".json")))]
		if v != nil {
			doc = reg.leafDoc(v)
		}
	}
	if doc == nil {
		nugetError(w, http.StatusNotFound, "Not Found")
		return
	}
	b, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/json")
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(b)
		zw.Close()
		return
	}
	w.Write(b)
}

// nugetReg builds one package's registration documents.
type nugetReg struct {
	base, lid string
	flat      string // the owner's flat container, where packageContent points
	pkg       map[string]*nugetVersion
	versions  []string // sorted
}

func (g nugetReg) indexURL() string { return g.base + "/" + g.lid + "/index.json" }
func (g nugetReg) leafURL(v *nugetVersion) string {
	return g.base + "/" + g.lid + "/" + strings.ToLower(v.version) + ".json"
}

func (g nugetReg) index() map[string]any {
	var pages []any
	paged := len(g.versions) > nugetPageSize
	for i := 0; i < len(g.versions); i += nugetPageSize {
		end := min(i+nugetPageSize, len(g.versions))
		pages = append(pages, g.page(g.versions[i], g.versions[end-1], !paged))
	}
	return map[string]any{
		"@id": g.indexURL(), "@type": []string{"catalog:CatalogRoot", "PackageRegistration", "catalog:Permalink"},
		"count": len(pages), "items": pages,
	}
}

// page is the page from lo to hi, with its leaves when inline (or fetched alone).
func (g nugetReg) page(lo, hi string, withItems bool) map[string]any {
	var leaves []any
	for _, v := range g.versions {
		if !lessVersion(v, strings.ToLower(normVersion(lo))) && !lessVersion(strings.ToLower(normVersion(hi)), v) {
			leaves = append(leaves, g.leaf(g.pkg[v]))
		}
	}
	if len(leaves) == 0 {
		return nil
	}
	p := map[string]any{
		"@id": g.base + "/" + g.lid + "/page/" + lo + "/" + hi + ".json", "@type": "catalog:CatalogPage",
		"count": len(leaves), "lower": lo, "upper": hi, "parent": g.indexURL(),
	}
	if withItems {
		p["items"] = leaves
	}
	return p
}

func (g nugetReg) content(v *nugetVersion) string {
	lv := strings.ToLower(v.version)
	return g.flat + "/" + g.lid + "/" + lv + "/" + g.lid + "." + lv + ".nupkg"
}

func (g nugetReg) leaf(v *nugetVersion) map[string]any {
	sum := sha512.Sum512(v.nupkg)
	catalog := g.base + "/catalog/" + g.lid + "." + strings.ToLower(v.version) + ".json"
	var deps []any
	for i, d := range v.deps {
		deps = append(deps, map[string]any{
			"@id": catalog + "#dependencygroup/dependency/" + strconv.Itoa(i), "@type": "PackageDependency",
			"id": d.ID, "range": d.Range, "registration": g.base + "/" + strings.ToLower(d.ID) + "/index.json",
		})
	}
	groups := []any{map[string]any{"@id": catalog + "#dependencygroup", "@type": "PackageDependencyGroup", "dependencies": deps}}
	return map[string]any{
		"@id": g.leafURL(v), "@type": "Package",
		"catalogEntry": map[string]any{
			"@id": catalog, "@type": "PackageDetails", "authors": "acme", "description": v.desc,
			"id": v.id, "version": v.version, "listed": v.listed, "published": v.published.Format(time.RFC3339),
			"packageContent": g.content(v), "dependencyGroups": groups,
			"packageHash": base64.StdEncoding.EncodeToString(sum[:]), "packageHashAlgorithm": "SHA512",
		},
		"packageContent": g.content(v), "registration": g.indexURL(),
	}
}

func (g nugetReg) leafDoc(v *nugetVersion) map[string]any {
	return map[string]any{
		"@id": g.leafURL(v), "@type": []string{"Package", "http://schema.nuget.org/catalog#Permalink"},
		"catalogEntry": g.base + "/catalog/" + g.lid + "." + strings.ToLower(v.version) + ".json",
		"listed":       v.listed, "packageContent": g.content(v), "published": v.published.Format(time.RFC3339),
		"registration": g.indexURL(),
	}
}

// nugetSearch answers search (ids containing q, case-insensitively) and
// autocomplete (ids starting with q), with skip, take and prerelease.
func (s *Server) nugetSearch(w http.ResponseWriter, r *http.Request, owner string, autocomplete bool) {
	q := strings.ToLower(r.URL.Query().Get("q"))
	pre := r.URL.Query().Get("prerelease") == "true"
	skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
	take, err := strconv.Atoi(r.URL.Query().Get("take"))
	if err != nil || take <= 0 {
		take = 20
	}
	var ids []string
	for lid := range s.nuget[owner] {
		if autocomplete && strings.HasPrefix(lid, q) || !autocomplete && strings.Contains(lid, q) {
			ids = append(ids, lid)
		}
	}
	sort.Strings(ids)
	total := len(ids)
	ids = ids[min(skip, len(ids)):]
	ids = ids[:min(take, len(ids))]
	if autocomplete {
		writeJSON(w, http.StatusOK, map[string]any{"totalHits": total, "data": ids})
		return
	}
	base := s.hosts[NuGet].url() + "/" + owner
	data := []any{}
	for _, lid := range ids {
		reg := nugetReg{base: base, flat: base + "/download", lid: lid, pkg: s.nuget[owner][lid]}
		var versions []any
		var latest *nugetVersion
		for v, nv := range reg.pkg {
			if strings.Contains(v, "-") && !pre {
				continue
			}
			versions = append(versions, map[string]any{"version": nv.version, "downloads": 0, "@id": reg.leafURL(nv)})
			if latest == nil || lessVersion(strings.ToLower(latest.version), v) {
				latest = nv
			}
		}
		if latest == nil {
			continue
		}
		data = append(data, map[string]any{
			"@id": reg.indexURL(), "@type": "Package", "registration": reg.indexURL(),
			"id": latest.id, "version": latest.version, "description": latest.desc,
			"versions": versions, "totalDownloads": 0,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalHits": total, "data": data})
}
