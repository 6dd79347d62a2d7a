package oci

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"hoard/formats"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// acceptSet reads the media types of Accept headers (parameters and q dropped).
// any is true when there is no Accept at all or it includes */*.
func acceptSet(h http.Header) (types []string, any bool) {
	vals := h.Values("Accept")
	if len(vals) == 0 {
		return nil, true
	}
	for _, v := range vals {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			mt := mediaTypeOf(part)
			switch mt {
			case "":
				continue
			case "*/*", "application/*":
				any = true
			}
			if validMediaType(mt) {
				types = append(types, mt)
			}
		}
	}
	return types, any || len(types) == 0
}

// validMediaType keeps header values sent upstream to type/subtype tokens.
func validMediaType(mt string) bool {
	if len(mt) > 255 || strings.Count(mt, "/") != 1 {
		return false
	}
	for i := 0; i < len(mt); i++ {
		c := mt[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("/.+-_*", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// upstreamAccept is what a cacheable manifest fetch asks for: every standard type,
// then any other types the client named.
// upstreamAcceptHeader is the Accept header for the upstream fetch of a manifest.
// Most clients ask for the standard types only, and get one header value built
// once and shared (read-only) instead of one built on every request.
func upstreamAcceptHeader(client []string) http.Header {
	for _, t := range client {
		if t != "*/*" && !contains(standardManifestTypes, t) {
			return http.Header{"Accept": {upstreamAccept(client)}}
		}
	}
	return standardAcceptHeader
}

var standardAcceptHeader = http.Header{"Accept": {upstreamAccept(nil)}}

func upstreamAccept(client []string) string {
	out := append([]string(nil), standardManifestTypes...)
	for _, t := range client {
		if !contains(out, t) && t != "*/*" {
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}

// acceptsAllStandard: the client takes whatever a tag points at, so the cached
// canonical variant is right for it.
func acceptsAllStandard(types []string) bool {
	for _, t := range standardManifestTypes {
		if !contains(types, t) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// manifestAccept is what a manifest request's Accept decides: the Accept of the
// upstream fetch, and whether the cached canonical variant suits the client
// whatever it is. A client that takes only some types gets a variant of its own
// (variant names it, types lists them), fetched with exactly those types; the
// canonical variant still answers it when its type is one of them.
type manifestAccept struct {
	upstream  http.Header // shared read-only, like standardAcceptHeader
	cacheable bool
	variant   string   // "" for the canonical variant
	types     []string // sorted, without duplicates
}

// maxVariantLen bounds the part of a cache key a variant adds; an Accept naming
// more types than fit is forwarded uncached.
const maxVariantLen = 1024

func readManifestAccept(h http.Header) manifestAccept {
	types, any := acceptSet(h)
	if any || acceptsAllStandard(types) {
		return manifestAccept{upstream: upstreamAcceptHeader(types), cacheable: true}
	}
	types = sortedSet(types)
	variant := strings.Join(types, ",")
	if len(variant) > maxVariantLen {
		return manifestAccept{upstream: standardAcceptHeader}
	}
	return manifestAccept{upstream: http.Header{"Accept": {strings.Join(types, ", ")}}, cacheable: true,
		variant: variant, types: types}
}

func sortedSet(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return slices.Compact(out)
}

// variantSep joins a tag's cache key and a variant's types. It starts with the
// generation separator, so the prefixes that expire a tag's generations expire
// its variants too.
const variantSep = "#accept="

// Alternates implements formats.Alternator: a tag's canonical variant answers a
// client that takes only some types when its type is one of them
// (Route.AcceptTypes).
func (Format) Alternates(rt formats.Route) []string {
	if rt.Kind != formats.Metadata || rt.TTLClass != "tag" {
		return nil
	}
	if canonical, _, ok := strings.Cut(rt.Key, variantSep); ok {
		return []string{canonical}
	}
	return nil
}

// acceptMemo remembers the decision for the few Accept values clients send, so
// that a manifest hit does not parse the same media type list every time. It is
// bounded: a client sending ever new values only evicts older ones. Entries never
// expire (a decision depends on the value alone).
type acceptMemo struct {
	lru *expirable.LRU[string, manifestAccept]
}

func newAcceptMemo() *acceptMemo {
	return &acceptMemo{lru: expirable.NewLRU[string, manifestAccept](acceptMemoSize, nil, 0)}
}

const (
	acceptMemoSize = 64
	acceptMemoMax  = 1024 // longer values are parsed each time, not kept
)

// of is the decision for h's Accept.
func (m *acceptMemo) of(h http.Header) manifestAccept {
	vals := h["Accept"]
	if m == nil || len(vals) != 1 || len(vals[0]) > acceptMemoMax {
		return readManifestAccept(h)
	}
	if a, ok := m.lru.Get(vals[0]); ok {
		return a
	}
	a := readManifestAccept(h)
	m.lru.Add(vals[0], a)
	return a
}
