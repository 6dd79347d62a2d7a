package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// printed is the part of `hoard config print` these tests read.
type printed struct {
	Auth struct {
		ValidateURL string `yaml:"validate_url"`
	}
	Mounts []struct {
		Name, Format, Upstream, Credential string
	}
}

func configPrint(t *testing.T, args ...string) (printed, string) {
	t.Helper()
	out, err := exec.Command(hoardBinary(t), append([]string{"config", "print"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("hoard config print %v: %v\n%s", args, err, out)
	}
	var p printed
	if err := yaml.Unmarshal(out, &p); err != nil {
		t.Fatalf("config print is not YAML: %v\n%s", err, out)
	}
	return p, string(out)
}

func (p printed) upstreams() map[string]string {
	out := map[string]string{}
	for _, m := range p.Mounts {
		out[m.Name] = m.Upstream
	}
	return out
}

// TestConfigPrintDerivesGitHubSites: --github derives every default mount and the
// token check for github.com, GitHub Enterprise Server with and without subdomain
// isolation, and GHE.com; a mount the site does not offer is left out, and a
// per-format override wins. (This binary mounts every format of the default: maven,
// npm, nuget, rubygems and oci.)
func TestConfigPrintDerivesGitHubSites(t *testing.T) {
	noIsolation := filepath.Join(t.TempDir(), "ghes.yaml")
	os.WriteFile(noIsolation, []byte("github: {url: \"https://git.corp.example\", subdomain_isolation: false}\n"+
		"mounts: [{name: maven, format: maven}, {name: npm, format: npm}, {name: ghcr, format: oci}]\n"), 0o600)
	override := filepath.Join(t.TempDir(), "override.yaml")
	os.WriteFile(override, []byte("github: {url: \"https://git.corp.example\", registries: {oci: \"https://registry.corp.example\"}}\n"+
		"mounts: [{name: npm, format: npm}, {name: ghcr, format: oci}]\n"), 0o600)
	cases := []struct {
		name     string
		args     []string
		validate string
		want     map[string]string
	}{
		{"github.com", nil, "https://api.github.com/user", map[string]string{
			"maven": "https://maven.pkg.github.com", "npm": "https://npm.pkg.github.com", "nuget": "https://nuget.pkg.github.com", "ghcr": "https://ghcr.io",
			"rubygems": "https://rubygems.pkg.github.com"}},
		{"ghes", []string{"--github", "https://git.corp.example"}, "https://git.corp.example/api/v3/user", map[string]string{
			"maven": "https://maven.git.corp.example", "npm": "https://npm.git.corp.example", "nuget": "https://nuget.git.corp.example",
			"ghcr": "https://containers.git.corp.example", "rubygems": "https://rubygems.git.corp.example"}},
		{"ghes-no-isolation", []string{"--config", noIsolation}, "https://git.corp.example/api/v3/user", map[string]string{
			"maven": "https://git.corp.example/_registry/maven", "npm": "https://git.corp.example/_registry/npm"}},
		{"ghe.com", []string{"--github", "https://octo.ghe.com"}, "https://api.octo.ghe.com/user", map[string]string{
			"npm": "https://npm.octo.ghe.com", "ghcr": "https://containers.octo.ghe.com"}},
		{"override", []string{"--config", override}, "https://git.corp.example/api/v3/user", map[string]string{
			"npm": "https://npm.git.corp.example", "ghcr": "https://registry.corp.example"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, raw := configPrint(t, c.args...)
			if p.Auth.ValidateURL != c.validate {
				t.Errorf("validate_url %q, want %q", p.Auth.ValidateURL, c.validate)
			}
			got := p.upstreams()
			if len(got) != len(c.want) {
				t.Errorf("mounts %v, want %v", got, c.want)
			}
			for name, want := range c.want {
				if got[name] != want {
					t.Errorf("mount %s: upstream %q, want %q\n%s", name, got[name], want, raw)
				}
			}
		})
	}
}

// TestConfigPrintMasksCredentials: a credential given in a --mount URL never shows.
func TestConfigPrintMasksCredentials(t *testing.T) {
	p, raw := configPrint(t, "--mount", "corp=npm,https://deploy:s3cr3t-value@npm.corp.example")
	if strings.Contains(raw, "s3cr3t-value") {
		t.Fatalf("the credential is printed:\n%s", raw)
	}
	if len(p.Mounts) != 1 || p.Mounts[0].Upstream != "https://npm.corp.example" || !strings.Contains(p.Mounts[0].Credential, "masked") {
		t.Errorf("mounts %+v", p.Mounts)
	}
}
