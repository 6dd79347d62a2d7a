package fakegithub

import (
	"os/exec"
	"strings"
	"testing"
)

// What rubyMarshal writes, Ruby reads back as the values meant.
func TestRubyMarshalReadByRuby(t *testing.T) {
	if _, err := exec.LookPath("ruby"); err != nil {
		t.Skip("ruby is not installed")
	}
	v := []any{
		[]any{"tool", gemVersionObj("1.0.0"), "ruby"},
		rbHash{{rbSymbol("name"), "tool"}, {rbSymbol("number"), "1.0.0"}, {rbSymbol("dependencies"), []any{[]any{"a", ">= 1"}}}},
		[]any{nil, true, false, 0, 5, 122, 123, 300, 70000, -1, -200, rbSymbol("name")},
	}
	cmd := exec.Command("ruby", "-e", `require "rubygems"; p Marshal.load($stdin.read)`)
	cmd.Stdin = strings.NewReader(string(rubyMarshal(v)))
	out, err := cmd.CombinedOutput()
	want := `[["tool", #<Gem::Version "1.0.0">, "ruby"], {:name=>"tool", :number=>"1.0.0", :dependencies=>[["a", ">= 1"]]}, [nil, true, false, 0, 5, 122, 123, 300, 70000, -1, -200, :name]]`
	if err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("ruby read %s (%v), want %s", out, err, want)
	}
}
