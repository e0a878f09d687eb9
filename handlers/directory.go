package handlers

import (
	"bytes"
	"cmp"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// The referral directory's public pages: the list with its filters, a service's entry and
// the printable referral sheet. The people who use them most are civil society workers on
// a phone on weak mobile data, asking "who can take this person tonight, near here?": the
// list answers in two taps (a place, then a type) and works without JavaScript.

const (
	directoryPerPage = 20
	maxPrintServices = 30
	maxPageNumber    = 10000
)

// commonTypes are the service types the list offers as one-tap filters, most urgent first;
// the others are in the form. Ids missing from the taxonomy are left out.
var commonTypes = []string{"shelter", "hotline", "drop-in-centre", "medical", "legal-aid", "psychosocial"}

// directoryForm is the query of /directory, as the form and the filter links write it.
type directoryForm struct {
	Aimag, Soum, Type, Language, Q string
	Open, Always, Free             bool
	Page                           int
}

// values returns the form as query parameters, page 1 and empty fields left out.
func (f directoryForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"aimag": f.Aimag, "soum": f.Soum, "type": f.Type, "language": f.Language, "words": f.Q} {
		if s != "" {
			v.Set(k, s)
		}
	}
	for k, on := range map[string]bool{"open": f.Open, "always": f.Always, "free": f.Free} {
		if on {
			v.Set(k, "1")
		}
	}
	if f.Page > 1 {
		v.Set("page", strconv.Itoa(f.Page))
	}
	return v
}

// URL returns the address of the list the form selects.
func (f directoryForm) URL() string {
	if q := f.values().Encode(); q != "" {
		return "/directory?" + q
	}
	return "/directory"
}

// with returns the address of the list with change applied, on its first page.
func (f directoryForm) with(change func(*directoryForm)) string {
	f.Page = 0
	change(&f)
	return f.URL()
}

// query returns what the form asks the directory for, names sorted in lang.
func (f directoryForm) query(lang portal.Language) directory.Query {
	return directory.Query{Aimag: f.Aimag, Soum: f.Soum, Type: f.Type, Language: f.Language,
		OpenNow: f.Open, Always: f.Always, Free: f.Free, Text: f.Q, SortLanguage: lang}
}

// filtered reports whether the form selects less than the whole directory.
func (f directoryForm) filtered() bool {
	f.Page = 0
	return f != directoryForm{}
}

// directoryPage is the data of /directory.
type directoryPage struct {
	// Degraded says the search engine did not answer: the text box matched words in
	// memory, without the engine's spellings and ranking.
	Degraded bool
	Page
	Form    directoryForm
	Errors  map[string]string // field → message; the page is a 400 when there are any
	Message string            // about the whole query, such as a page past the end
	Aimags  []option
	Soums   []optionGroup
	// SoumOptions are Soums rendered once, when they are the same for every page in the
	// language (no aimag chosen); Soums is then empty.
	SoumOptions template.HTML
	Types       []option
	Spoken      []option
	Places      []filterLink // one tap to an aimag
	Kinds       []filterLink // one tap to a common type
	Toggles     []filterLink // open now, 24 hours, free
	Active      []filterLink // every filter chosen, each a link that removes it
	More        bool         // open the section of further filters
	ClearURL    string
	Results     []serviceCard
	Total       int
	From, To    int
	PageNum     int
	Pages       int
	PrevURL     string
	NextURL     string
}

// optionGroup is an <optgroup> of a <select>.
type optionGroup struct {
	Label   string
	Options []option
}

// serviceCard is a service as the list and the referral sheet show it.
type serviceCard struct {
	*Page
	ID, URL, Name, Org string
	// NameLang and OrgLang are the language of Name and Org when it is not the page's (the
	// record has none in it), for a lang attribute; "" otherwise.
	NameLang, OrgLang string
	Types             string // names in the page's language
	Area              string
	OpenNow           bool
	Always, Free      bool
	Example           bool
	Phones            phoneList
	Assured           time.Time
	Stale             bool
}

// phoneList is telephone numbers as the pages show them.
type phoneList struct {
	*Page
	List []phoneView
}

// phoneView is a telephone number with the link that dials it.
type phoneView struct {
	Number  string
	Tel     template.URL // "" when the number cannot be dialled as written
	Label   string
	Example bool
}

