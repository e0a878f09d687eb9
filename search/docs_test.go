package search_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/search"
)

// starter returns the bundled gazetteer, taxonomy and organisations.
func starter(t *testing.T) (*portal.Gazetteer, []portal.TaxonomyTerm, []*portal.DirectoryOrg) {
	t.Helper()
	g, terms, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	return g, terms, orgs
}

func ptr(f float64) *float64 { return &f }

var (
	modified    = time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	orgModified = modified.Add(time.Hour)
)

// shelterOrg is an organisation with a confidential shelter whose address and coordinates
// are still on it, as a Directory must never carry them, and a public office.
func shelterOrg() *portal.DirectoryOrg {
	return &portal.DirectoryOrg{
		ID:          "gobi-shelter-ngo",
		Name:        portal.Text{MN: "Говийн хамгаалах байр ТББ", EN: "Gobi Shelter NGO"},
		Description: portal.Text{EN: "Organisation description is not indexed"},
		Phones:      []portal.Phone{{Number: "+976 9911 2233"}},
		Modified:    orgModified,
		Locations: []portal.Location{
			{ID: "secret-house", Name: portal.Text{MN: "Нууц байр", EN: "Hidden Willow House"}, Confidential: true,
				Address: portal.Text{MN: "Сүхбаатарын гудамж 12", EN: "12 Quietlane Street"},
				Aimag:   "umnugovi", Soum: "dalanzadgad", Latitude: ptr(43.5712), Longitude: ptr(104.4256),
				PublicContact: portal.Text{EN: "Call the Zuunmod hotline"}},
			{ID: "office", Name: portal.Text{EN: "Sainshand office"}, Address: portal.Text{EN: "Public Road 5"},
				Aimag: "dornogovi", Soum: "sainshand"},
		},
		Services: []portal.Service{{
			ID: "gobi-shelter", OrgID: "gobi-shelter-ngo",
			Name:               portal.Text{MN: "Хамгаалах байр"},
			Description:        portal.Text{MN: "Хүчирхийллээс хамгаална", EN: "Safe stay for survivors of violence"},
			Eligibility:        portal.Text{EN: "Women and children"},
			ApplicationProcess: portal.Text{EN: "Call the hotline"},
			Fees:               portal.Text{EN: "No fees"},
			Types:              []string{"shelter", "psychosocial"},
			Area:               []portal.Place{{Aimag: "umnugovi", Soum: "dalanzadgad"}},
			LocationIDs:        []string{"secret-house", "office"},
			Phones:             []portal.Phone{{Number: "+976 7000 1234"}},
			Modified:           modified,
		}},
	}
}

func TestFromDirectoryNeverIndexesAConfidentialLocation(t *testing.T) {
	g, terms, _ := starter(t)
	// Built by hand with the address still on: NewDirectory is told its orgs are public,
	// and this checks that FromDirectory does not depend on it.
	d := portal.NewDirectory([]*portal.DirectoryOrg{shelterOrg()}, "v1")
	docs := search.FromDirectory(d, g, terms)
	if len(docs) != 2 {
		t.Fatalf("%d records, want 2 (one service in two languages)", len(docs))
	}
	for _, doc := range docs {
		data, _ := json.Marshal(doc)
		for _, secret := range []string{"Сүхбаатар", "Quietlane", "43.57", "104.42", "Hidden Willow", "Нууц",
			"Zuunmod", "Public Road", "Sainshand office", "7000", "9911", "not indexed"} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds %q: %s", doc.ID, secret, data)
			}
		}
		// The aimag and soum of the confidential location, and the public one's, are there.
		for _, place := range []string{"Даланзадгад", "Dalanzadgad", "Өмнөговь", "Umnugovi", "South Gobi", "Сайншанд", "Sainshand", "Дорноговь"} {
			if !strings.Contains(doc.Places, place) {
				t.Errorf("%s: Places lack %q: %q", doc.ID, place, doc.Places)
			}
		}
		if want := []string{"dornogovi", "umnugovi"}; !reflect.DeepEqual(doc.Aimags, want) {
			t.Errorf("%s: Aimags = %v, want %v", doc.ID, doc.Aimags, want)
		}
	}
}

