package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// latinAllowed are the runs of Latin-script words that a Mongolian page may show, each a
// proper name or a term that is Latin in Mongolian too. A run is allowed when the whole
// run matches one of these; anything else is English that a Mongolian reader should not
// meet. None of them occurs on the starter pages today (single Latin words, such as
// "Ömnögovi, Umnugovi" in the search lead or "Mon, Tue … Sun" in the hours help, are not
// runs); they are here because a page built from real data may show them. Keep the list
// short: a new entry needs a reason.
var latinAllowed = []struct {
	re  *regexp.Regexp
	why string
}{
	// An organisation may be known by a Latin name that is its own, as the copper mine
	// is: it stays Latin in Mongolian text.
	{regexp.MustCompile(`^Oyu Tolgoi( LLC)?$`), "the mining company's registered name"},
	// Sign-in providers are brand names, written as their owners write them; a page may
	// list two side by side.
	{regexp.MustCompile(`^(Google|Microsoft)( (Google|Microsoft))+$`), "sign-in provider names"},
	// Open Referral's standard and the data formats have no Mongolian names.
	{regexp.MustCompile(`^(HSDS|CSV|JSON)( (HSDS|CSV|JSON))+$`), "names of a standard and formats"},
}

// latinRuns finds runs of two or more Latin-script words (two or more letters each) in
// text: words separated only by spaces, or by tokens with no letters ("Open 24 hours").
// A comma, colon, semicolon or sentence end closes a run: a list of single Latin names
// ("Ömnögovi, Khanbogd") is not English prose. E-mail addresses and URLs are not words.
func latinRuns(text string) []string {
	var runs []string
	var run []string
	flush := func() {
		if len(run) >= 2 {
			runs = append(runs, strings.Join(run, " "))
		}
		run = run[:0]
	}
	for _, tok := range strings.Fields(splitScripts(text)) {
		word := strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		switch {
		case strings.Contains(tok, "@") || strings.Contains(tok, "://") || strings.HasPrefix(word, "www."):
			flush()
			continue
		case isLatinWord(word):
			run = append(run, word)
		case hasLetter(word):
			flush()
			continue
		}
		if strings.ContainsAny(tok[len(tok)-1:], ",;:.!?") {
			flush()
		}
	}
	flush()
	return runs
}

// splitScripts puts a space where a Latin letter meets a letter of another script: text of
// two inline elements can meet without one ("24 цаг" then "Free of charge" in badges).
func splitScripts(text string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range text {
		if unicode.IsLetter(prev) && unicode.IsLetter(r) && unicode.Is(unicode.Latin, prev) != unicode.Is(unicode.Latin, r) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// isLatinWord reports whether w is a word of the Latin script: two or more Latin letters
// and no letter of another script.
func isLatinWord(w string) bool {
	n := 0
	for _, r := range w {
		switch {
		case unicode.Is(unicode.Latin, r):
			n++
		case unicode.IsLetter(r):
			return false
		}
	}
	return n >= 2
}

func hasLetter(w string) bool { return strings.IndexFunc(w, unicode.IsLetter) >= 0 }

// blockElements end a piece of text: words on either side of one are not one run.
var blockElements = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true, "button": true,
	"caption": true, "dd": true, "details": true, "div": true, "dl": true, "dt": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "header": true, "hr": true, "label": true, "legend": true, "li": true,
	"main": true, "nav": true, "ol": true, "option": true, "p": true, "section": true, "select": true,
	"summary": true, "table": true, "td": true, "th": true, "tr": true, "ul": true, "textarea": true,
}

// skipped are elements whose text a reader does not see as the page's prose: scripts and
// styles, and code (addresses, formats, examples to type) that is the same in any language.
var skipped = map[string]bool{"script": true, "style": true, "code": true, "template": true, "noscript": true}

// bilingualFields are form fields that hold both languages by design, so a Mongolian page
// shows their English too: each line of the phones field is a number, its Mongolian
// label and its English label ("+976 9911 0301 | 24 цагийн утас | 24-hour line").
var bilingualFields = map[string]bool{"phones": true}

// mongolianText returns the pieces of visible text of a page that are in Mongolian: it
// skips what skipped lists, the language switch (links with hreflang: they name the other
// language in that language), and every element marked as another language (lang="en",
// an English record shown as a fallback) unless an element inside it is marked Mongolian
// again. Attribute values are never read.
func mongolianText(page string) ([]string, error) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil, err
	}
	var pieces []string
	var b strings.Builder
	flush := func() {
		if s := strings.TrimSpace(b.String()); s != "" {
			pieces = append(pieces, s)
		}
		b.Reset()
	}
	var walk func(n *html.Node, lang string)
	walk = func(n *html.Node, lang string) {
		switch n.Type {
		case html.TextNode:
			if strings.HasPrefix(lang, "mn") {
				b.WriteString(n.Data)
			}
			return
		case html.ElementNode:
			if skipped[n.Data] || attr(n, "hreflang") != "" || (n.Data == "textarea" && bilingualFields[attr(n, "name")]) {
				return
			}
			if l := attr(n, "lang"); l != "" {
				lang = l
			}
			if blockElements[n.Data] {
				flush()
				defer flush()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, lang)
		}
	}
	walk(doc, "")
	flush()
	return pieces, nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// englishIn returns the runs of Latin words on a Mongolian page that latinAllowed does not
