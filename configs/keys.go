package configs

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkTree walks a parsed YAML document against the Config schema and returns
// every problem it finds, each named by its key path (cache.max_size,
// mounts[1].ttl): unknown keys with the closest valid one, and values of the wrong
// type. yaml.v3 alone stops at the first unknown key and names Go types instead.
func checkTree(doc *yaml.Node) error {
	var errs []error
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	checkNode("", doc, reflect.TypeOf(Config{}), &errs)
	return errors.Join(errs...)
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

func checkNode(path string, n *yaml.Node, t reflect.Type, errs *[]error) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the default
	}
	add := func(format string, a ...any) {
		*errs = append(*errs, fmt.Errorf("%s (line %d): %s", displayPath(path), n.Line, fmt.Sprintf(format, a...)))
	}
	switch {
	case reflect.PointerTo(t).Implements(unmarshalerType), t.Kind() != reflect.Struct && t.Kind() != reflect.Slice && t.Kind() != reflect.Map:
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			add("%s", cleanDecodeError(err))
		}
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			add("want a mapping of keys, found %s", describe(n))
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			ft, ok := fields[key]
			if !ok {
				*errs = append(*errs, unknownKey(join(path, key), n.Content[i].Line, key, fields))
				continue
			}
			checkNode(join(path, key), val, ft, errs)
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			add("want a list, found %s", describe(n))
			return
		}
		for i, item := range n.Content {
			checkNode(fmt.Sprintf("%s[%d]", path, i), item, t.Elem(), errs)
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			add("want a mapping, found %s", describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkNode(join(path, n.Content[i].Value), n.Content[i+1], t.Elem(), errs)
		}
	}
}

// yamlFields maps each YAML key of a struct to its field's type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func unknownKey(path string, line int, key string, fields map[string]reflect.Type) error {
	msg := fmt.Sprintf("%s (line %d): unknown key", path, line)
	if best := closest(key, fields); best != "" {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return errors.New(msg)
}

// closest is the valid key nearest to key by edit distance, if any is near enough
// to be a likely typo.
func closest(key string, fields map[string]reflect.Type) string {
	best, bestDist := "", max(2, len(key)/3)+1
	for name := range fields {
		if d := editDistance(key, name); d < bestDist || (d == bestDist && name < best) {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func displayPath(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// cleanDecodeError drops yaml.v3's wrapper and Go type names from a scalar's error.
func cleanDecodeError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n  ")
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
		msg = rest
	}
	if strings.HasPrefix(msg, "cannot unmarshal") {
		if i := strings.Index(msg, "` into "); i >= 0 {
			msg = fmt.Sprintf("%s is not %s", strings.TrimPrefix(msg[:i+1], "cannot unmarshal "), goTypeWords(msg[i+7:]))
		}
	}
	return msg
}

// goTypeWords says what a Go type name means in the file.
func goTypeWords(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	}
	return "a valid value"
}
