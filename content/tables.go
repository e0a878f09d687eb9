package content

import (
	"regexp"
	"strings"

	"github.com/gobidialogue/portal"
)

// headingID finds the headings of rendered HTML with their ids, as Render writes them.
var headingID = regexp.MustCompile(`<h[1-6] id="([^"]+)"`)

// ScrollableTables returns rendered HTML (from Render, sanitized) with each table inside a
// box that scrolls sideways on a narrow screen and that a keyboard reaches: focusable
// (tabindex 0, so the arrow keys scroll it), and a region named by the heading before the
// table (WCAG 2.1.1; axe's scrollable-region-focusable). The table itself is not made the
// region: that would hide its rows and cells from screen readers. Pages apply it when they
// show a revision, so HTML stored before it is served the same way.
func ScrollableTables(h portal.SafeHTML) portal.SafeHTML {
	s := string(h)
	if !strings.Contains(s, "<table") {
		return h
	}
	var b strings.Builder
	b.Grow(len(s) + 256)
	heading, done := "", 0 // the last heading id before done, the part of s written
	for {
		i := strings.Index(s[done:], "<table")
		if i < 0 {
			break
		}
		start := done + i
		n := strings.Index(s[start:], "</table>")
		if n < 0 {
			break // not Render's output: the rest is left as it is
		}
		end := start + n + len("</table>")
		if m := headingID.FindAllStringSubmatch(s[done:start], -1); len(m) > 0 {
			heading = m[len(m)-1][1]
		}
		b.WriteString(s[done:start])
		b.WriteString(`<div class="table-scroll" tabindex="0"`)
		if heading != "" {
			b.WriteString(` role="region" aria-labelledby="` + heading + `"`)
		}
		b.WriteString(">")
		b.WriteString(s[start:end])
		b.WriteString("</div>")
		done = end
	}
	b.WriteString(s[done:])
	return portal.SafeHTML(b.String())
}
