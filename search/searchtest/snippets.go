package searchtest

import (
	"slices"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

func testHighlighting(t *testing.T, s portal.Searcher) {
	meal := rec("meal", "Drop-in centre", "The drop-in centre gives a warm meal. The shelter is open at night for women and children.")
	long := rec("long", "Annual report", strings.Repeat("The council met and discussed the roads. ", 40)+
		"A new shelter opened in the spring. "+strings.Repeat("Members asked about the budget. ", 40))
	index(t, s, meal, long)

	parts := hit(t, text(t, s, "shelter"), meal.ID).Snippet
	if m := marked(parts); !slices.Contains(m, "shelter") {
		t.Errorf("snippet %+v does not mark shelter", parts)
	}
	if !strings.Contains(snippetText(parts), "shelter is open") {
		t.Errorf("snippet %q lacks the text around the match", snippetText(parts))
	}
	parts = hit(t, text(t, s, "warm shelter"), meal.ID).Snippet
	if m := marked(parts); !slices.Contains(m, "shelter") || !slices.Contains(m, "warm") {
		t.Errorf("snippet %+v does not mark both words", parts)
	}
	parts = hit(t, text(t, s, "shelter"), long.ID).Snippet
	if m := marked(parts); !slices.Contains(m, "shelter") {
		t.Errorf("snippet of a long body %+v does not mark shelter", parts)
	}
	if n := len([]rune(snippetText(parts))); n > 400 {
		t.Errorf("snippet of a long body has %d characters, want about 160", n)
	}
}

func testHighlightingPlainText(t *testing.T, s portal.Searcher) {
	script := rec("script", "Shelter", `Beware <script>alert(1)</script> & <b>bold</b> shelter "quotes".`)
	forged := rec("forged", "Shelter", "\ue000fake\ue001 and <mark>forged</mark> and <em>also</em> then a shelter.")
	index(t, s, script, forged)
	res := text(t, s, "shelter")

	parts := hit(t, res, script.ID).Snippet
	got := snippetText(parts)
	if !strings.Contains(got, "<script>alert(1)</script>") || !strings.Contains(got, "&") {
		t.Errorf("snippet %q: want the body's text as it is, unescaped (the page escapes it)", got)
	}
	if strings.Contains(got, "&lt;") || strings.Contains(got, "&amp;") {
		t.Errorf("snippet %q is escaped: the page would show the entities", got)
	}
	for _, m := range marked(parts) {
		if strings.ContainsAny(m, "<>&") {
			t.Errorf("snippet marks %q: markup as a match", m)
		}
	}
	parts = hit(t, res, forged.ID).Snippet
	if m := marked(parts); !slices.Equal(m, []string{"shelter"}) {
		t.Errorf("snippet %+v marks %q, want only shelter: sentinels or tags in a body forge matches", parts, m)
	}
}