// directoryFilterFields are the directory form's fields, for its error summary; the page
// number is no field, and its problem is listed without a link.
var directoryFilterFields = []string{"q#dir-q@directory.q", "aimag#dir-aimag@directory.aimag", "soum#dir-soum@directory.soum",
	"type#dir-type@directory.type", "language#dir-language@directory.language_label", "open#dir-open@directory.open_now",
	"always#dir-always@directory.always", "free#dir-free@directory.free"}

// HandleDirectory serves GET /directory: the referral directory, filtered by place, type,
// language, opening and fees, nearest first, 20 to a page.
func (h *Handlers) HandleDirectory(c *gin.Context) {
	p := directoryPage{Page: h.page(c, "", "directory"), Errors: map[string]string{}}
	p.Title = p.T("directory.title")
	p.Description = p.T("directory.lead")
	ctx := c.Request.Context()
	p.Form = h.readDirectoryForm(c, &p.Page, p.Errors)
	res, err := h.findServices(ctx, p.Form, p.Lang, len(p.Errors) == 0)
	if err != nil {
		h.Error(c, err)
		return
	}
	spoken := filterLanguages(res.Directory, p.Form.Language)
	h.checkLanguage(&p.Page, &p.Form, spoken, p.Errors)
	h.fillDirectoryForm(&p, spoken)
	if len(p.Errors) > 0 {
		p.Message = p.T("directory.error.fix")
		p.summarize(p.Message, p.Errors, directoryFilterFields...)
		h.render(c, http.StatusBadRequest, "directory", p)
		return
	}
	p.Degraded = res.Degraded
	if res.Degraded {
		// Words matched in memory while the engine is down: not an answer to keep, in the
		// browser or the page cache.
		noStore(c)
	}
	if !p.paginate(len(res.Hits)) {
		p.Message = pastEnd(&p.Page, p.PageNum, p.Pages, p.Total).Error()
		h.render(c, http.StatusNotFound, "directory", p)
		return
	}
	now := h.Now()
	for _, hit := range res.Hits[p.From-1 : p.To] {
		p.Results = append(p.Results, h.card(&p.Page, hit.Service, hit.Org, now))
	}
	h.render(c, http.StatusOK, "directory", p)
}

// findServices returns the services the form selects (see directory.Finder), or, when the
// form is not to be run (it has errors), only the directory the form offers choices from.
func (h *Handlers) findServices(ctx context.Context, f directoryForm, lang portal.Language, run bool) (*directory.Result, error) {
	if run {
		return h.Finder.Find(ctx, f.query(lang))
	}
	d, err := h.Directory.Directory(ctx)
	if err != nil {
		return nil, err
	}
	return &directory.Result{Directory: d}, nil
}

// paginate sets the page's place among total results: which are shown (From and To, from
// 1), how many pages there are, and the links to the pages around. It reports false for a
// page past the end.
func (p *directoryPage) paginate(total int) bool {
	p.Total, p.PageNum = total, max(p.Form.Page, 1)
	p.Pages = max((total+directoryPerPage-1)/directoryPerPage, 1)
	if p.PageNum > p.Pages {
		return false
	}
	p.From = (p.PageNum-1)*directoryPerPage + 1
	p.To = min(p.PageNum*directoryPerPage, total)
	form := p.Form
	if p.PageNum > 1 {
		form.Page = p.PageNum - 1
		p.PrevURL = form.URL()
	}
	if p.PageNum < p.Pages {
		form.Page = p.PageNum + 1
		p.NextURL = form.URL()
	}
	return true
}

