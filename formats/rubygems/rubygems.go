// Package rubygems speaks the RubyGems server protocol used by bundler and gem.
//
// The compact index (/versions, /names, /info/NAME) and the full index's specs
// files are metadata, cached with a TTL and served byte for byte: every /versions
// line names the MD5 of the /info/NAME it describes, and Bundler fetches only the
// appended tail of /versions with Range, then requires the ETag to be the MD5 of
// the whole file (DocumentHeaders). The .gem files and the Marshal-ed
// specifications under quick/ are immutable; a .gem is verified against the
// SHA-256 its /info line declares before it is cached. The dependency API is
// short-lived metadata. gem push and gem yank are forwarded, their bodies checked
// first; other API reads pass through.
package rubygems

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"hoard/formats"
)

// Format is the RubyGems protocol. It holds no state.
type Format struct{}

// What the engine may ask of RubyGems, checked when it compiles.
var (
	_ formats.Format           = Format{}
	_ formats.TTLClasser       = Format{}
	_ formats.TTLDefaulter     = Format{}
	_ formats.Rewriter         = Format{}
	_ formats.SumsIndexer      = Format{}
	_ formats.SidecarLister    = Format{}
	_ formats.DocumentHeaderer = Format{}
	_ formats.PublishParser    = Format{}
	_ formats.BodyInvalidator  = Format{}
	_ formats.ChangeExpirer    = Format{}
)

// New returns the RubyGems format.
func New() Format { return Format{} }

// Name implements formats.Format.
func (Format) Name() string { return "rubygems" }

// FallThrough: a gem server's indexes describe its own gems; a 404 from one is the
// answer, and another server's /info under the same name would not match the
// /versions already served.
func (Format) FallThrough() bool { return false }

// Rewrite implements formats.Rewriter without changing a byte: RubyGems documents
// name no URLs, and /info must stay exactly as the upstream wrote it. Being a
// Rewriter makes the engine read every document whole, so its checksum table and
// its headers are made once, when it is fetched.
func (Format) Rewrite(_ formats.Route, body []byte, _ string) ([]byte, error) { return body, nil }

// CheckBody refuses what is plainly not the content asked for: an HTML page (a
// login page or a captive portal answering 200), a .gem that is not a tar, a
// specs file that is not gzip, a .gemspec.rz that is not zlib.
func (Format) CheckBody(rt formats.Route, h http.Header, head []byte) error {
	if strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/html") || looksHTML(head) {
		return errors.New("upstream sent an HTML page")
	}
	switch {
	case strings.HasSuffix(rt.Key, ".gem"):
		if len(head) < 262 || string(head[257:262]) != "ustar" {
			return errors.New("upstream sent a .gem that is not a tar archive")
		}
	case strings.HasSuffix(rt.Key, ".4.8.gz"):
		if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
			return errors.New("upstream sent a specs file that is not gzip")
		}
	case strings.HasSuffix(rt.Key, ".gemspec.rz"):
		if len(head) < 2 || head[0] != 0x78 {
			return errors.New("upstream sent a .gemspec.rz that is not zlib")
		}
	}
	return nil
}

func looksHTML(head []byte) bool {
	lead := bytes.ToLower(bytes.TrimLeft(head, " \t\r\n\ufeff"))
	return bytes.HasPrefix(lead, []byte("<!doctype html")) || bytes.HasPrefix(lead, []byte("<html"))
}