func TestFromDirectoryFields(t *testing.T) {
	g, terms, _ := starter(t)
	d := portal.NewDirectory([]*portal.DirectoryOrg{shelterOrg()}, "v1")
	docs := search.FromDirectory(d, g, terms)
	mn, en := docs[0], docs[1]
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	check("mn.ID", mn.ID, "service:mn:gobi-shelter")
	check("en.ID", en.ID, "service:en:gobi-shelter")
	check("kinds", []string{mn.Kind, en.Kind}, []string{portal.KindService, portal.KindService})
	check("languages", []portal.Language{mn.Language, en.Language}, []portal.Language{portal.Mongolian, portal.English})
	check("mn.Title", mn.Title, "Хамгаалах байр")
	check("en.Title (falls back to Mongolian)", en.Title, "Хамгаалах байр")
	check("en.URL", en.URL, "/directory/services/gobi-shelter?lang=en")
	check("mn.URL", mn.URL, "/directory/services/gobi-shelter?lang=mn")
	check("Types", en.Types, []string{"shelter", "psychosocial"})
	check("Updated (the organisation's, later)", en.Updated, orgModified)
	check("Year", en.Year, 0)
	check("things (one service)", []string{mn.Thing, en.Thing}, []string{"service:gobi-shelter", "service:gobi-shelter"})
	for _, part := range []string{"Safe stay for survivors", "Women and children", "Call the hotline", "No fees", "Gobi Shelter NGO", "Shelter"} {
		if !strings.Contains(en.Body, part) {
			t.Errorf("en.Body lacks %q: %q", part, en.Body)
		}
	}
	// The fields are kept apart, so that a snippet across two shows where one ends.
	if !strings.Contains(en.Body, "Women and children · Call the hotline") {
		t.Errorf("en.Body does not separate its fields: %q", en.Body)
	}
	for _, part := range []string{"Хүчирхийллээс хамгаална", "Говийн хамгаалах байр ТББ", "Women and children"} {
		if !strings.Contains(mn.Body, part) {
			t.Errorf("mn.Body lacks %q: %q", part, mn.Body)
		}
	}
	if mn.Hash == "" || mn.Hash == en.Hash || mn.Hash != search.Hash(mn) {
		t.Errorf("hashes: mn %q, en %q", mn.Hash, en.Hash)
	}
	// Every indexed field is in the hash; the time zone of Updated is not.
	edits := map[string]func(*portal.SearchDoc){
		"title": func(d *portal.SearchDoc) { d.Title += "!" }, "body": func(d *portal.SearchDoc) { d.Body += "!" },
		"places": func(d *portal.SearchDoc) { d.Places = "" }, "url": func(d *portal.SearchDoc) { d.URL += "x" },
		"aimags": func(d *portal.SearchDoc) { d.Aimags = d.Aimags[:1] }, "types": func(d *portal.SearchDoc) { d.Types = nil },
		"year": func(d *portal.SearchDoc) { d.Year = 2020 }, "updated": func(d *portal.SearchDoc) { d.Updated = d.Updated.Add(time.Second) },
		"language": func(d *portal.SearchDoc) { d.Language = portal.English }, "kind": func(d *portal.SearchDoc) { d.Kind = "x" },
		"thing": func(d *portal.SearchDoc) { d.Thing = "service:other" },
	}
	for name, edit := range edits {
		c := mn
		c.Aimags, c.Types = slices.Clone(mn.Aimags), slices.Clone(mn.Types)
		edit(&c)
		if search.Hash(c) == mn.Hash {
			t.Errorf("changing the %s kept the hash", name)
		}
	}
	// What the database does not keep does not count: a record made from an organisation
	// just saved hashes as one made from it read back.
	same := mn
	same.Updated = mn.Updated.In(portal.MongoliaTime).Add(999 * time.Microsecond)
	same.Types, same.Aimags = slices.Clone(mn.Types), slices.Clone(mn.Aimags)
	check("hash with Updated in another zone, below the millisecond", search.Hash(same), mn.Hash)
	none, empty := mn, mn
	none.Types, empty.Types = nil, []string{}
	check("hash with no types and an empty list", search.Hash(empty), search.Hash(none))
}

