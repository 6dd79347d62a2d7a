package nuget

import (
	"encoding/json"
	"errors"
	"strings"
)

// serviceDoc is a service index as the protocol defines it.
type serviceDoc struct {
	Version   string     `json:"version"`
	Resources []resource `json:"resources"`
}

type resource struct {
	ID      string `json:"@id"`
	Type    string `json:"@type"`
	Comment string `json:"comment,omitempty"`
}

// offered lists, per Hoard resource slug, the upstream resource types it is made of,
// preferred first: a slug is resolved to the first of these the upstream lists
// (upstream.go), and Hoard's service index lists the slug's own types only when the
// upstream offers one of them. Registrations fall back to any registration type:
// their documents have one shape, and a feed (GitHub's) may offer only the plain
// one.
var offered = map[string][]string{
	slugDownload: {"PackageBaseAddress/3.0.0"},
	slugReg:      {"RegistrationsBaseUrl", "RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl/3.0.0-beta", "RegistrationsBaseUrl/3.4.0", "RegistrationsBaseUrl/3.6.0"},
	slugRegGz:    {"RegistrationsBaseUrl/3.4.0", "RegistrationsBaseUrl", "RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl/3.0.0-beta", "RegistrationsBaseUrl/3.6.0"},
	slugRegSemV2: {"RegistrationsBaseUrl/3.6.0", "RegistrationsBaseUrl/3.4.0", "RegistrationsBaseUrl", "RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl/3.0.0-beta"},
	slugQuery:    {"SearchQueryService/3.5.0", "SearchQueryService", "SearchQueryService/3.0.0-rc", "SearchQueryService/3.0.0-beta"},
	slugComplete: {"SearchAutocompleteService/3.5.0", "SearchAutocompleteService", "SearchAutocompleteService/3.0.0-rc", "SearchAutocompleteService/3.0.0-beta"},
	slugPublish:  {"PackagePublish/2.0.0"},
}

// slugPublish names PackagePublish among the slugs; its path is publishPath.
const slugPublish = "publish"

// served lists the resource types Hoard's index names for each slug, in order.
var served = []struct {
	slug  string
	types []string
}{
	{slugDownload, []string{"PackageBaseAddress/3.0.0"}},
	{slugRegSemV2, []string{"RegistrationsBaseUrl/3.6.0"}},
	{slugRegGz, []string{"RegistrationsBaseUrl/3.4.0"}},
	{slugReg, []string{"RegistrationsBaseUrl", "RegistrationsBaseUrl/3.0.0-beta", "RegistrationsBaseUrl/3.0.0-rc"}},
	{slugQuery, []string{"SearchQueryService", "SearchQueryService/3.0.0-beta", "SearchQueryService/3.0.0-rc", "SearchQueryService/3.5.0"}},
	{slugComplete, []string{"SearchAutocompleteService", "SearchAutocompleteService/3.0.0-beta", "SearchAutocompleteService/3.0.0-rc", "SearchAutocompleteService/3.5.0"}},
	{slugPublish, []string{"PackagePublish/2.0.0"}},
}

// parseServiceIndex reads an upstream's service index into its resource URLs by type.
func parseServiceIndex(body []byte) (map[string]string, error) {
	var doc serviceDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, errors.New("service index is not a JSON object with resources")
	}
	if !strings.HasPrefix(doc.Version, "3.") {
		return nil, errors.New("service index is not of protocol version 3")
	}
	byType := map[string]string{}
	for _, r := range doc.Resources {
		if r.ID != "" {
			if _, dup := byType[r.Type]; !dup {
				byType[r.Type] = r.ID // the first of a type is the primary one
			}
		}
	}
	return byType, nil
}

// pick is the upstream URL a slug resolves to, or "" when the upstream offers none.
func pick(byType map[string]string, slug string) string {
	for _, t := range offered[slug] {
		if u := byType[t]; u != "" {
			return u
		}
	}
	return ""
}

// resourceURL is where Hoard serves a slug of a feed; base is the mount's public URL.
func resourceURL(base, feed, slug string) string {
	switch slug {
	case slugQuery, slugComplete:
		return base + "/" + feed + "/" + slug
	case slugPublish:
		return base + "/" + feed + "/" + strings.Join(publishPath, "/") + "/"
	}
	return base + "/" + feed + "/" + slug + "/"
}

// rewriteIndex makes Hoard's own service index of a feed from the upstream's: every
// resource Hoard serves whose kind the upstream offers, each at Hoard's URL under
// the feed's path. Nothing of the upstream's document is kept: no URL in it points
// at the upstream, and resources Hoard does not serve are not listed.
func rewriteIndex(body []byte, base, feed string) ([]byte, error) {
	byType, err := parseServiceIndex(body)
	if err != nil {
		return nil, err
	}
	out := serviceDoc{Version: "3.0.0", Resources: []resource{}}
	for _, s := range served {
		if pick(byType, s.slug) == "" {
			continue
		}
		for _, t := range s.types {
			out.Resources = append(out.Resources, resource{ID: resourceURL(base, feed, s.slug), Type: t, Comment: "served by hoard"})
		}
	}
	return encode(out)
}