// readDirectoryForm reads the query of /directory and checks every value against the
// gazetteer and the taxonomy (the language is checked against the directory, by
// checkLanguage), recording what is wrong in errs. An unknown value is never ignored: the
// list it would give is not the one asked for. Values in error are cleared, so the links
// built from the form do not carry them.
func (h *Handlers) readDirectoryForm(c *gin.Context, p *Page, errs map[string]string) directoryForm {
	q := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	// The words are "words", a name that no other site's search box shares, so the browser's
	// autocomplete history does not offer them elsewhere on a shared phone; "q" is read too,
	// for links made before.
	f := directoryForm{Aimag: q("aimag"), Soum: q("soum"), Type: q("type"), Language: q("language"), Q: cmp.Or(q("words"), q("q"))}
	for field, value := range map[string]*string{"aimag": &f.Aimag, "soum": &f.Soum, "type": &f.Type, "language": &f.Language} {
		if len(*value) > maxChoice || !utf8.ValidString(*value) {
			errs[field] = p.T("directory.error."+field, shorten(*value))
			*value = ""
		}
	}
	switch {
	case utf8.RuneCountInString(f.Q) > maxQuery:
		errs["q"] = p.T("form.too_long")
	case !utf8.ValidString(f.Q) || strings.ContainsFunc(f.Q, unicode.IsControl):
		errs["q"] = p.T("admin.field.invalid")
		f.Q = ""
	}
	if f.Aimag != "" && h.Gazetteer.FindAimag(f.Aimag) == nil {
		errs["aimag"] = p.T("directory.error.aimag", f.Aimag)
		f.Aimag = ""
	}
	if f.Soum != "" {
		h.checkSoum(p, &f, errs)
	}
	if f.Type != "" && h.term(f.Type) == nil {
		errs["type"] = p.T("directory.error.type", f.Type)
		f.Type = ""
	}
	for field, on := range map[string]*bool{"open": &f.Open, "always": &f.Always, "free": &f.Free} {
		switch v := c.Query(field); v {
		case "1":
			*on = true
		case "", "0":
		default:
			errs[field] = p.T("directory.error.checkbox", shorten(v))
		}
	}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageNumber {
			errs["page"] = p.T("directory.error.page_number", shorten(v))
		}
		f.Page = n
	}
	return f
}

// checkLanguage checks the language of f against those the form offers (spoken). An error
// there leaves the other fields' results unasked for.
func (h *Handlers) checkLanguage(p *Page, f *directoryForm, spoken []string, errs map[string]string) {
	if f.Language != "" && !slices.Contains(spoken, f.Language) {
		errs["language"] = p.T("directory.error.language", f.Language)
		f.Language = ""
	}
}

// checkSoum checks the soum of f, and fills in its aimag when the soum names only one. A
// soum outside the aimag asked for is an error, not a guess.
func (h *Handlers) checkSoum(p *Page, f *directoryForm, errs map[string]string) {
	if f.Aimag != "" {
		if s := h.Gazetteer.FindSoum(f.Aimag, f.Soum); s == nil {
			a := h.Gazetteer.FindAimag(f.Aimag)
			errs["soum"] = p.T("directory.error.soum_in", f.Soum, a.Name.In(p.Lang))
			f.Soum = ""
		}
		return
	}
	var in []string
	for _, a := range h.Gazetteer.Aimags {
		if h.Gazetteer.FindSoum(a.ID, f.Soum) != nil {
			in = append(in, a.ID)
		}
	}
	switch len(in) {
	case 1:
		f.Aimag = in[0]
	case 0:
		errs["soum"] = p.T("directory.error.soum", f.Soum)
		f.Soum = ""
	default:
		errs["soum"] = p.T("directory.error.soum_aimag", f.Soum)
		f.Soum = ""
	}
}

// shorten cuts a value echoed in a message to a readable length.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// soumGroups returns the soums the form offers, by aimag: every aimag's, or once an aimag
// is chosen only its own, with f's soum selected.
func (h *Handlers) soumGroups(lang portal.Language, f directoryForm) []optionGroup {
	var groups []optionGroup
	for _, a := range h.Gazetteer.Aimags {
		if f.Aimag != "" && a.ID != f.Aimag {
			continue
		}
		group := optionGroup{Label: a.Name.In(lang)}
		for _, s := range a.Soums {
			group.Options = append(group.Options, option{Value: s.ID, Label: s.Name.In(lang), Selected: a.ID == f.Aimag && s.ID == f.Soum})
		}
		groups = append(groups, group)
	}
	return groups
}