func TestFromDirectoryStarter(t *testing.T) {
	g, terms, orgs := starter(t)
	var public []*portal.DirectoryOrg
	services := 0
	for _, o := range orgs {
		p, _ := o.Public()
		public = append(public, p)
		services += len(o.Services)
	}
	docs := search.FromDirectory(portal.NewDirectory(public, "v"), g, terms)
	if len(docs) != 2*services {
		t.Fatalf("%d records for %d services", len(docs), services)
	}
	ids := map[string]bool{}
	for _, d := range docs {
		if ids[d.ID] {
			t.Errorf("id %s twice", d.ID)
		}
		ids[d.ID] = true
		if d.Title == "" || d.Body == "" || d.Places == "" || len(d.Aimags) == 0 || d.Hash == "" {
			t.Errorf("%s has an empty field: %+v", d.ID, d)
		}
	}
	// The same directory gives the same records.
	if again := search.FromDirectory(portal.NewDirectory(public, "v"), g, terms); !reflect.DeepEqual(docs, again) {
		t.Error("FromDirectory is not deterministic")
	}
}

const guidelineBody = `Intro paragraph with **bold** text and a [link](https://example.mn).

## Rest stops

Drivers rest at <b>Zamiin-Uud</b> & Sainshand.

- first item
- second item

> a quote

### Pay

Wages are paid monthly.[^1]

[^1]: A footnote.
`

// guideline returns a guideline at revision 2 and its current revision rendered from body.
func guideline(t *testing.T, status portal.GuidelineStatus, body string) (*portal.Guideline, *portal.Revision) {
	t.Helper()
	r, err := content.NewRenderer().Render(body)
	if err != nil {
		t.Fatal(err)
	}
	meta := portal.GuidelineMeta{Title: "Truck drivers", Slug: "truck-drivers", Language: portal.English,
		TranslationKey: "truck-drivers", Status: status}
	created := time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC) // 2026 in Mongolia
	g := &portal.Guideline{ID: portal.GuidelineID("truck-drivers", portal.English), GuidelineMeta: meta, Revision: 2,
		Revisions: []portal.RevisionInfo{{Number: 1}, {Number: 2, CreatedAt: created}}, UpdatedAt: created}
	rev := &portal.Revision{ID: portal.RevisionID(g.ID, 2), GuidelineID: g.ID, Number: 2, GuidelineMeta: meta,
		Body: body, HTML: r.HTML, TOC: r.TOC, Blocks: r.Blocks, CreatedAt: created}
	return g, rev
}

func TestFromGuideline(t *testing.T) {
	g, rev := guideline(t, portal.StatusAdopted, guidelineBody)
	docs := search.FromGuideline(g, rev)
	var texts []string
	for _, d := range docs {
		texts = append(texts, d.Title+" | "+d.Body)
		anchor := d.URL[strings.LastIndexByte(d.URL, '#')+1:]
		if want := "guideline:en:truck-drivers:" + anchor; d.ID != want {
			t.Errorf("ID %s, want %s", d.ID, want)
		}
		if !strings.HasPrefix(d.URL, "/guidelines/truck-drivers?lang=en#") {
			t.Errorf("URL %s", d.URL)
		}
		// The page anchors the paragraph by the same id.
		if !strings.Contains(string(rev.HTML), `id="`+anchor+`"`) {
			t.Errorf("the page has no element with id %q", anchor)
		}
		if d.Kind != portal.KindGuideline || d.Language != portal.English || d.Year != 2026 ||
			!d.Updated.Equal(rev.CreatedAt) || d.Hash != search.Hash(d) || len(d.Aimags) != 0 {
			t.Errorf("%s: %+v", d.ID, d)
		}
		if strings.ContainsAny(d.Body, "<>*[]") {
			t.Errorf("%s: the body has markup: %q", d.ID, d.Body)
		}
	}
	want := []string{
		"Truck drivers | Intro paragraph with bold text and a link.",
		"Truck drivers — Rest stops | Drivers rest at Zamiin-Uud & Sainshand.",
		"Truck drivers — Rest stops | first item",
		"Truck drivers — Rest stops | second item",
		"Truck drivers — Rest stops | a quote",
		"Truck drivers — Pay | Wages are paid monthly.",
		"Truck drivers — Pay | A footnote.",
	}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
}

