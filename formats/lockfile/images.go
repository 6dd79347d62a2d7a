package lockfile

import (
	"errors"
	"fmt"
	"strings"
)

// parseImageList reads one image reference a line ("owner/image:tag",
// "owner/image@sha256:..."; a leading registry host is dropped, since the mount
// decides where images come from).
func parseImageList(data []byte, l *List) error {
	var errs []error
	for _, ln := range lines(data, "#") {
		ref, err := ParseImageRef(ln)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l.Images = append(l.Images, ref.String())
	}
	return errors.Join(errs...)
}

// ImageRef is a repository and a tag or digest.
type ImageRef struct {
	Repo   string
	Tag    string // "" when by digest
	Digest string // "sha256:..." when given
}

func (r ImageRef) String() string {
	if r.Digest != "" {
		return r.Repo + "@" + r.Digest
	}
	return r.Repo + ":" + r.Tag
}

// ParseImageRef reads "[host/]repo[:tag][@sha256:hex]"; no tag and no digest is
// "latest".
func ParseImageRef(s string) (ImageRef, error) {
	orig := s
	var r ImageRef
	if i := strings.Index(s, "@"); i >= 0 {
		s, r.Digest = s[:i], s[i+1:]
		if !validImageDigest(r.Digest) {
			return ImageRef{}, fmt.Errorf("%s: the digest is not sha256:<64 hex>", quoteShort(orig))
		}
	}
	if first, rest, ok := strings.Cut(s, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		s = rest // a registry host
	}
	if i := strings.LastIndex(s, ":"); i >= 0 {
		s, r.Tag = s[:i], s[i+1:]
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	r.Repo = s
	if !validRepo(r.Repo) || (r.Tag != "" && !validTag(r.Tag)) {
		return ImageRef{}, fmt.Errorf("%s: not an image reference (repository[:tag][@digest])", quoteShort(orig))
	}
	if r.Digest != "" {
		r.Tag = ""
	}
	return r, nil
}

func validImageDigest(d string) bool {
	hx, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hx) != 64 {
		return false
	}
	return strings.Trim(hx, "0123456789abcdef") == ""
}

func validTag(t string) bool {
	if len(t) > 128 || t == "" || t[0] == '.' || t[0] == '-' {
		return false
	}
	return strings.Trim(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == ""
}

// validRepo: lower-case path components of [a-z0-9] joined by ., _, __ or -.
func validRepo(r string) bool {
	if r == "" || len(r) > 255 {
		return false
	}
	for _, c := range strings.Split(r, "/") {
		if c == "" || strings.Trim(c, "abcdefghijklmnopqrstuvwxyz0123456789._-") != "" ||
			strings.IndexAny(c[:1], "._-") == 0 || strings.IndexAny(c[len(c)-1:], "._-") == 0 {
			return false
		}
	}
	return true
}

// ValidRepository reports whether r is an OCI repository name, with no registry
// host: what may name a directory.
func ValidRepository(r string) bool { return validRepo(r) }

// ValidTag reports whether t is an OCI tag.
func ValidTag(t string) bool { return validTag(t) }
