package rubygems

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"hoard/formats"
)

// ParsePublish implements formats.PublishParser. A push's body is the .gem itself:
// it must be a gem whose specification names a valid gem, and it is cached under
// the name its readers will ask for once the upstream took it. A yank's body is a
// form naming the gem and version, checked before it goes anywhere.
func (Format) ParsePublish(rt formats.Route, body []byte) ([]formats.Attachment, error) {
	switch rt.Kind {
	case formats.Publish:
		id, err := readGem(body)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		return []formats.Attachment{{
			Key: pushPrefix(rt) + "gems/" + id.file() + ".gem", ContentType: binaryType, Data: body,
			Expect: []formats.Checksum{{Algo: "sha256", Hex: hex.EncodeToString(sum[:])}},
		}}, nil
	case formats.Delete:
		_, err := readYank(body)
		return nil, err
	}
	return nil, errors.New("not a RubyGems push or yank")
}

// BodyInvalidates implements formats.BodyInvalidator: a push or yank changes its
// gem's /info; a yank also takes the version's files away upstream, so Hoard
// stops serving them too.
func (Format) BodyInvalidates(rt formats.Route, body []byte) []string {
	prefix := pushPrefix(rt)
	if rt.Kind == formats.Publish {
		if id, err := readGem(body); err == nil {
			return []string{prefix + "info/" + id.name}
		}
		return nil
	}
	id, err := readYank(body)
	if err != nil {
		return nil
	}
	return []string{
		prefix + "info/" + id.name,
		prefix + "gems/" + id.file() + ".gem",
		prefix + "quick/Marshal.4.8/" + id.file() + ".gemspec.rz",
	}
}

// pushPrefix is the prefix of the push or yank route's path ("OWNER/" or "").
func pushPrefix(rt formats.Route) string {
	i := strings.LastIndex(rt.Path, "api/v1/")
	if i < 1 {
		return ""
	}
	return rt.Path[1:i]
}

// gemID names one version of a gem on one platform.
type gemID struct{ name, version, platform string }

// file is the gem's full name, as its file names carry it.
func (id gemID) file() string {
	if id.platform == "" || id.platform == "ruby" {
		return id.name + "-" + id.version
	}
	return id.name + "-" + id.version + "-" + id.platform
}

func (id gemID) validate() error {
	if err := validName(id.name); err != nil {
		return fmt.Errorf("gem name %q is not valid", clip(id.name))
	}
	if !validVersion(id.version) {
		return fmt.Errorf("gem version %q is not valid", clip(id.version))
	}
	if id.platform != "" && id.platform != "ruby" && !validPlatform(id.platform) {
		return fmt.Errorf("gem platform %q is not valid", clip(id.platform))
	}
	return nil
}

// readYank reads gem yank's form: gem_name, version and, for a platform gem,
// platform; nothing else.
func readYank(body []byte) (gemID, error) {
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return gemID{}, errors.New("yank body is not a form")
	}
	for k, v := range q {
		if (k != "gem_name" && k != "version" && k != "platform") || len(v) != 1 {
			return gemID{}, fmt.Errorf("yank form has an unexpected or repeated field %q", clip(k))
		}
	}
	id := gemID{name: q.Get("gem_name"), version: q.Get("version"), platform: q.Get("platform")}
	return id, id.validate()
}
