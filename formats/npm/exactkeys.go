package npm

import (
	"encoding/json"
	"strings"
)

// Go's encoding/json matches object keys to struct fields without regard to
// case ("DATA", even "ſhasum", fills Shasum), where the registry behind Hoard,
// in JavaScript, reads only the exact key. A publish body with {"data":A,
// "DATA":B} would then be forwarded with A as the tarball and cached with B.
// Every object the publish parser decodes into a struct is checked first: a
// key that folds to a field's name without being it is refused.

// checkExactKeys refuses an object with a key that differs only in case from one
// of fields. A value that is not an object is left to the decoding that follows.
func checkExactKeys(raw json.RawMessage, what string, fields ...string) error {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	for k := range obj {
		for _, f := range fields {
			if k != f && strings.EqualFold(k, f) {
				return bad("%s has key %q where %q is meant", what, truncate(k, 80), f)
			}
		}
	}
	return nil
}

// checkVersionKeys applies checkExactKeys to every version object and its dist.
func checkVersionKeys(versions json.RawMessage) error {
	var vs map[string]json.RawMessage
	if json.Unmarshal(versions, &vs) != nil {
		return nil
	}
	for v, raw := range vs {
		what := "version " + truncate(v, 80)
		if err := checkExactKeys(raw, what, "name", "version", "dist"); err != nil {
			return err
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) == nil {
			if err := checkExactKeys(obj["dist"], what+" dist", "integrity", "shasum", "tarball"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkAttachmentKeys applies checkExactKeys to every attachment object.
func checkAttachmentKeys(atts json.RawMessage) error {
	var as map[string]json.RawMessage
	if json.Unmarshal(atts, &as) != nil {
		return nil
	}
	for file, raw := range as {
		if err := checkExactKeys(raw, "attachment "+truncate(file, 80), "content_type", "data", "length"); err != nil {
			return err
		}
	}
	return nil
}
