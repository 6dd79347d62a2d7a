package proxy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Content-Encoding from an upstream. Hoard asks for identity, but some servers and
// CDNs encode whatever is asked for; a jar, a tarball or a layer stored as the
// encoded bytes would fail its checksum, or reach clients as something else than
// was published. A gzip-encoded body is decoded before it is verified and stored,
// so clients get exactly the published bytes on a miss and on every hit, whatever
// their own Accept-Encoding.
//
// Some servers also label a file that is itself gzip (an npm .tgz) with
// Content-Encoding: gzip while sending the file as it is. Such a body is kept as
// sent: when decoding it would turn what the format accepts into what it refuses
// (a tarball that is not gzip), the header described the file, not an encoding.

// peekLen is how much of an encoded body is looked at to decide.
const peekLen = 8 << 10

// decodeBody replaces resp's body with the published bytes when the upstream
// encoded it, and drops the header. An encoding other than gzip is refused.
func (e *engine) decodeBody(spec fillSpec, resp *http.Response) error {
	ce := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if ce == "" || ce == "identity" {
		return nil
	}
	if ce != "gzip" && ce != "x-gzip" {
		return fmt.Errorf("%w: upstream sent Content-Encoding %q though asked for identity", errBadBody, ce)
	}
	resp.Header.Del("Content-Encoding")
	br := bufio.NewReaderSize(resp.Body, peekLen)
	peek, _ := br.Peek(peekLen)
	body := &readCloser{Reader: br, Closer: resp.Body}
	resp.Body = body
	if !isGzip(peek) || e.encodingDescribesFile(spec, resp.Header, peek) {
		return nil // sent as it is: the header was wrong, or described the file
	}
	gz, err := gzip.NewReader(br)
	if err != nil {
		return fmt.Errorf("%w: gzip-encoded body: %v", errBadBody, err)
	}
	body.Reader = gz
	resp.ContentLength = -1 // of the encoded bytes, not the published ones
	resp.Header.Del("Content-Length")
	return nil
}

// encodingDescribesFile reports whether a body labelled gzip is a gzip file sent as
// it is: the format accepts its bytes as sent and refuses them decoded.
func (e *engine) encodingDescribesFile(spec fillSpec, h http.Header, raw []byte) bool {
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return false
	}
	decoded := make([]byte, sniffLen)
	n, _ := io.ReadFull(gz, decoded)
	if isGzip(decoded[:n]) {
		return false // gzip inside gzip: the file is the inner one
	}
	f := spec.mount.format
	return f.CheckBody(spec.route, h, raw[:min(len(raw), sniffLen)]) == nil &&
		f.CheckBody(spec.route, h, decoded[:n]) != nil
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

type readCloser struct {
	io.Reader
	io.Closer
}