// fillDirectoryForm fills the choices of the form and the filter links.
func (h *Handlers) fillDirectoryForm(p *directoryPage, spoken []string) {
	f := p.Form
	p.Aimags = []option{{Value: "", Label: p.T("directory.all_aimags"), Selected: f.Aimag == ""}}
	p.Places = []filterLink{{Label: p.T("directory.everywhere"), URL: f.with(func(g *directoryForm) { g.Aimag, g.Soum = "", "" }), Current: f.Aimag == ""}}
	for _, a := range h.Gazetteer.Aimags {
		name := a.Name.In(p.Lang)
		p.Aimags = append(p.Aimags, option{Value: a.ID, Label: name, Selected: a.ID == f.Aimag})
		p.Places = append(p.Places, filterLink{Label: name, Current: a.ID == f.Aimag,
			URL: f.with(func(g *directoryForm) { g.Aimag, g.Soum = a.ID, "" })})
	}
	if f.Aimag == "" {
		// With no aimag chosen, every soum is offered and none is chosen: the same options
		// on every such page in a language, rendered once (at 330 soums they were a third
		// of the time of a directory page that the page cache did not hold yet).
		key := "soums\x00" + string(p.Lang)
		fr, err := h.fragments.get(key, false, func(buf *bytes.Buffer) error {
			return h.Theme.RenderFragment(buf, "directory", "soum-options", h.soumGroups(p.Lang, f))
		})
		if err == nil {
			p.SoumOptions = fr.html
		} else {
			p.Soums = h.soumGroups(p.Lang, f) // the page's own rendering meets and logs the error
		}
	} else {
		p.Soums = h.soumGroups(p.Lang, f)
	}
	p.Types = []option{{Value: "", Label: p.T("directory.all_types"), Selected: f.Type == ""}}
	p.Kinds = []filterLink{{Label: p.T("directory.all_types"), URL: f.with(func(g *directoryForm) { g.Type = "" }), Current: f.Type == ""}}
	for _, t := range h.Taxonomy {
		p.Types = append(p.Types, option{Value: t.ID, Label: t.Name.In(p.Lang), Selected: t.ID == f.Type})
		if slices.Contains(commonTypes, t.ID) || t.ID == f.Type {
			p.Kinds = append(p.Kinds, filterLink{Label: t.Name.In(p.Lang), Current: t.ID == f.Type,
				URL: f.with(func(g *directoryForm) { g.Type = t.ID })})
		}
	}
	p.Spoken = []option{{Value: "", Label: p.T("directory.any_language"), Selected: f.Language == ""}}
	for _, l := range spoken {
		p.Spoken = append(p.Spoken, option{Value: l, Label: languageName(&p.Page, l), Selected: l == f.Language})
	}
	p.Toggles = []filterLink{
		{Label: p.T("directory.open_now"), Current: f.Open, URL: f.with(func(g *directoryForm) { g.Open = !g.Open })},
		{Label: p.T("directory.always"), Current: f.Always, URL: f.with(func(g *directoryForm) { g.Always = !g.Always })},
		{Label: p.T("directory.free"), Current: f.Free, URL: f.with(func(g *directoryForm) { g.Free = !g.Free })},
	}
	// On a phone the chip rows of a chosen filter fold away (directory.html), so the chosen
	// place, type and toggles are listed here too, each a link that removes it.
	if f.Aimag != "" && f.Soum == "" {
		p.Active = appendChosen(p.Active, p.Places)
	}
	if f.Type != "" {
		p.Active = appendChosen(p.Active, p.Kinds)
	}
	for _, t := range p.Toggles {
		if t.Current {
			p.Active = append(p.Active, t) // its link turns it off
		}
	}
	if f.Soum != "" {
		p.Active = append(p.Active, filterLink{Label: h.placeName(portal.Place{Aimag: f.Aimag, Soum: f.Soum}, p.Lang),
			URL: f.with(func(g *directoryForm) { g.Soum = "" })})
	}
	if f.Language != "" {
		p.Active = append(p.Active, filterLink{Label: p.T("directory.speaks", languageName(&p.Page, f.Language)),
			URL: f.with(func(g *directoryForm) { g.Language = "" })})
	}
	if f.Q != "" {
		p.Active = append(p.Active, filterLink{Label: "“" + f.Q + "”", URL: f.with(func(g *directoryForm) { g.Q = "" })})
	}
	p.More = f.Soum != "" || f.Language != "" || len(p.Errors) > 0
	if f.filtered() {
		p.ClearURL = "/directory"
	}
}

// appendChosen appends the chosen link of a chip row whose first link chooses nothing,
// with that first link's address: following it removes the choice.
func appendChosen(active, row []filterLink) []filterLink {
	for _, l := range row[1:] {
		if l.Current {
			return append(active, filterLink{Label: l.Label, URL: row[0].URL})
		}
	}
	return active
}

// filterLanguages returns the languages the form offers: those the service form offers,
// and lang when a service speaks it though the form does not list it (an import may bring
// any language). Only such a language costs a look at every service.
func filterLanguages(d *portal.Directory, lang string) []string {
	langs := slices.Clone(formLanguages)
	if lang == "" || slices.Contains(langs, lang) {
		return langs
	}
	for _, s := range d.Services() {
		if slices.Contains(s.Languages, lang) {
			return append(langs, lang)
		}
	}
	return langs
}

