package lockfile

import (
	"slices"
	"strings"
	"testing"
)

func names(l List) []string {
	var out []string
	for _, p := range l.Packages {
		out = append(out, p.String())
	}
	return out
}

func TestParse(t *testing.T) {
	cases := []struct {
		file, data, format string
		want               []string
		skipped            int
	}{
		{"package-lock.json", `{"lockfileVersion":3,"packages":{
			"":{"name":"app","version":"1.0.0"},
			"node_modules/a":{"version":"1.0.0","resolved":"https://elsewhere.example/a/-/a-1.0.0.tgz"},
			"node_modules/a/node_modules/@s/b":{"version":"2.0.0"},
			"node_modules/alias":{"name":"real","version":"3.0.0"},
			"node_modules/ws":{"link":true},
			"packages/ws":{"version":"0.0.1"},
			"node_modules/g":{"version":"git+ssh://git@host/x.git#abc"}}}`, NPM,
			[]string{"@s/b@2.0.0", "a@1.0.0", "real@3.0.0"}, 3},
		{"npm-shrinkwrap.json", `{"lockfileVersion":1,"dependencies":{
			"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}},
			"c":{"version":"npm:d@4.0.0"}}}`, NPM, []string{"a@1.0.0", "b@2.0.0", "d@4.0.0"}, 0},
		{"yarn.lock", "# yarn lockfile v1\n\n\"@s/a@^1.0.0\", \"@s/a@^1.1.0\":\n  version \"1.2.0\"\n  resolved \"https://x/a.tgz\"\n  dependencies:\n    b \"^2\"\n\nb@^2:\n  version \"2.1.0\"\n\nal@npm:real@^3:\n  version \"3.0.1\"\n\nloc@file:../loc:\n  version \"0.0.0\"\n",
			NPM, []string{"@s/a@1.2.0", "b@2.1.0", "real@3.0.1"}, 0},
		{"yarn.lock", "__metadata:\n  version: 6\n\n\"@s/a@npm:^1.0.0\":\n  version: 1.2.0\n  resolution: \"@s/a@npm:1.2.0\"\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n",
			NPM, []string{"@s/a@1.2.0"}, 1},
		{"pnpm-lock.yaml", "lockfileVersion: 5.4\npackages:\n  /a/1.0.0:\n    resolution: {integrity: sha512-x}\n  /@s/b/2.0.0_c@1.0.0:\n    dev: false\n",
			NPM, []string{"@s/b@2.0.0", "a@1.0.0"}, 0},
		{"pnpm-lock.yaml", "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0:\n    dev: false\n  /@s/b@2.0.0(c@1.0.0):\n    dev: false\n",
			NPM, []string{"@s/b@2.0.0", "a@1.0.0"}, 0},
		{"pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n  '@s/b@2.0.0':\n    resolution: {integrity: sha512-y}\n",
			NPM, []string{"@s/b@2.0.0", "a@1.0.0"}, 0},
		{"gradle.lockfile", "# comment\ncom.acme:x:1.0=compileClasspath,runtimeClasspath\nempty=annotationProcessor\n",
			Maven, []string{"com.acme:x@1.0"}, 0},
		{"deps.txt", "[INFO] The following files have been resolved:\n[INFO]    junit:junit:jar:4.13.2:test\n[INFO]    org.x:y:jar:tests:1.0:compile -- module y\ncom.acme:z:2.0:pom\ncom.acme:w:3.0\n",
			Maven, []string{"com.acme:w@3.0", "com.acme:z@2.0:pom", "junit:junit@4.13.2", "org.x:y@1.0:tests"}, 0},
		{"images.txt", "# images\nlibrary/alpine:3.19\nghcr.io/owner/app@sha256:" + strings.Repeat("a", 64) + "\nbusybox\n",
			OCI, nil, 0},
		{"Gemfile.lock", "GIT\n  remote: https://x\n  specs:\n    own (0.1.0)\n\nGEM\n  remote: https://rubygems.example/\n  specs:\n    rack (3.0.8)\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n\nPLATFORMS\n  ruby\n",
			RubyGems, []string{"nokogiri@1.15.4-x86_64-linux", "rack@3.0.8"}, 1},
		{"packages.lock.json", `{"version":1,"dependencies":{"net6.0":{"Newtonsoft.Json":{"type":"Direct","requested":"[13.0.1, )","resolved":"13.0.1"},"mylib":{"type":"Project"}},"net8.0":{"Newtonsoft.Json":{"type":"Direct","resolved":"13.0.1"}}}}`,
			NuGet, []string{"newtonsoft.json@13.0.1"}, 1},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			l, err := Parse(c.file, []byte(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if l.Format != c.format {
				t.Errorf("format %q, want %q", l.Format, c.format)
			}
			if c.format != OCI && !slices.Equal(names(l), c.want) {
				t.Errorf("packages %q, want %q", names(l), c.want)
			}
			if len(l.Skipped) != c.skipped {
				t.Errorf("skipped %q, want %d", l.Skipped, c.skipped)
			}
		})
	}
}

func TestImageList(t *testing.T) {
	l, err := Parse("images", []byte("library/alpine:3.19\nghcr.io/owner/app@sha256:"+strings.Repeat("a", 64)+"\nbusybox\nlocalhost:5000/x/y:1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"library/alpine:3.19", "owner/app@sha256:" + strings.Repeat("a", 64), "busybox:latest", "x/y:1"}
	if !slices.Equal(l.Images, want) {
		t.Errorf("images %q, want %q", l.Images, want)
	}
}

func TestParseRefusesBadInput(t *testing.T) {
	for _, c := range []struct{ file, data string }{
		{"package-lock.json", `{"lockfileVersion":7}`},
		{"package-lock.json", `{`},
		{"images.txt", "Bad/Upper:1\n"},
		{"images.txt", "a/b@sha256:xyz\n"},
		{"gradle.lockfile", "a:b=x\n"},
		{"empty.txt", "\n  \n"},
		{"packages.lock.json", `{"version":9}`},
	} {
		if _, err := Parse(c.file, []byte(c.data)); err == nil {
			t.Errorf("%s %q: no error", c.file, c.data)
		}
	}
}

func TestMavenPathTraversalRefused(t *testing.T) {
	for _, s := range []string{"../x:y:1", "a:b:..", "a:b:1/2", "a:b:1:../x"} {
		if _, err := ParseMavenCoordinate(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