// allow, each with the text around it.
func englishIn(t *testing.T, page string) []string {
	t.Helper()
	pieces, err := mongolianText(page)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, piece := range pieces {
	runs:
		for _, run := range latinRuns(piece) {
			for _, a := range latinAllowed {
				if a.re.MatchString(run) {
					continue runs
				}
			}
			found = append(found, run+" (in “"+shorten(piece, 160)+"”)")
		}
	}
	return found
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// TestMongolianPagesHaveNoEnglish fetches the main pages in Mongolian, as a visitor and as
// an admin, and fails on any run of two or more English words outside the language switch,
// code, e-mail addresses, URLs, elements marked lang="en" and the proper names and terms
// of latinAllowed. A search for an English word shows English records as a fallback: they
// must be marked lang="en" (for screen readers too), or their words count as English here.
func TestMongolianPagesHaveNoEnglish(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.IndexOnce, Now: now})
	p.Organisation(t, "gobi-women-network", "Говийн эмэгтэйчүүдийн сүлжээ", "Gobi Women's Network", portal.GroupCivilSociety, true)
	_, member := p.Person(t, "member@gobi-women.example.mn", "Гишүүн", portal.RoleMember, "gobi-women-network")
	_, admin := p.Person(t, "admin@council.example.mn", "Админ", portal.RoleAdmin, "")

	visitor := []string{
		"/", "/guidelines", "/guidelines?status=open", "/search", "/search?q=Өмнөговь", "/search?q=shelter",
		"/search?q=хамгаалах+байр", "/directory", "/directory?aimag=umnugovi", "/directory?type=return-reintegration",
		"/directory/services/ub-safe-house-shelter", "/directory/services/international-migration-office-return",
		"/directory/services/umnugovi-one-stop-centre-counselling", "/directory/print?s=ub-safe-house-shelter&s=international-migration-office-return",
		"/login", "/reset", "/no-such-page", "/guidelines/no-such-guideline",
	}
	for _, slug := range []string{"truck-drivers", "migrant-workers", "contractor-code", "victim-identification"} {
		base := "/guidelines/" + slug
		visitor = append(visitor, base, base+"/revisions", base+"/revisions/1", base+"/diff?from=1&to=2")
	}
	signedIn := []struct{ cookie, path string }{
		{member, "/profile"}, {member, "/directory/services/ub-safe-house-shelter"},
		{member, "/directory/services/ub-safe-house-shelter/suggest"}, {member, "/directory/suggestions"},
		{admin, "/profile"}, {admin, "/admin"}, {admin, "/admin/invitations"}, {admin, "/admin/organisations"},
		{admin, "/admin/people"}, {admin, "/admin/audit"}, {admin, "/directory/services/ub-safe-house-shelter/edit"},
		{admin, "/directory/organizations/ub-safe-house/edit"}, {admin, "/directory/suggestions"},
	}
	type fetch struct{ cookie, path string }
	var pages []fetch
	for _, path := range visitor {
		pages = append(pages, fetch{"", path})
	}
	for _, s := range signedIn {
		pages = append(pages, fetch(s))
	}
	for _, f := range pages {
		sep := "?"
		if strings.Contains(f.path, "?") {
			sep = "&"
		}
		target := f.path + sep + "lang=mn"
		var r *response
		if f.cookie == "" {
			r = get(t, p.Router, "GET", target)
		} else {
			r = get(t, p.Router, "GET", target, "Cookie", f.cookie)
		}
		if r.Code != http.StatusOK && r.Code != http.StatusNotFound {
			t.Errorf("%s: status %d", target, r.Code)
			continue
		}
		if !strings.Contains(r.body, `<html lang="mn"`) {
			t.Errorf("%s: not a Mongolian page", target)
			continue
		}
		for _, e := range englishIn(t, r.body) {
			t.Errorf("%s: English on a Mongolian page: %s", target, e)
		}
	}
}

// TestLatinRuns pins down what counts as a run of English words.
func TestLatinRuns(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Баталгаажуулсан: Council secretariat (example).", []string{"Council secretariat example"}},
		{"Open 24 hours", []string{"Open hours"}},
		{"Одоо нээлттэй24 цагFree of charge", []string{"Free of charge"}},
		{"Өмнөговь, Ömnögovi, Umnugovi гурвуулаа", nil},
		{"Google бүртгэлээр нэвтрэх", nil},
		{"info@gobi-women.example.mn https://gobi-women.example.mn", nil},
		{"Даваа–Баасан 09:00–17:00 эсвэл Mon–Fri", nil},
		{"ST/SGB/2003/13", nil},
		{"<script>alert('x')</script> гарчиг", nil},
		{"Ажлын цаг: Mon Tue", []string{"Mon Tue"}},
		{"Хэлтсийн жижүүр, Oyu Tolgoi LLC, Ханбогд", []string{"Oyu Tolgoi LLC"}},
	}
	for _, tt := range tests {
		got := latinRuns(tt.text)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("latinRuns(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	pieces, err := mongolianText(`<html lang="mn"><body><p>Сайн <b>байна</b> уу</p><ul><li lang="en">Council secretariat <span lang="mn">Нарийн бичгийн газар</span></li></ul>` +
		`<a hreflang="en" href="?lang=en">English</a><code>portal user create</code><p title="Attribute value here">Монгол</p></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pieces, "|"); got != "Сайн байна уу|Нарийн бичгийн газар|Монгол" {
		t.Errorf("mongolianText = %q", got)
	}
	found := englishIn(t, `<html lang="mn"><p>Oyu Tolgoi компанийн ажилтан</p><p>Баталгаажуулсан: Council secretariat</p></html>`)
	if len(found) != 1 || !strings.HasPrefix(found[0], "Council secretariat (in") {
		t.Errorf("englishIn = %q, want only Council secretariat", found)
	}
}