// languageName names the language with ISO 639-1 code in p's language, or gives the code.
func languageName(p *Page, code string) string {
	if key := "directory.language." + code; p.Has(key) {
		return p.T(key)
	}
	return code
}

// term returns the service type with id, or nil.
func (h *Handlers) term(id string) *portal.TaxonomyTerm {
	for i := range h.Taxonomy {
		if h.Taxonomy[i].ID == id {
			return &h.Taxonomy[i]
		}
	}
	return nil
}

// placeName names an aimag, or a soum and its aimag, in lang.
func (h *Handlers) placeName(pl portal.Place, lang portal.Language) string {
	a := h.Gazetteer.FindAimag(pl.Aimag)
	if a == nil {
		return strings.TrimSuffix(pl.Soum+", "+pl.Aimag, ", ")
	}
	if pl.Soum == "" {
		return a.Name.In(lang)
	}
	if s := h.Gazetteer.FindSoum(pl.Aimag, pl.Soum); s != nil {
		return s.Name.In(lang) + ", " + a.Name.In(lang)
	}
	return pl.Soum + ", " + a.Name.In(lang)
}

// area names the places a service serves, in lang.
func (h *Handlers) area(places []portal.Place, lang portal.Language) string {
	names := make([]string, len(places))
	for i, pl := range places {
		names[i] = h.placeName(pl, lang)
	}
	return strings.Join(names, "; ")
}

// card returns what the list and the sheet show of service s of org o at now.
func (h *Handlers) card(p *Page, s *portal.Service, o *portal.DirectoryOrg, now time.Time) serviceCard {
	c := serviceCard{Page: p, ID: s.ID, URL: portal.ServicePath(s.ID), Name: s.Name.In(p.Lang), Org: o.Name.In(p.Lang),
		Area: h.area(s.Area, p.Lang), OpenNow: s.OpenAt(now), Always: s.Always, Free: s.Free,
		Example: s.Example || o.Example, Phones: phones(p, s.Phones),
		Assured: s.AssuredDate, Stale: s.Stale(now), NameLang: otherLang(s.Name, p.Lang), OrgLang: otherLang(o.Name, p.Lang)}
	names := make([]string, len(s.Types))
	for i, t := range s.Types {
		names[i] = t
		if term := h.term(t); term != nil {
			names[i] = term.Name.In(p.Lang)
		}
	}
	c.Types = strings.Join(names, ", ")
	return c
}

// otherLang returns the language that t is shown in on a page in lang when it is not lang
// (the record has no text in lang), for the lang attribute that tells screen readers and
// translation tools; "" when it is lang.
func otherLang(t portal.Text, lang portal.Language) string {
	if shown := t.Shown(lang); shown != lang {
		return string(shown)
	}
	return ""
}

// phones returns the numbers with links that dial them. A number is marked as an example
// by its own mark, not its service's: an example service may give a real national number
// (102, the police), and calling that an example would be the more dangerous mistake. The
// card of an example service carries its own mark.
func phones(p *Page, list []portal.Phone) phoneList {
	out := phoneList{Page: p, List: make([]phoneView, len(list))}
	for i, ph := range list {
		out.List[i] = phoneView{Number: ph.Number, Tel: telURL(ph.Number), Label: ph.Description.In(p.Lang), Example: ph.Example}
	}
	return out
}

// telURL returns the tel: link of a number, such as tel:+97670110300 for +976 7011 0300,
// or "" when the number is not digits with an optional leading +. html/template refuses
// tel: in an href unless it is a template.URL; this one holds nothing but a plus and
// digits, so it cannot carry markup or another scheme.
func telURL(number string) template.URL {
	d := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(number))
	digits := strings.TrimPrefix(d, "+")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return ""
	}
	return template.URL("tel:" + d) //nolint:gosec // only "+" and digits.
}

// renderPrivate writes a page that shows confidential data. No cache may keep it, the
// browser's included, and it has no ETag: a shared cache could otherwise answer a later
// request with it, and a revalidation would tell whether it changed.
func (h *Handlers) renderPrivate(c *gin.Context, page string, data any) {
	buf := getPageBuffer()
	defer putPageBuffer(buf)
	if err := h.Theme.Render(buf, page, data); err != nil {
		h.Logger.ErrorContext(c.Request.Context(), "render", "page", page, "err", err)
		h.renderError(c, http.StatusInternalServerError, "")
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}