// The blocks of two language versions are one thing each when the versions have the same
// blocks in the same order and the same year, and none otherwise.
func TestFromGuidelineThings(t *testing.T) {
	things := func(lang portal.Language, body string, created time.Time) []string {
		t.Helper()
		g, rev := guideline(t, portal.StatusOpen, body)
		g.Language, g.ID, g.Slug = lang, portal.GuidelineID("slug-"+string(lang), lang), "slug-"+string(lang)
		rev.GuidelineID, rev.CreatedAt = g.ID, created
		var out []string
		for _, d := range search.FromGuideline(g, rev) {
			if d.Thing == "" || d.Thing == d.ID || !strings.HasPrefix(d.Thing, "guideline:truck-drivers:") {
				t.Errorf("%s: thing %q", d.ID, d.Thing)
			}
			out = append(out, d.Thing)
		}
		return out
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// The translation: other words, the same blocks.
	translation := strings.NewReplacer("Intro paragraph", "Оршил", "Drivers rest", "Жолооч амрана", "first item", "нэгдүгээр",
		"Rest stops", "Амралтын газар", "Wages", "Цалин").Replace(guidelineBody)
	en, mn := things(portal.English, guidelineBody, at), things(portal.Mongolian, translation, at)
	if len(en) != 7 || !slices.Equal(en, mn) {
		t.Errorf("a translation's things\n%v\nwant the original's\n%v", mn, en)
	}
	if len(slices.Compact(slices.Clone(en))) != len(en) {
		t.Errorf("two blocks are one thing: %v", en)
	}
	// Another shape (a paragraph more), or another year: no block is paired.
	for name, other := range map[string][]string{
		"a paragraph more": things(portal.Mongolian, "Нэмэлт.\n\n"+translation, at),
		"another year":     things(portal.Mongolian, translation, at.AddDate(1, 0, 0)),
	} {
		for _, th := range other {
			if slices.Contains(en, th) {
				t.Errorf("%s: thing %s is shared", name, th)
			}
		}
	}
}

func TestFromGuidelineIndexesOnlyWhatVisitorsSee(t *testing.T) {
	// Every status is public: a draft is published for comment.
	for _, s := range []portal.GuidelineStatus{portal.StatusDraft, portal.StatusOpen, portal.StatusAdopted, portal.StatusArchived} {
		g, rev := guideline(t, s, guidelineBody)
		if len(search.FromGuideline(g, rev)) == 0 {
			t.Errorf("a %s guideline has no records", s)
		}
	}
	g, rev := guideline(t, portal.StatusOpen, guidelineBody)
	ahead := *rev
	ahead.Number, ahead.ID = 3, portal.RevisionID(g.ID, 3) // saved, not yet listed by the guideline
	old := *rev
	old.Number, old.ID = 1, portal.RevisionID(g.ID, 1)
	foreign := *rev
	foreign.GuidelineID = "mn:other"
	for name, r := range map[string]*portal.Revision{"ahead": &ahead, "old": &old, "foreign": &foreign, "nil": nil} {
		if docs := search.FromGuideline(g, r); docs != nil {
			t.Errorf("%s revision: %d records, want none", name, len(docs))
		}
	}
}

func TestSynonyms(t *testing.T) {
	g, _, _ := starter(t)
	syn := search.Synonyms(g)
	omno := syn[search.Fold("Өмнөговь")]
	for _, want := range []string{"soth govi", search.Fold("Southgobi")} {
		if !slices.Contains(omno, want) {
			t.Errorf("synonyms of Өмнөговь = %v, lack %q", omno, want)
		}
	}
	if !slices.Contains(syn["soth govi"], "omnogovi") {
		t.Errorf("synonyms of South Gobi = %v, lack omnogovi", syn["soth govi"])
	}
	for key, others := range syn {
		if slices.Contains(others, key) || !slices.IsSorted(others) || len(others) == 0 {
			t.Errorf("synonyms of %q = %v", key, others)
		}
		for _, o := range others {
			if !slices.Contains(syn[o], key) {
				t.Errorf("%q → %q but not back", key, o)
			}
		}
	}
	if len(search.Synonyms(nil)) != 0 {
		t.Error("Synonyms(nil) is not empty")
	}
}

// BenchmarkFromDirectory makes the records of 100,000 generated services (200,000 records),
// what an Indexer does at start and when another process rewrote the directory.
func BenchmarkFromDirectory(b *testing.B) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		b.Fatal(err)
	}
	var public []*portal.DirectoryOrg
	for _, o := range directorytest.Generate(100_000, 1, g, terms) {
		p, _ := o.Public()
		public = append(public, p)
	}
	d := portal.NewDirectory(public, "v")
	b.ResetTimer()
	for b.Loop() {
		if docs := search.FromDirectory(d, g, terms); len(docs) != 200_000 {
			b.Fatalf("%d records", len(docs))
		}
	}
}
