package main

import (
	"math/rand"
	"net/url"
	"strings"
	"testing"

	"github.com/gobidialogue/portal/directory"
)

func TestMix(t *testing.T) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	const services, draws = 2000, 40000
	m := NewMix(g, terms, []string{"truck-drivers", "migrant-workers"}, services)
	r := rand.New(rand.NewSource(7))
	count := map[Class]int{}
	langs := map[string]int{}
	for range draws {
		c, path := m.Next(r)
		count[c]++
		u, err := url.ParseRequestURI(path)
		if err != nil {
			t.Fatalf("%s: %s does not parse: %v", c, path, err)
		}
		q := u.Query()
		langs[q.Get("lang")]++
		checkPage(t, c, u, services)
		if a, s := q.Get("aimag"), q.Get("soum"); s != "" && g.FindSoum(a, s) == nil {
			t.Errorf("%s: soum %q is not in aimag %q", path, s, a)
		} else if a != "" && g.FindAimag(a) == nil {
			t.Errorf("%s: no aimag %q", path, a)
		}
	}
	for c := range numClasses {
		want := float64(m.Weight(c)) / float64(m.Total())
		got := float64(count[c]) / draws
		if got < want-0.01 || got > want+0.01 {
			t.Errorf("%s: %.3f of the requests, want %.3f", c, got, want)
		}
	}
	for _, l := range []string{"", "mn", "en"} {
		if langs[l] < draws/4 {
			t.Errorf("lang %q: %d of %d requests, want about a third", l, langs[l], draws)
		}
	}
}

// checkPage checks that a path of class c is that class's page.
func checkPage(t *testing.T, c Class, u *url.URL, services int) {
	t.Helper()
	q, p := u.Query(), u.Path
	ok := true
	switch c {
	case ClassHome:
		ok = p == "/"
	case ClassGuidelines:
		ok = p == "/guidelines"
	case ClassGuideline:
		ok = p == "/guidelines/truck-drivers" || p == "/guidelines/migrant-workers"
	case ClassRevisions:
		ok = strings.HasPrefix(p, "/guidelines/") && strings.HasSuffix(p, "/revisions")
	case ClassDirectory:
		ok = p == "/directory" && q.Get("q") == ""
	case ClassDirectoryQ:
		ok = p == "/directory" && q.Get("q") != ""
	case ClassService:
		id, found := strings.CutPrefix(p, "/directory/services/gen-svc-")
		ok = found && len(id) == 6 && id < ServiceID(services)[len("gen-svc-"):]
	case ClassSearch:
		ok = p == "/search" && q.Get("q") != ""
	}
	if !ok {
		t.Errorf("%s: unexpected %s", c, u)
	}
}

func TestMixLeavesOutWhatIsMissing(t *testing.T) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	m := NewMix(g, terms, nil, 0)
	r := rand.New(rand.NewSource(1))
	for range 5000 {
		switch c, path := m.Next(r); c {
		case ClassGuideline, ClassRevisions, ClassService:
			t.Fatalf("%s with no slugs and no services: %s", c, path)
		}
	}
}
